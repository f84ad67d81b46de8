CREATE TABLE `import_chunks` (
	`job_id` text NOT NULL,
	`chunk_no` integer NOT NULL,
	`body_hash` text NOT NULL,
	`rows` integer NOT NULL,
	`applied` integer NOT NULL,
	`unchanged` integer NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`job_id`, `chunk_no`)
);
--> statement-breakpoint
CREATE TABLE `import_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`key` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`note` text,
	`chunks_done` integer DEFAULT 0 NOT NULL,
	`last_chunk` integer DEFAULT -1 NOT NULL,
	`rows` integer DEFAULT 0 NOT NULL,
	`applied` integer DEFAULT 0 NOT NULL,
	`unchanged` integer DEFAULT 0 NOT NULL,
	`created_by` text NOT NULL,
	`finished_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `import_jobs_key_uq` ON `import_jobs` (`key`);--> statement-breakpoint
CREATE INDEX `import_jobs_created_idx` ON `import_jobs` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`queue` text NOT NULL,
	`body` text NOT NULL,
	`attempts` integer NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dead_letters_received_idx` ON `dead_letters` (`received_at`);--> statement-breakpoint
CREATE TABLE `sale_intents` (
	`id` text PRIMARY KEY NOT NULL,
	`actor_id` text NOT NULL,
	`idempotency_key` text,
	`location_id` text NOT NULL,
	`input` text NOT NULL,
	`plan` text NOT NULL,
	`state` text NOT NULL,
	`owner` text NOT NULL,
	`lease_until` integer NOT NULL,
	`holds_until` integer NOT NULL,
	`attempts` integer NOT NULL,
	`outcome` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "sale_intents_state_ck" CHECK("sale_intents"."state" in ('open', 'rolling_back', 'done', 'rolled_back'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sale_intents_key_uq` ON `sale_intents` (`actor_id`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `sale_intents_open_idx` ON `sale_intents` (`state`,`lease_until`);