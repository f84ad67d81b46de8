// 交班 and 日结: a shift's drawer from float to counted cash, and one store's day in one report.
import { describe, expect, it } from "vitest"
import { dayOf } from "../../worker/modules/sales/sql"
import { call, createLocation, ownerToken, staffToken, uniq } from "./helpers"
import { cash, member, newSkus, promotion, sell, shop, stock, wechatCode } from "./sales-helpers"

const today = () => dayOf(Date.now(), "Asia/Shanghai")

describe("shifts", () => {
  it("pay-ins, pay-outs, cash sales and refunds make the expected cash; the count by denomination gives the difference", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1250, qty: 10 })
    const open = await call("POST", "/shifts", { token: cashier.token, body: { locationId: store, floatFen: 20000 } })
    expect(open.status).toBe(201)
    const shiftId = open.body.id as string
    const line = { skuId: skuIds[0], qty: 2 }
    const a = await sell(cashier.token, { locationId: store, shiftId, lines: [line], payments: [cash(3000)] })
    const b = await sell(cashier.token, {
      locationId: store,
      shiftId,
      lines: [line],
      payments: [{ method: "wechat", amountFen: 2500, authCode: wechatCode() }],
    })
    expect([a.status, b.status]).toEqual([201, 201])
    const out = await call("POST", `/shifts/${shiftId}/cash-moves`, {
      token: cashier.token,
      body: { kind: "pay_out", amountFen: 3000, reason: "买胶带" },
    })
    const inn = await call("POST", `/shifts/${shiftId}/cash-moves`, {
      token: cashier.token,
      body: { kind: "pay_in", amountFen: 1000, reason: "补零钱" },
    })
    expect([out.status, inn.status]).toEqual([201, 201])
    const ret = await call("POST", "/returns", {
      token: cashier.token,
      key: uniq("r"),
      body: { saleId: a.body.id, shiftId, lines: [{ lineId: a.body.lines[0]!.lineId, qty: 1 }] },
    })
    expect(ret.status).toBe(201)

    // 20000 float + 3000 cash − 500 change − 1250 refunded + 1000 in − 3000 out = 19250
    const close = await call("POST", `/shifts/${shiftId}/close`, {
      token: cashier.token,
      body: { denominations: { "10000": 1, "5000": 1, "2000": 2, "100": 2 } },
    })
    expect(close.status).toBe(200)
    expect(close.body).toMatchObject({
      status: "closed",
      salesCount: 2,
      cashSalesFen: 3000,
      changeFen: 500,
      cashRefundsFen: 1250,
      payInFen: 1000,
      payOutFen: 3000,
      expectedFen: 19250,
      countedFen: 19200,
      differenceFen: -50,
    })
    const again = await call("POST", `/shifts/${shiftId}/close`, { token: cashier.token, body: { denominations: {} } })
    expect(again.status).toBe(409)
    const late = await sell(cashier.token, { locationId: store, shiftId, lines: [line], payments: [cash(2500)] })
    expect(late.status).toBe(409)
    expect(late.body.code).toBe("shift_closed")
  })

  it("refuses an unknown denomination and another store's shift", async () => {
    const { owner, store, cashier } = await shop({ skus: 1 })
    const open = await call("POST", "/shifts", { token: cashier.token, body: { locationId: store, floatFen: 0 } })
    const bad = await call("POST", `/shifts/${open.body.id}/close`, {
      token: cashier.token,
      body: { denominations: { "300": 1 } },
    })
    expect(bad.status).toBe(400)
    const stranger = await staffToken(owner, "cashier", [await createLocation(owner)])
    expect((await call("GET", `/shifts/${open.body.id}`, { token: stranger.token })).status).toBe(404)
  })
})

describe("the day report (日结)", () => {
  it("adds up a store's day by tender, category and promotion, with returns, points and stored value", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const cat = await call("POST", "/categories", { token: owner, body: { name: uniq("饮料") } })
    const [drink] = await newSkus(owner, 1, 5000, cat.body.id)
    const [snack] = await newSkus(owner, 1, 2000)
    await Promise.all([stock(store, drink!, 10), stock(store, snack!, 10)])
    const cashier = await staffToken(owner, "cashier", [store])
    const manager = await staffToken(owner, "store_manager", [store])
    await promotion(owner, store, {
      name: "满100减10",
      class: "order",
      rule: { kind: "spend_tiers", tiers: [{ minFen: 10000, offFen: 1000 }] },
    })
    const m = await member(cashier.token, store, 2000)
    const big = await sell(cashier.token, {
      locationId: store,
      memberId: m,
      lines: [{ skuId: drink, qty: 2 }],
      payments: [{ method: "stored_value", amountFen: 2000 }, cash(7000)],
    })
    const small = await sell(cashier.token, {
      locationId: store,
      lines: [{ skuId: snack, qty: 1 }],
      payments: [{ method: "alipay", amountFen: 2000 }],
    })
    expect([big.status, small.status]).toEqual([201, 201])
    const ret = await call("POST", "/returns", {
      token: cashier.token,
      key: uniq("r"),
      body: { saleId: small.body.id, lines: [{ lineId: small.body.lines[0]!.lineId, qty: 1 }] },
    })
    expect(ret.status).toBe(201)

    const url = `/reports/day?locationId=${store}&date=${today()}`
    expect((await call("GET", url, { token: cashier.token })).status).toBe(403)
    const res = await call("GET", url, { token: manager.token })
    expect(res.status).toBe(200)
    const r = res.body
    expect(r.sales).toMatchObject({ count: 2, subtotalFen: 12000, discountFen: 1000, totalFen: 11000 })
    expect(
      Object.fromEntries(r.byTender.map((t: { method: string; amountFen: number }) => [t.method, t.amountFen])),
    ).toEqual({
      alipay: 2000,
      cash: 7000,
      stored_value: 2000,
    })
    expect(r.byCategory).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ categoryId: cat.body.id, qty: 2, totalFen: 9000 }),
        expect.objectContaining({ categoryId: null, qty: 1, totalFen: 2000, returnedQty: 1, refundFen: 2000 }),
      ]),
    )
    expect(r.discounts.byPromotion).toEqual([expect.objectContaining({ name: "满100减10", amountFen: 1000, sales: 1 })])
    expect(r.returns).toMatchObject({ count: 1, refundFen: 2000, byTender: [{ method: "alipay", amountFen: 2000 }] })
    expect(r.points).toMatchObject({ earned: 70 })
    expect(r.storedValue).toEqual({ paidFen: 2000, refundedFen: 0 })
    expect(r.netFen).toBe(9000)
    expect(r.late).toEqual({ count: 0, totalFen: 0, sales: [] })
    expect(r.closed).toBeNull()

    expect(
      (await call("POST", "/reports/day/close", { token: cashier.token, body: { locationId: store, date: today() } }))
        .status,
    ).toBe(403)
    const closed = await call("POST", "/reports/day/close", {
      token: manager.token,
      body: { locationId: store, date: today() },
    })
    expect(closed.status).toBe(201)
    expect(closed.body.totals).toMatchObject({ salesCount: 2, netFen: 9000 })
    expect((await call("GET", url, { token: manager.token })).body.closed).toMatchObject({ closedBy: manager.id })
  })
})
