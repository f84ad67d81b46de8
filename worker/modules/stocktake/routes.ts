import { createRoute } from "@hono/zod-openapi"
import type { Context } from "hono"
import type { AppEnv } from "../../env"
import { guard } from "../../lib/auth"
import { idempotent } from "../../lib/idempotency"
import { Id, jsonBody, jsonResponse, problemResponses, router, z } from "../../lib/openapi"
import { PageQuery, pageOf } from "../../lib/pagination"
import { IdempotencyHeader, IdParam, IsoTime } from "../../lib/schemas"
import * as stocktake from "./service"

const Status = z.enum(["open", "posting", "posted", "cancelled"])

const OpenBody = z.strictObject({
  locationId: Id("loc_01JDZ…"),
  // Count one category (with its subcategories) only; without it, the whole location.
  categoryId: Id("cat_01JDZ…").nullish(),
  note: z.string().max(500).nullish(),
})

const CountsBody = z.strictObject({
  // Chosen by the scanner for each batch it sends: a resubmitted batch is added once.
  batchId: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[\x21-\x7e]+$/, "visible ASCII")
    .openapi({ example: "01JDZ8Q2ZP4M5V7K2Y3X9T6B1C" }),
  counterId: z.string().min(1).max(64).nullish(),
  // Quantities found (0: looked and found none). Lines of the same SKU add up, across batches too.
  lines: z
    .array(z.strictObject({ skuId: Id("sku_01JDZ…"), qty: z.number().int().min(0).max(1_000_000) }))
    .min(1)
    .max(500),
})

const Stocktake = z
  .object({
    id: z.string(),
    number: z.string(),
    locationId: z.string(),
    categoryId: z.string().nullable(),
    status: Status,
    note: z.string().nullable(),
    lines: z.array(
      z.object({
        skuId: z.string(),
        counted: z.number().int(),
        expected: z.number().int(),
        variance: z.number().int(),
        varianceCostFen: z.number().int(),
        countedAt: IsoTime,
        posted: z.boolean(),
        overReserved: z.number().int(),
      }),
    ),
    totals: z.object({ lines: z.number().int(), varianceQty: z.number().int(), varianceCostFen: z.number().int() }),
    shortHolds: z.array(z.object({ skuId: z.string(), overReserved: z.number().int() })),
    createdBy: z.string(),
    createdAt: IsoTime,
    postedBy: z.string().nullable(),
    postedAt: IsoTime.nullable(),
    cancelledBy: z.string().nullable(),
    cancelledAt: IsoTime.nullable(),
    updatedAt: IsoTime,
  })
  .openapi("Stocktake")

const open = createRoute({
  method: "post",
  path: "/stocktakes",
  tags: ["stocktake"],
  summary: "Open a count (盘点) for a location or one category; the store keeps selling",
  ...guard("stocktake:write"),
  request: jsonBody(OpenBody),
  responses: { 201: jsonResponse(Stocktake, "Opened"), ...problemResponses(400, 401, 403, 404, 422) },
})
const counts = createRoute({
  method: "post",
  path: "/stocktakes/{id}/counts",
  tags: ["stocktake"],
  summary: "Add one counter's scan batch (idempotent by batchId); the first count of a SKU snapshots its cell",
  ...guard("stocktake:write"),
  request: { params: IdParam, ...jsonBody(CountsBody) },
  responses: { 200: jsonResponse(Stocktake, "Counted"), ...problemResponses(400, 401, 403, 404, 409, 422) },
})
const post = createRoute({
  method: "post",
  path: "/stocktakes/{id}/post",
  tags: ["stocktake"],
  summary: "Post the variances as facts (one adjustment per SKU); lists holds left short",
  // Clerks count; posting changes the books, so it takes a manager's stocktake:post (checked before the key).
  middleware: [...guard("stocktake:post").middleware, idempotent()],
  "x-permission": "stocktake:post",
  request: { params: IdParam, headers: IdempotencyHeader },
  responses: { 200: jsonResponse(Stocktake, "Posted"), ...problemResponses(400, 401, 403, 404, 409) },
})
const cancel = createRoute({
  method: "post",
  path: "/stocktakes/{id}/cancel",
  tags: ["stocktake"],
  summary: "Abandon an open count; nothing is adjusted",
  ...guard("stocktake:write"),
  request: { params: IdParam },
  responses: { 200: jsonResponse(Stocktake, "Cancelled"), ...problemResponses(401, 403, 404, 409) },
})
const get = createRoute({
  method: "get",
  path: "/stocktakes/{id}",
  tags: ["stocktake"],
  summary: "A count with its lines: counted, expected at count time, variance and its cost",
  ...guard("stock:read"),
  request: { params: IdParam },
  responses: { 200: jsonResponse(Stocktake, "Stocktake"), ...problemResponses(401, 403, 404) },
})
const list = createRoute({
  method: "get",
  path: "/stocktakes",
  tags: ["stocktake"],
  summary: "Counts at the locations the caller may see, newest first (headers; GET one for lines)",
  ...guard("stock:read"),
  request: { query: PageQuery.extend({ locationId: Id("loc_01JDZ…").optional(), status: Status.optional() }) },
  responses: { 200: jsonResponse(pageOf(Stocktake), "Stocktakes"), ...problemResponses(400, 401, 403, 404) },
})

const ctx = (c: Context<AppEnv>): stocktake.Ctx => ({ env: c.env, db: c.var.db, actor: c.var.actor })

export const stocktakeRoutes = router()
  .openapi(open, async (c) => c.json(await stocktake.openStocktake(ctx(c), c.req.valid("json")), 201))
  .openapi(counts, async (c) =>
    c.json(await stocktake.submitCounts(ctx(c), c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(post, async (c) => c.json(await stocktake.postStocktake(ctx(c), c.req.valid("param").id), 200))
  .openapi(cancel, async (c) => c.json(await stocktake.cancelStocktake(ctx(c), c.req.valid("param").id), 200))
  .openapi(get, async (c) => c.json(await stocktake.getStocktake(ctx(c), c.req.valid("param").id), 200))
  .openapi(list, async (c) => c.json(await stocktake.listStocktakes(ctx(c), c.req.valid("query")), 200))
