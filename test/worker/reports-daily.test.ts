// The owner's daily numbers stay exact on every write: whatever a store does in a day (till sales,
// a return, an offline till syncing late and then again, a channel order), the aggregate rows equal
// a recomputation from the raw records, and the recomputation is idempotent.
import { env } from "cloudflare:workers"
import { and, asc, eq } from "drizzle-orm"
import { ulid } from "ulid"
import { describe, expect, it } from "vitest"
import { dayOf } from "../../core/business-day"
import { makeDb } from "../../worker/db/client"
import { reportDaily, reportDailyCategory, saleLines, sales } from "../../worker/db/schema"
import { scheduledJobs } from "../../worker/jobs/scheduled"
import { recomputeDaily } from "../../worker/modules/reports/daily"
import { call, uniq } from "./helpers"
import { pay } from "./orders-fixtures"
import { cash, sell, shop } from "./sales-helpers"

const db = () => makeDb(env.DB)
const TZ = env.CHAIN_TIME_ZONE
const today = () => dayOf(Date.now(), TZ)

async function rowsOf(locationId: string) {
  const daily = await db()
    .select()
    .from(reportDaily)
    .where(eq(reportDaily.locationId, locationId))
    .orderBy(asc(reportDaily.day), asc(reportDaily.channel))
  const categories = await db()
    .select()
    .from(reportDailyCategory)
    .where(eq(reportDailyCategory.locationId, locationId))
    .orderBy(asc(reportDailyCategory.day), asc(reportDailyCategory.categoryId))
  const strip = <T extends { updatedAt: number }>({ updatedAt: _, ...rest }: T) => rest
  return { daily: daily.map(strip), categories: categories.map(strip) }
}

/** What the rows say now must be what a rebuild from the raw records says, twice over. */
async function expectRecomputable(locationId: string) {
  const kept = await rowsOf(locationId)
  const days = [...new Set(kept.daily.map((r) => r.day))].map((day) => ({ locationId, day }))
  await recomputeDaily(db(), days, TZ)
  expect(await rowsOf(locationId)).toEqual(kept)
  await recomputeDaily(db(), days, TZ)
  expect(await rowsOf(locationId)).toEqual(kept)
  return kept
}

const sync = (token: string, body: Record<string, unknown>) =>
  call<{ results: { id: string; status: string }[] }>("POST", "/sales/sync", { token, body })

describe("daily aggregates", () => {
  it("count till sales and a return on their day, and equal a recomputation", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 2, priceFen: 1500, qty: 10 })
    const [a, b] = skuIds as [string, string]
    const first = await sell(cashier.token, {
      locationId: store,
      lines: [
        { skuId: a, qty: 2 },
        { skuId: b, qty: 1 },
      ],
      payments: [cash(5000)],
    })
    expect(first.status).toBe(201)
    await sell(cashier.token, { locationId: store, lines: [{ skuId: b, qty: 1 }], payments: [cash(1500)] })
    const ret = await call("POST", "/returns", {
      token: cashier.token,
      key: uniq("ret"),
      body: { saleId: first.body.id, lines: [{ lineId: first.body.lines[0]!.lineId, qty: 1 }] },
    })
    expect(ret.status).toBe(201)

    const { daily } = await expectRecomputable(store)
    expect(daily).toEqual([
      {
        locationId: store,
        day: today(),
        channel: "till",
        orders: 2,
        units: 4,
        grossFen: 6000,
        discountFen: 0,
        salesFen: 6000,
        costFen: 4 * 600,
        returns: 1,
        returnsFen: 1500,
        returnsCostFen: 600,
      },
    ])
  })

  it("book a late offline sale on the day it happened, and a replayed sync changes nothing", async () => {
    const { store, skuIds, cashier } = await shop({ priceFen: 1000, qty: 10 })
    const twoDaysAgo = Date.now() - 2 * 86_400_000
    const sales = [
      {
        id: ulid(),
        locationId: store,
        occurredAt: new Date(twoDaysAgo).toISOString(),
        lines: [{ skuId: skuIds[0], qty: 3, unitPriceFen: 1000 }],
        payments: [cash(3000)],
        totalFen: 3000,
      },
    ]
    expect((await sync(cashier.token, { sales })).body.results[0]!.status).toBe("applied")
    const once = await expectRecomputable(store)
    expect(once.daily).toEqual([
      expect.objectContaining({ day: dayOf(twoDaysAgo, TZ), channel: "offline", orders: 1, units: 3, salesFen: 3000 }),
    ])

    expect((await sync(cashier.token, { sales })).body.results[0]!.status).toBe("duplicate")
    expect(await rowsOf(store)).toEqual(once)
  })

  it("count a channel order when it is paid, once, even when the payment is replayed", async () => {
    const { owner, store, skuIds } = await shop({ priceFen: 1990, qty: 10 })
    const placed = await call("POST", "/orders", {
      token: owner,
      key: uniq("ok"),
      body: { channel: "miniprogram", locationId: store, lines: [{ skuId: skuIds[0], qty: 2 }] },
    })
    expect(await expectRecomputable(store)).toEqual({ daily: [], categories: [] })
    const key = uniq("pk")
    const paid = await pay(owner, placed.body.id, [{ method: "wechat", amountFen: 3980 }], key)
    expect(paid.body.status).toBe("paid")
    await pay(owner, placed.body.id, [{ method: "wechat", amountFen: 3980 }], key)

    const { daily, categories } = await expectRecomputable(store)
    expect(daily).toEqual([
      expect.objectContaining({ day: today(), channel: "orders", orders: 1, units: 2, salesFen: 3980, costFen: 1200 }),
    ])
    expect(categories).toEqual([expect.objectContaining({ categoryId: "", units: 2, salesFen: 3980 })])
  })

  it("count imported history under its own channel once its store-days are recomputed", async () => {
    const { store, skuIds } = await shop({ priceFen: 1200, qty: 0 })
    const day = dayOf(Date.now() - 30 * 86_400_000, TZ)
    const at = Date.parse(`${day}T04:00:00Z`)
    const id = uniq("hs_")
    // What the history import writes: a sale with source "import", moving no stock.
    await db().batch([
      db()
        .insert(sales)
        .values({
          id,
          number: `IMP-${id}`,
          locationId: store,
          // SaleSource does not list "import": the importer writes its rows in raw SQL.
          source: "import" as never,
          cashierId: "import",
          subtotalFen: 3600,
          discountFen: 100,
          roundingFen: 0,
          totalFen: 3500,
          tenderedFen: 3500,
          changeFen: 0,
          costFen: 1800,
          pointsEarned: 0,
          appliedPromotions: [],
          couponCodes: [],
          occurredAt: at,
          businessDay: day,
          late: false,
          postedAt: at,
        }),
      db()
        .insert(saleLines)
        .values({
          id: `${id}:1`,
          saleId: id,
          lineNo: 1,
          skuId: skuIds[0]!,
          name: "历史商品",
          unit: "piece",
          qty: 3,
          unitPriceFen: 1200,
          originalFen: 3600,
          discountFen: 100,
          roundingFen: 0,
          totalFen: 3500,
          discounts: [],
          costFen: 1800,
          takes: [],
          pointsEarned: 0,
          returnedQty: 0,
        }),
    ])
    await recomputeDaily(db(), [{ locationId: store, day }], TZ)

    const { daily } = await expectRecomputable(store)
    expect(daily).toEqual([
      expect.objectContaining({
        day,
        channel: "import",
        orders: 1,
        units: 3,
        grossFen: 3600,
        discountFen: 100,
        salesFen: 3500,
        costFen: 1800,
      }),
    ])
  })

  it("rebuild a store-day from scratch when its rows were lost", async () => {
    const { store, skuIds, cashier } = await shop({ priceFen: 800, qty: 5 })
    await sell(cashier.token, { locationId: store, lines: [{ skuId: skuIds[0], qty: 2 }], payments: [cash(1600)] })
    const kept = await rowsOf(store)
    await db()
      .delete(reportDaily)
      .where(and(eq(reportDaily.locationId, store), eq(reportDaily.day, today())))
    await recomputeDaily(db(), [{ locationId: store, day: today() }], TZ)
    expect(await rowsOf(store)).toEqual(kept)
  })
  it("heal by the nightly job when a store-day's rows were tampered with", async () => {
    const { store, skuIds, cashier } = await shop({ priceFen: 800, qty: 5 })
    await sell(cashier.token, { locationId: store, lines: [{ skuId: skuIds[0], qty: 2 }], payments: [cash(1600)] })
    const kept = await rowsOf(store)
    await db()
      .update(reportDaily)
      .set({ salesFen: 1 })
      .where(and(eq(reportDaily.locationId, store), eq(reportDaily.day, today())))
    const nightly = scheduledJobs.nightly.find((j) => j.name === "recompute-report-days")!
    await nightly.run(env)
    expect(await rowsOf(store)).toEqual(kept)
  })
})
