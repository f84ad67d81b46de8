CREATE TABLE `member_points` (
	`id` text PRIMARY KEY NOT NULL,
	`member_id` text NOT NULL,
	`delta` integer NOT NULL,
	`kind` text NOT NULL,
	`ref_type` text NOT NULL,
	`ref_id` text NOT NULL,
	`balance_after` integer NOT NULL,
	`note` text,
	`created_by` text,
	`at` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `member_points_ref_uq` ON `member_points` (`ref_type`,`ref_id`,`kind`);--> statement-breakpoint
CREATE INDEX `member_points_member_idx` ON `member_points` (`member_id`,`id`);--> statement-breakpoint
CREATE TABLE `member_spend` (
	`sale_id` text PRIMARY KEY NOT NULL,
	`member_id` text NOT NULL,
	`amount_fen` integer NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `member_spend_member_at_idx` ON `member_spend` (`member_id`,`at`);--> statement-breakpoint
CREATE TABLE `member_stored_value` (
	`id` text PRIMARY KEY NOT NULL,
	`member_id` text NOT NULL,
	`delta` integer NOT NULL,
	`kind` text NOT NULL,
	`ref_type` text NOT NULL,
	`ref_id` text NOT NULL,
	`balance_after` integer NOT NULL,
	`at` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `member_stored_value_ref_uq` ON `member_stored_value` (`ref_type`,`ref_id`,`kind`);--> statement-breakpoint
CREATE INDEX `member_stored_value_member_idx` ON `member_stored_value` (`member_id`,`id`);--> statement-breakpoint
CREATE TABLE `member_tiers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`min_spend_fen` integer NOT NULL,
	`months` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `member_tiers_name_uq` ON `member_tiers` (`name`);--> statement-breakpoint
CREATE TABLE `member_top_ups` (
	`id` text PRIMARY KEY NOT NULL,
	`member_id` text NOT NULL,
	`location_id` text NOT NULL,
	`amount_fen` integer NOT NULL,
	`bonus_fen` integer NOT NULL,
	`payments` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `member_top_ups_member_idx` ON `member_top_ups` (`member_id`,`id`);--> statement-breakpoint
CREATE INDEX `member_top_ups_location_idx` ON `member_top_ups` (`location_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `members` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`phone` text,
	`name` text,
	`birthday` text,
	`gender` text,
	`tags` text DEFAULT '[]' NOT NULL,
	`home_location_id` text NOT NULL,
	`tier_id` text,
	`status` text DEFAULT 'active' NOT NULL,
	`points_balance` integer DEFAULT 0 NOT NULL,
	`stored_value_fen` integer DEFAULT 0 NOT NULL,
	`consent_version` text NOT NULL,
	`consent_at` integer NOT NULL,
	`consent_by` text NOT NULL,
	`erased_at` integer,
	`erased_by` text,
	`erase_reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "members_stored_value_nonneg" CHECK("members"."stored_value_fen" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `members_code_uq` ON `members` (`code`);--> statement-breakpoint
CREATE UNIQUE INDEX `members_phone_uq` ON `members` (`phone`);--> statement-breakpoint
CREATE INDEX `members_home_id_idx` ON `members` (`home_location_id`,`id`);--> statement-breakpoint
CREATE INDEX `members_tier_idx` ON `members` (`tier_id`);--> statement-breakpoint
CREATE TABLE `coupon_batches` (
	`id` text PRIMARY KEY NOT NULL,
	`promotion_id` text NOT NULL,
	`count` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `coupon_batches_promotion_idx` ON `coupon_batches` (`promotion_id`,`id`);--> statement-breakpoint
CREATE TABLE `coupons` (
	`code` text PRIMARY KEY NOT NULL,
	`batch_id` text NOT NULL,
	`promotion_id` text NOT NULL,
	`member_id` text,
	`status` text DEFAULT 'issued' NOT NULL,
	`sale_id` text,
	`redeemed_by` text,
	`redeemed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "coupons_status_ck" CHECK("coupons"."status" in ('issued', 'redeemed'))
);
--> statement-breakpoint
CREATE INDEX `coupons_batch_idx` ON `coupons` (`batch_id`,`code`);--> statement-breakpoint
CREATE INDEX `coupons_member_idx` ON `coupons` (`member_id`);--> statement-breakpoint
CREATE INDEX `coupons_sale_idx` ON `coupons` (`sale_id`);--> statement-breakpoint
CREATE TABLE `promotion_set` (
	`id` text PRIMARY KEY NOT NULL,
	`revision` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `promotion_usage` (
	`sale_id` text NOT NULL,
	`promotion_id` text NOT NULL,
	`member_id` text NOT NULL,
	PRIMARY KEY(`sale_id`, `promotion_id`)
);
--> statement-breakpoint
CREATE INDEX `promotion_usage_member_idx` ON `promotion_usage` (`member_id`,`promotion_id`);--> statement-breakpoint
CREATE TABLE `promotions` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`status` text NOT NULL,
	`coupon_only` integer DEFAULT false NOT NULL,
	`definition` text NOT NULL,
	`store_ids` text,
	`channels` text,
	`end_date` text,
	`created_by` text NOT NULL,
	`updated_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `promotions_status_id_idx` ON `promotions` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `promotions_updated_idx` ON `promotions` (`updated_at`,`id`);