// A member may pay with stored value (or points) in two goes: the till's pay sheet allows it, and an offline
// till sends both tenders. The members' ledgers move once per sale and kind, so both are one payment from one
// account: the sale records exactly what the ledger took, online and offline, and the goods leave once.
import { env } from "cloudflare:workers"
import { ulid } from "ulid"
import { describe, expect, it } from "vitest"
import { call } from "./helpers"
import { cash, member, memberBalances, onHand, type Sale, sell, shop } from "./sales-helpers"

const ledgerRows = async (memberId: string, table: "member_stored_value" | "member_points") =>
  (
    await env.DB.prepare(`select kind, delta from ${table} where member_id = ? and ref_type = 'sale' order by at, id`)
      .bind(memberId)
      .all<{ kind: string; delta: number }>()
  ).results

const offlineSale = (store: string, memberId: string, skuId: string, qty: number, payments: unknown[]) => ({
  id: ulid(),
  locationId: store,
  occurredAt: new Date(Date.now() - 5 * 60_000).toISOString(),
  memberId,
  lines: [{ skuId, qty, unitPriceFen: 1000 }],
  payments,
  totalFen: qty * 1000,
})

type Payment = { method: string; amountFen: number; points?: number | null }
const tendersOf = async (token: string, saleId: string) =>
  ((await call<{ payments: Payment[] }>("GET", `/sales/${saleId}`, { token })).body.payments ?? []).map((p) => [
    p.method,
    p.amountFen,
  ])

describe("stored value or points handed over in two goes", () => {
  it("offline ¥30 + ¥20 of stored value for a ¥50 sale: applied, ¥50 taken once, the goods gone once", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const sku = skuIds[0]!
    const m = await member(cashier.token, store, 10_000)
    const sale = offlineSale(store, m, sku, 5, [
      { method: "stored_value", amountFen: 3000 },
      { method: "stored_value", amountFen: 2000 },
    ])

    const res = await call("POST", "/sales/sync", { token: cashier.token, body: { sales: [sale] } })
    expect(res.body.results).toEqual([{ id: sale.id, status: "applied" }])
    expect(await onHand(store, sku)).toBe(5)
    expect((await memberBalances(cashier.token, m)).storedValueFen).toBe(5000)
    expect(await ledgerRows(m, "member_stored_value")).toEqual([{ kind: "pay", delta: -5000 }])
    expect(await tendersOf(cashier.token, sale.id)).toEqual([["stored_value", 5000]])

    const again = await call("POST", "/sales/sync", { token: cashier.token, body: { sales: [sale] } })
    expect(again.body.results).toEqual([{ id: sale.id, status: "duplicate" }])
    expect(await onHand(store, sku)).toBe(5)
    expect((await memberBalances(cashier.token, m)).storedValueFen).toBe(5000)
  })

  it("offline ¥25 + ¥25 of stored value: both taken, not one", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const m = await member(cashier.token, store, 10_000)
    const sale = offlineSale(store, m, skuIds[0]!, 5, [
      { method: "stored_value", amountFen: 2500 },
      { method: "stored_value", amountFen: 2500 },
    ])
    const res = await call("POST", "/sales/sync", { token: cashier.token, body: { sales: [sale] } })
    expect(res.body.results).toEqual([{ id: sale.id, status: "applied" }])
    expect((await memberBalances(cashier.token, m)).storedValueFen).toBe(5000)
    expect(await tendersOf(cashier.token, sale.id)).toEqual([["stored_value", 5000]])
  })

  it("offline two points tenders and cash: the points of both spent once, and no exception", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const m = await member(cashier.token, store)
    await call("POST", `/members/${m}/points/adjustments`, { token: owner, body: { delta: 1000, reason: "赠送" } })
    const sale = offlineSale(store, m, skuIds[0]!, 2, [
      { method: "points", amountFen: 300 },
      cash(1500),
      { method: "points", amountFen: 200 },
    ])
    const res = await call("POST", "/sales/sync", { token: cashier.token, body: { sales: [sale] } })
    expect(res.body.results).toEqual([{ id: sale.id, status: "applied" }])
    // 500 points spent; the ¥15 in cash earns 15.
    expect((await memberBalances(cashier.token, m)).points).toBe(1000 - 500 + 15)
    expect(await tendersOf(cashier.token, sale.id)).toEqual([
      ["points", 500],
      ["cash", 1500],
    ])
    const exceptions = await env.DB.prepare("select kind from sale_exceptions where ref_id = ?").bind(sale.id).all()
    expect(exceptions.results).toEqual([])
  })

  it("online two stored-value tenders are one payment: sold, charged their sum once", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const sku = skuIds[0]!
    const m = await member(cashier.token, store, 10_000)
    const sale = await sell(cashier.token, {
      locationId: store,
      memberId: m,
      lines: [{ skuId: sku, qty: 5 }],
      payments: [
        { method: "stored_value", amountFen: 3000 },
        { method: "stored_value", amountFen: 2000 },
      ],
    })
    expect(sale.status, JSON.stringify(sale.body)).toBe(201)
    expect(sale.body.payments.map((p) => [p.method, p.amountFen])).toEqual([["stored_value", 5000]])
    expect(await onHand(store, sku)).toBe(5)
    expect(await ledgerRows(m, "member_stored_value")).toEqual([{ kind: "pay", delta: -5000 }])
  })

  it("online two points tenders: one redemption of their points; a sum beyond the balance is refused whole", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const sku = skuIds[0]!
    const m = await member(cashier.token, store)
    await call("POST", `/members/${m}/points/adjustments`, { token: owner, body: { delta: 400, reason: "赠送" } })
    const body = (a: number, b: number) => ({
      locationId: store,
      memberId: m,
      lines: [{ skuId: sku, qty: 1 }],
      payments: [{ method: "points", amountFen: a }, cash(1000 - a - b), { method: "points", amountFen: b }],
    })

    // 300 + 200 points with 400 held: each would pass alone, together they don't; nothing moves.
    const short = await sell(cashier.token, body(300, 200))
    expect(short.status).toBe(422)
    expect(short.body.code).toBe("insufficient_points")
    expect(await onHand(store, sku)).toBe(10)

    const sale = await sell(cashier.token, body(150, 100))
    expect(sale.status, JSON.stringify(sale.body)).toBe(201)
    expect(sale.body.payments.map((p) => [p.method, p.amountFen])).toEqual([
      ["points", 250],
      ["cash", 750],
    ])
    expect(await ledgerRows(m, "member_points")).toEqual([
      { kind: "redeem", delta: -250 },
      { kind: "earn", delta: 7 },
    ])
    expect(await onHand(store, sku)).toBe(9)
  })

  it("a sale returned in full gives back the one stored-value payment it took", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const m = await member(cashier.token, store, 10_000)
    const sale = await sell(cashier.token, {
      locationId: store,
      memberId: m,
      lines: [{ skuId: skuIds[0], qty: 2 }],
      payments: [
        { method: "stored_value", amountFen: 1500 },
        { method: "stored_value", amountFen: 500 },
      ],
    })
    expect(sale.status).toBe(201)
    const back = await call<Sale>("POST", "/returns", {
      token: cashier.token,
      key: ulid(),
      body: { saleId: sale.body.id, lines: [{ lineId: sale.body.lines[0]!.lineId, qty: 2 }] },
    })
    expect(back.status, JSON.stringify(back.body)).toBe(201)
    expect((await memberBalances(cashier.token, m)).storedValueFen).toBe(10_000)
  })
})
