import { createRoute } from "@hono/zod-openapi"
import { TENDER_METHODS } from "../../../core/tenders"
import { ORDER_CHANNELS } from "../../db/schema"
import { guard } from "../../lib/auth"
import { idempotent } from "../../lib/idempotency"
import { Id, jsonBody, jsonResponse, problemResponses, router, z } from "../../lib/openapi"
import { PageQuery, pageOf } from "../../lib/pagination"
import { IdempotencyHeader, IdParam, IsoTime, PaymentIn } from "../../lib/schemas"
import * as orders from "./service"

const Channel = z.enum(ORDER_CHANNELS)
const Method = z.enum(TENDER_METHODS)
const Status = z.enum(["reserved", "payment_pending", "paying", "paid", "cancelled", "expired"])

const CreateBody = z.strictObject({
  channel: Channel,
  locationId: Id("loc_01JDZ…"),
  // Lines of the same SKU are summed before reserving: one hold per cell.
  lines: z
    .array(z.strictObject({ skuId: Id("sku_01JDZ…"), qty: z.number().int().min(1).max(1_000_000) }))
    .min(1)
    .max(100),
  holdSeconds: z.number().int().min(3).max(86_400).default(orders.DEFAULT_HOLD_SECONDS),
  // Travels to the cells: flash-sale limits (限购) count per customer.
  customerId: z.string().min(1).max(64).nullish(),
  externalRef: z.string().min(1).max(100).nullish(),
})

const PayBody = z.strictObject({
  payments: z.array(PaymentIn).min(1).max(10),
})

const Line = z.object({
  skuId: z.string(),
  qty: z.number().int(),
  unitPriceFen: z.number().int(),
  amountFen: z.number().int(),
})
const Payment = z.object({
  id: z.string(),
  method: Method,
  amountFen: z.number().int(),
  status: z.enum(["confirmed", "pending", "declined", "refunded"]),
  provider: z.string(),
  createdAt: IsoTime,
})
const Summary = z.object({
  id: z.string(),
  number: z.string(),
  channel: Channel,
  locationId: z.string(),
  status: Status,
  customerId: z.string().nullable(),
  externalRef: z.string().nullable(),
  totalFen: z.number().int(),
  expiresAt: IsoTime,
  paidAt: IsoTime.nullable(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
})
const OrderSummary = Summary.openapi("OrderSummary")
const Order = Summary.extend({ lines: z.array(Line), payments: z.array(Payment) }).openapi("Order")
const Created = z
  .object({
    id: z.string(),
    number: z.string(),
    channel: Channel,
    locationId: z.string(),
    status: z.literal("reserved"),
    customerId: z.string().nullable(),
    externalRef: z.string().nullable(),
    expiresAt: IsoTime,
    lines: z.array(Line),
    totalFen: z.number().int(),
    createdAt: IsoTime,
  })
  .openapi("OrderReserved")
const PayAnswer = z.object({ id: z.string(), status: z.enum(["paid", "payment_pending"]) })

const idempotentWrite = {
  middleware: [...guard("orders:write").middleware, idempotent()],
  "x-permission": "orders:write",
}

const create = createRoute({
  method: "post",
  path: "/orders",
  tags: ["orders"],
  summary: "Place a channel order: holds every line in the cells (all or nothing) until expiresAt",
  ...idempotentWrite,
  request: { headers: IdempotencyHeader, ...jsonBody(CreateBody) },
  responses: { 201: jsonResponse(Created, "Reserved"), ...problemResponses(400, 401, 403, 404, 409, 422) },
})
const pay = createRoute({
  method: "post",
  path: "/orders/{id}/pay",
  tags: ["orders"],
  summary: "Pay an order: records the payments, then commits every hold",
  description:
    "200 once every hold is committed; 202 while a customer-code payment awaits its result (GET the order to follow it); 409 hold_expired when the reservation lapsed (nothing is taken, payments are refunded); 422 payment_short.",
  ...idempotentWrite,
  request: { params: IdParam, headers: IdempotencyHeader, ...jsonBody(PayBody) },
  responses: {
    200: jsonResponse(PayAnswer, "Paid"),
    202: jsonResponse(PayAnswer, "Payment pending"),
    ...problemResponses(400, 401, 403, 404, 409, 422),
  },
})
const cancel = createRoute({
  method: "post",
  path: "/orders/{id}/cancel",
  tags: ["orders"],
  summary: "Cancel an unpaid order: its holds are released",
  ...guard("orders:write"),
  request: { params: IdParam },
  responses: {
    200: jsonResponse(z.object({ id: z.string(), status: z.literal("cancelled") }), "Cancelled"),
    ...problemResponses(401, 403, 404, 409),
  },
})
const get = createRoute({
  method: "get",
  path: "/orders/{id}",
  tags: ["orders"],
  summary: "One order with its lines and payments",
  ...guard("orders:read"),
  request: { params: IdParam },
  responses: { 200: jsonResponse(Order, "Order"), ...problemResponses(401, 403, 404) },
})
const list = createRoute({
  method: "get",
  path: "/orders",
  tags: ["orders"],
  summary: "Orders at the locations the caller may see, newest first",
  ...guard("orders:read"),
  request: {
    query: PageQuery.extend({
      locationId: Id("loc_01JDZ…").optional(),
      status: Status.optional(),
      channel: Channel.optional(),
    }),
  },
  responses: { 200: jsonResponse(pageOf(OrderSummary), "Orders"), ...problemResponses(400, 401, 403, 404) },
})

export const ordersRoutes = router()
  .openapi(create, async (c) =>
    c.json(await orders.createOrder(orders.requestCtx(c), c.var.actor, c.req.valid("json")), 201),
  )
  .openapi(pay, async (c) => {
    const { httpStatus, body } = await orders.payOrder(
      orders.requestCtx(c),
      c.var.actor,
      c.req.valid("param").id,
      c.req.valid("json").payments,
    )
    return httpStatus === 202 ? c.json(body, 202) : c.json(body, 200)
  })
  .openapi(cancel, async (c) =>
    c.json(await orders.cancelOrder(orders.requestCtx(c), c.var.actor, c.req.valid("param").id), 200),
  )
  .openapi(get, async (c) => c.json(await orders.getOrder(c.var.db, c.var.actor, c.req.valid("param").id), 200))
  .openapi(list, async (c) => c.json(await orders.listOrders(c.var.db, c.var.actor, c.req.valid("query")), 200))
