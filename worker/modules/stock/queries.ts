// Reads: a cell itself (the truth), the D1 read model (levels, the moves ledger), live
// availability across stores, and lots about to expire.
import { and, asc, desc, eq, gt, gte, isNull, lt, or, type SQL, sql } from "drizzle-orm"
import { dayOf, daysBetween } from "../../../core/business-day"
import { categories, locations, products, skus, stockLevels, stockMoves } from "../../db/schema"
import type { StockMoveKind } from "../../db/schema/stock"
import { assertLocation, locationFilter } from "../../lib/actor"
import { decodeCursor, encodeCursor, toPage } from "../../lib/pagination"
import { notFound } from "../../lib/problem"
import { getLocation } from "../locations"
import { FANOUT, mapLimit, snapshotOf } from "./fanout"
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

type DueLot = {
  cell: string
  skuId: string
  skuCode: string | null
  name: string | null
  lot: string
  expiresOn: string
  qty: number
  warningDays: number
  first: string
}

/**
 * Lots at a location that expire within N days (or have expired), read from D1's stock_lots (the
 * cells' lots as flushed, trailing them by seconds like stock_levels) through its (location,
 * expiry) index: no cell is called. N: `withinDays` when given, else the SKU's category's
 * expiryWarningDays, else 30. A page holds `limit` SKUs (cells), the one with the soonest-expiring
 * lot first, each with all of its lots due; lots within a page are ordered by date.
 */
export async function listExpiring(ctx: StockCtx, q: ExpiringQuery) {
  await getLocation(ctx.db, ctx.actor, q.locationId)
  const after = decodeCursor(q.cursor)
  const asOf = dayOf(Date.now(), ctx.env.CHAIN_TIME_ZONE)
  const rows = await dueLots(ctx, q, asOf, after ? [String(after[0]), String(after[1])] : null)
  const cells = [...new Set(rows.map((r) => r.cell))]
  const last = cells.length > q.limit ? rows.find((r) => r.cell === cells[q.limit - 1]) : undefined
  const items = rows
    .filter((r) => cells.indexOf(r.cell) < q.limit)
    .map((r) => {
      const daysLeft = daysBetween(asOf, r.expiresOn)
      return {
        locationId: q.locationId,
        skuId: r.skuId,
        skuCode: r.skuCode,
        name: r.name,
        lot: r.lot,
        expiresOn: r.expiresOn,
        qty: r.qty,
        daysLeft,
        expired: daysLeft < 0,
        warningDays: r.warningDays,
      }
    })
  items.sort((a, b) =>
    a.expiresOn === b.expiresOn
      ? a.skuId.localeCompare(b.skuId) || a.lot.localeCompare(b.lot)
      : a.expiresOn < b.expiresOn
        ? -1
        : 1,
  )
  return { locationId: q.locationId, asOf, items, nextCursor: last ? encodeCursor([last.first, last.cell]) : null }
}

/**
 * The due lots of the first `limit + 1` cells after the cursor (ordered by their soonest lot, then
 * name), in one statement. The index range is bounded by the widest window that can apply (the
 * asked N, else the largest category warning or 30); each lot is then held to its own window.
 */
function dueLots(ctx: StockCtx, q: ExpiringQuery, asOf: string, after: [string, string] | null) {
  const within =
    q.withinDays === undefined
      ? sql`MAX(${DEFAULT_EXPIRY_WARNING_DAYS}, COALESCE((SELECT MAX(${categories.expiryWarningDays}) FROM ${categories}), 0))`
      : sql`${q.withinDays}`
  const window = sql`COALESCE(${q.withinDays ?? null}, c.expiry_warning_days, ${DEFAULT_EXPIRY_WARNING_DAYS})`
  return ctx.db.all<DueLot>(sql`
    WITH due AS (
      SELECT l.cell, l.sku_id AS skuId, s.sku_code AS skuCode, p.name AS name, l.lot, l.expires_on AS expiresOn,
        l.qty, ${window} AS warningDays
      FROM stock_lots l
        LEFT JOIN skus s ON s.id = l.sku_id
        LEFT JOIN products p ON p.id = s.product_id
        LEFT JOIN categories c ON c.id = p.category_id
      WHERE l.location_id = ${q.locationId} AND l.expires_on IS NOT NULL
        AND l.expires_on <= date(${asOf}, '+' || ${within} || ' days') AND l.qty > 0
        AND l.expires_on <= date(${asOf}, '+' || ${window} || ' days')
    ),
    page AS (
      SELECT cell, MIN(expiresOn) AS first FROM due GROUP BY cell
      ${after ? sql`HAVING (MIN(expiresOn), cell) > (${after[0]}, ${after[1]})` : sql``}
      ORDER BY first, cell LIMIT ${q.limit + 1}
    )
    SELECT due.*, page.first FROM due JOIN page ON page.cell = due.cell
    ORDER BY page.first, due.cell, due.expiresOn, due.lot`)
}
