// Every tender the till takes, each on its own and mixed up to five: points at 100 to the yuan,
// bank card and UnionPay, an Alipay customer code (25–30 prefix), "other"; a sixth tender and a
// code of the wrong provider are refused before anything moves.
import { describe, expect, it } from "vitest"
import { call } from "./helpers"
import { cash, member, memberBalances, onHand, sell, shop } from "./sales-helpers"

/** An Alipay customer code (付款码): 18 digits starting 28. */
const alipayCode = () => `28${String(Date.now()).padStart(16, "0").slice(-16)}`

describe("tenders at the till", () => {
  it("points pay at 100 to the yuan and earn nothing on the part they paid", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 5 })
    const m = await member(cashier.token, store)
    const grant = await call("POST", `/members/${m}/points/adjustments`, {
      token: owner,
      body: { delta: 500, reason: "开业赠送" },
    })
    expect(grant.status).toBe(201)
    const sale = await sell(cashier.token, {
      locationId: store,
      memberId: m,
      lines: [{ skuId: skuIds[0], qty: 1 }],
      payments: [{ method: "points", amountFen: 300 }, cash(700)],
    })
    expect(sale.status, JSON.stringify(sale.body)).toBe(201)
    expect(sale.body.payments.map((p) => [p.method, p.amountFen])).toEqual([
      ["points", 300],
      ["cash", 700],
    ])
    // 300 points spent, 7 earned on the ¥7 paid in cash.
    expect(await memberBalances(cashier.token, m)).toEqual({ points: 500 - 300 + 7, storedValueFen: 0 })
  })

  it("card, UnionPay, an Alipay customer code and 'other' together: no change, the goods gone once", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 5 })
    const sale = await sell(cashier.token, {
      locationId: store,
      lines: [{ skuId: skuIds[0], qty: 4 }],
      payments: [
        { method: "card", amountFen: 1000 },
        { method: "unionpay", amountFen: 1000 },
        { method: "alipay", amountFen: 1500, authCode: alipayCode() },
        { method: "other", amountFen: 300 },
        cash(500),
      ],
    })
    expect(sale.status, JSON.stringify(sale.body)).toBe(201)
    expect(sale.body).toMatchObject({ totalFen: 4000, tenderedFen: 4300, changeFen: 300 })
    const got = await call("GET", `/sales/${sale.body.id}`, { token: cashier.token })
    expect(got.body.payments.find((p: { method: string }) => p.method === "alipay")).toMatchObject({
      withAuthCode: true,
      provider: "manual",
    })
    expect(await onHand(store, skuIds[0]!)).toBe(1)
  })

  it("refuses a sixth tender and a WeChat code sent as Alipay, selling nothing", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 5 })
    const six = await sell(cashier.token, {
      locationId: store,
      lines: [{ skuId: skuIds[0], qty: 1 }],
      payments: Array.from({ length: 6 }, () => cash(200)),
    })
    expect(six.status).toBe(422)
    const mismatch = await sell(cashier.token, {
      locationId: store,
      lines: [{ skuId: skuIds[0], qty: 1 }],
      payments: [{ method: "alipay", amountFen: 1000, authCode: "134567890123456789" }],
    })
    expect(mismatch.status).toBe(422)
    expect(mismatch.body.code).toBe("auth_code_mismatch")
    expect(await onHand(store, skuIds[0]!)).toBe(5)
  })
})
