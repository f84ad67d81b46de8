-- stock_lots follows stock_moves: every move of a lot flushed by a cell adds its delta to that lot's row.
-- The cells' flush inserts moves with ON CONFLICT DO NOTHING on (cell, seq): a repeated flush inserts no
-- row, so this trigger does not fire for it and nothing counts twice. A lot whose quantity reaches 0 leaves
-- (as it leaves the cell); a move without a date (flushed by code older than the column) keeps the date known.
-- One file, so the trigger and the backfill below commit together: no move is missed or counted twice.
CREATE TRIGGER `stock_lots_on_move` AFTER INSERT ON `stock_moves` WHEN NEW.`lot` IS NOT NULL AND NEW.`delta` <> 0 BEGIN
  INSERT INTO `stock_lots` (`cell`, `lot`, `location_id`, `sku_id`, `expires_on`, `qty`, `updated_at`)
    VALUES (NEW.`cell`, NEW.`lot`, NEW.`location_id`, NEW.`sku_id`, NEW.`expires_on`, NEW.`delta`, NEW.`created_at`)
    ON CONFLICT (`cell`, `lot`) DO UPDATE SET
      `qty` = `stock_lots`.`qty` + excluded.`qty`,
      `expires_on` = COALESCE(excluded.`expires_on`, `stock_lots`.`expires_on`),
      `updated_at` = excluded.`updated_at`;
  DELETE FROM `stock_lots` WHERE `cell` = NEW.`cell` AND `lot` = NEW.`lot` AND `qty` <= 0;
END;
--> statement-breakpoint
-- Lots already in the ledger: their quantity is Σ delta per (cell, lot).
INSERT INTO `stock_lots` (`cell`, `lot`, `location_id`, `sku_id`, `expires_on`, `qty`, `updated_at`)
  SELECT `cell`, `lot`, MIN(`location_id`), MIN(`sku_id`), NULL, SUM(`delta`), MAX(`created_at`)
  FROM `stock_moves` WHERE `lot` IS NOT NULL GROUP BY `cell`, `lot` HAVING SUM(`delta`) > 0;
--> statement-breakpoint
-- Their dates were never flushed: a lot number names one batch of one SKU across the chain (a transfer carries
-- it from the store that received it), so the date comes from the receipt line that brought it in (this
-- location's first, else the newest elsewhere), else from an adjustment line (goods found) that named it.
-- Lots known to no document (opening balances imported into the cells) stay NULL until the stock audit
-- reads the cell and fills the date in (worker/modules/stock/audit.ts); until then they are not listed
-- as expiring.
UPDATE `stock_lots` SET `expires_on` = COALESCE(
  (SELECT rl.`expires_on` FROM `receipt_lines` rl JOIN `receipts` r ON r.`id` = rl.`receipt_id`
    WHERE rl.`sku_id` = `stock_lots`.`sku_id` AND rl.`lot` = `stock_lots`.`lot` AND rl.`expires_on` IS NOT NULL
    ORDER BY r.`location_id` = `stock_lots`.`location_id` DESC, r.`created_at` DESC LIMIT 1),
  (SELECT al.`expires_on` FROM `adjustment_lines` al
    WHERE al.`sku_id` = `stock_lots`.`sku_id` AND al.`lot` = `stock_lots`.`lot` AND al.`expires_on` IS NOT NULL LIMIT 1))
WHERE `expires_on` IS NULL;
