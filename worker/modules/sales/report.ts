// 日结: one store's business day — sales by tender and by category, discounts by promotion,
// returns, points, stored value, shifts, and the offline sales that arrived after the day was
// closed (booked on their own day, marked late, listed here with what they add).
import { and, eq, sql } from "drizzle-orm"
import type { Db } from "../../db/client"
import { dayCloses, returnLines, returnRefunds, returns, saleLines, salePayments, sales, shifts } from "../../db/schema"
import { type Actor, assertLocation } from "../../lib/actor"
import { problem } from "../../lib/problem"
import { isManager } from "./approval"
import { assertStore } from "./shifts"
import { dayOf } from "./sql"

export async function isDayClosed(db: Db, locationId: string, day: string) {
  const [row] = await db
    .select({ day: dayCloses.day })
    .from(dayCloses)
    .where(and(eq(dayCloses.locationId, locationId), eq(dayCloses.day, day)))
  return Boolean(row)
}

const num = (v: unknown) => Number(v ?? 0)
const DAY_MS = 86_400_000

export async function dayReport(db: Db, timeZone: string, actor: Actor, q: { locationId: string; date: string }) {
  assertLocation(actor, q.locationId)
  await assertStore(db, q.locationId)
  const inDay = and(eq(sales.locationId, q.locationId), eq(sales.businessDay, q.date))
  const returnsInDay = and(eq(returns.locationId, q.locationId), eq(returns.businessDay, q.date))
  const [totals, tenders, categories, promos, lateSales, rets, retTenders, retCats, shiftRows, closed] = await db.batch(
    [
      db
        .select({
          count: sql<number>`count(*)`,
          subtotalFen: sql<number>`sum(${sales.subtotalFen})`,
          discountFen: sql<number>`sum(${sales.discountFen})`,
          roundingFen: sql<number>`sum(${sales.roundingFen})`,
          totalFen: sql<number>`sum(${sales.totalFen})`,
          costFen: sql<number>`sum(${sales.costFen})`,
          changeFen: sql<number>`sum(${sales.changeFen})`,
          pointsEarned: sql<number>`sum(${sales.pointsEarned})`,
        })
        .from(sales)
        .where(inDay),
      db
        .select({
          method: salePayments.method,
          amountFen: sql<number>`sum(${salePayments.amountFen})`,
          points: sql<number>`sum(coalesce(${salePayments.points}, 0))`,
          count: sql<number>`count(*)`,
        })
        .from(salePayments)
        .innerJoin(sales, eq(sales.id, salePayments.saleId))
        .where(inDay)
        .groupBy(salePayments.method),
      db
        .select({
          categoryId: saleLines.categoryId,
          qty: sql<number>`sum(${saleLines.qty})`,
          totalFen: sql<number>`sum(${saleLines.totalFen})`,
          costFen: sql<number>`sum(${saleLines.costFen})`,
        })
        .from(saleLines)
        .innerJoin(sales, eq(sales.id, saleLines.saleId))
        .where(inDay)
        .groupBy(saleLines.categoryId),
      db
        .select({
          promotionId: sql<string>`json_extract(p.value, '$.promotionId')`,
          name: sql<string>`json_extract(p.value, '$.name')`,
          amountFen: sql<number>`sum(json_extract(p.value, '$.amountFen'))`,
          sales: sql<number>`count(*)`,
        })
        .from(sql`${sales}, json_each(${sales.appliedPromotions}) as p`)
        .where(inDay)
        .groupBy(sql`1, 2`),
      db
        .select({
          id: sales.id,
          number: sales.number,
          totalFen: sales.totalFen,
          occurredAt: sales.occurredAt,
          syncedAt: sales.createdAt,
        })
        .from(sales)
        .where(and(inDay, eq(sales.late, true)))
        .orderBy(sales.occurredAt),
      db
        .select({
          count: sql<number>`count(*)`,
          refundFen: sql<number>`sum(${returns.refundFen})`,
          pointsReversed: sql<number>`sum(${returns.pointsReversed})`,
          late: sql<number>`sum(${returns.late})`,
        })
        .from(returns)
        .where(returnsInDay),
      db
        .select({
          method: returnRefunds.method,
          amountFen: sql<number>`sum(${returnRefunds.amountFen})`,
          points: sql<number>`sum(coalesce(${returnRefunds.points}, 0))`,
        })
        .from(returnRefunds)
        .innerJoin(returns, eq(returns.id, returnRefunds.returnId))
        .where(returnsInDay)
        .groupBy(returnRefunds.method),
      db
        .select({
          categoryId: returnLines.categoryId,
          qty: sql<number>`sum(${returnLines.qty})`,
          refundFen: sql<number>`sum(${returnLines.refundFen})`,
        })
        .from(returnLines)
        .innerJoin(returns, eq(returns.id, returnLines.returnId))
        .where(returnsInDay)
        .groupBy(returnLines.categoryId),
      db
        .select()
        .from(shifts)
        .where(
          and(
            eq(shifts.locationId, q.locationId),
            // A window wide enough for any time zone; the exact day is cut below.
            sql`${shifts.openedAt} between ${Date.parse(q.date) - DAY_MS} and ${Date.parse(q.date) + 2 * DAY_MS}`,
          ),
        )
        .orderBy(shifts.openedAt),
      db
        .select()
        .from(dayCloses)
        .where(and(eq(dayCloses.locationId, q.locationId), eq(dayCloses.day, q.date))),
    ],
  )
  const t = totals[0]
  const change = num(t?.changeFen)
  const refundBy = new Map(retTenders.map((r) => [r.method, r]))
  const tender = (m: string) => tenders.find((x) => x.method === m)
  const late = lateSales.map((s) => ({
    id: s.id,
    number: s.number,
    totalFen: s.totalFen,
    occurredAt: new Date(s.occurredAt).toISOString(),
    syncedAt: new Date(s.syncedAt).toISOString(),
  }))
  const r = rets[0]
  return {
    locationId: q.locationId,
    date: q.date,
    closed: closed[0] ? { closedAt: new Date(closed[0].closedAt).toISOString(), closedBy: closed[0].closedBy } : null,
    sales: {
      count: num(t?.count),
      subtotalFen: num(t?.subtotalFen),
      discountFen: num(t?.discountFen),
      roundingFen: num(t?.roundingFen),
      totalFen: num(t?.totalFen),
      costFen: num(t?.costFen),
      changeFen: change,
    },
    // Cash net of the change given back, so the tenders add up to the sales total.
    byTender: tenders.map((x) => ({
      method: x.method,
      count: num(x.count),
      amountFen: num(x.amountFen) - (x.method === "cash" ? change : 0),
      refundedFen: num(refundBy.get(x.method)?.amountFen),
    })),
    byCategory: categories.map((c) => ({
      categoryId: c.categoryId,
      qty: num(c.qty),
      totalFen: num(c.totalFen),
      costFen: num(c.costFen),
      returnedQty: num(retCats.find((x) => x.categoryId === c.categoryId)?.qty),
      refundFen: num(retCats.find((x) => x.categoryId === c.categoryId)?.refundFen),
    })),
    discounts: {
      totalFen: num(t?.discountFen),
      byPromotion: promos.map((p) => ({
        promotionId: p.promotionId,
        name: p.name,
        amountFen: num(p.amountFen),
        sales: num(p.sales),
      })),
    },
    returns: {
      count: num(r?.count),
      refundFen: num(r?.refundFen),
      late: num(r?.late),
      byTender: retTenders.map((x) => ({ method: x.method, amountFen: num(x.amountFen) })),
    },
    points: {
      earned: num(t?.pointsEarned),
      redeemed: num(tender("points")?.points),
      reversed: num(r?.pointsReversed),
      refunded: num(refundBy.get("points")?.points),
    },
    storedValue: {
      paidFen: num(tender("stored_value")?.amountFen),
      refundedFen: num(refundBy.get("stored_value")?.amountFen),
    },
    late: { count: late.length, totalFen: late.reduce((s, x) => s + x.totalFen, 0), sales: late },
    shifts: shiftRows
      .filter((s) => dayOf(s.openedAt, timeZone) === q.date)
      .map((s) => ({
        id: s.id,
        cashierId: s.cashierId,
        status: s.status,
        floatFen: s.floatFen,
        expectedFen: s.expectedFen,
        countedFen: s.countedFen,
        differenceFen: s.differenceFen,
      })),
    netFen: num(t?.totalFen) - num(r?.refundFen),
  }
}

/** Closes a store's day (store manager and up): later syncs for it are booked on it and marked late. */
export async function closeDay(db: Db, env: Env, actor: Actor, input: { locationId: string; date: string }) {
  if (!isManager(actor)) throw problem(403, "forbidden", "Only a store manager, manager or owner closes a day.")
  const report = await dayReport(db, env.CHAIN_TIME_ZONE, actor, input)
  const closedAt = Date.now()
  const totals = {
    salesCount: report.sales.count,
    totalFen: report.sales.totalFen,
    refundFen: report.returns.refundFen,
    netFen: report.netFen,
  }
  const inserted = await db
    .insert(dayCloses)
    .values({ locationId: input.locationId, day: input.date, closedBy: actor.id, closedAt, totals })
    .onConflictDoNothing()
    .returning()
  if (inserted.length === 0) throw problem(409, "day_closed", "This day is already closed.")
  return {
    locationId: input.locationId,
    date: input.date,
    closedAt: new Date(closedAt).toISOString(),
    closedBy: actor.id,
    totals,
  }
}
