// Stocktakes (盘点): counts submitted by counters while the store keeps selling, the cell's
// quantity when each SKU was first counted, and the variances posted as facts.
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core"
import { createdAt, updatedAt } from "./columns"

// open → posting → posted; open → cancelled. "posting" is claimed before any cell is touched,
// so a retry or the repair job finishes it with the same opIds.
export type StocktakeStatus = "open" | "posting" | "posted" | "cancelled"

export const stocktakes = sqliteTable(
  "stocktakes",
  {
    id: text("id").primaryKey(),
    number: text("number").notNull(),
    locationId: text("location_id").notNull(),
    // Counting one category (and its subcategories) only; null = the whole location.
    categoryId: text("category_id"),
    status: text("status").$type<StocktakeStatus>().notNull(),
    note: text("note"),
    createdBy: text("created_by").notNull(),
    postedBy: text("posted_by"),
    postedAt: integer("posted_at"),
    cancelledBy: text("cancelled_by"),
    cancelledAt: integer("cancelled_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("stocktakes_location_idx").on(t.locationId, t.id),
    index("stocktakes_status_idx").on(t.status, t.updatedAt),
  ],
)

// Every submitted scan batch, kept verbatim: (stocktake, batchId) is the key, so a batch sent
// twice is added once.
export const stocktakeCounts = sqliteTable(
  "stocktake_counts",
  {
    stocktakeId: text("stocktake_id").notNull(),
    batchId: text("batch_id").notNull(),
    counterId: text("counter_id"),
    actorId: text("actor_id").notNull(),
    lines: text("lines", { mode: "json" }).$type<{ skuId: string; qty: number }[]>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.stocktakeId, t.batchId] })],
)

// One line per SKU counted: the sum of its counts and the cell as it was at the first count.
export const stocktakeLines = sqliteTable(
  "stocktake_lines",
  {
    stocktakeId: text("stocktake_id").notNull(),
    skuId: text("sku_id").notNull(),
    countedQty: integer("counted_qty").notNull(),
    // The cell's on hand, version and moving-average cost when this SKU was first counted.
    expectedQty: integer("expected_qty").notNull(),
    cellVersion: integer("cell_version").notNull(),
    avgCostFen: integer("avg_cost_fen").notNull(),
    countedAt: integer("counted_at").notNull(),
    // Set by posting: what the cell applied and reported.
    postedDelta: integer("posted_delta"),
    postedCostFen: integer("posted_cost_fen"),
    overReserved: integer("over_reserved"),
  },
  (t) => [primaryKey({ columns: [t.stocktakeId, t.skuId] })],
)

export type StocktakeRow = typeof stocktakes.$inferSelect
export type StocktakeLineRow = typeof stocktakeLines.$inferSelect
