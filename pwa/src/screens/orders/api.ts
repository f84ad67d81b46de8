import type { TenderMethod } from "../../../../core/tenders"
import { ApiError, api } from "../../api/client"
import { type MessageKey, t } from "../../i18n"
import { businessDay, CHAIN_TIME_ZONE } from "../../store/location"
import { problemText } from "../stock/docs"

// Channel orders as GET/POST /api/v1/orders answer them (worker/modules/orders/routes.ts).

export type OrderStatus = "reserved" | "payment_pending" | "paying" | "paid" | "cancelled" | "expired"
export type OrderChannel = "pos" | "miniprogram" | "web" | "tmall" | "jd" | "douyin" | "pdd" | "wholesale"

export interface OrderSummary {
  id: string
  number: string
  channel: OrderChannel
  locationId: string
  status: OrderStatus
  customerId: string | null
  externalRef: string | null
  totalFen: number
  expiresAt: string
  paidAt: string | null
  createdAt: string
  updatedAt: string
}

export interface OrderLine {
  skuId: string
  qty: number
  unitPriceFen: number
  amountFen: number
}

export interface OrderPayment {
  id: string
  method: TenderMethod
  amountFen: number
  status: "confirmed" | "pending" | "declined" | "refunded"
  provider: string
  createdAt: string
}

export interface Order extends OrderSummary {
  lines: OrderLine[]
  payments: OrderPayment[]
}

export interface OrderPage {
  items: OrderSummary[]
  nextCursor: string | null
}

/** One page of a store's orders, newest first; `status` narrows it to one state. */
export const listOrders = (locationId: string, status: OrderStatus | null, cursor: string | null) => {
  const query = new URLSearchParams({ locationId, limit: "20" })
  if (status) query.set("status", status)
  if (cursor) query.set("cursor", cursor)
  return api.get<OrderPage>(`/orders?${query}`)
}

export const getOrder = (id: string) => api.get<Order>(`/orders/${id}`)

// The API takes no Idempotency-Key on cancel: cancelling a cancelled order answers the same, so a retry is safe.
export const cancelOrder = (id: string) => api.post<{ id: string; status: "cancelled" }>(`/orders/${id}/cancel`)

/** Only an order nobody has started paying may be cancelled; a paid one is refunded instead. */
export const cancellable = (status: OrderStatus) => status === "reserved"

const REFUSALS: Record<string, MessageKey> = {
  order_paid: "orders.refused.order_paid",
  order_paying: "orders.refused.order_paying",
  payment_pending: "orders.refused.payment_pending",
  order_state_changed: "orders.refused.order_state_changed",
}

/** What the screen says for a failed call, and the server's own detail beside it when it refused. */
export const orderProblem = (error: unknown): { text: string; detail: string | null } => {
  const known = error instanceof ApiError ? REFUSALS[error.code] : undefined
  return {
    text: known ? t(known) : problemText(error),
    detail: error instanceof ApiError && error.status !== 0 ? (error.detail ?? null) : null,
  }
}

/** "18:05" for today (in the chain's zone), "11-24 18:05" before. */
export const orderTime = (iso: string, now = Date.now()) => {
  const at = Date.parse(iso)
  const time = new Date(at).toLocaleTimeString("zh-CN", {
    timeZone: CHAIN_TIME_ZONE,
    hour12: false,
    hour: "2-digit",
    minute: "2-digit",
  })
  return businessDay(at) === businessDay(now) ? time : `${businessDay(at).slice(5)} ${time}`
}

/** How long an unpaid hold has left, in words ("12 分钟后过期"), or that it has lapsed. */
export const holdLeft = (expiresAt: string, now = Date.now()) => {
  const minutes = Math.ceil((Date.parse(expiresAt) - now) / 60_000)
  if (minutes <= 0) return t("orders.holdLapsed")
  if (minutes < 60) return t("orders.holdMinutes", { minutes })
  return t("orders.holdHours", { hours: Math.floor(minutes / 60), minutes: minutes % 60 })
}
