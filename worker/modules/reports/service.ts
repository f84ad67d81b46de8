// The owner's summary: sales, orders and average ticket over a range of business days, each day
// beside the same weekday a week earlier, and the stores ranked. It reads only the daily
// aggregates (a few rows per store-day), never sale lines, so it stays fast at a chain's scale.
import { and, eq, gte, lte, sql } from "drizzle-orm"
import { addDays, dayOf, daysBetween } from "../../../core/business-day"
import type { Db } from "../../db/client"
import { locations, reportDaily } from "../../db/schema"
import { type Actor, assertLocation, locationFilter } from "../../lib/actor"
import { problem } from "../../lib/problem"

export type SummaryQuery = { from?: string; to?: string; locationId?: string }

export type Figures = {
  orders: number
  units: number
  grossFen: number
  discountFen: number
  salesFen: number
  returns: number
  returnsFen: number
  netSalesFen: number
  costFen: number
  marginFen: number
  averageTicketFen: number
}

const MAX_DAYS = 366

/** Half away from zero, in integers: the same fen on every machine (a day of refunds can be negative). */
export function averageTicket(netFen: number, orders: number): number {
  if (orders <= 0) return 0
  const sign = netFen < 0 ? -1 : 1
  const abs = Math.abs(netFen)
  return sign * Math.floor((2 * abs + orders) / (2 * orders))
}

// The sums every grouping reads; net = what customers paid − what went back.
const sums = {
  orders: sql<number>`coalesce(sum(${reportDaily.orders}), 0)`,
  units: sql<number>`coalesce(sum(${reportDaily.units}), 0)`,
  grossFen: sql<number>`coalesce(sum(${reportDaily.grossFen}), 0)`,
  discountFen: sql<number>`coalesce(sum(${reportDaily.discountFen}), 0)`,
  salesFen: sql<number>`coalesce(sum(${reportDaily.salesFen}), 0)`,
  costFen: sql<number>`coalesce(sum(${reportDaily.costFen}), 0)`,
  returns: sql<number>`coalesce(sum(${reportDaily.returns}), 0)`,
  returnsFen: sql<number>`coalesce(sum(${reportDaily.returnsFen}), 0)`,
  returnsCostFen: sql<number>`coalesce(sum(${reportDaily.returnsCostFen}), 0)`,
}
type Sums = { [K in keyof typeof sums]: number }

const ZERO: Sums = {
  orders: 0,
  units: 0,
  grossFen: 0,
  discountFen: 0,
  salesFen: 0,
  costFen: 0,
  returns: 0,
  returnsFen: 0,
  returnsCostFen: 0,
}

function plus(a: Sums, b: Sums): Sums {
  const out = { ...a }
  for (const k of Object.keys(ZERO) as (keyof Sums)[]) out[k] += b[k]
  return out
}

export function figures(s: Sums): Figures {
  const netSalesFen = s.salesFen - s.returnsFen
  const costFen = s.costFen - s.returnsCostFen
  return {
    orders: s.orders,
    units: s.units,
    grossFen: s.grossFen,
    discountFen: s.discountFen,
    salesFen: s.salesFen,
    returns: s.returns,
    returnsFen: s.returnsFen,
    netSalesFen,
    costFen,
    marginFen: netSalesFen - costFen,
    averageTicketFen: averageTicket(netSalesFen, s.orders),
  }
}

/** The range asked for, checked: real dates, from ≤ to, at most a year; today (chain time) by default. */
function rangeOf(q: SummaryQuery, timeZone: string): { from: string; to: string } {
  const to = q.to ?? q.from ?? dayOf(Date.now(), timeZone)
  const from = q.from ?? to
  for (const [path, day] of [
    ["from", from],
    ["to", to],
  ] as const)
    if (addDays(day, 0) !== day)
      throw problem(400, "validation_failed", "Not a calendar date.", { errors: [{ path, message: "YYYY-MM-DD" }] })
  if (from > to)
    throw problem(400, "range_reversed", "from is after to.", { errors: [{ path: "from", message: "≤ to" }] })
  if (daysBetween(from, to) >= MAX_DAYS)
    throw problem(400, "range_too_long", `At most ${MAX_DAYS} days at once.`, {
      errors: [{ path: "from", message: `within ${MAX_DAYS} days of to` }],
    })
  return { from, to }
}

export async function summary(db: Db, actor: Actor, q: SummaryQuery, timeZone: string) {
  const { from, to } = rangeOf(q, timeZone)
  if (q.locationId) assertLocation(actor, q.locationId)
  const scope = q.locationId ? eq(reportDaily.locationId, q.locationId) : locationFilter(actor, reportDaily.locationId)
  const lastWeekFrom = addDays(from, -7)
  const inRange = (a: string, b: string) => and(gte(reportDaily.day, a), lte(reportDaily.day, b), scope)

  const [byDayChannel, byStore, stores] = await db.batch([
    // One read covers the range and the week before it, so every day has its comparison.
    db
      .select({ day: reportDaily.day, channel: reportDaily.channel, ...sums })
      .from(reportDaily)
      .where(inRange(lastWeekFrom, to))
      .groupBy(reportDaily.day, reportDaily.channel),
    db
      .select({ locationId: reportDaily.locationId, ...sums })
      .from(reportDaily)
      .where(inRange(from, to))
      .groupBy(reportDaily.locationId),
    db
      .select({ id: locations.id, name: locations.name })
      .from(locations)
      .where(
        and(
          eq(locations.kind, "store"),
          q.locationId ? eq(locations.id, q.locationId) : locationFilter(actor, locations.id),
        ),
      ),
  ])

  // A store id answers its own row in `stores`; only otherwise is it worth a read to tell a warehouse from nothing.
  if (q.locationId && stores.length === 0) await assertExists(db, q.locationId)

  const perDay = new Map<string, Sums>()
  const perChannel = new Map<string, Sums>()
  const lastWeekTo = addDays(to, -7)
  let previous = ZERO
  let current = ZERO
  for (const { day, channel, ...s } of byDayChannel) {
    perDay.set(day, plus(perDay.get(day) ?? ZERO, s))
    // A range longer than a week overlaps its own comparison: a day may count in both.
    if (day <= lastWeekTo) previous = plus(previous, s)
    if (day >= from) {
      current = plus(current, s)
      perChannel.set(channel, plus(perChannel.get(channel) ?? ZERO, s))
    }
  }

  const days = []
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const lastWeek = addDays(day, -7)
    days.push({
      day,
      ...figures(perDay.get(day) ?? ZERO),
      lastWeek: { day: lastWeek, ...figures(perDay.get(lastWeek) ?? ZERO) },
    })
  }

  const sold = new Map(byStore.map(({ locationId, ...s }) => [locationId, s]))
  const ranking = stores
    .map((s) => ({ locationId: s.id, name: s.name, ...figures(sold.get(s.id) ?? ZERO) }))
    .sort((a, b) => b.netSalesFen - a.netSalesFen || a.name.localeCompare(b.name, "zh-CN"))
    .map((s, i) => ({ rank: i + 1, ...s }))

  return {
    from,
    to,
    locationId: q.locationId ?? null,
    timeZone,
    totals: {
      ...figures(current),
      // The same days one week earlier: for a single day, the same weekday last week.
      lastWeek: { from: lastWeekFrom, to: lastWeekTo, ...figures(previous) },
    },
    byChannel: [...perChannel.entries()]
      .map(([channel, s]) => ({ channel, ...figures(s) }))
      .sort((a, b) => a.channel.localeCompare(b.channel)),
    days,
    stores: ranking,
    asOf: new Date().toISOString(),
  }
}

async function assertExists(db: Db, id: string) {
  const [found] = await db.select({ id: locations.id }).from(locations).where(eq(locations.id, id))
  if (!found) throw problem(404, "not_found", "No such location.")
}
