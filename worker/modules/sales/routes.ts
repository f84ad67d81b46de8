import { createRoute } from "@hono/zod-openapi"
import { guard } from "../../lib/auth"
import { idempotencyKeyed, idempotent, requestHash } from "../../lib/idempotency"
import { Id, jsonBody, jsonResponse, problemResponses, router, z } from "../../lib/openapi"
import { PageQuery, pageOf } from "../../lib/pagination"
import { IdempotencyHeader, IdParam } from "../../lib/schemas"
import { getSale, listExceptions, listSales } from "./queries"
import { receipt, receiptHtml } from "./receipt"
import { createReturn } from "./returns"
import { getReturn } from "./returns-settle"
import {
  PriceException,
  ReceiptQuery,
  Return,
  ReturnBody,
  Sale,
  SaleBody,
  SaleCreated,
  SaleListQuery,
  SaleSummary,
} from "./schemas"
import { createSale, requestCtx } from "./service"
import { syncSales } from "./sync"
import { OfflineReturnSchema, OfflineSaleSchema } from "./sync-schemas"
import { tillRoutes } from "./till-routes"

const idempotentAs = (permission: "sales:write" | "returns:write") => ({
  middleware: [...guard(permission).middleware, idempotent()],
  "x-permission": permission,
})

const create = createRoute({
  method: "post",
  path: "/sales",
  tags: ["sales"],
  summary: "A sale at the till: priced with core, stock taken from the cells, tenders taken, all or nothing",
  description:
    "409 insufficient_stock (errors per line, nothing sold); 422 payment_short (nothing sold), insufficient_stored_value, insufficient_points, payment_failed; 403 approval_required / approval_refused for price overrides, manual discounts and voids without a manager's approval; 429 too_many_attempts after repeated refused approvals (Retry-After). A retry with the same Idempotency-Key after a crash answers the sale the first attempt became (finished by the repair if its worker died), 409 idempotency_in_flight while that attempt may still be running, or sells afresh if it was given back; 503 sale_in_repair / sale_timed_out: retry with the same key.",
  // The sale's intent is its idempotency record (service.ts): no separate key row.
  middleware: [...guard("sales:write").middleware, idempotencyKeyed()],
  "x-permission": "sales:write",
  request: { headers: IdempotencyHeader, ...jsonBody(SaleBody) },
  responses: {
    201: jsonResponse(SaleCreated, "Sold"),
    ...problemResponses(400, 401, 403, 404, 409, 422, 429, 503),
  },
})

const get = createRoute({
  method: "get",
  path: "/sales/{id}",
  tags: ["sales"],
  summary: "One sale with its lines (the engine's explanation, cost) and tenders",
  ...guard("sales:read"),
  request: { params: IdParam },
  responses: { 200: jsonResponse(Sale, "Sale"), ...problemResponses(401, 403, 404) },
})

const list = createRoute({
  method: "get",
  path: "/sales",
  tags: ["sales"],
  summary: "Sales at the stores the caller may see, newest first (from inclusive, to exclusive)",
  ...guard("sales:read"),
  request: { query: SaleListQuery },
  responses: { 200: jsonResponse(pageOf(SaleSummary), "Sales"), ...problemResponses(400, 401, 403, 404) },
})

const receiptRoute = createRoute({
  method: "get",
  path: "/sales/{id}/receipt",
  tags: ["sales"],
  summary: "The receipt: structured, or printable HTML for 58/80 mm paper (?format=html&width=58)",
  ...guard("sales:read"),
  request: { params: IdParam, query: ReceiptQuery },
  responses: {
    200: {
      description: "Receipt",
      content: {
        "application/json": { schema: z.object({ number: z.string() }).passthrough() },
        "text/html": { schema: z.string() },
      },
    },
    ...problemResponses(400, 401, 403, 404),
  },
})

const exceptions = createRoute({
  method: "get",
  path: "/sales/price-exceptions",
  tags: ["sales"],
  summary: "What offline tills charged or refunded differently from the server's own pricing (for HQ)",
  ...guard("sales:read"),
  request: { query: PageQuery.extend({ locationId: Id("loc_01JDZ…").optional() }) },
  responses: { 200: jsonResponse(pageOf(PriceException), "Exceptions"), ...problemResponses(400, 401, 403, 404) },
})

const SyncBody = z.strictObject({
  // Each item is checked on its own (a malformed one is rejected alone), hence `or any`.
  sales: z.array(z.union([OfflineSaleSchema, z.unknown()])).max(500),
  returns: z
    .array(z.union([OfflineReturnSchema, z.unknown()]))
    .max(500)
    .optional(),
})
const SyncResult = z.object({
  id: z.string().nullable(),
  status: z.enum(["applied", "duplicate", "rejected"]),
  problem: z
    .object({ type: z.string(), title: z.string(), status: z.number().int(), detail: z.string(), code: z.string() })
    .passthrough()
    .optional(),
})

const sync = createRoute({
  method: "post",
  path: "/sales/sync",
  tags: ["sales"],
  summary: "Sales and returns made offline, applied exactly once each (the item's own ULID is its key)",
  description:
    "One result per item, ids echoed as sent, sales first then returns. `duplicate`: already applied with the same body, nothing changed. `rejected` with a problem: malformed, id_reused (same id, another body), device_revoked (reinstate the device and send again), not_found, retry_later (send again).",
  ...guard("sales:write"),
  request: { ...jsonBody(SyncBody) },
  responses: {
    200: jsonResponse(z.object({ results: z.array(SyncResult) }), "Results"),
    ...problemResponses(400, 401, 403),
  },
})

const createReturnRoute = createRoute({
  method: "post",
  path: "/returns",
  tags: ["sales"],
  summary: "A return (退货) against a sale, refunding what each line was actually paid",
  description:
    "Without saleId/saleNumber it is a return without receipt: store managers and up, or a cashier with `approval`. 409 over_return when more would come back than was sold.",
  ...idempotentAs("returns:write"),
  request: { headers: IdempotencyHeader, ...jsonBody(ReturnBody) },
  responses: { 201: jsonResponse(Return, "Returned"), ...problemResponses(400, 401, 403, 404, 409, 422, 429) },
})

const getReturnRoute = createRoute({
  method: "get",
  path: "/returns/{id}",
  tags: ["sales"],
  summary: "One return",
  ...guard("sales:read"),
  request: { params: IdParam },
  responses: { 200: jsonResponse(Return, "Return"), ...problemResponses(401, 403, 404) },
})

const saleRoutes = router()
  .openapi(create, async (c) =>
    c.json(
      await createSale(requestCtx(c), c.var.actor, c.req.valid("json"), {
        idempotencyKey: c.req.header("idempotency-key"),
        requestHash: await requestHash(c),
        replayed: () => c.header("Idempotent-Replayed", "true"),
      }),
      201,
    ),
  )
  .openapi(sync, async (c) => c.json(await syncSales(requestCtx(c), c.var.actor, c.req.valid("json")), 200))
  .openapi(exceptions, async (c) => c.json(await listExceptions(c.var.db, c.var.actor, c.req.valid("query")), 200))
  .openapi(list, async (c) => c.json(await listSales(c.var.db, c.var.actor, c.req.valid("query")), 200))
  .openapi(get, async (c) => c.json(await getSale(c.var.db, c.var.actor, c.req.valid("param").id), 200))
  .openapi(receiptRoute, async (c) => {
    const q = c.req.valid("query")
    const r = await receipt(c.var.db, c.env, c.var.actor, c.req.valid("param").id)
    if (q.format === "html") return c.html(receiptHtml(r, q.width === "58" ? 58 : 80), 200)
    return c.json(r, 200)
  })
  .openapi(createReturnRoute, async (c) =>
    c.json(await createReturn(requestCtx(c), c.var.actor, c.req.valid("json")), 201),
  )
  .openapi(getReturnRoute, async (c) => c.json(await getReturn(c.var.db, c.var.actor, c.req.valid("param").id), 200))

export const salesRoutes = router().route("/", saleRoutes).route("/", tillRoutes)
