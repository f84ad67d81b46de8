CREATE TABLE `doc_counters` (
	`prefix` text NOT NULL,
	`day` text NOT NULL,
	`last` integer NOT NULL,
	PRIMARY KEY(`prefix`, `day`)
);
--> statement-breakpoint
CREATE TABLE `stock_levels` (
	`cell` text PRIMARY KEY NOT NULL,
	`location_id` text NOT NULL,
	`sku_id` text NOT NULL,
	`on_hand` integer NOT NULL,
	`reserved` integer NOT NULL,
	`available` integer NOT NULL,
	`in_transit` integer DEFAULT 0 NOT NULL,
	`reorder_point` integer,
	`avg_cost_fen` integer DEFAULT 0 NOT NULL,
	`version` integer NOT NULL,
	`last_seq` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `stock_levels_location_sku_idx` ON `stock_levels` (`location_id`,`sku_id`);--> statement-breakpoint
CREATE INDEX `stock_levels_sku_idx` ON `stock_levels` (`sku_id`);--> statement-breakpoint
CREATE INDEX `stock_levels_location_available_idx` ON `stock_levels` (`location_id`,`available`);--> statement-breakpoint
CREATE TABLE `stock_moves` (
	`cell` text NOT NULL,
	`seq` integer NOT NULL,
	`location_id` text NOT NULL,
	`sku_id` text NOT NULL,
	`kind` text NOT NULL,
	`delta` integer NOT NULL,
	`lot` text,
	`unit_cost_fen` integer,
	`cost_fen` integer,
	`on_hand_after` integer NOT NULL,
	`available_after` integer NOT NULL,
	`reason` text,
	`ref_type` text,
	`ref_id` text,
	`actor_id` text,
	`occurred_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`cell`, `seq`)
);
--> statement-breakpoint
CREATE INDEX `stock_moves_location_occurred_idx` ON `stock_moves` (`location_id`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `stock_moves_sku_occurred_idx` ON `stock_moves` (`sku_id`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `stock_moves_occurred_idx` ON `stock_moves` (`occurred_at`);--> statement-breakpoint
CREATE INDEX `stock_moves_kind_occurred_idx` ON `stock_moves` (`kind`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `stock_moves_ref_idx` ON `stock_moves` (`ref_type`,`ref_id`);--> statement-breakpoint
ALTER TABLE `categories` ADD `name_path` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `categories_name_path_uq` ON `categories` (`name_path`);--> statement-breakpoint
CREATE INDEX `products_name_idx` ON `products` (`name`,`category_id`);