// Transfers (调拨) between two locations. The cells hold the truth about quantities; these rows
// remember what a transfer asked for, what left the source (lots and cost, as the cells reported
// them) and what was counted in, so every step can be resumed with the same opIds after a crash.
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core"
import type { LotTake } from "../../../core/lots"
import { createdAt, updatedAt } from "./columns"

// reserving → reserved → shipping → in_transit → receiving → received
//                      ↘ cancelling → cancelled
// The -ing states are claimed by one statement (a compare-and-set on status) before any cell is
// touched, so a retry or the repair job knows exactly which step to finish.
export type TransferStatus =
  | "reserving"
  | "reserved"
  | "shipping"
  | "in_transit"
  | "receiving"
  | "received"
  | "cancelling"
  | "cancelled"

export const transfers = sqliteTable(
  "transfers",
  {
    id: text("id").primaryKey(),
    // DB20261125-0001; given once every line is held (a refused transfer uses no number).
    number: text("number"),
    fromLocationId: text("from_location_id").notNull(),
    toLocationId: text("to_location_id").notNull(),
    status: text("status").$type<TransferStatus>().notNull(),
    note: text("note"),
    // The Idempotency-Key of the creating request: a retry that took over a stale key resumes
    // this transfer instead of making a second one.
    createdBy: text("created_by").notNull(),
    requestKey: text("request_key"),
    // When the source holds lapse (the cells' own alarm releases them then).
    holdExpiresAt: integer("hold_expires_at").notNull(),
    shippedBy: text("shipped_by"),
    shippedAt: integer("shipped_at"),
    receivedBy: text("received_by"),
    receivedAt: integer("received_at"),
    cancelledBy: text("cancelled_by"),
    cancelledAt: integer("cancelled_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("transfers_number_uq").on(t.number),
    uniqueIndex("transfers_request_uq").on(t.createdBy, t.requestKey),
    index("transfers_from_idx").on(t.fromLocationId, t.id),
    index("transfers_to_idx").on(t.toLocationId, t.id),
    index("transfers_status_idx").on(t.status, t.updatedAt),
  ],
)

// One line per SKU (lines of the same SKU are summed when the transfer is made).
export const transferLines = sqliteTable(
  "transfer_lines",
  {
    transferId: text("transfer_id").notNull(),
    skuId: text("sku_id").notNull(),
    qty: integer("qty").notNull(),
    // Set when the source cell committed the hold: the lot slices that left, with their cost.
    shippedTakes: text("shipped_takes", { mode: "json" }).$type<LotTake[]>(),
    shippedCostFen: integer("shipped_cost_fen"),
    // Set when the destination counted the goods in; variance = received − shipped.
    receivedQty: integer("received_qty"),
    varianceQty: integer("variance_qty"),
    varianceReason: text("variance_reason"),
    // Cost of the variance as the destination cell valued it (negative for a loss).
    varianceCostFen: integer("variance_cost_fen"),
  },
  (t) => [primaryKey({ columns: [t.transferId, t.skuId] })],
)

export type TransferRow = typeof transfers.$inferSelect
export type TransferLineRow = typeof transferLines.$inferSelect
