ALTER TABLE `skus` ADD `sync_seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `skus_sync_seq_idx` ON `skus` (`sync_seq`);--> statement-breakpoint
ALTER TABLE `members` ADD `sync_seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `members_home_sync_seq_idx` ON `members` (`home_location_id`,`sync_seq`);