CREATE TABLE `adjustment_lines` (
	`adjustment_id` text NOT NULL,
	`line_no` integer NOT NULL,
	`sku_id` text NOT NULL,
	`delta` integer NOT NULL,
	`reason` text NOT NULL,
	`lot` text,
	`expires_on` text,
	`cost_fen` integer,
	PRIMARY KEY(`adjustment_id`, `line_no`)
);
--> statement-breakpoint
CREATE INDEX `adjustment_lines_sku_idx` ON `adjustment_lines` (`sku_id`);--> statement-breakpoint
CREATE TABLE `adjustments` (
	`id` text PRIMARY KEY NOT NULL,
	`number` text,
	`location_id` text NOT NULL,
	`status` text NOT NULL,
	`note` text,
	`total_cost_fen` integer,
	`request_key` text,
	`refusal` text,
	`created_by` text NOT NULL,
	`posted_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `adjustments_number_uq` ON `adjustments` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `adjustments_request_uq` ON `adjustments` (`request_key`);--> statement-breakpoint
CREATE INDEX `adjustments_location_created_idx` ON `adjustments` (`location_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `adjustments_status_updated_idx` ON `adjustments` (`status`,`updated_at`);--> statement-breakpoint
CREATE TABLE `audit_drift` (
	`run_id` text NOT NULL,
	`cell` text NOT NULL,
	`location_id` text NOT NULL,
	`sku_id` text NOT NULL,
	`cell_on_hand` integer NOT NULL,
	`ledger_on_hand` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`run_id`, `cell`)
);
--> statement-breakpoint
CREATE TABLE `audit_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`trigger` text NOT NULL,
	`requested_by` text,
	`cursor` text,
	`cells_checked` integer DEFAULT 0 NOT NULL,
	`cells_pending` integer DEFAULT 0 NOT NULL,
	`drift_count` integer DEFAULT 0 NOT NULL,
	`lease_until` integer DEFAULT 0 NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_runs_status_idx` ON `audit_runs` (`status`,`finished_at`);--> statement-breakpoint
CREATE TABLE `receipt_lines` (
	`receipt_id` text NOT NULL,
	`line_no` integer NOT NULL,
	`sku_id` text NOT NULL,
	`qty` integer NOT NULL,
	`lot` text,
	`expires_on` text,
	`unit_cost_fen` integer,
	`booked_unit_cost_fen` integer,
	PRIMARY KEY(`receipt_id`, `line_no`)
);
--> statement-breakpoint
CREATE INDEX `receipt_lines_sku_idx` ON `receipt_lines` (`sku_id`);--> statement-breakpoint
CREATE TABLE `receipts` (
	`id` text PRIMARY KEY NOT NULL,
	`number` text,
	`location_id` text NOT NULL,
	`status` text NOT NULL,
	`supplier_ref` text,
	`note` text,
	`total_cost_fen` integer,
	`request_key` text,
	`refusal` text,
	`created_by` text NOT NULL,
	`posted_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `receipts_number_uq` ON `receipts` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `receipts_request_uq` ON `receipts` (`request_key`);--> statement-breakpoint
CREATE INDEX `receipts_location_created_idx` ON `receipts` (`location_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `receipts_status_updated_idx` ON `receipts` (`status`,`updated_at`);