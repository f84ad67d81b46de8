import { createRoute } from "@hono/zod-openapi"
import type { Context } from "hono"
import type { AppEnv } from "../../env"
import { guard } from "../../lib/auth"
import { idempotent } from "../../lib/idempotency"
import { Id, jsonBody, jsonResponse, problemResponses, router, z } from "../../lib/openapi"
import { PageQuery, pageOf } from "../../lib/pagination"
import { IdempotencyHeader, IdParam, IsoTime } from "../../lib/schemas"
import { listDestinations } from "./destinations"
import * as transfers from "./service"

const Status = z.enum([
  "reserving",
  "reserved",
  "shipping",
  "in_transit",
  "receiving",
  "received",
  "cancelling",
  "cancelled",
])
const Qty = z.number().int().min(1).max(1_000_000)
const Reason = z.enum(["damage", "loss", "found", "expired", "sample", "count", "other"])

const CreateBody = z
  .strictObject({
    fromLocationId: Id("loc_01JDZ…"),
    toLocationId: Id("loc_01JE0…"),
    // Lines of the same SKU are summed: one hold per source cell.
    lines: z
      .array(z.strictObject({ skuId: Id("sku_01JDZ…"), qty: Qty }))
      .min(1)
      .max(200),
    note: z.string().max(500).nullish(),
  })
  .refine((b) => b.fromLocationId !== b.toLocationId, {
    path: ["toLocationId"],
    message: "The destination must differ from the source.",
  })

const ReceiveBody = z.strictObject({
  // Every line of the transfer, counted (0 when none arrived). The variance against what was
  // shipped is booked at the destination with `reason` (short: "loss", over: "count" by default).
  lines: z
    .array(
      z.strictObject({
        skuId: Id("sku_01JDZ…"),
        qty: z.number().int().min(0).max(1_000_000),
        reason: Reason.optional(),
      }),
    )
    .min(1)
    .max(200),
})

const LotSlice = z.object({
  lot: z.string().nullable(),
  expiresOn: z.string().nullable(),
  qty: z.number().int(),
  unitCostFen: z.number().int(),
  costFen: z.number().int(),
})

const Transfer = z
  .object({
    id: z.string(),
    number: z.string().nullable(),
    status: Status,
    fromLocationId: z.string(),
    toLocationId: z.string(),
    note: z.string().nullable(),
    lines: z.array(
      z.object({
        skuId: z.string(),
        qty: z.number().int(),
        shippedQty: z.number().int().nullable(),
        shippedCostFen: z.number().int().nullable(),
        lots: z.array(LotSlice),
        receivedQty: z.number().int().nullable(),
        varianceQty: z.number().int().nullable(),
        varianceReason: z.string().nullable(),
        varianceCostFen: z.number().int().nullable(),
      }),
    ),
    holdExpiresAt: IsoTime.nullable(),
    createdBy: z.string(),
    shippedBy: z.string().nullable(),
    shippedAt: IsoTime.nullable(),
    receivedBy: z.string().nullable(),
    receivedAt: IsoTime.nullable(),
    cancelledBy: z.string().nullable(),
    cancelledAt: IsoTime.nullable(),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  })
  .openapi("Transfer")

const idempotentWrite = {
  middleware: [...guard("transfers:write").middleware, idempotent()],
  "x-permission": "transfers:write",
}

const create = createRoute({
  method: "post",
  path: "/transfers",
  tags: ["transfers"],
  summary: "Send goods to another location: holds every line at the source (all or nothing)",
  ...idempotentWrite,
  request: { headers: IdempotencyHeader, ...jsonBody(CreateBody) },
  responses: { 201: jsonResponse(Transfer, "Reserved"), ...problemResponses(400, 401, 403, 404, 409, 422) },
})
const ship = createRoute({
  method: "post",
  path: "/transfers/{id}/ship",
  tags: ["transfers"],
  summary: "Ship: commit the source holds (lots FEFO); the goods are in transit to the destination",
  ...idempotentWrite,
  request: { params: IdParam, headers: IdempotencyHeader },
  responses: { 200: jsonResponse(Transfer, "In transit"), ...problemResponses(400, 401, 403, 404, 409) },
})
const receive = createRoute({
  method: "post",
  path: "/transfers/{id}/receive",
  tags: ["transfers"],
  summary: "Count the goods in at the destination; any difference is booked with a reason",
  ...idempotentWrite,
  request: { params: IdParam, headers: IdempotencyHeader, ...jsonBody(ReceiveBody) },
  responses: { 200: jsonResponse(Transfer, "Received"), ...problemResponses(400, 401, 403, 404, 409, 422) },
})
const cancel = createRoute({
  method: "post",
  path: "/transfers/{id}/cancel",
  tags: ["transfers"],
  summary: "Cancel a transfer not yet shipped: the source holds are released",
  ...guard("transfers:write"),
  request: { params: IdParam },
  responses: { 200: jsonResponse(Transfer, "Cancelled"), ...problemResponses(401, 403, 404, 409) },
})
const get = createRoute({
  method: "get",
  path: "/transfers/{id}",
  tags: ["transfers"],
  summary: "One transfer (visible from either end)",
  ...guard("stock:read"),
  request: { params: IdParam },
  responses: { 200: jsonResponse(Transfer, "Transfer"), ...problemResponses(401, 403, 404) },
})
const list = createRoute({
  method: "get",
  path: "/transfers",
  tags: ["transfers"],
  summary: "Transfers from or to the locations the caller may see, newest first",
  ...guard("stock:read"),
  request: { query: PageQuery.extend({ locationId: Id("loc_01JDZ…").optional(), status: Status.optional() }) },
  responses: { 200: jsonResponse(pageOf(Transfer), "Transfers"), ...problemResponses(400, 401, 403, 404) },
})

const Destinations = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        kind: z.enum(["store", "warehouse", "dealer"]),
        region: z.string().nullable(),
      }),
    ),
  })
  .openapi("TransferDestinations")
const destinations = createRoute({
  method: "get",
  path: "/transfers/destinations",
  tags: ["transfers"],
  summary: "Every open location goods may be sent to, by name (a store can't list the others' stock)",
  ...guard("transfers:write"),
  responses: { 200: jsonResponse(Destinations, "Destinations"), ...problemResponses(401, 403) },
})

const ctx = (c: Context<AppEnv>): transfers.Ctx => ({ env: c.env, db: c.var.db, actor: c.var.actor })

export const transfersRoutes = router()
  .openapi(create, async (c) =>
    c.json(await transfers.createTransfer(ctx(c), c.req.valid("json"), c.req.header("idempotency-key") ?? null), 201),
  )
  .openapi(ship, async (c) => c.json(await transfers.shipTransfer(ctx(c), c.req.valid("param").id), 200))
  .openapi(receive, async (c) =>
    c.json(await transfers.receiveTransfer(ctx(c), c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(cancel, async (c) => c.json(await transfers.cancelTransfer(ctx(c), c.req.valid("param").id), 200))
  // Before GET /transfers/{id}, so "destinations" is never taken for an id.
  .openapi(destinations, async (c) => c.json(await listDestinations(c.var.db), 200))
  .openapi(get, async (c) => c.json(await transfers.getTransfer(ctx(c), c.req.valid("param").id), 200))
  .openapi(list, async (c) => c.json(await transfers.listTransfers(ctx(c), c.req.valid("query")), 200))
