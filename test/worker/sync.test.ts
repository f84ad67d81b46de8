// POST /api/v1/sales/sync: an offline till's outbox, applied exactly once per item, in the order
// things happened, whatever the order and however often it arrives.
import { runDurableObjectAlarm } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { ulid } from "ulid"
import { describe, expect, it } from "vitest"
import { dayOf } from "../../worker/modules/sales/sql"
import { cellName } from "../../worker/stock-cell/client"
import { call, uniq } from "./helpers"
import { cash, cell, onHand, shop } from "./sales-helpers"

type Result = {
  id: string | null
  status: "applied" | "duplicate" | "rejected"
  problem?: { code: string; status: number }
}

const sync = (token: string, body: Record<string, unknown>) =>
  call<{ results: Result[] }>("POST", "/sales/sync", { token, body })

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString()

const offlineSale = (
  store: string,
  skuId: string,
  qty: number,
  priceFen: number,
  at: string,
  extra: Record<string, unknown> = {},
) => ({
  id: ulid(),
  locationId: store,
  occurredAt: at,
  lines: [{ skuId, qty, unitPriceFen: priceFen }],
  payments: [cash(qty * priceFen)],
  totalFen: qty * priceFen,
  ...extra,
})

const statuses = (r: { body: { results: Result[] } }) => r.body.results.map((x) => x.status)

describe("syncing an offline till", () => {
  it("applies a batch once; the same batch again is all duplicate and changes nothing", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 2, priceFen: 1000, qty: 10 })
    const [a, b] = skuIds as [string, string]
    const sales = [offlineSale(store, a, 2, 1000, minutesAgo(30)), offlineSale(store, b, 1, 1000, minutesAgo(20))]
    const first = await sync(cashier.token, { sales })
    expect(first.status).toBe(200)
    expect(first.body.results).toEqual(sales.map((s) => ({ id: s.id, status: "applied" })))
    expect([await onHand(store, a), await onHand(store, b)]).toEqual([8, 9])
    const sale = await call("GET", `/sales/${sales[0]!.id}`, { token: cashier.token })
    expect(sale.body).toMatchObject({ source: "offline", totalFen: 2000, cashierId: cashier.id, late: false })
    expect(sale.body.occurredAt).toBe(sales[0]!.occurredAt)

    const again = await sync(cashier.token, { sales })
    expect(again.body.results).toEqual(sales.map((s) => ({ id: s.id, status: "duplicate" })))
    expect([await onHand(store, a), await onHand(store, b)]).toEqual([8, 9])
  })

  it("applies a reordered batch in the order the sales happened, echoing results in the order sent", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 1, priceFen: 500, qty: 10 })
    const sku = skuIds[0]!
    const older = offlineSale(store, sku, 1, 500, minutesAgo(50))
    const middle = offlineSale(store, sku, 1, 500, minutesAgo(40))
    const newer = offlineSale(store, sku, 1, 500, minutesAgo(30))
    const res = await sync(cashier.token, { sales: [newer, older, middle] })
    expect(res.body.results.map((r) => r.id)).toEqual([newer.id, older.id, middle.id])
    expect(statuses(res)).toEqual(["applied", "applied", "applied"])
    const numbers = await Promise.all(
      [older, middle, newer].map(
        async (s) => (await call("GET", `/sales/${s.id}`, { token: cashier.token })).body.number as string,
      ),
    )
    expect([...numbers].sort()).toEqual(numbers)
  })

  it("independent sales of one store (other SKUs) are numbered and booked in the order they happened", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 6, priceFen: 700, qty: 10 })
    const made = skuIds.map((sku, i) => offlineSale(store, sku, 1, 700, minutesAgo(60 - i)))
    const res = await sync(cashier.token, { sales: [...made].reverse() })
    expect(statuses(res)).toEqual(made.map(() => "applied"))
    const numbers = await Promise.all(
      made.map(async (s) => (await call("GET", `/sales/${s.id}`, { token: cashier.token })).body.number as string),
    )
    expect([...numbers].sort()).toEqual(numbers)
    for (const sku of skuIds) expect(await onHand(store, sku)).toBe(9)
  })

  it("a half-bad batch: the good items apply, each bad one is rejected alone with its problem", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 1, priceFen: 800, qty: 10 })
    const sku = skuIds[0]!
    const good = offlineSale(store, sku, 2, 800, minutesAgo(10))
    const noLines = { ...offlineSale(store, sku, 1, 800, minutesAgo(9)), lines: [] }
    const badId = { ...offlineSale(store, sku, 1, 800, minutesAgo(8)), id: "not-a-ulid" }
    const unknownSku = offlineSale(store, "sku_nope", 1, 800, minutesAgo(7))
    const customerCode = offlineSale(store, sku, 1, 800, minutesAgo(6), {
      payments: [{ method: "wechat", amountFen: 800, authCode: "134567890123456789" }],
    })
    const res = await sync(cashier.token, { sales: [good, noLines, badId, "garbage", unknownSku, customerCode] })
    expect(res.status).toBe(200)
    expect(res.body.results.map((r) => [r.id, r.status, r.problem?.code])).toEqual([
      [good.id, "applied", undefined],
      [noLines.id, "rejected", "validation_failed"],
      ["not-a-ulid", "rejected", "validation_failed"],
      [null, "rejected", "validation_failed"],
      [unknownSku.id, "rejected", "unknown_sku"],
      [customerCode.id, "rejected", "offline_customer_code"],
    ])
    expect(await onHand(store, sku)).toBe(8)
  })

  it("the same id with another body is rejected as id_reused and changes nothing", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const sale = offlineSale(store, skuIds[0]!, 1, 1000, minutesAgo(5))
    expect(statuses(await sync(cashier.token, { sales: [sale] }))).toEqual(["applied"])
    const changed = {
      ...sale,
      lines: [{ skuId: skuIds[0], qty: 3, unitPriceFen: 1000 }],
      payments: [cash(3000)],
      totalFen: 3000,
    }
    const res = await sync(cashier.token, { sales: [changed] })
    expect(res.body.results[0]).toMatchObject({ id: sale.id, status: "rejected", problem: { code: "id_reused" } })
    expect(await onHand(store, skuIds[0]!)).toBe(9)
  })

  it("an offline sale beyond the stock is still recorded (a fact) and the cell marks the discrepancy", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 1 })
    const sku = skuIds[0]!
    const res = await sync(cashier.token, { sales: [offlineSale(store, sku, 3, 1000, minutesAgo(15))] })
    expect(statuses(res)).toEqual(["applied"])
    expect(await onHand(store, sku)).toBe(-2)
    for (let i = 0; i < 5 && (await cell(store, sku).snapshot()).outboxPending > 0; i++)
      await runDurableObjectAlarm(cell(store, sku))
    const moves = await env.DB.prepare(
      "select kind, delta, ref_id from stock_moves where cell = ? and kind in ('offline_sale', 'discrepancy') order by seq",
    )
      .bind(cellName(store, sku))
      .all<{ kind: string; delta: number; ref_id: string }>()
    expect(moves.results.map((m) => m.kind)).toContain("discrepancy")
    expect(moves.results.filter((m) => m.kind === "offline_sale").reduce((s, m) => s + m.delta, 0)).toBe(-3)
  })

  it("a price the server would not have charged is kept as paid and recorded as a price exception for HQ", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const sale = offlineSale(store, skuIds[0]!, 2, 900, minutesAgo(12))
    expect(statuses(await sync(cashier.token, { sales: [sale] }))).toEqual(["applied"])
    const got = await call("GET", `/sales/${sale.id}`, { token: cashier.token })
    expect(got.body).toMatchObject({ subtotalFen: 2000, totalFen: 1800, discountFen: 200 })
    expect(got.body.lines.reduce((s: number, l: { totalFen: number }) => s + l.totalFen, 0)).toBe(1800)
    const list = await call("GET", `/sales/price-exceptions?locationId=${store}`, { token: owner })
    expect(list.status).toBe(200)
    expect(list.body.items).toEqual([
      expect.objectContaining({
        kind: "price_mismatch",
        refId: sale.id,
        expectedFen: 2000,
        actualFen: 1800,
        differenceFen: -200,
      }),
    ])
    expect(list.body.items[0].detail.lines).toEqual([
      expect.objectContaining({ skuId: skuIds[0], tillUnitPriceFen: 900, serverUnitPriceFen: 1000 }),
    ])
  })

  it("is priced as of when it happened: a price change before the sync is no exception, a real difference still is", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const sku = skuIds[0]!
    // Sold offline at ¥10 (the price then), once at ¥9 (the till's mistake); then HQ raises the price to ¥12.
    await scheduler.wait(5)
    const then = new Date().toISOString()
    const right = offlineSale(store, sku, 2, 1000, then)
    const wrong = offlineSale(store, sku, 1, 900, then)
    await scheduler.wait(5)
    const raised = await call("POST", `/skus/${sku}/prices`, { token: owner, body: { priceFen: 1200 } })
    expect(raised.status, JSON.stringify(raised.body)).toBe(201)
    // And one sold after the change, at the new price.
    await scheduler.wait(5)
    const after = offlineSale(store, sku, 1, 1200, new Date().toISOString())

    expect(statuses(await sync(cashier.token, { sales: [right, wrong, after] }))).toEqual([
      "applied",
      "applied",
      "applied",
    ])
    const sold = await call("GET", `/sales/${right.id}`, { token: cashier.token })
    expect(sold.body).toMatchObject({ subtotalFen: 2000, totalFen: 2000, discountFen: 0 })
    const list = await call("GET", `/sales/price-exceptions?locationId=${store}`, { token: owner })
    expect(list.body.items).toEqual([
      expect.objectContaining({ kind: "price_mismatch", refId: wrong.id, expectedFen: 1000, actualFen: 900 }),
    ])
  })

  it("a sale synced after its day was closed is booked on its day and marked late; the day report lists it", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const now = Date.now()
    const day = dayOf(now, "Asia/Shanghai")
    const close = await call("POST", "/reports/day/close", { token: owner, body: { locationId: store, date: day } })
    expect(close.status).toBe(201)
    const sale = offlineSale(store, skuIds[0]!, 1, 1000, new Date(now).toISOString())
    expect(statuses(await sync(cashier.token, { sales: [sale] }))).toEqual(["applied"])
    const got = await call("GET", `/sales/${sale.id}`, { token: cashier.token })
    expect(got.body).toMatchObject({ late: true, businessDay: day })
    const report = await call("GET", `/reports/day?locationId=${store}&date=${day}`, { token: owner })
    expect(report.body.late).toMatchObject({
      count: 1,
      totalFen: 1000,
      sales: [expect.objectContaining({ id: sale.id })],
    })
  })

  it("a revoked till's items wait (device_revoked) while others apply; reinstated, the same items apply", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const device = await call("POST", "/devices", { token: owner, body: { locationId: store, name: uniq("收银机") } })
    expect(device.status).toBe(201)
    await call("POST", `/devices/${device.body.id}/revoke`, { token: owner })
    const lost = offlineSale(store, skuIds[0]!, 1, 1000, minutesAgo(25), { deviceId: device.body.id })
    const other = offlineSale(store, skuIds[0]!, 1, 1000, minutesAgo(24))
    const res = await sync(owner, { sales: [lost, other] })
    expect(res.body.results.map((r) => [r.status, r.problem?.code])).toEqual([
      ["rejected", "device_revoked"],
      ["applied", undefined],
    ])
    expect(await onHand(store, skuIds[0]!)).toBe(9)
    await call("POST", `/devices/${device.body.id}/reinstate`, { token: owner })
    expect(statuses(await sync(cashier.token, { sales: [lost] }))).toEqual(["applied"])
    expect(await onHand(store, skuIds[0]!)).toBe(8)
  })

  it("an offline return of an offline sale applies after it, even sent in the same call; replayed, it is a duplicate", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1200, qty: 5 })
    const sale = offlineSale(store, skuIds[0]!, 2, 1200, minutesAgo(40))
    const ret = {
      id: ulid(),
      saleId: sale.id,
      locationId: store,
      occurredAt: minutesAgo(35),
      lines: [{ lineId: "1", qty: 1 }],
      refunds: [cash(1200)],
    }
    const res = await sync(cashier.token, { sales: [sale], returns: [ret] })
    expect(statuses(res)).toEqual(["applied", "applied"])
    expect(await onHand(store, skuIds[0]!)).toBe(4)
    const again = await sync(cashier.token, { sales: [sale], returns: [ret] })
    expect(statuses(again)).toEqual(["duplicate", "duplicate"])
    expect(await onHand(store, skuIds[0]!)).toBe(4)
  })
})
