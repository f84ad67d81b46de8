// Data migration over HTTP: open a job, send its chunks (each one idempotent), ask where it stands,
// finish it. Handlers validate and hand over to the services.
import { createRoute } from "@hono/zod-openapi"
import type { Context } from "hono"
import { TENDER_METHODS } from "../../../core/tenders"
import type { AppEnv } from "../../env"
import { guard } from "../../lib/auth"
import { Id, jsonBody, jsonResponse, problemResponses, router, z } from "../../lib/openapi"
import { IdParam, IsoTime } from "../../lib/schemas"
import { importProducts } from "../catalog/import"
import { importHistory } from "./history"
import { abandonJob, finishJob, getJob, jobView, openJob, runChunk } from "./jobs"
import { applyOpeningBalances } from "./opening"

const tags = ["imports"]
const ctx = (c: Context<AppEnv>) => ({ db: c.var.db, env: c.env, actor: c.var.actor })
const encode = (body: unknown) => new TextEncoder().encode(JSON.stringify(body))
/** Rows per chunk for JSON chunks; the product CSV takes the catalog import's own limit (10,000). */
const MAX_CHUNK_ROWS = 5_000
const MAX_CHUNKS = 100_000

const Kind = z.enum(["products", "opening_balances", "sales_history"])
const Job = z
  .object({
    id: z.string(),
    key: z.string(),
    kind: Kind,
    status: z.enum(["running", "done", "abandoned"]),
    note: z.string().nullable(),
    chunksDone: z.number().int(),
    lastChunk: z.number().int().openapi({ description: "Chunks 0 … lastChunk are all done (-1: none yet)" }),
    rows: z.number().int(),
    applied: z.number().int(),
    unchanged: z.number().int(),
    createdAt: IsoTime,
    updatedAt: IsoTime,
    finishedAt: IsoTime.nullable(),
  })
  .openapi("ImportJob")
const ChunkResult = z
  .object({
    chunk: z.number().int(),
    rows: z.number().int(),
    applied: z.number().int().openapi({ description: "Rows that changed something now" }),
    unchanged: z.number().int().openapi({ description: "Rows already there (a re-run or a resumed chunk)" }),
    replayed: z.boolean().openapi({ description: "The chunk was done before: answered from its record" }),
  })
  .openapi("ImportChunkResult")

const ChunkParams = IdParam.extend({ chunk: z.coerce.number().int().min(0).max(MAX_CHUNKS) })
const Text = (max: number) => z.string().trim().min(1).max(max)
const LocationFields = {
  locationId: Id("loc_01JD…").optional(),
  locationName: Text(100).optional().openapi({ description: "The location's exact name, instead of its id" }),
}
const oneLocation = (r: { locationId?: string | undefined; locationName?: string | undefined }) =>
  (r.locationId === undefined) !== (r.locationName === undefined)
const LOCATION_MESSAGE = { message: "Give locationId or locationName (one of them).", path: ["locationId"] }
const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD")
  .refine((d) => new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "a real date")
const Qty = z.number().int().min(1).max(1_000_000_000)
const Fen = z.number().int().min(0).max(1_000_000_000)

const OpeningRow = z
  .strictObject({
    ...LocationFields,
    skuCode: Text(64),
    qty: Qty,
    unitCostFen: Fen,
    lot: Text(64).nullish(),
    expiresOn: Day.nullish(),
  })
  .refine(oneLocation, LOCATION_MESSAGE)
const HistoryOrder = z
  .strictObject({
    ...LocationFields,
    externalId: z.string().regex(/^[A-Za-z0-9_.:-]{1,48}$/, "the old system's order id: 1–48 letters, digits, _ . : -"),
    occurredAt: z.iso.datetime({ offset: true }),
    lines: z
      .array(z.strictObject({ skuCode: Text(64), qty: Qty, unitPriceFen: Fen, totalFen: Fen.optional() }))
      .min(1)
      .max(200),
    payments: z
      .array(z.strictObject({ method: z.enum(TENDER_METHODS), amountFen: Fen }))
      .min(1)
      .max(5)
      .optional(),
  })
  .refine(oneLocation, LOCATION_MESSAGE)

const create = createRoute({
  method: "post",
  path: "/imports",
  tags,
  summary: "Open an import job (or find the one opened with this key)",
  description:
    "A chain switching to puzi imports its products (CSV), its opening balances (库存底数) and its sales history in numbered chunks. The key is the client's: opening a job with a known key returns that job (200), so an interrupted client finds where it stopped (lastChunk) and sends the rest.",
  ...guard("imports:run"),
  request: jsonBody(z.strictObject({ key: Text(100), kind: Kind, note: z.string().max(300).nullish() })),
  responses: {
    200: jsonResponse(Job, "The job opened earlier with this key"),
    201: jsonResponse(Job, "Created"),
    ...problemResponses(400, 401, 403, 409),
  },
})
const get = createRoute({
  method: "get",
  path: "/imports/{id}",
  tags,
  summary: "An import job: its counts and the last chunk done",
  ...guard("imports:run"),
  request: { params: IdParam },
  responses: { 200: jsonResponse(Job, "The job"), ...problemResponses(401, 403, 404) },
})
const chunkResponses = {
  200: jsonResponse(ChunkResult, "Applied (or answered from the record of the same chunk)"),
  ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422),
}
const productsChunk = createRoute({
  method: "post",
  path: "/imports/{id}/products/{chunk}",
  tags,
  summary: "Chunk n of a products import: a CSV file as POST /products/import takes it",
  description:
    "The same columns and checks as POST /products/import (up to 10,000 rows). SKUs already in the catalog with the same data count as unchanged; any bad row and nothing is imported (422 with every bad row).",
  ...guard("imports:run"),
  request: { params: ChunkParams, body: { required: true, content: { "text/csv": { schema: z.string() } } } },
  responses: chunkResponses,
})
const openingChunk = createRoute({
  method: "post",
  path: "/imports/{id}/opening-balances/{chunk}",
  tags,
  summary: "Chunk n of opening balances: goods received into each cell, with lot, expiry and cost",
  description:
    "Every row is checked first: any bad row answers 422 with every bad row and nothing is applied. Each row is then received by its stock cell with an op id made of the job, the chunk and the row, so sending a chunk again, or resuming after an interruption, changes nothing. A row its cell refuses (a lot already on hand with another expiry) answers 409 rows_refused; the other rows stay applied.",
  ...guard("imports:run"),
  request: {
    params: ChunkParams,
    ...jsonBody(z.strictObject({ rows: z.array(OpeningRow).min(1).max(MAX_CHUNK_ROWS) })),
  },
  responses: chunkResponses,
})
const salesChunk = createRoute({
  method: "post",
  path: "/imports/{id}/sales/{chunk}",
  tags,
  summary: "Chunk n of sales history: past orders for reports and forecasting (no stock moves, no points)",
  description:
    "Each order becomes a sale with source import, id hs_{externalId}, number IMP-{externalId}; an order already imported is skipped (unchanged). Line totals default to qty × unit price (grams × price per kg / 1000); payments default to one 'other' tender of the total. The daily report aggregates of the store-days touched are rebuilt.",
  ...guard("imports:run"),
  request: {
    params: ChunkParams,
    ...jsonBody(z.strictObject({ orders: z.array(HistoryOrder).min(1).max(MAX_CHUNK_ROWS) })),
  },
  responses: chunkResponses,
})
const finish = createRoute({
  method: "post",
  path: "/imports/{id}/finish",
  tags,
  summary: "Finish an import once chunks 0 … chunks-1 are all done",
  ...guard("imports:run"),
  request: { params: IdParam, ...jsonBody(z.strictObject({ chunks: z.number().int().min(0).max(MAX_CHUNKS) })) },
  responses: { 200: jsonResponse(Job, "Finished"), ...problemResponses(400, 401, 403, 404, 409) },
})

const abandon = createRoute({
  method: "post",
  path: "/imports/{id}/abandon",
  tags,
  summary: "Give a running import up: no more chunks, what it applied stays",
  ...guard("imports:run"),
  request: { params: IdParam },
  responses: { 200: jsonResponse(Job, "Abandoned"), ...problemResponses(401, 403, 404, 409) },
})

export const importsRoutes = router()
  .openapi(create, async (c) => {
    const { job, created } = await openJob(c.var.db, c.var.actor, c.req.valid("json"))
    return created ? c.json(job, 201) : c.json(job, 200)
  })
  .openapi(get, async (c) => c.json(jobView(await getJob(c.var.db, c.var.actor, c.req.valid("param").id)), 200))
  .openapi(productsChunk, async (c) => {
    const { id, chunk } = c.req.valid("param")
    const body = await c.req.raw.clone().arrayBuffer()
    const result = await runChunk(c.var.db, c.var.actor, { id, chunk, kind: "products" }, body, async () => {
      const report = await importProducts(c.var.db, c.var.actor, c.req.raw, false)
      return { rows: report.rows, applied: report.rows - report.unchanged, unchanged: report.unchanged }
    })
    return c.json(result, 200)
  })
  .openapi(openingChunk, async (c) => {
    const { id, chunk } = c.req.valid("param")
    const body = c.req.valid("json")
    const result = await runChunk(c.var.db, c.var.actor, { id, chunk, kind: "opening_balances" }, encode(body), () =>
      applyOpeningBalances(ctx(c), id, chunk, body.rows),
    )
    return c.json(result, 200)
  })
  .openapi(salesChunk, async (c) => {
    const { id, chunk } = c.req.valid("param")
    const body = c.req.valid("json")
    const result = await runChunk(c.var.db, c.var.actor, { id, chunk, kind: "sales_history" }, encode(body), () =>
      importHistory(ctx(c), body.orders),
    )
    return c.json(result, 200)
  })
  .openapi(finish, async (c) =>
    c.json(await finishJob(c.var.db, c.var.actor, c.req.valid("param").id, c.req.valid("json").chunks), 200),
  )
  .openapi(abandon, async (c) => c.json(await abandonJob(c.var.db, c.var.actor, c.req.valid("param").id), 200))
