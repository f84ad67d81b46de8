// The daily aggregates (report_daily, report_daily_category) and the only code that writes them.
//
// Kept exact on every write: each sale, return and paid order adds its own contribution with an
// upsert that reads the rows just written in the same D1 batch. The batch is atomic, so the
// aggregate moves if and only if the record landed: a duplicate sync whose sale insert fails on its
// primary key rolls the upsert back with it, and can never count twice.
//
// recomputeDaily rebuilds store-days from the raw rows with the very same SELECTs (delete, then
// re-add), so "what a write adds" and "what a repair finds" cannot disagree. Imported history and
// repairs use it; running it twice gives the same rows.
import { and, eq, getTableColumns, type SQL, sql } from "drizzle-orm"
import type { SQLiteColumn } from "drizzle-orm/sqlite-core"
import { dayOf } from "../../../core/business-day"
import type { Db } from "../../db/client"
import { locations, reportDaily, reportDailyCategory } from "../../db/schema"

export type StoreDay = { locationId: string; day: string }

const DEFAULT_TIME_ZONE = "Asia/Shanghai"
// 8 statements per store-day; D1 takes a batch of this size comfortably.
const PAIRS_PER_BATCH = 25

// Pieces count one each; a weighed line (grams) counts as one item.
const unitsOf = (unit: string, qty: string) => sql.raw(`case when ${unit} = 'gram' then 1 else ${qty} end`)

// Returned goods' cost of goods comes back only when they go back on the shelf: damaged goods
// stay a cost. Each lot slice carries its cost (0 when unknown, e.g. sold below zero).
const restockedCost = (line: string) =>
  sql.raw(`case when ${line}.restock then (select coalesce(sum(json_extract(t.value, '$.costFen')), 0)
    from json_each(${line}.takes) t) else 0 end`)

// ON CONFLICT: every sum column adds the new contribution; the stamp takes the newest.
function addAll(table: typeof reportDaily | typeof reportDailyCategory) {
  const set: Record<string, SQL> = {}
  for (const [key, col] of Object.entries(getTableColumns(table))) {
    if (col.primary || key === "locationId" || key === "day" || key === "channel" || key === "categoryId") continue
    set[key] = sql.raw(key === "updatedAt" ? `excluded."${col.name}"` : `"${col.name}" + excluded."${col.name}"`)
  }
  return set
}

// INSERT … SELECT … ON CONFLICT DO UPDATE: SQLite needs the WHERE every select here has to parse it.
const upsertInto =
  <T extends typeof reportDaily | typeof reportDailyCategory>(table: T, key: (t: T) => SQLiteColumn[]) =>
  (db: Db, select: SQL) =>
    db
      .insert(table)
      .select(select)
      .onConflictDoUpdate({ target: key(table), set: addAll(table) })

const upsertDaily = upsertInto(reportDaily, (t) => [t.locationId, t.day, t.channel])
const upsertCategory = upsertInto(reportDailyCategory, (t) => [t.locationId, t.day, t.categoryId])

// ── What each kind of record adds, for the rows `where` picks ───────────────────────────────────
// Columns in report_daily's order: location, day, channel, orders, units, gross, discount, sales,
// cost, returns, returns_fen, returns_cost, updated_at.

const salesDaily = (where: SQL) => sql`select s.location_id, s.business_day, s.source, count(*),
  coalesce(sum((select sum(${unitsOf("l.unit", "l.qty")}) from sale_lines l where l.sale_id = s.id)), 0),
  sum(s.subtotal_fen), sum(s.discount_fen), sum(s.total_fen), sum(s.cost_fen), 0, 0, 0, ${Date.now()}
  from sales s where ${where} group by s.location_id, s.business_day, s.source`

const salesCategory = (where: SQL) => sql`select s.location_id, s.business_day, coalesce(l.category_id, ''),
  sum(${unitsOf("l.unit", "l.qty")}), sum(l.total_fen), sum(l.cost_fen), 0, 0, ${Date.now()}
  from sale_lines l join sales s on s.id = l.sale_id where ${where}
  group by s.location_id, s.business_day, coalesce(l.category_id, '')`

const returnsDaily = (where: SQL) => sql`select r.location_id, r.business_day, r.source, 0, 0, 0, 0, 0, 0,
  count(*), sum(r.refund_fen),
  coalesce(sum((select sum(${restockedCost("rl")}) from return_lines rl where rl.return_id = r.id)), 0), ${Date.now()}
  from returns r where ${where} group by r.location_id, r.business_day, r.source`

const returnsCategory = (where: SQL) => sql`select r.location_id, r.business_day, coalesce(rl.category_id, ''),
  0, 0, 0, sum(rl.refund_fen), sum(${restockedCost("rl")}), ${Date.now()}
  from return_lines rl join returns r on r.id = rl.return_id where ${where}
  group by r.location_id, r.business_day, coalesce(rl.category_id, '')`

// Channel orders have no business-day column: the day they were paid is passed in.
const ordersDaily = (day: string, where: SQL) => sql`select o.location_id, ${day}, 'orders', count(*),
  coalesce(sum((select sum(${unitsOf("p.unit", "ol.qty")}) from order_lines ol
    join skus k on k.id = ol.sku_id join products p on p.id = k.product_id where ol.order_id = o.id)), 0),
  sum(o.total_fen), 0, sum(o.total_fen), coalesce(sum(o.cost_fen), 0), 0, 0, 0, ${Date.now()}
  from orders o where ${where} group by o.location_id`

const ordersCategory = (day: string, where: SQL) => sql`select o.location_id, ${day}, coalesce(p.category_id, ''),
  sum(${unitsOf("p.unit", "ol.qty")}), sum(ol.amount_fen), coalesce(sum(ol.cost_fen), 0), 0, 0, ${Date.now()}
  from order_lines ol join orders o on o.id = ol.order_id
  join skus k on k.id = ol.sku_id join products p on p.id = k.product_id
  where ${where} group by o.location_id, coalesce(p.category_id, '')`

// ── Per write: spread these into the batch that writes the record, after its rows ───────────────

/** A sale (till, offline sync or imported): after the sale and its lines in the same batch. */
export function dailyForSale(db: Db, saleId: string) {
  return [
    upsertDaily(db, salesDaily(sql`s.id = ${saleId}`)),
    upsertCategory(db, salesCategory(sql`l.sale_id = ${saleId}`)),
  ]
}

/** A return: after the return and its lines in the same batch; booked on the return's own day. */
export function dailyForReturn(db: Db, returnId: string) {
  return [
    upsertDaily(db, returnsDaily(sql`r.id = ${returnId}`)),
    upsertCategory(db, returnsCategory(sql`rl.return_id = ${returnId}`)),
  ]
}

/**
 * A channel order turning paid: after the update that set `paid_at = paidAt` in the same batch.
 * A retry's batch finds the order already paid at another instant (or not by this batch) and adds nothing.
 */
export function dailyForPaidOrder(db: Db, orderId: string, paidAt: number, timeZone = DEFAULT_TIME_ZONE) {
  const day = dayOf(paidAt, timeZone)
  const paidHere = sql`o.id = ${orderId} and o.status = 'paid' and o.paid_at = ${paidAt}`
  return [upsertDaily(db, ordersDaily(day, paidHere)), upsertCategory(db, ordersCategory(day, paidHere))]
}

// ── Rebuild ──────────────────────────────────────────────────────────────────────────────────────

/**
 * Rebuilds the aggregate rows of these store-days from the sales, returns and paid orders (imports,
 * repair, a nightly check). Idempotent: each store-day is deleted and re-added in one atomic batch.
 */
export async function recomputeDaily(db: Db, pairs: readonly StoreDay[], timeZone = DEFAULT_TIME_ZONE) {
  const unique = [...new Map(pairs.map((p) => [`${p.locationId}|${p.day}`, p])).values()]
  for (let i = 0; i < unique.length; i += PAIRS_PER_BATCH) {
    const statements = unique.slice(i, i + PAIRS_PER_BATCH).flatMap((p) => rebuildStatements(db, p, timeZone))
    await db.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]])
  }
}

/**
 * The nightly check (ARCHITECTURE §6): rebuilds the store-days of yesterday and today for every
 * location, so an aggregate that ever drifted (a hand fix in D1, a bug) heals by morning.
 */
export async function recomputeRecentDays(db: Db, timeZone = DEFAULT_TIME_ZONE, now = Date.now()) {
  const days = [dayOf(now - 86_400_000, timeZone), dayOf(now, timeZone)]
  const ids = await db.select({ id: locations.id }).from(locations)
  await recomputeDaily(
    db,
    ids.flatMap(({ id }) => days.map((day) => ({ locationId: id, day }))),
    timeZone,
  )
  return { storeDays: ids.length * days.length }
}

function rebuildStatements(db: Db, { locationId, day }: StoreDay, timeZone: string) {
  const [from, to] = dayBounds(day, timeZone)
  const sale = sql`s.location_id = ${locationId} and s.business_day = ${day}`
  const ret = sql`r.location_id = ${locationId} and r.business_day = ${day}`
  const order = sql`o.location_id = ${locationId} and o.status = 'paid' and o.paid_at >= ${from} and o.paid_at < ${to}`
  return [
    db.delete(reportDaily).where(and(eq(reportDaily.locationId, locationId), eq(reportDaily.day, day))),
    db
      .delete(reportDailyCategory)
      .where(and(eq(reportDailyCategory.locationId, locationId), eq(reportDailyCategory.day, day))),
    upsertDaily(db, salesDaily(sale)),
    upsertCategory(db, salesCategory(sale)),
    upsertDaily(db, returnsDaily(ret)),
    upsertCategory(db, returnsCategory(ret)),
    upsertDaily(db, ordersDaily(day, order)),
    upsertCategory(db, ordersCategory(day, order)),
  ]
}

// ── Business days in the chain's time zone ──────────────────────────────────────────────────────

/** [start, end) in epoch ms of a business day in a time zone (DST-safe: offsets read at each edge). */
export function dayBounds(day: string, timeZone: string): [number, number] {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number]
  const midnight = (dd: number) => {
    const utc = Date.UTC(y, m - 1, dd)
    const guess = utc - offsetAt(utc, timeZone)
    return utc - offsetAt(guess, timeZone)
  }
  return [midnight(d), midnight(d + 1)]
}

function offsetAt(at: number, timeZone: string): number {
  const p = partsIn(at, timeZone)
  const asUtc = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour! % 24, +p.minute!, +p.second!)
  return asUtc - Math.floor(at / 1000) * 1000
}

function partsIn(at: number, timeZone: string) {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  })
    .formatToParts(new Date(at))
    .reduce<Record<string, string>>((acc, x) => {
      acc[x.type] = x.value
      return acc
    }, {})
}
