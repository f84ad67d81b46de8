// Returns (退货): at the price actually paid per line, to the original tenders, goods back into the
// cells, points taken back; never more than sold; without a receipt only with a manager.
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { call, staffToken, uniq } from "./helpers"
import { cash, member, memberBalances, onHand, promotion, sell, shop } from "./sales-helpers"

type Ret = {
  id: string
  number: string
  refundFen: number
  pointsReversed: number
  approvedBy: string | null
  settled: boolean
  lines: { qty: number; refundFen: number; restock: boolean }[]
  refunds: { method: string; amountFen: number; salePaymentId: string | null }[]
  code?: string
}

const giveBack = (token: string, body: Record<string, unknown>) =>
  call<Ret>("POST", "/returns", { token, key: uniq("ret"), body })

describe("returns", () => {
  it("a full return refunds the cash paid, puts the goods back and refuses a second return of the same line", async () => {
    const { store, skuIds, cashier } = await shop({ priceFen: 1500, qty: 4 })
    const sale = await sell(cashier.token, {
      locationId: store,
      lines: [{ skuId: skuIds[0], qty: 2 }],
      payments: [cash(5000)],
    })
    expect(await onHand(store, skuIds[0]!)).toBe(2)
    const ret = await giveBack(cashier.token, {
      saleId: sale.body.id,
      lines: [{ lineId: sale.body.lines[0]!.lineId, qty: 2 }],
    })
    expect(ret.status).toBe(201)
    expect(ret.body).toMatchObject({ refundFen: 3000, settled: true })
    expect(ret.body.number).toMatch(/^TH\d{8}-\d{4}$/)
    // Cash net of the change given: the customer gets back what they paid, not what they handed over.
    expect(ret.body.refunds).toEqual([
      expect.objectContaining({ method: "cash", amountFen: 3000, salePaymentId: sale.body.payments[0]!.id }),
    ])
    expect(await onHand(store, skuIds[0]!)).toBe(4)
    const again = await giveBack(cashier.token, {
      saleId: sale.body.id,
      lines: [{ lineId: sale.body.lines[0]!.lineId, qty: 1 }],
    })
    expect(again.status).toBe(409)
    expect(again.body.code).toBe("over_return")
  })

  it("after a 满减 promotion each unit refunds its allocated share, and all units together refund the line's total exactly", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 2, priceFen: 3333, qty: 9 })
    await promotion(owner, store, {
      name: "满100减7",
      class: "order",
      rule: { kind: "spend_tiers", tiers: [{ minFen: 10000, offFen: 700 }] },
    })
    const sale = await sell(cashier.token, {
      locationId: store,
      lines: [
        { skuId: skuIds[0], qty: 3 },
        { skuId: skuIds[1], qty: 1 },
      ],
      payments: [cash(20000)],
    })
    expect(sale.status).toBe(201)
    const line = sale.body.lines[0]!
    expect(line.discountFen).toBeGreaterThan(0)
    const refunds: number[] = []
    for (const qty of [1, 2]) {
      const r = await giveBack(cashier.token, { saleNumber: sale.body.number, lines: [{ lineId: line.lineId, qty }] })
      expect(r.status).toBe(201)
      refunds.push(r.body.refundFen)
    }
    expect(refunds[0]).toBe(Math.floor(line.totalFen / 3))
    expect(refunds[0]! + refunds[1]!).toBe(line.totalFen)
    expect(await onHand(store, skuIds[0]!)).toBe(9)
    const after = await call("GET", `/sales/${sale.body.id}`, { token: cashier.token })
    expect(after.body.lines[0].returnedQty).toBe(3)
    expect(after.body.payments[0].refundedFen).toBe(line.totalFen)
  })

  it("a member's return goes back to stored value and takes back the points its lines earned", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 1, priceFen: 4000, qty: 5 })
    const m = await member(cashier.token, store, 3000)
    const sale = await sell(cashier.token, {
      locationId: store,
      memberId: m,
      lines: [{ skuId: skuIds[0], qty: 2 }],
      payments: [{ method: "stored_value", amountFen: 3000 }, cash(5000)],
    })
    expect(sale.status).toBe(201)
    expect(sale.body.pointsEarned).toBe(50)
    expect(await memberBalances(cashier.token, m)).toEqual({ points: 50, storedValueFen: 0 })
    const ret = await giveBack(cashier.token, {
      saleId: sale.body.id,
      lines: [{ lineId: sale.body.lines[0]!.lineId, qty: 1 }],
    })
    expect(ret.status).toBe(201)
    expect(ret.body).toMatchObject({ refundFen: 4000, pointsReversed: 25 })
    // Pro rata over what each tender paid: 3000 stored value, 5000 cash.
    expect(ret.body.refunds.map((r) => [r.method, r.amountFen])).toEqual([
      ["stored_value", 1500],
      ["cash", 2500],
    ])
    expect(await memberBalances(cashier.token, m)).toEqual({ points: 25, storedValueFen: 1500 })
  })

  it("damaged goods come back without restock, but only with a reason", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 3 })
    const sale = await sell(cashier.token, {
      locationId: store,
      lines: [{ skuId: skuIds[0], qty: 1 }],
      payments: [cash(1000)],
    })
    const lineId = sale.body.lines[0]!.lineId
    const noReason = await giveBack(cashier.token, {
      saleId: sale.body.id,
      lines: [{ lineId, qty: 1, restock: false }],
    })
    expect(noReason.status).toBe(422)
    const ok = await giveBack(cashier.token, {
      saleId: sale.body.id,
      lines: [{ lineId, qty: 1, restock: false, reason: "破损" }],
    })
    expect(ok.status).toBe(201)
    expect(ok.body.lines).toEqual([expect.objectContaining({ qty: 1, refundFen: 1000, restock: false })])
    expect(await onHand(store, skuIds[0]!)).toBe(2)
  })

  it("without a receipt: refused for a cashier alone, allowed with a store manager's approval (logged), and for the manager", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 2500, qty: 1 })
    const manager = await staffToken(owner, "store_manager", [store])
    const body = { locationId: store, lines: [{ skuId: skuIds[0], qty: 1 }] }
    const alone = await giveBack(cashier.token, body)
    expect(alone.status).toBe(403)
    expect(alone.body.code).toBe("approval_required")
    const approved = await giveBack(cashier.token, {
      ...body,
      approval: { username: manager.username, password: manager.password },
    })
    expect(approved.status).toBe(201)
    expect(approved.body).toMatchObject({ refundFen: 2500, approvedBy: manager.id })
    expect(approved.body.refunds).toEqual([expect.objectContaining({ method: "cash", amountFen: 2500 })])
    expect(await onHand(store, skuIds[0]!)).toBe(2)
    const log = await env.DB.prepare("select action, requested_by, approved_by from sale_approvals where ref_id = ?")
      .bind(approved.body.id)
      .first()
    expect(log).toEqual({ action: "no_receipt_return", requested_by: cashier.id, approved_by: manager.id })
    const direct = await giveBack(manager.token, body)
    expect(direct.status).toBe(201)
    expect(direct.body.approvedBy).toBe(manager.id)
  })
})
