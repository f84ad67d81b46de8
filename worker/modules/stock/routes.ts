// Stock over HTTP: documents that move it (receipts, adjustments), reads of the cells and of the
// D1 read model, and the audit. Handlers validate and hand over to the service files.
import { createRoute } from "@hono/zod-openapi"
import { guard } from "../../lib/auth"
import { idempotent } from "../../lib/idempotency"
import { Id, jsonBody, jsonResponse, problemResponses, router, z } from "../../lib/openapi"
import { PageQuery, pageOf } from "../../lib/pagination"
import { IdempotencyHeader, IdParam, IsoTime } from "../../lib/schemas"
import { auditLocation, lastAuditResult, requestAuditRun } from "./audit"
import { getCell, listExpiring, listLevels, listMoves, skuAvailability } from "./queries"
import { getAdjustment, getReceipt, postAdjustment, postReceipt, type StockCtx } from "./service"

const tags = ["stock"]
const MAX_LINES = 100
const REASONS = ["damage", "loss", "found", "expired", "sample", "count", "other"] as const
const MOVE_KINDS = ["receive", "adjust", "sale", "shipment", "offline_sale", "discrepancy", "replenish"] as const

const LocationId = Id("loc_01JD3Z8W7M2N4P6Q8R0S2T4V6X")
const SkuId = Id("sku_01JD3Z8W7M2N4P6Q8R0S2T4V6X")
const Lot = z.string().trim().min(1).max(64).openapi({ example: "L20261101" })
const DateOnly = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD")
  .refine(
    (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    "a real calendar date",
  )
  .openapi({ example: "2027-05-31" })
const Qty = z.number().int().min(1).max(1_000_000_000)
const Fen = z.number().int().min(0).max(10_000_000_000)
const Text = (max: number) => z.string().trim().max(max)

type LotLine = { lot?: string | null; expiresOn?: string | null }

/** An expiry date only with a lot number (checked per line, so it shows beside other line errors). */
function expiryNeedsLot(l: LotLine, ctx: z.core.$RefinementCtx) {
  if (l.expiresOn && !l.lot)
    ctx.addIssue({ code: "custom", path: ["expiresOn"], message: "Only goods with a lot number carry an expiry date." })
}

/** One lot, one expiry date within a document. */
function checkLots(lines: readonly LotLine[], ctx: z.core.$RefinementCtx, skuOf: (i: number) => string) {
  const seen = new Map<string, string | null>()
  lines.forEach((l, i) => {
    if (!l.lot || !l.expiresOn) return
    const key = `${skuOf(i)}\u0000${l.lot}`
    const prior = seen.get(key)
    if (prior !== undefined && prior !== l.expiresOn)
      ctx.addIssue({
        code: "custom",
        path: ["lines", i, "expiresOn"],
        message: `Lot ${l.lot} has two expiry dates here.`,
      })
    seen.set(key, l.expiresOn)
  })
}

// ── schemas ─────────────────────────────────────────────────────────────────

const ReceiptLineIn = z
  .strictObject({
    skuId: SkuId,
    qty: Qty.openapi({ example: 24 }),
    lot: Lot.nullish(),
    expiresOn: DateOnly.nullish(),
    unitCostFen: Fen.nullish().openapi({ description: "Without it, valued at the cell's moving average." }),
  })
  .superRefine(expiryNeedsLot)
const ReceiptIn = z
  .strictObject({
    locationId: LocationId,
    lines: z.array(ReceiptLineIn).min(1).max(MAX_LINES),
    supplierRef: Text(100).nullish(),
    note: Text(500).nullish(),
  })
  .superRefine((r, ctx) => checkLots(r.lines, ctx, (i) => r.lines[i]!.skuId))

const Receipt = z
  .object({
    id: z.string(),
    number: z.string().nullable().openapi({ example: "RK20261125-0001" }),
    status: z.enum(["posting", "posted", "refused"]),
    locationId: z.string(),
    supplierRef: z.string().nullable(),
    note: z.string().nullable(),
    lines: z.array(
      z.object({
        skuId: z.string(),
        qty: z.number().int(),
        lot: z.string().nullable(),
        expiresOn: z.string().nullable(),
        unitCostFen: z.number().int().nullable(),
        costFen: z.number().int().nullable(),
      }),
    ),
    totalCostFen: z.number().int().nullable(),
    createdBy: z.string(),
    createdAt: IsoTime,
    postedAt: IsoTime.nullable(),
  })
  .openapi("StockReceipt")

const AdjustmentLineIn = z
  .strictObject({
    skuId: SkuId,
    delta: z
      .number()
      .int()
      .min(-1_000_000_000)
      .max(1_000_000_000)
      .refine((d) => d !== 0, "a non-zero quantity: negative removes, positive adds")
      .openapi({ example: -2 }),
    reason: z.enum(REASONS),
    lot: Lot.nullish(),
    expiresOn: DateOnly.nullish().openapi({ description: "For goods added into a lot not on hand yet." }),
  })
  .superRefine((l, ctx) => {
    expiryNeedsLot(l, ctx)
    if (l.expiresOn && l.delta < 0)
      ctx.addIssue({ code: "custom", path: ["expiresOn"], message: "Only goods added carry an expiry date." })
  })
const AdjustmentIn = z
  .strictObject({
    locationId: LocationId,
    lines: z.array(AdjustmentLineIn).min(1).max(MAX_LINES),
    note: Text(500).nullish(),
  })
  .superRefine((a, ctx) => checkLots(a.lines, ctx, (i) => a.lines[i]!.skuId))

const Adjustment = z
  .object({
    id: z.string(),
    number: z.string().nullable().openapi({ example: "TZ20261125-0001" }),
    status: z.enum(["posting", "posted", "refused"]),
    locationId: z.string(),
    note: z.string().nullable(),
    lines: z.array(
      z.object({
        skuId: z.string(),
        delta: z.number().int(),
        reason: z.enum(REASONS),
        lot: z.string().nullable(),
        expiresOn: z.string().nullable(),
        costFen: z.number().int().nullable().openapi({ description: "Signed: goods removed are negative." }),
      }),
    ),
    totalCostFen: z.number().int().nullable(),
    createdBy: z.string(),
    createdAt: IsoTime,
    postedAt: IsoTime.nullable(),
  })
  .openapi("StockAdjustment")

const Cell = z
  .object({
    locationId: z.string(),
    skuId: z.string(),
    onHand: z.number().int(),
    reserved: z.number().int(),
    available: z.number().int(),
    lots: z.array(
      z.object({
        lot: z.string(),
        expiresOn: z.string().nullable(),
        qty: z.number().int(),
        unitCostFen: z.number().int(),
      }),
    ),
    lotless: z.number().int().openapi({ description: "Goods without a lot; the only quantity that may be negative." }),
    avgCostFen: z.number().int(),
    reorderPoint: z.number().int().nullable(),
    activeHolds: z.number().int(),
    version: z.number().int(),
  })
  .openapi("StockCell")

const Level = z
  .object({
    locationId: z.string(),
    skuId: z.string(),
    skuCode: z.string().nullable(),
    name: z.string().nullable(),
    onHand: z.number().int(),
    reserved: z.number().int(),
    available: z.number().int(),
    inTransit: z.number().int(),
    reorderPoint: z.number().int().nullable(),
    lowStock: z.boolean(),
    avgCostFen: z.number().int(),
    updatedAt: IsoTime,
  })
  .openapi("StockLevel")

const Availability = z
  .object({
    skuId: z.string(),
    items: z.array(
      z.object({
        locationId: z.string(),
        locationName: z.string(),
        kind: z.enum(["store", "warehouse", "dealer"]),
        onHand: z.number().int(),
        reserved: z.number().int(),
        available: z.number().int(),
      }),
    ),
  })
  .openapi("SkuAvailability")

const Move = z
  .object({
    cell: z.string(),
    seq: z.number().int(),
    locationId: z.string(),
    skuId: z.string(),
    kind: z.enum(MOVE_KINDS),
    delta: z.number().int(),
    lot: z.string().nullable(),
    unitCostFen: z.number().int().nullable(),
    costFen: z.number().int().nullable(),
    onHandAfter: z.number().int(),
    availableAfter: z.number().int(),
    reason: z.string().nullable(),
    refType: z.string().nullable(),
    refId: z.string().nullable(),
    actorId: z.string().nullable(),
    occurredAt: IsoTime,
  })
  .openapi("StockMove")

const Drift = z.object({
  locationId: z.string(),
  skuId: z.string(),
  cell: z.number().int().openapi({ description: "The cell's on hand" }),
  ledger: z.number().int().openapi({ description: "Σ delta of the cell's moves in the ledger" }),
  lots: z
    .array(z.object({ lot: z.string(), cell: z.number().int(), projected: z.number().int() }))
    .optional()
    .openapi({ description: "Lots whose quantity in the cell differs from D1's stock_lots (location audit)" }),
})
const AuditRun = z
  .object({
    id: z.string(),
    status: z.enum(["running", "done"]),
    trigger: z.enum(["nightly", "manual"]),
    cellsChecked: z.number().int(),
    cellsPending: z.number().int(),
    driftCount: z.number().int(),
    startedAt: IsoTime,
    finishedAt: IsoTime.nullable(),
  })
  .openapi("StockAuditRun")
const Audit = z
  .object({
    cellsChecked: z.number().int(),
    drift: z.array(Drift),
    checkedAt: IsoTime.nullable(),
    locationId: z.string().optional(),
    pending: z
      .array(z.object({ locationId: z.string(), skuId: z.string(), outboxPending: z.number().int() }))
      .optional()
      .openapi({ description: "Cells still copying their outbox to the ledger: not compared." }),
    runId: z.string().nullable().optional(),
    cellsPending: z.number().int().optional(),
    driftCount: z.number().int().optional(),
    running: AuditRun.nullable().optional(),
  })
  .openapi("StockAudit")

const Expiring = z
  .object({
    locationId: z.string(),
    asOf: z.string().openapi({ description: "Today in the chain's time zone" }),
    items: z.array(
      z.object({
        locationId: z.string(),
        skuId: z.string(),
        skuCode: z.string().nullable(),
        name: z.string().nullable(),
        lot: z.string(),
        expiresOn: z.string(),
        qty: z.number().int(),
        daysLeft: z.number().int(),
        expired: z.boolean(),
        warningDays: z.number().int(),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .openapi("ExpiringLots")

const Bool = z.enum(["true", "false"])

// ── routes ──────────────────────────────────────────────────────────────────

const createReceipt = createRoute({
  method: "post",
  path: "/stock/receipts",
  tags,
  summary: "Receive goods (入库) with lots, expiry and unit cost; needs Idempotency-Key",
  middleware: [...guard("stock:receive").middleware, idempotent()],
  "x-permission": "stock:receive",
  request: { headers: IdempotencyHeader, ...jsonBody(ReceiptIn) },
  responses: { 201: jsonResponse(Receipt, "Received"), ...problemResponses(400, 401, 403, 404, 409, 422) },
})
const readReceipt = createRoute({
  method: "get",
  path: "/stock/receipts/{id}",
  tags,
  summary: "One receipt",
  ...guard("stock:read"),
  request: { params: IdParam },
  responses: { 200: jsonResponse(Receipt, "Receipt"), ...problemResponses(401, 403, 404) },
})
const createAdjustment = createRoute({
  method: "post",
  path: "/stock/adjustments",
  tags,
  summary: "Write off or add stock with a reason (报损/报溢), all lines or none; needs Idempotency-Key",
  middleware: [...guard("stock:adjust").middleware, idempotent()],
  "x-permission": "stock:adjust",
  request: { headers: IdempotencyHeader, ...jsonBody(AdjustmentIn) },
  responses: { 201: jsonResponse(Adjustment, "Adjusted"), ...problemResponses(400, 401, 403, 404, 409, 422) },
})
const readAdjustment = createRoute({
  method: "get",
  path: "/stock/adjustments/{id}",
  tags,
  summary: "One adjustment",
  ...guard("stock:read"),
  request: { params: IdParam },
  responses: { 200: jsonResponse(Adjustment, "Adjustment"), ...problemResponses(401, 403, 404) },
})
const readCell = createRoute({
  method: "get",
  path: "/stock/cells/{locationId}/{skuId}",
  tags,
  summary: "A SKU's stock at one location, read from its cell (the truth)",
  ...guard("stock:read"),
  request: { params: z.object({ locationId: LocationId, skuId: SkuId }) },
  responses: { 200: jsonResponse(Cell, "Cell"), ...problemResponses(401, 403, 404) },
})
const levels = createRoute({
  method: "get",
  path: "/stock/levels",
  tags,
  summary: "Stock levels from the read model (may trail the cells by seconds)",
  ...guard("stock:read"),
  request: {
    query: PageQuery.extend({
      locationId: LocationId.optional(),
      skuId: SkuId.optional(),
      categoryId: Id("cat_01JD3Z8W7M2N4P6Q8R0S2T4V6X").optional(),
      lowStock: Bool.optional().openapi({ description: "Only cells at or below their reorder point (or out)" }),
    }),
  },
  responses: { 200: jsonResponse(pageOf(Level), "Levels"), ...problemResponses(400, 401, 403, 404) },
})
const availability = createRoute({
  method: "get",
  path: "/skus/{id}/availability",
  tags,
  summary: "Live availability of a SKU at every location the caller may see",
  ...guard("stock:read"),
  request: { params: IdParam },
  responses: { 200: jsonResponse(Availability, "Availability"), ...problemResponses(401, 403, 404) },
})
const moves = createRoute({
  method: "get",
  path: "/stock/moves",
  tags,
  summary: "The stock ledger, newest first",
  ...guard("stock:read"),
  request: {
    query: PageQuery.extend({
      locationId: LocationId.optional(),
      skuId: SkuId.optional(),
      kind: z.enum(MOVE_KINDS).optional(),
      from: z.iso.datetime({ offset: true }).optional().openapi({ description: "occurredAt ≥ from" }),
      to: z.iso.datetime({ offset: true }).optional().openapi({ description: "occurredAt < to" }),
      refType: z.string().max(50).optional(),
      refId: z.string().max(64).optional(),
    }),
  },
  responses: { 200: jsonResponse(pageOf(Move), "Moves"), ...problemResponses(400, 401, 403, 404) },
})
const audit = createRoute({
  method: "get",
  path: "/stock/audit",
  tags,
  summary: "Cells against their ledger: a location now, or the chain's last audit run",
  ...guard("stock:audit"),
  request: { query: z.object({ locationId: LocationId.optional(), skuId: SkuId.optional() }) },
  responses: { 200: jsonResponse(Audit, "Audit"), ...problemResponses(400, 401, 403, 404) },
})
const runAudit = createRoute({
  method: "post",
  path: "/stock/audit/run",
  tags,
  summary: "Start the chain-wide audit now (continued in chunks by the scheduler)",
  ...guard("stock:audit"),
  responses: { 202: jsonResponse(AuditRun, "Running (or done, for a tiny chain)"), ...problemResponses(401, 403) },
})
const expiring = createRoute({
  method: "get",
  path: "/stock/expiring",
  tags,
  summary: "Lots at a location expiring within N days (default: the category's warning days, else 30)",
  ...guard("stock:read"),
  request: {
    query: PageQuery.extend({
      locationId: LocationId,
      withinDays: z.coerce.number().int().min(0).max(3650).optional(),
    }),
  },
  responses: { 200: jsonResponse(Expiring, "Lots"), ...problemResponses(400, 401, 403, 404) },
})

type Ctx = { var: { db: StockCtx["db"]; actor: StockCtx["actor"] }; env: Env }
const stock = (c: Ctx): StockCtx => ({ db: c.var.db, env: c.env, actor: c.var.actor })

export const stockRoutes = router()
  .openapi(createReceipt, async (c) =>
    c.json(await postReceipt(stock(c), c.req.valid("json"), c.req.header("idempotency-key")), 201),
  )
  .openapi(readReceipt, async (c) => c.json(await getReceipt(stock(c), c.req.valid("param").id), 200))
  .openapi(createAdjustment, async (c) =>
    c.json(await postAdjustment(stock(c), c.req.valid("json"), c.req.header("idempotency-key")), 201),
  )
  .openapi(readAdjustment, async (c) => c.json(await getAdjustment(stock(c), c.req.valid("param").id), 200))
  .openapi(readCell, async (c) => {
    const { locationId, skuId } = c.req.valid("param")
    return c.json(await getCell(stock(c), locationId, skuId), 200)
  })
  .openapi(levels, async (c) => {
    const { lowStock, ...q } = c.req.valid("query")
    return c.json(await listLevels(stock(c), { ...q, lowStock: lowStock === "true" }), 200)
  })
  .openapi(availability, async (c) => c.json(await skuAvailability(stock(c), c.req.valid("param").id), 200))
  .openapi(moves, async (c) => c.json(await listMoves(stock(c), c.req.valid("query")), 200))
  .openapi(audit, async (c) => {
    const { locationId, skuId } = c.req.valid("query")
    return c.json(locationId ? await auditLocation(stock(c), locationId, skuId) : await lastAuditResult(c.var.db), 200)
  })
  .openapi(runAudit, async (c) => c.json(await requestAuditRun(stock(c)), 202))
  .openapi(expiring, async (c) => c.json(await listExpiring(stock(c), c.req.valid("query")), 200))
