CREATE TABLE `replenish_signals` (
	`cell` text NOT NULL,
	`seq` integer NOT NULL,
	`location_id` text NOT NULL,
	`sku_id` text NOT NULL,
	`available` integer NOT NULL,
	`on_hand` integer NOT NULL,
	`reorder_point` integer NOT NULL,
	`max` integer,
	`safety_stock` integer,
	`status` text DEFAULT 'open' NOT NULL,
	`occurred_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`cell`, `seq`)
);
--> statement-breakpoint
CREATE INDEX `replenish_signals_location_idx` ON `replenish_signals` (`location_id`,`status`);