CREATE TABLE `stock_lots` (
	`cell` text NOT NULL,
	`lot` text NOT NULL,
	`location_id` text NOT NULL,
	`sku_id` text NOT NULL,
	`expires_on` text,
	`qty` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`cell`, `lot`)
);
--> statement-breakpoint
CREATE INDEX `stock_lots_location_expires_idx` ON `stock_lots` (`location_id`,`expires_on`);--> statement-breakpoint
ALTER TABLE `stock_moves` ADD `expires_on` text;