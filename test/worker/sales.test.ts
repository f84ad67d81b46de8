// The till (POST /api/v1/sales): priced by core, stock from the cells, tenders taken, all or nothing.
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { call, createLocation, staffToken, uniq } from "./helpers"
import {
  cash,
  cell,
  member,
  memberBalances,
  onHand,
  promotion,
  type Sale,
  sell,
  shop,
  stock,
  wechatCode,
} from "./sales-helpers"

const sumLines = (s: Sale) => s.lines.reduce((t, l) => t + l.totalFen, 0)

describe("selling at the till", () => {
  it("a cash sale gives change, takes the goods from the cells and records cost and cashier", async () => {
    const { store, skuIds, cashier } = await shop({ priceFen: 1250, qty: 10 })
    const [a, b] = skuIds as [string, string]
    const res = await sell(cashier.token, {
      locationId: store,
      lines: [
        { skuId: a, qty: 2 },
        { skuId: b, qty: 1 },
      ],
      payments: [cash(5000)],
    })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({
      subtotalFen: 3750,
      discountFen: 0,
      roundingFen: 0,
      totalFen: 3750,
      tenderedFen: 5000,
      changeFen: 1250,
      appliedPromotions: [],
    })
    expect(res.body.number).toMatch(/^XS\d{8}-\d{4}$/)
    expect(sumLines(res.body)).toBe(res.body.totalFen)
    expect(res.body.lines.map((l) => [l.skuId, l.qty, l.costFen])).toEqual([
      [a, 2, 1200],
      [b, 1, 600],
    ])
    expect(await onHand(store, a)).toBe(8)
    expect(await onHand(store, b)).toBe(9)
    const got = await call("GET", `/sales/${res.body.id}`, { token: cashier.token })
    expect(got.status).toBe(200)
    expect(got.body).toMatchObject({ id: res.body.id, cashierId: cashier.id, totalFen: 3750, changeFen: 1250 })
  })

  it("mixed tenders: cash, a WeChat customer code and the member's stored value; points are earned on the rest", async () => {
    const { store, skuIds, cashier } = await shop({ priceFen: 10000, qty: 5 })
    const m = await member(cashier.token, store, 3000)
    const res = await sell(cashier.token, {
      locationId: store,
      memberId: m,
      lines: [{ skuId: skuIds[0], qty: 1 }],
      payments: [
        { method: "stored_value", amountFen: 3000 },
        { method: "wechat", amountFen: 5000, authCode: wechatCode() },
        cash(2500),
      ],
    })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ totalFen: 10000, changeFen: 500, pointsEarned: 70 })
    expect(res.body.payments.map((p) => [p.method, p.amountFen])).toEqual([
      ["stored_value", 3000],
      ["wechat", 5000],
      ["cash", 2500],
    ])
    expect(await memberBalances(cashier.token, m)).toEqual({ points: 70, storedValueFen: 0 })
  })

  it("a short payment is 422 payment_short and nothing is sold", async () => {
    const { store, skuIds, cashier } = await shop({ priceFen: 1000, qty: 3 })
    const res = await sell(cashier.token, {
      locationId: store,
      lines: [{ skuId: skuIds[0], qty: 2 }],
      payments: [cash(1500)],
    })
    expect(res.status).toBe(422)
    expect(res.body).toMatchObject({ code: "payment_short", shortFen: 500 })
    expect(await onHand(store, skuIds[0]!)).toBe(3)
    const listed = await call("GET", `/sales?locationId=${store}`, { token: cashier.token })
    expect(listed.body.items).toEqual([])
  })

  it("stored value that doesn't cover its tender is refused before any goods move", async () => {
    const { store, skuIds, cashier } = await shop({ priceFen: 1000, qty: 3 })
    const m = await member(cashier.token, store, 500)
    const res = await sell(cashier.token, {
      locationId: store,
      memberId: m,
      lines: [{ skuId: skuIds[0], qty: 1 }],
      payments: [{ method: "stored_value", amountFen: 1000 }],
    })
    expect(res.status).toBe(422)
    expect(res.body.code).toBe("insufficient_stored_value")
    expect(await onHand(store, skuIds[0]!)).toBe(3)
    expect(await memberBalances(cashier.token, m)).toEqual({ points: 0, storedValueFen: 500 })
  })

  it("the last unit, wanted by two tills at once: exactly one sells it, the other gets 409 per line", async () => {
    const { owner, store, skuIds, cashier } = await shop({ priceFen: 800, qty: 0 })
    const sku = skuIds[0]!
    await stock(store, sku, 1)
    const other = await staffToken(owner, "cashier", [store])
    const body = { locationId: store, lines: [{ skuId: sku, qty: 1 }], payments: [cash(800)] }
    const [r1, r2] = await Promise.all([sell(cashier.token, body), sell(other.token, body)])
    expect([r1.status, r2.status].sort()).toEqual([201, 409])
    const lost = r1.status === 409 ? r1 : r2
    expect(lost.body.code).toBe("insufficient_stock")
    expect(lost.body.errors).toEqual([
      expect.objectContaining({ path: "lines.0.qty", skuId: sku, requested: 1, available: 0 }),
    ])
    expect(await onHand(store, sku)).toBe(0)
  })

  it("a cashier sells the last unit while a mini-program order races for it, twenty times: exactly one wins each time", async () => {
    const { owner, store, skuIds, cashier } = await shop({ priceFen: 800, qty: 0 })
    const sku = skuIds[0]!
    const body = { locationId: store, lines: [{ skuId: sku, qty: 1 }], payments: [cash(800)] }
    for (let round = 0; round < 20; round++) {
      await stock(store, sku, 1)
      const [till, online] = await Promise.all([
        sell(cashier.token, body),
        call("POST", "/orders", {
          token: owner,
          key: uniq("ord"),
          body: { channel: "miniprogram", locationId: store, lines: [{ skuId: sku, qty: 1 }] },
        }),
      ])
      expect(
        [till.status, online.status].filter((s) => s === 201),
        JSON.stringify([till.body, online.body]),
      ).toHaveLength(1)
      expect([till.status, online.status].filter((s) => s === 409)).toHaveLength(1)
      const snap = await cell(store, sku).snapshot({ locationId: store, skuId: sku })
      // The till's sale took the unit, or the order holds it until paid or lapsed: never both, never neither.
      expect([snap.onHand, snap.reserved]).toEqual(till.status === 201 ? [0, 0] : [1, 1])
      if (online.status === 201)
        await call("POST", `/orders/${online.body.id}/cancel`, { token: owner, key: uniq("cancel") })
      else expect(online.body.code).toBe("insufficient_stock")
      if (till.status === 201) continue
      expect(till.body.code).toBe("insufficient_stock")
      // The cancelled order's unit is back on sale; the next round adds one more for the race.
      await sell(cashier.token, body)
    }
    expect(await onHand(store, sku)).toBe(0)
  })

  it("a sale that can't have every line sells none of them", async () => {
    const { store, skuIds, cashier } = await shop({ priceFen: 500, qty: 2 })
    const [a, b] = skuIds as [string, string]
    const res = await sell(cashier.token, {
      locationId: store,
      lines: [
        { skuId: a, qty: 1 },
        { skuId: b, qty: 3 },
      ],
      payments: [cash(2000)],
    })
    expect(res.status).toBe(409)
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "lines.1.qty", skuId: b, available: 2 })])
    expect([await onHand(store, a), await onHand(store, b)]).toEqual([2, 2])
    expect((await cell(store, a).snapshot({ locationId: store, skuId: a })).reserved).toBe(0)
  })

  it("a 满减 promotion is applied and explained on every line, allocated to the fen", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 3, priceFen: 3333, qty: 5 })
    const promo = await promotion(owner, store, {
      name: "满100减10",
      class: "order",
      rule: { kind: "spend_tiers", tiers: [{ minFen: 10000, offFen: 1000 }] },
    })
    const res = await sell(cashier.token, {
      locationId: store,
      lines: skuIds.map((skuId, i) => ({ skuId, qty: i === 0 ? 2 : 1 })),
      payments: [cash(20000)],
    })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ subtotalFen: 13332, discountFen: 1000, totalFen: 12332, changeFen: 7668 })
    expect(res.body.appliedPromotions).toEqual([
      expect.objectContaining({ promotionId: promo, name: "满100减10", amountFen: 1000 }),
    ])
    for (const line of res.body.lines) {
      expect(line.discounts).toEqual([expect.objectContaining({ promotionId: promo, name: "满100减10" })])
      expect(line.totalFen).toBe(line.originalFen - line.discountFen)
    }
    expect(res.body.lines.reduce((s, l) => s + l.discountFen, 0)).toBe(1000)
    expect(sumLines(res.body)).toBe(12332)
    const receipt = await call("GET", `/sales/${res.body.id}/receipt`, { token: cashier.token })
    expect(receipt.body.promotions).toEqual([{ name: "满100减10", amountFen: 1000 }])
  })

  it("a replay with the same Idempotency-Key answers the first sale and sells nothing more", async () => {
    const { store, skuIds, cashier } = await shop({ priceFen: 1000, qty: 5 })
    const key = uniq("same")
    const body = { locationId: store, lines: [{ skuId: skuIds[0], qty: 2 }], payments: [cash(2000)] }
    const first = await sell(cashier.token, body, key)
    const again = await sell(cashier.token, body, key)
    expect(first.status).toBe(201)
    expect(again.status).toBe(201)
    expect(again.headers.get("idempotent-replayed")).toBe("true")
    expect(again.body.id).toBe(first.body.id)
    expect(await onHand(store, skuIds[0]!)).toBe(3)
    const other = await sell(cashier.token, { ...body, lines: [{ skuId: skuIds[0], qty: 1 }] }, key)
    expect(other.status).toBe(422)
    expect(other.body.code).toBe("idempotency_key_reused")
  })

  it("a price override needs a manager: refused for a cashier alone, allowed with a store manager's approval and logged", async () => {
    const { owner, store, skuIds, cashier } = await shop({ priceFen: 2000, qty: 5 })
    const manager = await staffToken(owner, "store_manager", [store])
    const body = {
      locationId: store,
      lines: [{ skuId: skuIds[0], qty: 1 }],
      priceOverrides: [{ skuId: skuIds[0], unitPriceFen: 1500 }],
      payments: [cash(1500)],
    }
    const alone = await sell(cashier.token, body)
    expect(alone.status).toBe(403)
    expect(alone.body.code).toBe("approval_required")
    const wrong = await sell(cashier.token, {
      ...body,
      approval: { username: manager.username, password: "not-it-123" },
    })
    expect(wrong.status).toBe(403)
    expect(wrong.body.code).toBe("approval_refused")
    const ok = await sell(cashier.token, {
      ...body,
      approval: { username: manager.username, password: manager.password },
    })
    expect(ok.status).toBe(201)
    expect(ok.body.totalFen).toBe(1500)
    const log = await env.DB.prepare("select action, requested_by, approved_by from sale_approvals where ref_id = ?")
      .bind(ok.body.id)
      .all()
    expect(log.results).toEqual([{ action: "price_override", requested_by: cashier.id, approved_by: manager.id }])
    expect(await onHand(store, skuIds[0]!)).toBe(4)
  })

  it("a cashier can't see another store's sales (404), nor list them", async () => {
    const { owner, store, skuIds, cashier } = await shop({ priceFen: 1000, qty: 5 })
    const sale = await sell(cashier.token, {
      locationId: store,
      lines: [{ skuId: skuIds[0], qty: 1 }],
      payments: [cash(1000)],
    })
    const elsewhere = await createLocation(owner)
    const stranger = await staffToken(owner, "cashier", [elsewhere])
    expect((await call("GET", `/sales/${sale.body.id}`, { token: stranger.token })).status).toBe(404)
    expect((await call("GET", `/sales/${sale.body.id}/receipt`, { token: stranger.token })).status).toBe(404)
    expect((await call("GET", `/sales?locationId=${store}`, { token: stranger.token })).status).toBe(404)
    const mine = await call("GET", "/sales", { token: stranger.token })
    expect(mine.body.items.map((s: { id: string }) => s.id)).not.toContain(sale.body.id)
    const selling = await sell(stranger.token, {
      locationId: store,
      lines: [{ skuId: skuIds[0], qty: 1 }],
      payments: [cash(1000)],
    })
    expect(selling.status).toBe(404)
  })

  it("prints a Chinese receipt for 58 mm paper with the sale number as a Code 128 barcode", async () => {
    const { store, skuIds, cashier } = await shop({ priceFen: 1990, qty: 5 })
    const sale = await sell(cashier.token, {
      locationId: store,
      lines: [{ skuId: skuIds[0], qty: 1 }],
      payments: [cash(2000)],
    })
    const res = await call("GET", `/sales/${sale.body.id}/receipt?format=html&width=58`, { token: cashier.token })
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toContain("text/html")
    const html = String(res.body)
    for (const text of ["应付", "¥19.90", "找零", "¥0.10", "现金", sale.body.number, "<svg", "size: 58mm"])
      expect(html).toContain(text)
  })
})
