// 交班: a cashier's shift at one till, from the float counted in to the cash counted out.
// Expected cash = float + cash taken (net of change) − cash refunded + pay-ins − pay-outs.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core"
import { createdAt, updatedAt } from "./columns"

export type ShiftStatus = "open" | "closed"

export const shifts = sqliteTable(
  "shifts",
  {
    id: text("id").primaryKey(),
    locationId: text("location_id").notNull(),
    deviceId: text("device_id"),
    cashierId: text("cashier_id").notNull(),
    status: text("status").$type<ShiftStatus>().notNull(),
    floatFen: integer("float_fen").notNull(),
    openedAt: integer("opened_at").notNull(),
    closedAt: integer("closed_at"),
    closedBy: text("closed_by"),
    expectedFen: integer("expected_fen"),
    countedFen: integer("counted_fen"),
    // counted − expected: negative is cash missing.
    differenceFen: integer("difference_fen"),
    // Face value in fen → pieces counted, e.g. { "10000": 3, "50": 4 }.
    denominations: text("denominations", { mode: "json" }).$type<Record<string, number>>(),
    note: text("note"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("shifts_location_opened_idx").on(t.locationId, t.openedAt), index("shifts_status_idx").on(t.status)],
)

export type CashMoveKind = "pay_in" | "pay_out"

export const shiftCashMoves = sqliteTable(
  "shift_cash_moves",
  {
    id: text("id").primaryKey(),
    shiftId: text("shift_id").notNull(),
    kind: text("kind").$type<CashMoveKind>().notNull(),
    amountFen: integer("amount_fen").notNull(),
    reason: text("reason").notNull(),
    actorId: text("actor_id").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("shift_cash_moves_shift_idx").on(t.shiftId, t.at)],
)

export type ShiftRow = typeof shifts.$inferSelect
export type ShiftCashMoveRow = typeof shiftCashMoves.$inferSelect
