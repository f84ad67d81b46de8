CREATE TABLE `report_daily` (
	`location_id` text NOT NULL,
	`day` text NOT NULL,
	`channel` text NOT NULL,
	`orders` integer NOT NULL,
	`units` integer NOT NULL,
	`gross_fen` integer NOT NULL,
	`discount_fen` integer NOT NULL,
	`sales_fen` integer NOT NULL,
	`cost_fen` integer NOT NULL,
	`returns` integer NOT NULL,
	`returns_fen` integer NOT NULL,
	`returns_cost_fen` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`location_id`, `day`, `channel`)
);
--> statement-breakpoint
CREATE INDEX `report_daily_day_idx` ON `report_daily` (`day`,`location_id`);--> statement-breakpoint
CREATE TABLE `report_daily_category` (
	`location_id` text NOT NULL,
	`day` text NOT NULL,
	`category_id` text NOT NULL,
	`units` integer NOT NULL,
	`sales_fen` integer NOT NULL,
	`cost_fen` integer NOT NULL,
	`returns_fen` integer NOT NULL,
	`returns_cost_fen` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`location_id`, `day`, `category_id`)
);
--> statement-breakpoint
CREATE INDEX `report_daily_category_day_idx` ON `report_daily_category` (`day`,`location_id`);