// The D1 read model of stock, written only by the StockCells' alarm (worker/stock-cell). The
// cells are the truth for decisions; these tables serve lists, reports, search and the audit.
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core"

export type StockMoveKind = "receive" | "adjust" | "sale" | "shipment" | "offline_sale" | "discrepancy" | "replenish"

// Append-only ledger: one row per quantity change of a cell (per lot slice), plus the cell's
// signals (discrepancy, replenish) with delta 0. (cell, seq) is the key, so a repeated flush of
// the same outbox rows is ignored. Σ delta per cell = the cell's on hand.
export const stockMoves = sqliteTable(
  "stock_moves",
  {
    // `${locationId}:${skuId}`, the cell's name.
    cell: text("cell").notNull(),
    // The cell's outbox sequence: strictly increasing per cell, never reused.
    seq: integer("seq").notNull(),
    locationId: text("location_id").notNull(),
    skuId: text("sku_id").notNull(),
    kind: text("kind").$type<StockMoveKind>().notNull(),
    delta: integer("delta").notNull(),
    lot: text("lot"),
    // The lot's expiry date "YYYY-MM-DD" as the cell knew it (null for lot-less goods, and for moves
    // flushed before this column existed). Feeds stock_lots through the trigger in migration 0015.
    expiresOn: text("expires_on"),
    unitCostFen: integer("unit_cost_fen"),
    costFen: integer("cost_fen"),
    onHandAfter: integer("on_hand_after").notNull(),
    availableAfter: integer("available_after").notNull(),
    reason: text("reason"),
    refType: text("ref_type"),
    refId: text("ref_id"),
    actorId: text("actor_id"),
    // When it happened (an offline sale's own time), epoch ms.
    occurredAt: integer("occurred_at").notNull(),
    // When the row reached D1, epoch ms.
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.cell, t.seq] }),
    index("stock_moves_location_occurred_idx").on(t.locationId, t.occurredAt),
    index("stock_moves_sku_occurred_idx").on(t.skuId, t.occurredAt),
    index("stock_moves_occurred_idx").on(t.occurredAt),
    index("stock_moves_kind_occurred_idx").on(t.kind, t.occurredAt),
    index("stock_moves_ref_idx").on(t.refType, t.refId),
  ],
)

// The current level of each cell. An upsert only wins with a higher `version` (the cell's change
// counter), so a late, older flush never overwrites a newer one. `in_transit` belongs to the
// transfers module: the cells' flush never writes it after the row exists.
export const stockLevels = sqliteTable(
  "stock_levels",
  {
    cell: text("cell").primaryKey(),
    locationId: text("location_id").notNull(),
    skuId: text("sku_id").notNull(),
    onHand: integer("on_hand").notNull(),
    reserved: integer("reserved").notNull(),
    available: integer("available").notNull(),
    inTransit: integer("in_transit").notNull().default(0),
    reorderPoint: integer("reorder_point"),
    avgCostFen: integer("avg_cost_fen").notNull().default(0),
    version: integer("version").notNull(),
    // The outbox seq of the last move this level includes (for the audit's ledger comparison).
    lastSeq: integer("last_seq").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("stock_levels_location_sku_idx").on(t.locationId, t.skuId),
    index("stock_levels_sku_idx").on(t.skuId),
    index("stock_levels_location_available_idx").on(t.locationId, t.available),
  ],
)

// The lots of every cell as D1 sees them: Σ delta of the cell's flushed moves per lot, kept by an
// AFTER INSERT trigger on stock_moves (a move ignored as a duplicate (cell, seq) inserts nothing, so
// it fires nothing). A lot leaves when it reaches 0. Lot-less goods are not here (stock_levels has
// the cell's total). It trails the cell exactly as the ledger does; the audit compares the two.
export const stockLots = sqliteTable(
  "stock_lots",
  {
    cell: text("cell").notNull(),
    lot: text("lot").notNull(),
    locationId: text("location_id").notNull(),
    skuId: text("sku_id").notNull(),
    // Null only for lots flushed before moves carried the date and not found in a receipt or
    // adjustment line; the audit fills it from the cell (see audit.ts).
    expiresOn: text("expires_on"),
    qty: integer("qty").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.cell, t.lot] }),
    index("stock_lots_location_expires_idx").on(t.locationId, t.expiresOn),
  ],
)

export type StockMoveRow = typeof stockMoves.$inferSelect
export type StockLevelRow = typeof stockLevels.$inferSelect
export type StockLotRow = typeof stockLots.$inferSelect
