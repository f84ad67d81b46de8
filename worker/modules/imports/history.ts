// Sales history from the chain's old system, for reports and forecasting. Imported sales are
// records of the past, not events: they move no stock (the opening balances already count what is
// left), earn no points and need no follow-ups, so they are written straight into the sales tables
// with source "import" and posted_at set. The sale's id is derived from the old system's order id
// (`hs_${externalId}`), so a re-run or a resent chunk inserts nothing twice (ON CONFLICT DO NOTHING).
// Rows travel as one JSON parameter per statement (D1 binds at most 100 parameters), unpacked by
// json_each; a chunk's sales, lines and payments go in one atomic batch.
import { type SQL, sql } from "drizzle-orm"
import { dayOf } from "../../../core/business-day"
import { lineAmountFen } from "../../../core/pricing/line"
import type { TenderMethod } from "../../../core/tenders"
import type { Db } from "../../db/client"
import type { Actor } from "../../lib/actor"
import { batchResults } from "../../lib/batch"
import { problem } from "../../lib/problem"
import { chunkJson } from "../catalog/sql"
import { recomputeDaily } from "../reports"
import type { ChunkCounts } from "./jobs"
import { type LocationRef, locationResolver, type RowError, rowErrors, type SkuFacts, skusByCode } from "./lookup"

export type HistoryLine = { skuCode: string; qty: number; unitPriceFen: number; totalFen?: number | undefined }
export type HistoryOrder = LocationRef & {
  externalId: string
  occurredAt: string
  lines: HistoryLine[]
  payments?: { method: TenderMethod; amountFen: number }[] | undefined
}

type Ctx = { db: Db; env: Env; actor: Actor }

/** ¥100,000,000: a line beyond it is a typo in the old system's export, and sums stay exact integers. */
const MAX_LINE_FEN = 10_000_000_000

/** The business day (core dayOf) remembered per quarter hour: 100,000s of rows ask few distinct questions. */
function dayCutter() {
  const memo = new Map<string, string>()
  return (at: number, timeZone: string) => {
    const key = `${timeZone}:${Math.floor(at / 900_000)}`
    let day = memo.get(key)
    if (day === undefined) {
      day = dayOf(at, timeZone)
      memo.set(key, day)
    }
    return day
  }
}

type Planned = {
  sales: unknown[][]
  lines: unknown[][]
  payments: unknown[][]
  days: Map<string, { locationId: string; day: string }>
}

const lineCost = (sku: SkuFacts, qty: number) => (sku.costFen === null ? 0 : lineAmountFen(qty, sku.costFen, sku.unit))

/** Every order checked first; the bad ones all listed (422), nothing written. */
async function plan(ctx: Ctx, orders: readonly HistoryOrder[]): Promise<Planned> {
  const location = await locationResolver(ctx.db, ctx.actor, orders)
  const skus = await skusByCode(
    ctx.db,
    orders.flatMap((o) => o.lines.map((l) => l.skuCode)),
  )
  const dayIn = dayCutter()
  const now = Date.now()
  const errors: RowError[] = []
  const seen = new Map<string, number>()
  const out: Planned = { sales: [], lines: [], payments: [], days: new Map() }
  orders.forEach((o, row) => {
    const fail = (field: string, code: string, message: string) =>
      errors.push({ row, path: `orders.${row}${field ? `.${field}` : ""}`, code, message })
    const loc = location(o)
    if ("error" in loc) fail(o.locationId ? "locationId" : "locationName", loc.error, loc.message)
    const twin = seen.get(o.externalId)
    if (twin !== undefined) fail("externalId", "duplicate_row", `Order ${o.externalId} is also row ${twin}.`)
    else seen.set(o.externalId, row)
    const at = Date.parse(o.occurredAt)
    if (!(at <= now)) fail("occurredAt", "not_in_past", "History happened in the past: a time before now.")
    let subtotal = 0
    let total = 0
    let cost = 0
    const lines = o.lines.flatMap((l, i) => {
      const sku = skus.get(l.skuCode)
      if (!sku) {
        fail(`lines.${i}.skuCode`, "unknown_sku", `No SKU has the code ${l.skuCode}.`)
        return []
      }
      const original = lineAmountFen(l.qty, l.unitPriceFen, sku.unit)
      if (original > MAX_LINE_FEN) {
        fail(`lines.${i}.qty`, "amount_too_large", "qty × price is over ¥100,000,000 for one line.")
        return []
      }
      const paid = l.totalFen ?? original
      if (paid > original) fail(`lines.${i}.totalFen`, "total_above_list", "A line's total can't exceed qty × price.")
      const c = lineCost(sku, l.qty)
      subtotal += original
      total += paid
      cost += c
      return [[o.externalId, i + 1, sku.id, l.qty, l.unitPriceFen, original, original - paid, paid, c]]
    })
    const payments = o.payments ?? [{ method: "other" as const, amountFen: total }]
    const tendered = payments.reduce((s, p) => s + p.amountFen, 0)
    if (tendered !== total)
      fail("payments", "payments_mismatch", `The payments add up to ${tendered} fen; the lines to ${total}.`)
    if ("error" in loc || errors.length > 0) return
    const day = dayIn(at, loc.timeZone)
    out.days.set(`${loc.id}:${day}`, { locationId: loc.id, day })
    out.sales.push([o.externalId, loc.id, subtotal, subtotal - total, total, cost, at, day])
    out.lines.push(...lines)
    for (const [n, p] of payments.entries()) out.payments.push([o.externalId, n + 1, p.method, p.amountFen])
  })
  if (errors.length > 0)
    throw problem(422, "import_rejected", `${errors.length} problem(s) in this chunk: nothing was applied.`, {
      errors: rowErrors(errors),
    })
  return out
}

const col = (i: number) => sql.raw(`json_extract(value, '$[${i}]')`)

function insertSales(json: string, actorId: string, now: number): SQL {
  return sql`INSERT INTO sales (id, number, location_id, source, cashier_id, subtotal_fen, discount_fen, rounding_fen,
      total_fen, tendered_fen, change_fen, cost_fen, points_earned, applied_promotions, coupon_codes, occurred_at,
      business_day, late, posted_at, created_at, updated_at)
    SELECT 'hs_' || ${col(0)}, 'IMP-' || ${col(0)}, ${col(1)}, 'import', ${actorId}, ${col(2)}, ${col(3)}, 0,
      ${col(4)}, ${col(4)}, 0, ${col(5)}, 0, '[]', '[]', ${col(6)}, ${col(7)}, 0, ${now}, ${now}, ${now}
    FROM json_each(${json}) WHERE true
    ON CONFLICT DO NOTHING`
}

// Name, unit and category come from the catalog in SQL rather than through the JSON.
function insertLines(json: string): SQL {
  return sql`INSERT INTO sale_lines (id, sale_id, line_no, sku_id, name, unit, category_id, qty, unit_price_fen,
      original_fen, discount_fen, rounding_fen, total_fen, discounts, cost_fen, takes, points_earned, returned_qty)
    SELECT 'hs_' || j.e || ':' || j.n, 'hs_' || j.e, j.n, s.id, p.name, p.unit, p.category_id, j.q, j.u,
      j.o, j.d, 0, j.t, '[]', j.c, '[]', 0, 0
    FROM (SELECT ${col(0)} AS e, ${col(1)} AS n, ${col(2)} AS sku, ${col(3)} AS q, ${col(4)} AS u, ${col(5)} AS o,
            ${col(6)} AS d, ${col(7)} AS t, ${col(8)} AS c FROM json_each(${json})) j
    JOIN skus s ON s.id = j.sku JOIN products p ON p.id = s.product_id
    WHERE true
    ON CONFLICT DO NOTHING`
}

function insertPayments(json: string, now: number): SQL {
  return sql`INSERT INTO sale_payments (id, sale_id, method, amount_fen, provider, with_auth_code, refunded_fen, created_at)
    SELECT 'hs_' || ${col(0)} || ':' || ${col(1)}, 'hs_' || ${col(0)}, ${col(2)}, ${col(3)}, 'import', 0, 0, ${now}
    FROM json_each(${json}) WHERE true
    ON CONFLICT DO NOTHING`
}

export async function importHistory(ctx: Ctx, orders: readonly HistoryOrder[]): Promise<ChunkCounts> {
  const planned = await plan(ctx, orders)
  const now = Date.now()
  const salesJson = chunkJson(planned.sales)
  const statements = [
    ...salesJson.map((json) => insertSales(json, ctx.actor.id, now)),
    ...chunkJson(planned.lines).map(insertLines),
    ...chunkJson(planned.payments).map((json) => insertPayments(json, now)),
  ]
  const results = await batchResults(ctx.env.DB, statements)
  const inserted = results.slice(0, salesJson.length).reduce((s, r) => s + (r.meta.changes ?? 0), 0)
  // Always, not only when something was inserted: a run that died after the batch left these days stale.
  const days = [...planned.days.values()]
  await recomputeDaily(ctx.db, days)
  return { rows: orders.length, applied: inserted, unchanged: orders.length - inserted }
}
