CREATE TABLE `order_lines` (
	`order_id` text NOT NULL,
	`line_no` integer NOT NULL,
	`sku_id` text NOT NULL,
	`qty` integer NOT NULL,
	`unit_price_fen` integer NOT NULL,
	`amount_fen` integer NOT NULL,
	`cost_fen` integer,
	PRIMARY KEY(`order_id`, `line_no`)
);
--> statement-breakpoint
CREATE INDEX `order_lines_sku_idx` ON `order_lines` (`sku_id`);--> statement-breakpoint
CREATE TABLE `order_payments` (
	`id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`method` text NOT NULL,
	`amount_fen` integer NOT NULL,
	`status` text NOT NULL,
	`provider` text NOT NULL,
	`provider_ref` text,
	`with_auth_code` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `order_payments_order_idx` ON `order_payments` (`order_id`,`attempt`);--> statement-breakpoint
CREATE TABLE `orders` (
	`id` text PRIMARY KEY NOT NULL,
	`number` text NOT NULL,
	`channel` text NOT NULL,
	`location_id` text NOT NULL,
	`status` text NOT NULL,
	`customer_id` text,
	`external_ref` text,
	`total_fen` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`pay_attempts` integer DEFAULT 0 NOT NULL,
	`cost_fen` integer,
	`paid_at` integer,
	`closed_at` integer,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `orders_number_uq` ON `orders` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `orders_channel_external_uq` ON `orders` (`channel`,`external_ref`);--> statement-breakpoint
CREATE INDEX `orders_location_id_idx` ON `orders` (`location_id`,`id`);--> statement-breakpoint
CREATE INDEX `orders_status_id_idx` ON `orders` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `orders_channel_id_idx` ON `orders` (`channel`,`id`);--> statement-breakpoint
CREATE INDEX `orders_status_updated_idx` ON `orders` (`status`,`updated_at`);--> statement-breakpoint
CREATE TABLE `stocktake_counts` (
	`stocktake_id` text NOT NULL,
	`batch_id` text NOT NULL,
	`counter_id` text,
	`actor_id` text NOT NULL,
	`lines` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`stocktake_id`, `batch_id`)
);
--> statement-breakpoint
CREATE TABLE `stocktake_lines` (
	`stocktake_id` text NOT NULL,
	`sku_id` text NOT NULL,
	`counted_qty` integer NOT NULL,
	`expected_qty` integer NOT NULL,
	`cell_version` integer NOT NULL,
	`avg_cost_fen` integer NOT NULL,
	`counted_at` integer NOT NULL,
	`posted_delta` integer,
	`posted_cost_fen` integer,
	`over_reserved` integer,
	PRIMARY KEY(`stocktake_id`, `sku_id`)
);
--> statement-breakpoint
CREATE TABLE `stocktakes` (
	`id` text PRIMARY KEY NOT NULL,
	`number` text NOT NULL,
	`location_id` text NOT NULL,
	`category_id` text,
	`status` text NOT NULL,
	`note` text,
	`created_by` text NOT NULL,
	`posted_by` text,
	`posted_at` integer,
	`cancelled_by` text,
	`cancelled_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `stocktakes_location_idx` ON `stocktakes` (`location_id`,`id`);--> statement-breakpoint
CREATE INDEX `stocktakes_status_idx` ON `stocktakes` (`status`,`updated_at`);--> statement-breakpoint
CREATE TABLE `transfer_lines` (
	`transfer_id` text NOT NULL,
	`sku_id` text NOT NULL,
	`qty` integer NOT NULL,
	`shipped_takes` text,
	`shipped_cost_fen` integer,
	`received_qty` integer,
	`variance_qty` integer,
	`variance_reason` text,
	`variance_cost_fen` integer,
	PRIMARY KEY(`transfer_id`, `sku_id`)
);
--> statement-breakpoint
CREATE TABLE `transfers` (
	`id` text PRIMARY KEY NOT NULL,
	`number` text,
	`from_location_id` text NOT NULL,
	`to_location_id` text NOT NULL,
	`status` text NOT NULL,
	`note` text,
	`created_by` text NOT NULL,
	`request_key` text,
	`hold_expires_at` integer NOT NULL,
	`shipped_by` text,
	`shipped_at` integer,
	`received_by` text,
	`received_at` integer,
	`cancelled_by` text,
	`cancelled_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `transfers_number_uq` ON `transfers` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `transfers_request_uq` ON `transfers` (`created_by`,`request_key`);--> statement-breakpoint
CREATE INDEX `transfers_from_idx` ON `transfers` (`from_location_id`,`id`);--> statement-breakpoint
CREATE INDEX `transfers_to_idx` ON `transfers` (`to_location_id`,`id`);--> statement-breakpoint
CREATE INDEX `transfers_status_idx` ON `transfers` (`status`,`updated_at`);