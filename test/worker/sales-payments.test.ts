// Customer-code payments through the gateway interface (pay → pending → query → paid/failed,
// reversal), what a failed sale gives back, the repair job, and the receipt's barcode.
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { makeDb } from "../../worker/db/client"
import { ProblemError } from "../../worker/lib/problem"
import { repairTill } from "../../worker/modules/sales"
import { code128Values, code128Widths } from "../../worker/modules/sales/code128"
import { type PaymentGateway, type PayOutcome, settleCodePayment } from "../../worker/modules/sales/payments"
import { createSale } from "../../worker/modules/sales/service"
import { cash, cell, member, memberBalances, onHand, sell, shop, tillActor, wechatCode } from "./sales-helpers"

/** A gateway that answers from a script and records what it was asked. */
function scripted(outcomes: PayOutcome[]) {
  const calls: string[] = []
  const next = () => outcomes.shift() ?? { status: "pending", providerRef: null }
  const gateway: PaymentGateway = {
    name: "scripted",
    pay: async (req) => {
      calls.push(`pay ${req.paymentId}`)
      return next()
    },
    query: async (id) => {
      calls.push(`query ${id}`)
      return next()
    },
    reverse: async (id) => {
      calls.push(`reverse ${id}`)
    },
    refund: async (r) => {
      calls.push(`refund ${r.paymentId} ${r.amountFen}`)
    },
  }
  return { gateway, calls }
}

const noWait = async () => {}
const req = {
  paymentId: "xs_1:1",
  saleId: "xs_1",
  method: "wechat" as const,
  amountFen: 100,
  authCode: "134567890123456789",
}

describe("the payment gateway", () => {
  it("asks again while pending and settles when the result comes", async () => {
    const { gateway, calls } = scripted([
      { status: "pending", providerRef: null },
      { status: "pending", providerRef: null },
      { status: "paid", providerRef: "wx-42" },
    ])
    expect(await settleCodePayment(gateway, req, { wait: noWait })).toEqual({ status: "paid", providerRef: "wx-42" })
    expect(calls).toEqual(["pay xs_1:1", "query xs_1:1", "query xs_1:1"])
  })

  it("reverses (撤销) a payment whose result never comes", async () => {
    const { gateway, calls } = scripted([])
    expect(await settleCodePayment(gateway, req, { queries: 2, wait: noWait })).toEqual({
      status: "failed",
      reason: "no_result",
    })
    expect(calls).toEqual(["pay xs_1:1", "query xs_1:1", "query xs_1:1", "reverse xs_1:1"])
  })

  it("a sale whose customer code is declined gives everything back: the stored value charged, the goods held", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 1, priceFen: 5000, qty: 3 })
    const m = await member(cashier.token, store, 2000)
    const { gateway, calls } = scripted([{ status: "failed", reason: "USERPAYING_TIMEOUT" }])
    const attempt = createSale({ db: makeDb(env.DB), env, gateway }, tillActor(cashier.id, store), {
      locationId: store,
      memberId: m,
      lines: [{ skuId: skuIds[0]!, qty: 1 }],
      payments: [
        { method: "stored_value", amountFen: 2000 },
        { method: "wechat", amountFen: 3000, authCode: wechatCode() },
      ],
    })
    await expect(attempt).rejects.toBeInstanceOf(ProblemError)
    await expect(attempt).rejects.toMatchObject({ status: 422, code: "payment_failed" })
    expect(calls[0]).toMatch(/^pay xs_/)
    expect(await memberBalances(cashier.token, m)).toEqual({ points: 0, storedValueFen: 2000 })
    const snap = await cell(store, skuIds[0]!).snapshot({ locationId: store, skuId: skuIds[0]! })
    expect([snap.onHand, snap.reserved]).toEqual([3, 0])
  })
})

describe("the repair job", () => {
  it("posts a sale whose worker died before its follow-ups, once", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 1, priceFen: 3000, qty: 3 })
    const m = await member(cashier.token, store)
    const sale = await sell(cashier.token, {
      locationId: store,
      memberId: m,
      lines: [{ skuId: skuIds[0], qty: 1 }],
      payments: [cash(3000)],
    })
    expect(sale.status).toBe(201)
    await env.DB.prepare("update sales set posted_at = null, created_at = created_at - 600000 where id = ?")
      .bind(sale.body.id)
      .run()
    const done = await repairTill(env, makeDb(env.DB))
    expect(done.sales.posted).toBeGreaterThanOrEqual(1)
    const row = await env.DB.prepare("select posted_at from sales where id = ?")
      .bind(sale.body.id)
      .first<{ posted_at: number }>()
    expect(row?.posted_at).toBeGreaterThan(0)
    expect(await memberBalances(cashier.token, m)).toEqual({ points: 30, storedValueFen: 0 })
    expect(await onHand(store, skuIds[0]!)).toBe(2)
  })
})

describe("the receipt's Code 128", () => {
  it("encodes subset B with its mod-103 check and stop; every symbol is 11 modules, the stop 13", () => {
    const text = "XS20261125-0001"
    const values = code128Values(text)
    expect(values[0]).toBe(104)
    expect(values.at(-1)).toBe(106)
    expect(values.slice(1, -2)).toEqual([...text].map((c) => c.charCodeAt(0) - 32))
    const check = values.slice(1, -2).reduce((s, v, i) => s + v * (i + 1), 104) % 103
    expect(values.at(-2)).toBe(check)
    const widths = code128Widths(text)
    expect(widths.reduce((a, b) => a + b, 0)).toBe(11 * (text.length + 2) + 13)
    expect(() => code128Values("收银")).toThrow(RangeError)
  })
})
