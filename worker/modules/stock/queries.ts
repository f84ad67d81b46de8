// Reads: a cell itself (the truth), the D1 read model (levels, the moves ledger), live
// availability across stores, and lots about to expire.
import { and, asc, desc, eq, gt, gte, isNull, lt, or, type SQL, sql } from "drizzle-orm"
import { categories, locations, products, skus, stockLevels, stockMoves } from "../../db/schema"
import type { StockMoveKind } from "../../db/schema/stock"
import { assertLocation, locationFilter } from "../../lib/actor"
import { decodeCursor, encodeCursor, toPage } from "../../lib/pagination"
import { notFound } from "../../lib/problem"
import { getLocation } from "../locations"
import { daysBetween, FANOUT, mapLimit, snapshotOf, today } from "./fanout"
import type { StockCtx } from "./service"

const iso = (ms: number) => new Date(ms).toISOString()

async function assertSku(ctx: StockCtx, skuId: string) {
  const [row] = await ctx.db.select({ id: skus.id }).from(skus).where(eq(skus.id, skuId))
  if (!row) throw notFound("SKU")
}

// ── one cell ────────────────────────────────────────────────────────────────

export async function getCell(ctx: StockCtx, locationId: string, skuId: string) {
  await getLocation(ctx.db, ctx.actor, locationId)
  await assertSku(ctx, skuId)
  const s = await snapshotOf(ctx.env, locationId, skuId)
  return {
    locationId,
    skuId,
    onHand: s.onHand,
    reserved: s.reserved,
    available: s.available,
    lots: s.lots.map((l) => ({ lot: l.lot, expiresOn: l.expiresOn, qty: l.qty, unitCostFen: l.unitCostFen })),
    lotless: s.lotless,
    avgCostFen: s.avgCostFen,
    reorderPoint: s.policy.reorderPoint,
    activeHolds: s.activeHolds,
    version: s.version,
  }
}

// ── levels (D1) ─────────────────────────────────────────────────────────────

export type LevelsQuery = {
  limit: number
  cursor?: string
  locationId?: string
  skuId?: string
  categoryId?: string
  lowStock?: boolean
}

/** At or below its reorder point when it has one, else nothing left to sell. */
const isLow = sql<number>`(${stockLevels.reorderPoint} IS NOT NULL AND ${stockLevels.available} <= ${stockLevels.reorderPoint}) OR ${stockLevels.available} <= 0`

export async function listLevels(ctx: StockCtx, q: LevelsQuery) {
  if (q.locationId) assertLocation(ctx.actor, q.locationId)
  const after = decodeCursor(q.cursor)
  // A category means its whole subtree: `path` is the ids from the root down, so a descendant's
  // path contains `/${id}/` once wrapped in slashes.
  const inCategory = q.categoryId
    ? sql`${stockLevels.skuId} IN (SELECT ${skus.id} FROM ${skus}
        JOIN ${products} ON ${products.id} = ${skus.productId}
        JOIN ${categories} ON ${categories.id} = ${products.categoryId}
        WHERE instr('/' || ${categories.path} || '/', ${`/${q.categoryId}/`}) > 0)`
    : undefined
  const where: (SQL | undefined)[] = [
    locationFilter(ctx.actor, stockLevels.locationId),
    q.locationId ? eq(stockLevels.locationId, q.locationId) : undefined,
    q.skuId ? eq(stockLevels.skuId, q.skuId) : undefined,
    inCategory,
    q.lowStock ? sql`(${isLow})` : undefined,
    after ? gt(stockLevels.cell, String(after[0])) : undefined,
  ]
  const rows = await ctx.db
    .select({ level: stockLevels, skuCode: skus.skuCode, name: products.name, low: sql<number>`(${isLow})` })
    .from(stockLevels)
    .leftJoin(skus, eq(skus.id, stockLevels.skuId))
    .leftJoin(products, eq(products.id, skus.productId))
    .where(and(...where.filter(Boolean)))
    .orderBy(asc(stockLevels.cell))
    .limit(q.limit + 1)
  return toPage(
    rows,
    q.limit,
    (r) => [r.level.cell],
    ({ level: l, skuCode, name, low }) => ({
      locationId: l.locationId,
      skuId: l.skuId,
      skuCode,
      name,
      onHand: l.onHand,
      reserved: l.reserved,
      available: l.available,
      inTransit: l.inTransit,
      reorderPoint: l.reorderPoint,
      lowStock: Boolean(low),
      avgCostFen: l.avgCostFen,
      updatedAt: iso(l.updatedAt),
    }),
  )
}

// ── availability across stores (live) ───────────────────────────────────────

export async function skuAvailability(ctx: StockCtx, skuId: string) {
  await assertSku(ctx, skuId)
  const visible = await ctx.db
    .select({ id: locations.id, name: locations.name, kind: locations.kind })
    .from(locations)
    .where(and(isNull(locations.archivedAt), locationFilter(ctx.actor, locations.id)))
    .orderBy(asc(locations.name))
  const snaps = await mapLimit(visible, FANOUT, (l) => snapshotOf(ctx.env, l.id, skuId))
  const items = visible.map((l, i) => ({
    locationId: l.id,
    locationName: l.name,
    kind: l.kind,
    onHand: snaps[i]!.onHand,
    reserved: snaps[i]!.reserved,
    available: snaps[i]!.available,
  }))
  // Where to send a customer first: most available on top.
  items.sort((a, b) => b.available - a.available)
  return { skuId, items }
}

// ── the ledger (D1) ─────────────────────────────────────────────────────────

export type MovesQuery = {
  limit: number
  cursor?: string
  locationId?: string
  skuId?: string
  kind?: StockMoveKind
  from?: string
  to?: string
  refType?: string
  refId?: string
}

/** Newest first, keyed by (occurredAt, cell, seq) so pages never skip or repeat a move. */
export async function listMoves(ctx: StockCtx, q: MovesQuery) {
  if (q.locationId) assertLocation(ctx.actor, q.locationId)
  const after = decodeCursor(q.cursor)
  let keyset: SQL | undefined
  if (after) {
    const [at, cell, seq] = [Number(after[0]), String(after[1]), Number(after[2])]
    keyset = or(
      lt(stockMoves.occurredAt, at),
      and(eq(stockMoves.occurredAt, at), lt(stockMoves.cell, cell)),
      and(eq(stockMoves.occurredAt, at), eq(stockMoves.cell, cell), lt(stockMoves.seq, seq)),
    )
  }
  const where: (SQL | undefined)[] = [
    locationFilter(ctx.actor, stockMoves.locationId),
    q.locationId ? eq(stockMoves.locationId, q.locationId) : undefined,
    q.skuId ? eq(stockMoves.skuId, q.skuId) : undefined,
    q.kind ? eq(stockMoves.kind, q.kind) : undefined,
    q.from ? gte(stockMoves.occurredAt, Date.parse(q.from)) : undefined,
    q.to ? lt(stockMoves.occurredAt, Date.parse(q.to)) : undefined,
    q.refType ? eq(stockMoves.refType, q.refType) : undefined,
    q.refId ? eq(stockMoves.refId, q.refId) : undefined,
    keyset,
  ]
  const rows = await ctx.db
    .select()
    .from(stockMoves)
    .where(and(...where.filter(Boolean)))
    .orderBy(desc(stockMoves.occurredAt), desc(stockMoves.cell), desc(stockMoves.seq))
    .limit(q.limit + 1)
  return toPage(
    rows,
    q.limit,
    (m) => [m.occurredAt, m.cell, m.seq],
    (m) => ({
      cell: m.cell,
      seq: m.seq,
      locationId: m.locationId,
      skuId: m.skuId,
      kind: m.kind,
      delta: m.delta,
      lot: m.lot,
      unitCostFen: m.unitCostFen,
      costFen: m.costFen,
      onHandAfter: m.onHandAfter,
      availableAfter: m.availableAfter,
      reason: m.reason,
      refType: m.refType,
      refId: m.refId,
      actorId: m.actorId,
      occurredAt: iso(m.occurredAt),
    }),
  )
}

// ── expiring lots ───────────────────────────────────────────────────────────

export const DEFAULT_EXPIRY_WARNING_DAYS = 30

export type ExpiringQuery = { locationId: string; withinDays?: number; limit: number; cursor?: string }

/**
 * Lots at a location that expire within N days (or have expired), from the cells themselves: a
 * lot's expiry date lives only in its cell (the ledger records lot numbers, not dates), and the
 * cell is the truth. The cells to ask are the location's rows in stock_levels with goods on hand,
 * so a cell received into in the last seconds (not yet flushed) shows up on the next look. A store
 * carries thousands of SKUs, more cells than one request may call, so the scan is paged: each page
 * asks `limit` cells and returns the lots found there (a page may hold none and still have a next).
 * N: `withinDays` when given, else the SKU's category's expiryWarningDays, else 30.
 */
export async function listExpiring(ctx: StockCtx, q: ExpiringQuery) {
  await getLocation(ctx.db, ctx.actor, q.locationId)
  const after = decodeCursor(q.cursor)
  const rows = await ctx.db
    .select({
      cell: stockLevels.cell,
      skuId: stockLevels.skuId,
      skuCode: skus.skuCode,
      name: products.name,
      warningDays: categories.expiryWarningDays,
    })
    .from(stockLevels)
    .leftJoin(skus, eq(skus.id, stockLevels.skuId))
    .leftJoin(products, eq(products.id, skus.productId))
    .leftJoin(categories, eq(categories.id, products.categoryId))
    .where(
      and(
        eq(stockLevels.locationId, q.locationId),
        gt(stockLevels.onHand, 0),
        after ? gt(stockLevels.cell, String(after[0])) : undefined,
      ),
    )
    .orderBy(asc(stockLevels.cell))
    .limit(q.limit + 1)
  const page = rows.slice(0, q.limit)
  const asOf = today(ctx.env.CHAIN_TIME_ZONE)
  const snaps = await mapLimit(page, FANOUT, (r) => snapshotOf(ctx.env, q.locationId, r.skuId))
  const items = page.flatMap((r, i) => {
    const window = q.withinDays ?? r.warningDays ?? DEFAULT_EXPIRY_WARNING_DAYS
    return snaps[i]!.lots.flatMap((l) => {
      if (l.expiresOn === null || l.qty <= 0) return []
      const daysLeft = daysBetween(asOf, l.expiresOn)
      if (daysLeft > window) return []
      return [
        {
          locationId: q.locationId,
          skuId: r.skuId,
          skuCode: r.skuCode,
          name: r.name,
          lot: l.lot,
          expiresOn: l.expiresOn,
          qty: l.qty,
          daysLeft,
          expired: daysLeft < 0,
          warningDays: window,
        },
      ]
    })
  })
  items.sort((a, b) =>
    a.expiresOn === b.expiresOn ? a.skuId.localeCompare(b.skuId) : a.expiresOn < b.expiresOn ? -1 : 1,
  )
  const last = page.at(-1)
  return {
    locationId: q.locationId,
    asOf,
    items,
    nextCursor: rows.length > q.limit && last ? encodeCursor([last.cell]) : null,
  }
}
