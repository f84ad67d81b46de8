CREATE TABLE `day_closes` (
	`location_id` text NOT NULL,
	`day` text NOT NULL,
	`closed_by` text NOT NULL,
	`closed_at` integer NOT NULL,
	`totals` text NOT NULL,
	PRIMARY KEY(`location_id`, `day`)
);
--> statement-breakpoint
CREATE TABLE `parked_carts` (
	`id` text PRIMARY KEY NOT NULL,
	`location_id` text NOT NULL,
	`device_id` text NOT NULL,
	`label` text,
	`cart` text NOT NULL,
	`parked_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `parked_carts_device_idx` ON `parked_carts` (`location_id`,`device_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `return_lines` (
	`return_id` text NOT NULL,
	`line_no` integer NOT NULL,
	`sale_line_id` text,
	`sku_id` text NOT NULL,
	`category_id` text,
	`qty` integer NOT NULL,
	`refund_fen` integer NOT NULL,
	`restock` integer NOT NULL,
	`reason` text,
	`takes` text NOT NULL,
	`points_reversed` integer NOT NULL,
	PRIMARY KEY(`return_id`, `line_no`)
);
--> statement-breakpoint
CREATE INDEX `return_lines_sale_line_idx` ON `return_lines` (`sale_line_id`);--> statement-breakpoint
CREATE TABLE `return_refunds` (
	`id` text PRIMARY KEY NOT NULL,
	`return_id` text NOT NULL,
	`method` text NOT NULL,
	`amount_fen` integer NOT NULL,
	`points` integer,
	`sale_payment_id` text
);
--> statement-breakpoint
CREATE INDEX `return_refunds_return_idx` ON `return_refunds` (`return_id`);--> statement-breakpoint
CREATE TABLE `returns` (
	`id` text PRIMARY KEY NOT NULL,
	`number` text NOT NULL,
	`sale_id` text,
	`location_id` text NOT NULL,
	`source` text NOT NULL,
	`cashier_id` text NOT NULL,
	`shift_id` text,
	`device_id` text,
	`member_id` text,
	`refund_fen` integer NOT NULL,
	`points_reversed` integer NOT NULL,
	`approved_by` text,
	`occurred_at` integer NOT NULL,
	`business_day` text NOT NULL,
	`late` integer NOT NULL,
	`body_hash` text,
	`settled_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `returns_number_uq` ON `returns` (`number`);--> statement-breakpoint
CREATE INDEX `returns_sale_idx` ON `returns` (`sale_id`);--> statement-breakpoint
CREATE INDEX `returns_day_idx` ON `returns` (`location_id`,`business_day`);--> statement-breakpoint
CREATE INDEX `returns_shift_idx` ON `returns` (`shift_id`);--> statement-breakpoint
CREATE INDEX `returns_unsettled_idx` ON `returns` (`settled_at`,`created_at`);--> statement-breakpoint
CREATE TABLE `sale_approvals` (
	`id` text PRIMARY KEY NOT NULL,
	`ref_type` text NOT NULL,
	`ref_id` text NOT NULL,
	`action` text NOT NULL,
	`requested_by` text NOT NULL,
	`approved_by` text NOT NULL,
	`detail` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sale_approvals_ref_idx` ON `sale_approvals` (`ref_type`,`ref_id`);--> statement-breakpoint
CREATE INDEX `sale_approvals_at_idx` ON `sale_approvals` (`at`);--> statement-breakpoint
CREATE TABLE `sale_exceptions` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`ref_type` text NOT NULL,
	`ref_id` text NOT NULL,
	`location_id` text NOT NULL,
	`expected_fen` integer NOT NULL,
	`actual_fen` integer NOT NULL,
	`detail` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sale_exceptions_ref_kind_uq` ON `sale_exceptions` (`ref_type`,`ref_id`,`kind`);--> statement-breakpoint
CREATE INDEX `sale_exceptions_location_idx` ON `sale_exceptions` (`location_id`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `sale_exceptions_occurred_idx` ON `sale_exceptions` (`occurred_at`,`id`);--> statement-breakpoint
CREATE TABLE `sale_lines` (
	`id` text PRIMARY KEY NOT NULL,
	`sale_id` text NOT NULL,
	`line_no` integer NOT NULL,
	`sku_id` text NOT NULL,
	`name` text NOT NULL,
	`unit` text NOT NULL,
	`category_id` text,
	`qty` integer NOT NULL,
	`unit_price_fen` integer NOT NULL,
	`original_fen` integer NOT NULL,
	`discount_fen` integer NOT NULL,
	`rounding_fen` integer NOT NULL,
	`total_fen` integer NOT NULL,
	`discounts` text NOT NULL,
	`cost_fen` integer NOT NULL,
	`takes` text NOT NULL,
	`points_earned` integer NOT NULL,
	`returned_qty` integer NOT NULL,
	CONSTRAINT "sale_lines_returned_ck" CHECK("sale_lines"."returned_qty" >= 0 and "sale_lines"."returned_qty" <= "sale_lines"."qty")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sale_lines_sale_no_uq` ON `sale_lines` (`sale_id`,`line_no`);--> statement-breakpoint
CREATE INDEX `sale_lines_sku_idx` ON `sale_lines` (`sku_id`);--> statement-breakpoint
CREATE TABLE `sale_payments` (
	`id` text PRIMARY KEY NOT NULL,
	`sale_id` text NOT NULL,
	`method` text NOT NULL,
	`amount_fen` integer NOT NULL,
	`points` integer,
	`provider` text NOT NULL,
	`provider_ref` text,
	`with_auth_code` integer NOT NULL,
	`refunded_fen` integer NOT NULL,
	`created_at` integer NOT NULL,
	CONSTRAINT "sale_payments_refund_ck" CHECK("sale_payments"."refunded_fen" >= 0 and "sale_payments"."refunded_fen" <= "sale_payments"."amount_fen")
);
--> statement-breakpoint
CREATE INDEX `sale_payments_sale_idx` ON `sale_payments` (`sale_id`);--> statement-breakpoint
CREATE TABLE `sales` (
	`id` text PRIMARY KEY NOT NULL,
	`number` text NOT NULL,
	`location_id` text NOT NULL,
	`source` text NOT NULL,
	`cashier_id` text NOT NULL,
	`shift_id` text,
	`device_id` text,
	`member_id` text,
	`member_phone_masked` text,
	`subtotal_fen` integer NOT NULL,
	`discount_fen` integer NOT NULL,
	`rounding_fen` integer NOT NULL,
	`total_fen` integer NOT NULL,
	`tendered_fen` integer NOT NULL,
	`change_fen` integer NOT NULL,
	`cost_fen` integer NOT NULL,
	`points_earned` integer NOT NULL,
	`applied_promotions` text NOT NULL,
	`coupon_codes` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`business_day` text NOT NULL,
	`late` integer NOT NULL,
	`body_hash` text,
	`posted_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sales_number_uq` ON `sales` (`number`);--> statement-breakpoint
CREATE INDEX `sales_location_occurred_idx` ON `sales` (`location_id`,`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `sales_day_idx` ON `sales` (`location_id`,`business_day`);--> statement-breakpoint
CREATE INDEX `sales_shift_idx` ON `sales` (`shift_id`);--> statement-breakpoint
CREATE INDEX `sales_member_idx` ON `sales` (`member_id`);--> statement-breakpoint
CREATE INDEX `sales_unposted_idx` ON `sales` (`posted_at`,`created_at`);--> statement-breakpoint
CREATE TABLE `shift_cash_moves` (
	`id` text PRIMARY KEY NOT NULL,
	`shift_id` text NOT NULL,
	`kind` text NOT NULL,
	`amount_fen` integer NOT NULL,
	`reason` text NOT NULL,
	`actor_id` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `shift_cash_moves_shift_idx` ON `shift_cash_moves` (`shift_id`,`at`);--> statement-breakpoint
CREATE TABLE `shifts` (
	`id` text PRIMARY KEY NOT NULL,
	`location_id` text NOT NULL,
	`device_id` text,
	`cashier_id` text NOT NULL,
	`status` text NOT NULL,
	`float_fen` integer NOT NULL,
	`opened_at` integer NOT NULL,
	`closed_at` integer,
	`closed_by` text,
	`expected_fen` integer,
	`counted_fen` integer,
	`difference_fen` integer,
	`denominations` text,
	`note` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `shifts_location_opened_idx` ON `shifts` (`location_id`,`opened_at`);--> statement-breakpoint
CREATE INDEX `shifts_status_idx` ON `shifts` (`status`);--> statement-breakpoint
ALTER TABLE `member_stored_value` ADD `note` text;--> statement-breakpoint
ALTER TABLE `member_stored_value` ADD `created_by` text;