// Channel orders (mini-program, web, platforms, wholesale): the D1 record of an order whose goods
// are held in the StockCells under hold id = order id. The cells are the truth for stock; these
// rows say what was ordered, at what price, how it was paid and how far payment got.
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core"
import type { TenderMethod } from "../../../core/tenders"
import { createdAt, updatedAt } from "./columns"

export const ORDER_CHANNELS = ["pos", "miniprogram", "web", "tmall", "jd", "douyin", "pdd", "wholesale"] as const
export type OrderChannel = (typeof ORDER_CHANNELS)[number]

/**
 * reserved → paying → paid, or reserved → payment_pending → paying → paid (a customer-code payment
 * that awaits its result), or reserved → cancelled / expired. "expired" is also what an unpaid
 * row past `expires_at` reads as before the job writes it.
 */
export type OrderStatus = "reserved" | "payment_pending" | "paying" | "paid" | "cancelled" | "expired"

export type PaymentMethod = TenderMethod
export type PaymentStatus = "confirmed" | "pending" | "declined" | "refunded"

export const orders = sqliteTable(
  "orders",
  {
    id: text("id").primaryKey(),
    // DD20261125-0001: numbered per business day in the chain's time zone.
    number: text("number").notNull(),
    channel: text("channel").$type<OrderChannel>().notNull(),
    locationId: text("location_id").notNull(),
    status: text("status").$type<OrderStatus>().notNull(),
    customerId: text("customer_id"),
    // The platform's own order number; one per channel, so a platform's retry can't order twice.
    externalRef: text("external_ref"),
    totalFen: integer("total_fen").notNull(),
    // When the holds lapse (epoch ms); every cell of the order got the same instant.
    expiresAt: integer("expires_at").notNull(),
    // Bumped by each payment attempt; payment ids carry it, so two racing attempts collide.
    payAttempts: integer("pay_attempts").notNull().default(0),
    // Cost of goods of the committed lines, known once paid.
    costFen: integer("cost_fen"),
    paidAt: integer("paid_at"),
    closedAt: integer("closed_at"),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("orders_number_uq").on(t.number),
    uniqueIndex("orders_channel_external_uq").on(t.channel, t.externalRef),
    index("orders_location_id_idx").on(t.locationId, t.id),
    index("orders_status_id_idx").on(t.status, t.id),
    index("orders_channel_id_idx").on(t.channel, t.id),
    // The repair job: orders stuck in "paying" / "payment_pending", oldest first.
    index("orders_status_updated_idx").on(t.status, t.updatedAt),
  ],
)

// One line per SKU: lines of the same SKU are summed before reserving (one hold per cell).
export const orderLines = sqliteTable(
  "order_lines",
  {
    orderId: text("order_id").notNull(),
    lineNo: integer("line_no").notNull(),
    skuId: text("sku_id").notNull(),
    qty: integer("qty").notNull(),
    unitPriceFen: integer("unit_price_fen").notNull(),
    amountFen: integer("amount_fen").notNull(),
    costFen: integer("cost_fen"),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.lineNo] }), index("order_lines_sku_idx").on(t.skuId)],
)

export const orderPayments = sqliteTable(
  "order_payments",
  {
    // `${orderId}.${attempt}.${index}`: deterministic, so a racing second attempt fails on the key.
    id: text("id").primaryKey(),
    orderId: text("order_id").notNull(),
    attempt: integer("attempt").notNull(),
    method: text("method").$type<PaymentMethod>().notNull(),
    amountFen: integer("amount_fen").notNull(),
    status: text("status").$type<PaymentStatus>().notNull(),
    // Which PaymentProvider handled a customer-code payment ("manual" when confirmed elsewhere).
    provider: text("provider").notNull(),
    providerRef: text("provider_ref"),
    // The customer's 付款码 is single use and never stored; only whether one was presented.
    withAuthCode: integer("with_auth_code", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("order_payments_order_idx").on(t.orderId, t.attempt)],
)

export type OrderRow = typeof orders.$inferSelect
export type OrderLineRow = typeof orderLines.$inferSelect
export type OrderPaymentRow = typeof orderPayments.$inferSelect
