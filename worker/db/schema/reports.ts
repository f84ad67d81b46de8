// The owner's numbers: small daily aggregates per store and business day, so a report reads a few
// hundred rows instead of millions of sale lines. Each row is kept exact by an upsert in the same
// D1 batch as the sale, return or paid order that changes it (worker/modules/reports/daily.ts), and
// can be rebuilt from the raw rows at any time (recomputeDaily), which is also how imports fill it.
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core"

/** Where a day's business came from: a sale's own source (till, offline sync, imported history), or channel orders. */
export type ReportChannel = "till" | "offline" | "import" | "orders" | (string & {})

// Column order matters: the upserts insert by `select`, in definition order.
export const reportDaily = sqliteTable(
  "report_daily",
  {
    locationId: text("location_id").notNull(),
    // YYYY-MM-DD in the chain's time zone: the sale's own business day (a late sync books back).
    day: text("day").notNull(),
    channel: text("channel").$type<ReportChannel>().notNull(),
    orders: integer("orders").notNull(),
    // Pieces, plus one per weighed line (grams of cabbage are not "units").
    units: integer("units").notNull(),
    // At list prices, what the promotions took off, what the customers paid (the sales' totals).
    grossFen: integer("gross_fen").notNull(),
    discountFen: integer("discount_fen").notNull(),
    salesFen: integer("sales_fen").notNull(),
    costFen: integer("cost_fen").notNull(),
    // Returns booked on the day the money went back; their cost only for goods back on the shelf.
    returns: integer("returns").notNull(),
    returnsFen: integer("returns_fen").notNull(),
    returnsCostFen: integer("returns_cost_fen").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.locationId, t.day, t.channel] }),
    // Chain-wide ranges (every store over a week) read by day first.
    index("report_daily_day_idx").on(t.day, t.locationId),
  ],
)

export const reportDailyCategory = sqliteTable(
  "report_daily_category",
  {
    locationId: text("location_id").notNull(),
    day: text("day").notNull(),
    // "" for goods without a category (a primary key column can't be null).
    categoryId: text("category_id").notNull(),
    units: integer("units").notNull(),
    salesFen: integer("sales_fen").notNull(),
    costFen: integer("cost_fen").notNull(),
    returnsFen: integer("returns_fen").notNull(),
    returnsCostFen: integer("returns_cost_fen").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.locationId, t.day, t.categoryId] }),
    index("report_daily_category_day_idx").on(t.day, t.locationId),
  ],
)

export type ReportDailyRow = typeof reportDaily.$inferSelect
export type ReportDailyCategoryRow = typeof reportDailyCategory.$inferSelect
