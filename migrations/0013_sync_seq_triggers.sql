-- Commit order for the tills' incremental sync (skus.sync_seq, members.sync_seq).
-- A row's updated_at is the clock of the request that wrote it, taken before its batch commits, so a write
-- can commit after a till has already synced past its updated_at (and several rows share one updated_at).
-- These triggers number every insert and update as it commits, from one counter per table: SQLite runs one
-- write at a time, so a later commit always gets a higher number and a sync token (the last number a till
-- saw) never skips a row. The counter only grows, so a number is never handed out twice.
CREATE TABLE `sync_clock` (`name` text PRIMARY KEY NOT NULL, `seq` integer NOT NULL);
--> statement-breakpoint
INSERT INTO `sync_clock` (`name`, `seq`) VALUES ('skus', (SELECT count(*) FROM `skus`)), ('members', (SELECT count(*) FROM `members`));
--> statement-breakpoint
-- Rows already there: numbered in the order of their updated_at, before any trigger exists.
UPDATE `skus` SET `sync_seq` = r.n FROM (SELECT `id`, row_number() OVER (ORDER BY `updated_at`, `id`) AS n FROM `skus`) AS r WHERE r.`id` = `skus`.`id`;
--> statement-breakpoint
UPDATE `members` SET `sync_seq` = r.n FROM (SELECT `id`, row_number() OVER (ORDER BY `updated_at`, `id`) AS n FROM `members`) AS r WHERE r.`id` = `members`.`id`;
--> statement-breakpoint
CREATE TRIGGER `skus_sync_seq_insert` AFTER INSERT ON `skus` BEGIN
  UPDATE `sync_clock` SET `seq` = `seq` + 1 WHERE `name` = 'skus';
  UPDATE `skus` SET `sync_seq` = (SELECT `seq` FROM `sync_clock` WHERE `name` = 'skus') WHERE `id` = NEW.`id`;
END;
--> statement-breakpoint
-- WHEN: the trigger's own update (which changes sync_seq) must not number the row again.
CREATE TRIGGER `skus_sync_seq_update` AFTER UPDATE ON `skus` WHEN NEW.`sync_seq` IS OLD.`sync_seq` BEGIN
  UPDATE `sync_clock` SET `seq` = `seq` + 1 WHERE `name` = 'skus';
  UPDATE `skus` SET `sync_seq` = (SELECT `seq` FROM `sync_clock` WHERE `name` = 'skus') WHERE `id` = NEW.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `members_sync_seq_insert` AFTER INSERT ON `members` BEGIN
  UPDATE `sync_clock` SET `seq` = `seq` + 1 WHERE `name` = 'members';
  UPDATE `members` SET `sync_seq` = (SELECT `seq` FROM `sync_clock` WHERE `name` = 'members') WHERE `id` = NEW.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `members_sync_seq_update` AFTER UPDATE ON `members` WHEN NEW.`sync_seq` IS OLD.`sync_seq` BEGIN
  UPDATE `sync_clock` SET `seq` = `seq` + 1 WHERE `name` = 'members';
  UPDATE `members` SET `sync_seq` = (SELECT `seq` FROM `sync_clock` WHERE `name` = 'members') WHERE `id` = NEW.`id`;
END;
