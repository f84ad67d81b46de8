// Stocktakes (盘点) without freezing the store (ARCHITECTURE.md §4).
//
// Why the variance is taken against the cell *at count time*, not at posting:
// a counter scans a shelf at time T and finds `counted`; at that moment the cell says
// `expected = onHand(T)`. The store keeps selling, so by posting time P the cell holds
// onHand(P) = onHand(T) − (what was sold between T and P). Both the counted goods and
// onHand(T) still included the goods sold after T, so `variance = counted − onHand(T)` is the
// true discrepancy (theft, miscounts, unrecorded damage). Posting applies exactly that delta:
// onHand(P) + variance = counted − sold-since-T, which is what is really on the shelf now.
// Setting the cell to `counted` instead (variance counted − onHand(P)) would bring back every
// unit sold during the count.
//
// So the snapshot (onHand, the cell's version and average cost) is taken when a SKU is first
// counted and never moved. Limits, said plainly: a batch is snapshotted when it reaches the
// server, so a scanner should submit as it goes (a sale between scanning and submitting shows as
// a gain of that many); and when one SKU sits on two shelves counted far apart, sales from the
// shelf counted later, made between the two counts, show as a loss — count a SKU in one pass.
// SKUs nobody counted are not touched: a counter who looks and finds none submits qty 0.
import { and, desc, eq, inArray, lt, type SQL, sql } from "drizzle-orm"
import type { Db } from "../../db/client"
import {
  type StocktakeLineRow,
  type StocktakeRow,
  type StocktakeStatus,
  stocktakeCounts,
  stocktakeLines,
  stocktakes,
} from "../../db/schema"
import { type Actor, assertLocation, locationFilter } from "../../lib/actor"
import { atomically, type Statement } from "../../lib/batch"
import { nextDocNumber } from "../../lib/doc-numbers"
import { newId } from "../../lib/ids"
import { log } from "../../lib/log"
import { decodeCursor, toPage } from "../../lib/pagination"
import { type FieldError, notFound, problem } from "../../lib/problem"
import { cellStub } from "../../stock-cell/client"
import type { StockRef } from "../../stock-cell/types"
import { locationExists } from "../locations"
import { categoryPath, skuCategoryPaths, withinCategory } from "./skus"

/** The repair job leaves a posting alone this long: the request that started it may still run. */
export const STALE_POSTING_MS = 2 * 60 * 1000

export type Ctx = { env: Env; db: Db; actor: Actor }
export type CountLine = { skuId: string; qty: number }

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

export function toStocktake(s: StocktakeRow, lines: StocktakeLineRow[]) {
  const out = lines.map((l) => {
    const variance = l.countedQty - l.expectedQty
    return {
      skuId: l.skuId,
      counted: l.countedQty,
      // The cell's on hand when this SKU was first counted (sales after that don't move it).
      expected: l.expectedQty,
      variance,
      // At the cell's moving-average cost at count time; once posted, what the cell booked.
      varianceCostFen: l.postedCostFen ?? variance * l.avgCostFen,
      countedAt: iso(l.countedAt)!,
      posted: l.postedDelta !== null,
      overReserved: l.overReserved ?? 0,
    }
  })
  return {
    id: s.id,
    number: s.number,
    locationId: s.locationId,
    categoryId: s.categoryId,
    status: s.status,
    note: s.note,
    lines: out,
    totals: {
      lines: out.length,
      varianceQty: out.reduce((a, l) => a + l.variance, 0),
      varianceCostFen: out.reduce((a, l) => a + l.varianceCostFen, 0),
    },
    // After posting: holds that a negative variance left without the goods behind them.
    shortHolds: out.filter((l) => l.overReserved > 0).map((l) => ({ skuId: l.skuId, overReserved: l.overReserved })),
    createdBy: s.createdBy,
    createdAt: iso(s.createdAt)!,
    postedBy: s.postedBy,
    postedAt: iso(s.postedAt),
    cancelledBy: s.cancelledBy,
    cancelledAt: iso(s.cancelledAt),
    updatedAt: iso(s.updatedAt)!,
  }
}
export type Stocktake = ReturnType<typeof toStocktake>

async function load(db: Db, id: string) {
  const [s] = await db.select().from(stocktakes).where(eq(stocktakes.id, id))
  if (!s) return null
  const lines = await db
    .select()
    .from(stocktakeLines)
    .where(eq(stocktakeLines.stocktakeId, id))
    .orderBy(stocktakeLines.skuId)
  return { s, lines }
}

async function loadFor(ctx: Ctx, id: string) {
  const found = await load(ctx.db, id)
  if (!found) throw notFound("stocktake")
  assertLocation(ctx.actor, found.s.locationId, "stocktake")
  return found
}

async function view(db: Db, id: string) {
  const found = await load(db, id)
  if (!found) throw notFound("stocktake")
  return toStocktake(found.s, found.lines)
}

export async function getStocktake(ctx: Ctx, id: string) {
  const { s, lines } = await loadFor(ctx, id)
  return toStocktake(s, lines)
}

export async function listStocktakes(
  ctx: Ctx,
  q: { limit: number; cursor?: string; locationId?: string; status?: StocktakeStatus },
) {
  if (q.locationId) assertLocation(ctx.actor, q.locationId)
  const after = decodeCursor(q.cursor)
  const where: (SQL | undefined)[] = [
    locationFilter(ctx.actor, stocktakes.locationId),
    q.locationId ? eq(stocktakes.locationId, q.locationId) : undefined,
    q.status ? eq(stocktakes.status, q.status) : undefined,
    after ? lt(stocktakes.id, String(after[0])) : undefined,
  ]
  const rows = await ctx.db
    .select()
    .from(stocktakes)
    .where(and(...where.filter(Boolean)))
    .orderBy(desc(stocktakes.id))
    .limit(q.limit + 1)
  // The list shows headers only (a count may have thousands of lines): GET one for its lines.
  return toPage(
    rows,
    q.limit,
    (r) => [r.id],
    (r) => toStocktake(r, []),
  )
}

// ── open ───────────────────────────────────────────────────────────────────

export async function openStocktake(
  ctx: Ctx,
  input: { locationId: string; categoryId?: string | null; note?: string | null },
) {
  const { db, actor, env } = ctx
  assertLocation(actor, input.locationId)
  if (!(await locationExists(db, input.locationId))) throw notFound("location")
  if (input.categoryId && (await categoryPath(db, input.categoryId)) === null)
    throw problem(422, "unknown_category", "No such category.", {
      errors: [{ path: "categoryId", message: "No such category." }],
    })
  const number = await nextDocNumber(db, "PD", env.CHAIN_TIME_ZONE)
  const [row] = await db
    .insert(stocktakes)
    .values({
      id: newId("stk"),
      number,
      locationId: input.locationId,
      categoryId: input.categoryId ?? null,
      status: "open",
      note: input.note ?? null,
      createdBy: actor.id,
    })
    .returning()
  return toStocktake(row!, [])
}

// ── counts ─────────────────────────────────────────────────────────────────

const sumLines = (lines: readonly CountLine[]) => {
  const sums = new Map<string, number>()
  for (const l of lines) sums.set(l.skuId, (sums.get(l.skuId) ?? 0) + l.qty)
  return [...sums].map(([skuId, qty]) => ({ skuId, qty }))
}

const closed = (s: StocktakeRow) =>
  problem(409, "stocktake_closed", `This stocktake is ${s.status}: counts are no longer taken.`, { state: s.status })

/**
 * One scan batch from one counter, added to what the others counted. The batch id makes it
 * idempotent: the counts and the batch record are written in one D1 batch in which every count
 * statement runs only if the batch is not recorded yet (and the stocktake still open), so a
 * resubmitted batch — even two copies racing — adds once.
 */
export async function submitCounts(
  ctx: Ctx,
  id: string,
  input: { batchId: string; counterId?: string | null; lines: CountLine[] },
) {
  const { db, env, actor } = ctx
  const { s, lines: existing } = await loadFor(ctx, id)
  const [prior] = await db
    .select()
    .from(stocktakeCounts)
    .where(and(eq(stocktakeCounts.stocktakeId, id), eq(stocktakeCounts.batchId, input.batchId)))
  if (prior) {
    if (JSON.stringify(prior.lines) !== JSON.stringify(input.lines))
      throw problem(422, "batch_id_reused", "This batch id was already used with other lines.")
    return view(db, id)
  }
  if (s.status !== "open") throw closed(s)

  const paths = await skuCategoryPaths(
    db,
    input.lines.map((l) => l.skuId),
  )
  const scope = s.categoryId ? await categoryPath(db, s.categoryId) : null
  const errors: FieldError[] = []
  input.lines.forEach((l, i) => {
    const path = paths.get(l.skuId)
    if (path === undefined) errors.push({ path: `lines.${i}.skuId`, message: "No such SKU.", skuId: l.skuId })
    else if (scope !== null && !withinCategory(path, scope))
      errors.push({ path: `lines.${i}.skuId`, message: "Not in the category being counted.", skuId: l.skuId })
  })
  if (errors.length > 0) throw problem(422, "invalid_count", "Some lines can't be counted here.", { errors })

  const lines = sumLines(input.lines)
  const known = new Set(existing.map((l) => l.skuId))
  // The first count of a SKU snapshots its cell now (see the top of this file).
  const snapshots = new Map(
    await Promise.all(
      lines
        .filter((l) => !known.has(l.skuId))
        .map(
          async (l) =>
            [
              l.skuId,
              await cellStub(env, s.locationId, l.skuId).snapshot({ locationId: s.locationId, skuId: l.skuId }),
            ] as const,
        ),
    ),
  )
  const now = Date.now()
  const fresh = sql`not exists (select 1 from ${stocktakeCounts} where ${stocktakeCounts.stocktakeId} = ${id}
    and ${stocktakeCounts.batchId} = ${input.batchId})
    and exists (select 1 from ${stocktakes} where ${stocktakes.id} = ${id} and ${stocktakes.status} = 'open')`
  const statements: Statement[] = lines.map((l) => {
    // For a SKU already counted the snapshot values are never used (only the conflict branch runs).
    const snap = snapshots.get(l.skuId)
    return sql`insert into stocktake_lines (stocktake_id, sku_id, counted_qty, expected_qty, cell_version,
        avg_cost_fen, counted_at)
      select ${id}, ${l.skuId}, ${l.qty}, ${snap?.onHand ?? 0}, ${snap?.version ?? 0}, ${snap?.avgCostFen ?? 0}, ${now}
      where ${fresh}
      on conflict (stocktake_id, sku_id) do update set counted_qty = counted_qty + excluded.counted_qty`
  })
  statements.push(
    sql`insert into stocktake_counts (stocktake_id, batch_id, counter_id, actor_id, lines, created_at)
      select ${id}, ${input.batchId}, ${input.counterId ?? null}, ${actor.id}, ${JSON.stringify(input.lines)}, ${now}
      where ${fresh}`,
  )
  await atomically(env.DB, statements)

  const [recorded] = await db
    .select({ lines: stocktakeCounts.lines })
    .from(stocktakeCounts)
    .where(and(eq(stocktakeCounts.stocktakeId, id), eq(stocktakeCounts.batchId, input.batchId)))
  if (!recorded) {
    // The stocktake left "open" between our read and our write (posted or cancelled meanwhile).
    const now = await load(db, id)
    throw closed(now!.s)
  }
  if (JSON.stringify(recorded.lines) !== JSON.stringify(input.lines))
    throw problem(422, "batch_id_reused", "This batch id was already used with other lines.")
  return view(db, id)
}

// ── post ───────────────────────────────────────────────────────────────────

export async function postStocktake(ctx: Ctx, id: string): Promise<Stocktake> {
  const { db, env, actor } = ctx
  const { s, lines } = await loadFor(ctx, id)
  switch (s.status) {
    case "open": {
      const claimed = await db
        .update(stocktakes)
        .set({ status: "posting", postedBy: actor.id, postedAt: Date.now() })
        .where(and(eq(stocktakes.id, id), eq(stocktakes.status, "open")))
        .returning({ id: stocktakes.id })
      if (claimed.length === 0) return postStocktake(ctx, id)
      return finishPost(env, db, id)
    }
    case "posting":
      return finishPost(env, db, id)
    case "posted":
      return toStocktake(s, lines)
    default:
      throw problem(409, "stocktake_closed", "A cancelled stocktake can't be posted.", { state: s.status })
  }
}

/**
 * One adjustment per SKU whose variance isn't zero, opId = `${stocktakeId}:${skuId}` (a repeat
 * replays), as a fact: it applies even when it takes available below what is reserved, and the
 * cell reports by how much its holds are now short. Then the lines and the status in one batch.
 */
export async function finishPost(env: Env, db: Db, id: string): Promise<Stocktake> {
  const found = await load(db, id)
  if (!found) throw notFound("stocktake")
  const { s, lines } = found
  if (s.status !== "posting") return toStocktake(s, lines)
  const ref: StockRef = { type: "stocktake", id: s.id, actorId: s.postedBy ?? s.createdBy }
  const changed = lines.filter((l) => l.countedQty !== l.expectedQty)
  const results = await Promise.all(
    changed.map((l) =>
      cellStub(env, s.locationId, l.skuId).adjust({
        locationId: s.locationId,
        skuId: l.skuId,
        opId: `${s.id}:${l.skuId}`,
        delta: l.countedQty - l.expectedQty,
        reason: "count",
        fact: true,
        ref,
      }),
    ),
  )
  const refused = results.flatMap((r, i) => (r.ok ? [] : [{ skuId: changed[i]!.skuId, code: r.code }]))
  if (refused.length > 0) {
    log.warn("stocktake posting blocked", { stocktakeId: s.id, refused })
    throw problem(409, "post_blocked", "Some cells refused their adjustment; the stocktake stays posting.", {
      errors: refused.map((r) => ({ path: `lines.${r.skuId}`, message: r.code, skuId: r.skuId })),
    })
  }
  const statements: Statement[] = lines.map((l) => {
    const i = changed.indexOf(l)
    const r = i >= 0 ? results[i] : undefined
    const done = r?.ok ? r : undefined
    return db
      .update(stocktakeLines)
      .set({
        postedDelta: done?.delta ?? 0,
        postedCostFen: done ? Math.sign(done.delta) * done.costFen : 0,
        overReserved: done?.overReserved ?? 0,
      })
      .where(and(eq(stocktakeLines.stocktakeId, s.id), eq(stocktakeLines.skuId, l.skuId)))
  })
  statements.push(
    db
      .update(stocktakes)
      .set({ status: "posted" })
      .where(and(eq(stocktakes.id, s.id), eq(stocktakes.status, "posting"))),
  )
  await atomically(env.DB, statements)
  return view(db, id)
}

// ── cancel ─────────────────────────────────────────────────────────────────

export async function cancelStocktake(ctx: Ctx, id: string): Promise<Stocktake> {
  const { db, actor } = ctx
  const { s, lines } = await loadFor(ctx, id)
  if (s.status === "cancelled") return toStocktake(s, lines)
  if (s.status !== "open")
    throw problem(409, "stocktake_closed", `A stocktake that is ${s.status} can't be cancelled.`, { state: s.status })
  const done = await db
    .update(stocktakes)
    .set({ status: "cancelled", cancelledBy: actor.id, cancelledAt: Date.now() })
    .where(and(eq(stocktakes.id, id), eq(stocktakes.status, "open")))
    .returning({ id: stocktakes.id })
  if (done.length === 0) return cancelStocktake(ctx, id)
  return view(db, id)
}

// ── repair ─────────────────────────────────────────────────────────────────

/** Finishes postings whose request died half-way (same opIds: nothing applies twice). */
export async function repairStocktakes(env: Env, db: Db, now = Date.now()) {
  const stuck = await db
    .select({ id: stocktakes.id })
    .from(stocktakes)
    .where(and(inArray(stocktakes.status, ["posting"]), lt(stocktakes.updatedAt, now - STALE_POSTING_MS)))
    .orderBy(stocktakes.updatedAt)
    .limit(20)
  const done: { id: string; status: StocktakeStatus | "failed" }[] = []
  for (const { id } of stuck) {
    try {
      done.push({ id, status: (await finishPost(env, db, id)).status })
    } catch (e) {
      log.error("stocktake repair failed", { stocktakeId: id, error: String(e) })
      await db.update(stocktakes).set({ updatedAt: now }).where(eq(stocktakes.id, id))
      done.push({ id, status: "failed" })
    }
  }
  return done
}
