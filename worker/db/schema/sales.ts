// The till's records: sales (online, or synced from an offline till), their lines as the pricing
// engine explained them, tenders, returns, manager approvals, price exceptions for HQ, parked
// carts and closed days. Stock itself changed in the StockCells; these rows say what was sold,
// at what price, how it was paid and what came back.
import { sql } from "drizzle-orm"
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core"
import type { LotTake } from "../../../core/lots"
import type { AppliedPromotion, LineDiscount } from "../../../core/pricing"
import type { TenderMethod } from "../../../core/tenders"
import { createdAt, updatedAt } from "./columns"

// "import": history brought in by a chain switching to puzi (no stock moved, no points).
export type SaleSource = "till" | "offline" | "import"

export const sales = sqliteTable(
  "sales",
  {
    // Server-made: xs_<ULID>; offline: the till's own ULID, verbatim.
    id: text("id").primaryKey(),
    // XS20261125-0001, numbered on the business day the sale happened (the receipt's barcode).
    number: text("number").notNull(),
    locationId: text("location_id").notNull(),
    source: text("source").$type<SaleSource>().notNull(),
    cashierId: text("cashier_id").notNull(),
    shiftId: text("shift_id"),
    deviceId: text("device_id"),
    memberId: text("member_id"),
    // Masked at the time of sale (138****1234): what the receipt prints, never the full number.
    memberPhoneMasked: text("member_phone_masked"),
    subtotalFen: integer("subtotal_fen").notNull(),
    discountFen: integer("discount_fen").notNull(),
    roundingFen: integer("rounding_fen").notNull(),
    totalFen: integer("total_fen").notNull(),
    tenderedFen: integer("tendered_fen").notNull(),
    changeFen: integer("change_fen").notNull(),
    costFen: integer("cost_fen").notNull(),
    pointsEarned: integer("points_earned").notNull(),
    appliedPromotions: text("applied_promotions", { mode: "json" }).$type<AppliedPromotion[]>().notNull(),
    couponCodes: text("coupon_codes", { mode: "json" }).$type<string[]>().notNull(),
    // When it happened at the till (epoch ms) and the business day that makes (YYYY-MM-DD, chain time zone).
    occurredAt: integer("occurred_at").notNull(),
    businessDay: text("business_day").notNull(),
    // Synced after its day was closed: booked on its own day, flagged for the day report.
    late: integer("late", { mode: "boolean" }).notNull(),
    // Offline sales: sha-256 of the canonical body, so the same id with another body is refused.
    bodyHash: text("body_hash"),
    // Follow-ups (points, spend, coupons, promotion usage) done; null = the repair job finishes them.
    postedAt: integer("posted_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("sales_number_uq").on(t.number),
    index("sales_location_occurred_idx").on(t.locationId, t.occurredAt, t.id),
    index("sales_day_idx").on(t.locationId, t.businessDay),
    index("sales_shift_idx").on(t.shiftId),
    index("sales_member_idx").on(t.memberId),
    index("sales_unposted_idx").on(t.postedAt, t.createdAt),
  ],
)

export const saleLines = sqliteTable(
  "sale_lines",
  {
    // `${saleId}:${lineNo}`: what a return names.
    id: text("id").primaryKey(),
    saleId: text("sale_id").notNull(),
    lineNo: integer("line_no").notNull(),
    skuId: text("sku_id").notNull(),
    name: text("name").notNull(),
    unit: text("unit").$type<"piece" | "gram">().notNull(),
    categoryId: text("category_id"),
    qty: integer("qty").notNull(),
    unitPriceFen: integer("unit_price_fen").notNull(),
    originalFen: integer("original_fen").notNull(),
    discountFen: integer("discount_fen").notNull(),
    roundingFen: integer("rounding_fen").notNull(),
    // What the customer paid for the line (the refund basis): Σ over a sale = the sale's total.
    totalFen: integer("total_fen").notNull(),
    discounts: text("discounts", { mode: "json" }).$type<LineDiscount[]>().notNull(),
    costFen: integer("cost_fen").notNull(),
    // The lot slices the cells took, so a restocking return puts goods back where they came from.
    takes: text("takes", { mode: "json" }).$type<LotTake[]>().notNull(),
    pointsEarned: integer("points_earned").notNull(),
    returnedQty: integer("returned_qty").notNull(),
  },
  (t) => [
    uniqueIndex("sale_lines_sale_no_uq").on(t.saleId, t.lineNo),
    index("sale_lines_sku_idx").on(t.skuId),
    // Two returns racing for the same goods: the second one's batch fails here, atomically.
    check("sale_lines_returned_ck", sql`${t.returnedQty} >= 0 and ${t.returnedQty} <= ${t.qty}`),
  ],
)

export const salePayments = sqliteTable(
  "sale_payments",
  {
    // `${saleId}:${n}`: the gateway's out_trade_no for a customer-code payment.
    id: text("id").primaryKey(),
    saleId: text("sale_id").notNull(),
    method: text("method").$type<TenderMethod>().notNull(),
    amountFen: integer("amount_fen").notNull(),
    // Points redeemed for a points tender.
    points: integer("points"),
    provider: text("provider").notNull(),
    providerRef: text("provider_ref"),
    // The customer's 付款码 is single use and never stored; only whether one was presented.
    withAuthCode: integer("with_auth_code", { mode: "boolean" }).notNull(),
    refundedFen: integer("refunded_fen").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("sale_payments_sale_idx").on(t.saleId),
    check("sale_payments_refund_ck", sql`${t.refundedFen} >= 0 and ${t.refundedFen} <= ${t.amountFen}`),
  ],
)

export const returns = sqliteTable(
  "returns",
  {
    // Server-made: th_<ULID>; offline: the till's ULID.
    id: text("id").primaryKey(),
    number: text("number").notNull(),
    // Null: a return without a receipt (manager, or a cashier with a manager's approval).
    saleId: text("sale_id"),
    locationId: text("location_id").notNull(),
    source: text("source").$type<Exclude<SaleSource, "import">>().notNull(),
    cashierId: text("cashier_id").notNull(),
    shiftId: text("shift_id"),
    deviceId: text("device_id"),
    memberId: text("member_id"),
    refundFen: integer("refund_fen").notNull(),
    pointsReversed: integer("points_reversed").notNull(),
    approvedBy: text("approved_by"),
    occurredAt: integer("occurred_at").notNull(),
    businessDay: text("business_day").notNull(),
    late: integer("late", { mode: "boolean" }).notNull(),
    bodyHash: text("body_hash"),
    // Goods back in the cells and money back to the tenders; null = the repair job finishes it.
    settledAt: integer("settled_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("returns_number_uq").on(t.number),
    index("returns_sale_idx").on(t.saleId),
    index("returns_day_idx").on(t.locationId, t.businessDay),
    index("returns_shift_idx").on(t.shiftId),
    index("returns_unsettled_idx").on(t.settledAt, t.createdAt),
  ],
)

export const returnLines = sqliteTable(
  "return_lines",
  {
    returnId: text("return_id").notNull(),
    lineNo: integer("line_no").notNull(),
    saleLineId: text("sale_line_id"),
    skuId: text("sku_id").notNull(),
    categoryId: text("category_id"),
    qty: integer("qty").notNull(),
    refundFen: integer("refund_fen").notNull(),
    // false: damaged goods, not put back on the shelf (reason says why).
    restock: integer("restock", { mode: "boolean" }).notNull(),
    reason: text("reason"),
    // The slices to receive back (from the sale's takes, or the moving average without a receipt).
    takes: text("takes", { mode: "json" }).$type<LotTake[]>().notNull(),
    pointsReversed: integer("points_reversed").notNull(),
  },
  (t) => [primaryKey({ columns: [t.returnId, t.lineNo] }), index("return_lines_sale_line_idx").on(t.saleLineId)],
)

export const returnRefunds = sqliteTable(
  "return_refunds",
  {
    // `${returnId}:${n}`: the gateway's refund id for a customer-code payment.
    id: text("id").primaryKey(),
    returnId: text("return_id").notNull(),
    method: text("method").$type<TenderMethod>().notNull(),
    amountFen: integer("amount_fen").notNull(),
    points: integer("points"),
    // The sale's tender this goes back to (null: cash without a receipt).
    salePaymentId: text("sale_payment_id"),
  },
  (t) => [index("return_refunds_return_idx").on(t.returnId)],
)

export type ApprovalAction = "price_override" | "manual_discount" | "void_lines" | "no_receipt_return"

/** Every manager control used at a till, with who asked and who approved. */
export const saleApprovals = sqliteTable(
  "sale_approvals",
  {
    id: text("id").primaryKey(),
    refType: text("ref_type").$type<"sale" | "return">().notNull(),
    refId: text("ref_id").notNull(),
    action: text("action").$type<ApprovalAction>().notNull(),
    requestedBy: text("requested_by").notNull(),
    approvedBy: text("approved_by").notNull(),
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("sale_approvals_ref_idx").on(t.refType, t.refId), index("sale_approvals_at_idx").on(t.at)],
)

export type SaleExceptionKind =
  | "price_mismatch"
  | "refund_mismatch"
  | "stored_value_short"
  | "points_short"
  | "coupon_conflict"
  // An offline till named a cashier the server won't credit (unknown, disabled, another store's).
  | "cashier_unverified"
  // An offline sale named a member erased (PIPL) before it synced: booked without the member.
  | "member_erased"

/** What an offline till did that the server would have done differently: for HQ, never auto-corrected. */
export const saleExceptions = sqliteTable(
  "sale_exceptions",
  {
    id: text("id").primaryKey(),
    kind: text("kind").$type<SaleExceptionKind>().notNull(),
    refType: text("ref_type").$type<"sale" | "return">().notNull(),
    refId: text("ref_id").notNull(),
    locationId: text("location_id").notNull(),
    // What the server computes now, what the customer actually paid (or was refunded).
    expectedFen: integer("expected_fen").notNull(),
    actualFen: integer("actual_fen").notNull(),
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    occurredAt: integer("occurred_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("sale_exceptions_ref_kind_uq").on(t.refType, t.refId, t.kind),
    index("sale_exceptions_location_idx").on(t.locationId, t.occurredAt),
    index("sale_exceptions_occurred_idx").on(t.occurredAt, t.id),
  ],
)

/** 挂单: a cart put aside at one till, picked up (取单) later by the same device. */
export const parkedCarts = sqliteTable(
  "parked_carts",
  {
    id: text("id").primaryKey(),
    locationId: text("location_id").notNull(),
    deviceId: text("device_id").notNull(),
    label: text("label"),
    cart: text("cart", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    parkedBy: text("parked_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("parked_carts_device_idx").on(t.locationId, t.deviceId, t.createdAt)],
)

/** 日结: a store's business day, closed. Sales synced for it afterwards are marked late. */
export const dayCloses = sqliteTable(
  "day_closes",
  {
    locationId: text("location_id").notNull(),
    day: text("day").notNull(),
    closedBy: text("closed_by").notNull(),
    closedAt: integer("closed_at").notNull(),
    totals: text("totals", { mode: "json" }).$type<Record<string, number>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.locationId, t.day] })],
)

export type SaleIntentState = "open" | "rolling_back" | "done" | "rolled_back"

/**
 * A till sale in progress, written before any stock is held or money taken, so a worker that dies
 * half-way leaves a record the repair job can finish: rolled forward (the sale written with this
 * id) when the money was taken and the goods are committed or still held, rolled back otherwise.
 * `owner` + `lease_until` say who may decide: the live request until its lease ends, then one
 * repair run at a time. The CHECK on `state` is also the guard of the sale's write: that batch sets
 * state to 'done' only for the owner, else to a value the CHECK refuses, so a request that lost its
 * lease can't write a sale the repair job is undoing (the whole batch fails).
 */
export const saleIntents = sqliteTable(
  "sale_intents",
  {
    // The sale's id (xs_…): the sale, its holds, ledgers and payments all carry it.
    id: text("id").primaryKey(),
    actorId: text("actor_id").notNull(),
    // The POST's Idempotency-Key: a retry finds this sale instead of making a second one. Cleared
    // when the attempt is rolled back, so the same key may then sell afresh.
    idempotencyKey: text("idempotency_key"),
    locationId: text("location_id").notNull(),
    // The request as sent, minus secrets (customer codes, the approver's password).
    input: text("input", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    // The priced cart as rows ready to write (see sales/intents.ts SalePlan).
    plan: text("plan", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    state: text("state").$type<SaleIntentState>().notNull(),
    owner: text("owner").notNull(),
    leaseUntil: integer("lease_until").notNull(),
    // When the cells' holds lapse (epoch ms).
    holdsUntil: integer("holds_until").notNull(),
    attempts: integer("attempts").notNull(),
    // Why it was rolled back (a code), for the ops view.
    outcome: text("outcome"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("sale_intents_key_uq").on(t.actorId, t.idempotencyKey),
    index("sale_intents_open_idx").on(t.state, t.leaseUntil),
    check("sale_intents_state_ck", sql`${t.state} in ('open', 'rolling_back', 'done', 'rolled_back')`),
  ],
)

export type SaleRow = typeof sales.$inferSelect
export type SaleLineRow = typeof saleLines.$inferSelect
export type SalePaymentRow = typeof salePayments.$inferSelect
export type ReturnRow = typeof returns.$inferSelect
export type ReturnLineRow = typeof returnLines.$inferSelect
export type ReturnRefundRow = typeof returnRefunds.$inferSelect
export type SaleIntentRow = typeof saleIntents.$inferSelect
