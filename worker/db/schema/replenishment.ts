import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core"

// Each time a cell's available stock crossed its reorder point downward, recorded once:
// (cell, seq) is the key, because the queue delivers at least once. Suggestions (transfer from a
// location with surplus, or a purchase) are computed from these by the replenishment planner.
export const replenishSignals = sqliteTable(
  "replenish_signals",
  {
    cell: text("cell").notNull(),
    seq: integer("seq").notNull(),
    locationId: text("location_id").notNull(),
    skuId: text("sku_id").notNull(),
    available: integer("available").notNull(),
    onHand: integer("on_hand").notNull(),
    reorderPoint: integer("reorder_point").notNull(),
    max: integer("max"),
    safetyStock: integer("safety_stock"),
    status: text("status").$type<"open" | "planned" | "dismissed">().notNull().default("open"),
    occurredAt: integer("occurred_at").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.cell, t.seq] }), index("replenish_signals_location_idx").on(t.locationId, t.status)],
)
