// GET /reports/summary: the owner's morning numbers. Each story makes its own stores (storage is
// shared in this file), so chain-wide answers are checked through those stores' rows.
import { env } from "cloudflare:workers"
import { ulid } from "ulid"
import { describe, expect, it } from "vitest"
import { dayOf } from "../../core/business-day"
import { averageTicket } from "../../worker/modules/reports/service"
import { call, createLocation, staffToken } from "./helpers"
import { cash, newSkus, sell, shop, stock } from "./sales-helpers"

const TZ = env.CHAIN_TIME_ZONE
const today = () => dayOf(Date.now(), TZ)

type Figures = { orders: number; netSalesFen: number; averageTicketFen: number; returnsFen: number }
type Summary = Figures & {
  from: string
  to: string
  totals: Figures & { lastWeek: Figures & { from: string; to: string } }
  days: (Figures & { day: string; lastWeek: Figures & { day: string } })[]
  stores: (Figures & { rank: number; locationId: string; name: string })[]
  byChannel: (Figures & { channel: string })[]
  code?: string
}

const summary = (token: string, query = "") => call<Summary>("GET", `/reports/summary${query}`, { token })

/** A second store of the same chain with its own SKU in stock and a cashier. */
async function secondStore(owner: string) {
  const store = await createLocation(owner)
  const [sku] = (await newSkus(owner, 1, 2000)) as [string]
  await stock(store, sku, 10)
  const cashier = await staffToken(owner, "cashier", [store])
  return { store, sku, cashier }
}

describe("the owner's summary", () => {
  it("answers today's orders, net sales and average ticket for one store, rounded half up", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 2, qty: 10, priceFen: 1000 })
    const other = (await newSkus(owner, 1, 1001))[0]!
    await stock(store, other, 5)
    await sell(cashier.token, { locationId: store, lines: [{ skuId: skuIds[0], qty: 1 }], payments: [cash(1000)] })
    await sell(cashier.token, { locationId: store, lines: [{ skuId: other, qty: 1 }], payments: [cash(1001)] })

    const res = await summary(owner, `?locationId=${store}`)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({ from: today(), to: today() })
    // 2001 fen over 2 orders = 1000.5 → 1001, the same on every machine.
    expect(res.body.totals).toMatchObject({ orders: 2, netSalesFen: 2001, averageTicketFen: 1001 })
    expect(res.body.days).toEqual([expect.objectContaining({ day: today(), orders: 2, netSalesFen: 2001 })])
    expect(res.body.stores).toEqual([expect.objectContaining({ rank: 1, locationId: store, orders: 2 })])
    expect(res.body.byChannel).toEqual([expect.objectContaining({ channel: "till", orders: 2 })])
  })

  it("sets each day beside the same weekday last week", async () => {
    const { owner, store, skuIds, cashier } = await shop({ qty: 10, priceFen: 1500 })
    const weekAgo = Date.now() - 7 * 86_400_000
    const synced = await call("POST", "/sales/sync", {
      token: cashier.token,
      body: {
        sales: [
          {
            id: ulid(),
            locationId: store,
            occurredAt: new Date(weekAgo).toISOString(),
            lines: [{ skuId: skuIds[0], qty: 2, unitPriceFen: 1500 }],
            payments: [cash(3000)],
            totalFen: 3000,
          },
        ],
      },
    })
    expect(synced.body.results[0].status).toBe("applied")
    await sell(cashier.token, { locationId: store, lines: [{ skuId: skuIds[0], qty: 1 }], payments: [cash(1500)] })

    const res = await summary(owner, `?locationId=${store}`)
    expect(res.body.days[0]).toMatchObject({
      day: today(),
      netSalesFen: 1500,
      lastWeek: { day: dayOf(weekAgo, TZ), orders: 1, netSalesFen: 3000, averageTicketFen: 3000 },
    })
    expect(res.body.totals.lastWeek).toMatchObject({ from: dayOf(weekAgo, TZ), orders: 1, netSalesFen: 3000 })
  })

  it("ranks the stores by net sales for an owner, returns taken off", async () => {
    const a = await shop({ qty: 10, priceFen: 1000 })
    const b = await secondStore(a.owner)
    const sold = await sell(a.cashier.token, {
      locationId: a.store,
      lines: [{ skuId: a.skuIds[0], qty: 3 }],
      payments: [cash(3000)],
    })
    await sell(b.cashier.token, { locationId: b.store, lines: [{ skuId: b.sku, qty: 1 }], payments: [cash(2000)] })
    const back = await call("POST", "/returns", {
      token: a.cashier.token,
      key: ulid(),
      body: { saleId: sold.body.id, lines: [{ lineId: sold.body.lines[0]!.lineId, qty: 2 }] },
    })
    expect(back.status).toBe(201)

    const res = await summary(a.owner)
    const mine = res.body.stores.filter((s) => s.locationId === a.store || s.locationId === b.store)
    expect(mine.map((s) => [s.locationId, s.netSalesFen, s.returnsFen])).toEqual([
      [b.store, 2000, 0],
      [a.store, 1000, 2000],
    ])
    expect(mine[0]!.rank).toBeLessThan(mine[1]!.rank)
    const ranks = res.body.stores.map((s) => s.rank)
    expect(ranks).toEqual(ranks.map((_, i) => i + 1))
  })

  it("shows a store manager only their stores, and another store's id answers 404", async () => {
    const a = await shop({ qty: 10, priceFen: 1000 })
    const b = await secondStore(a.owner)
    await sell(a.cashier.token, {
      locationId: a.store,
      lines: [{ skuId: a.skuIds[0], qty: 1 }],
      payments: [cash(1000)],
    })
    await sell(b.cashier.token, { locationId: b.store, lines: [{ skuId: b.sku, qty: 2 }], payments: [cash(4000)] })
    const manager = await staffToken(a.owner, "store_manager", [a.store])

    const mine = await summary(manager.token)
    expect(mine.status).toBe(200)
    expect(mine.body.stores.map((s) => s.locationId)).toEqual([a.store])
    expect(mine.body.totals).toMatchObject({ orders: 1, netSalesFen: 1000 })
    const theirs = await summary(manager.token, `?locationId=${b.store}`)
    expect(theirs.status).toBe(404)
    expect(theirs.body.code).toBe("not_found")
    const nowhere = await summary(a.owner, "?locationId=loc_does_not_exist")
    expect(nowhere.status).toBe(404)
  })

  it("is not a cashier's business", async () => {
    const { cashier } = await shop({ qty: 0 })
    const res = await summary(cashier.token)
    expect(res.status).toBe(403)
  })

  it("refuses a reversed, impossible or year-long range with a problem", async () => {
    const { owner } = await shop({ qty: 0 })
    const cases: [string, string][] = [
      ["?from=2026-11-20&to=2026-11-10", "range_reversed"],
      ["?from=2026-02-30", "validation_failed"],
      ["?from=2024-01-01&to=2026-01-01", "range_too_long"],
      ["?from=yesterday", "validation_failed"],
      ["?region=华东", "validation_failed"],
    ]
    for (const [query, code] of cases) {
      const res = await summary(owner, query)
      expect([query, res.status, res.body.code]).toEqual([query, 400, code])
      expect(res.headers.get("content-type")).toContain("application/problem+json")
    }
  })
})

describe("average ticket", () => {
  it("rounds half away from zero in integers, and is 0 without orders", () => {
    expect([averageTicket(2001, 2), averageTicket(2003, 3), averageTicket(-1001, 2), averageTicket(500, 0)]).toEqual([
      1001, 668, -501, 0,
    ])
  })
})
