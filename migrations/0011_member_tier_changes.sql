CREATE TABLE `member_tier_changes` (
	`id` text PRIMARY KEY NOT NULL,
	`member_id` text NOT NULL,
	`from_tier_id` text,
	`to_tier_id` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `member_tier_changes_member_at_idx` ON `member_tier_changes` (`member_id`,`at`);