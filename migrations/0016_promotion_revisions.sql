CREATE TABLE `promotion_revisions` (
	`promotion_id` text NOT NULL,
	`revision` integer NOT NULL,
	`status` text NOT NULL,
	`coupon_only` integer NOT NULL,
	`definition` text NOT NULL,
	`store_ids` text,
	`channels` text,
	`effective_from` integer NOT NULL,
	`effective_until` integer,
	`changed_by` text NOT NULL,
	PRIMARY KEY(`promotion_id`, `revision`)
);
--> statement-breakpoint
CREATE INDEX `promotion_revisions_until_idx` ON `promotion_revisions` (`effective_until`);