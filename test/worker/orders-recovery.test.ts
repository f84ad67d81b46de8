// Retries, crashes and lapses: replaying a request changes nothing, a payment whose worker died
// half-way is finished by the repair job with every hold committed exactly once, an abandoned
// reservation lapses by the cell's alarm, and a customer-code payment may wait on its provider.
import { runDurableObjectAlarm } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { and, eq } from "drizzle-orm"
import { describe, expect, it } from "vitest"
import { orderPayments, orders } from "../../worker/db/schema"
import type { Actor } from "../../worker/lib/actor"
import type { ChargeOutcome, PaymentProvider } from "../../worker/modules/orders/payments"
import { type OrdersCtx, payOrder, repairOrders } from "../../worker/modules/orders/service"
import { cellOpId } from "../../worker/stock-cell/client"
import { call, uniq } from "./helpers"
import { cellClock, db, expectBalanced, holdOf, order, pay, shop, snapshot, stub } from "./orders-fixtures"

const getOrder = async (token: string, id: string) => (await call("GET", `/orders/${id}`, { token })).body

describe("Idempotency-Key on orders and payments", () => {
  it("replaying POST /orders returns the first answer and holds once; another body is 422", async () => {
    const { owner, locationId, skuIds } = await shop({ qty: 10 })
    const key = uniq("ok")
    const body = { locationId, lines: [{ skuId: skuIds[0], qty: 3 }] }
    const first = await order(owner, body, key)
    const again = await order(owner, body, key)
    expect(first.status).toBe(201)
    expect(again.status).toBe(201)
    expect(again.body).toEqual(first.body)
    expect(again.headers.get("idempotent-replayed")).toBe("true")
    expect(await snapshot(locationId, skuIds[0]!)).toMatchObject({ reserved: 3, activeHolds: 1 })
    const other = await order(owner, { ...body, lines: [{ skuId: skuIds[0], qty: 4 }] }, key)
    expect(other.status).toBe(422)
    expect(other.body.code).toBe("idempotency_key_reused")
    const rows = await env.DB.prepare("select count(*) as n from orders where location_id = ?").bind(locationId).first()
    expect(rows?.n).toBe(1)
  })

  it("replaying /pay returns the first answer and takes the goods once; another body is 422", async () => {
    const { owner, locationId, skuIds } = await shop({ qty: 10, priceFen: 700 })
    const placed = await order(owner, { locationId, lines: [{ skuId: skuIds[0], qty: 2 }] })
    const key = uniq("pk")
    const payments = [{ method: "cash", amountFen: 1400 }]
    const first = await pay(owner, placed.body.id, payments, key)
    const again = await pay(owner, placed.body.id, payments, key)
    expect(first.status).toBe(200)
    expect(again.status).toBe(200)
    expect(again.body).toEqual(first.body)
    expect(again.headers.get("idempotent-replayed")).toBe("true")
    const other = await pay(owner, placed.body.id, [{ method: "cash", amountFen: 2000 }], key)
    expect(other.status).toBe(422)
    expect(other.body.code).toBe("idempotency_key_reused")
    expect(await snapshot(locationId, skuIds[0]!)).toMatchObject({ onHand: 8, reserved: 0 })
    expect((await getOrder(owner, placed.body.id)).payments).toHaveLength(1)
  })
})

describe("crash-resume", () => {
  /** An order whose payment was recorded and whose worker died after committing `k` of its holds. */
  async function interruptedPayment(k: number) {
    const { owner, locationId, skuIds } = await shop({ skus: 4, qty: 10, priceFen: 100 })
    const placed = await order(owner, { locationId, lines: skuIds.map((skuId) => ({ skuId, qty: 2 })) })
    expect(placed.status).toBe(201)
    const id = placed.body.id
    const now = Date.now()
    // What pay's first batch writes: the payment and "paying".
    await db().batch([
      db()
        .update(orders)
        .set({ status: "paying", payAttempts: 1, updatedAt: now - 60_000 })
        .where(eq(orders.id, id)),
      db()
        .insert(orderPayments)
        .values({
          id: `${id}.1.1`,
          orderId: id,
          attempt: 1,
          method: "wechat",
          amountFen: 800,
          status: "confirmed",
          provider: "manual",
        }),
    ])
    // …then the first k commits, exactly as pay makes them, and the worker is gone.
    const ref = { type: "order", id, actorId: "usr_gone" }
    for (const skuId of skuIds.slice(0, k)) {
      const r = await stub(locationId, skuId).commit({
        locationId,
        skuId,
        opId: cellOpId(id, skuId, "commit"),
        holdId: id,
        ref,
      })
      expect(r.ok).toBe(true)
    }
    return { owner, locationId, skuIds, id }
  }

  it("the repair job finishes a paid order's commits: every hold committed exactly once", async () => {
    const { owner, locationId, skuIds, id } = await interruptedPayment(2)
    expect((await getOrder(owner, id)).status).toBe("paying")
    const report = await repairOrders(env, db(), { staleMs: 30_000 })
    expect(report.paid).toBeGreaterThanOrEqual(1)
    const got = await getOrder(owner, id)
    expect(got.status).toBe("paid")
    expect(got.paidAt).toEqual(expect.any(String))
    for (const skuId of skuIds) {
      const snap = await snapshot(locationId, skuId)
      expect(snap).toMatchObject({ onHand: 8, reserved: 0, available: 8 })
      expect(await holdOf(locationId, skuId, id)).toMatchObject({ status: "committed" })
    }
    // Running it again (the next cron tick) changes nothing.
    await repairOrders(env, db(), { staleMs: 0 })
    for (const skuId of skuIds) expect(await snapshot(locationId, skuId)).toMatchObject({ onHand: 8, reserved: 0 })
    const cost = await db().select({ costFen: orders.costFen }).from(orders).where(eq(orders.id, id))
    expect(cost[0]?.costFen).toBe(4 * 2 * 1000)
  })

  it("a retry of the payment itself finishes the commits too (same op ids, nothing twice)", async () => {
    const { owner, locationId, skuIds, id } = await interruptedPayment(3)
    const res = await pay(owner, id, [{ method: "wechat", amountFen: 800 }])
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ id, status: "paid" })
    for (const skuId of skuIds) expect(await snapshot(locationId, skuId)).toMatchObject({ onHand: 8, reserved: 0 })
    expect((await getOrder(owner, id)).payments).toHaveLength(1)
  })

  it("the repair job leaves a payment that is still being worked on alone", async () => {
    const { owner, id } = await interruptedPayment(1)
    await db().update(orders).set({ updatedAt: Date.now() }).where(eq(orders.id, id))
    await repairOrders(env, db(), { staleMs: 30_000 })
    expect((await getOrder(owner, id)).status).toBe("paying")
  })
})

describe("lapsing", () => {
  it("an abandoned reservation lapses by the cell's alarm, and the job writes it expired", async () => {
    const { owner, locationId, skuIds } = await shop({ skus: 2, qty: 5 })
    const placed = await order(owner, { locationId, lines: skuIds.map((skuId) => ({ skuId, qty: 2 })), holdSeconds: 3 })
    const expiresAt = Date.parse(placed.body.expiresAt)
    for (const skuId of skuIds) {
      await cellClock(locationId, skuId, expiresAt + 1)
      expect(await runDurableObjectAlarm(stub(locationId, skuId))).toBe(true)
      const snap = await snapshot(locationId, skuId)
      expect(snap).toMatchObject({ onHand: 5, reserved: 0, available: 5, activeHolds: 0 })
      expect(await holdOf(locationId, skuId, placed.body.id)).toMatchObject({ status: "expired" })
    }
    const report = await repairOrders(env, db(), { now: expiresAt + 1 })
    expect(report.lapsed).toBeGreaterThanOrEqual(1)
    const got = await getOrder(owner, placed.body.id)
    expect(got.status).toBe("expired")
  })

  it("an unpaid order past its time reads as expired, and pay answers 409 hold_expired with nothing taken", async () => {
    const { owner, locationId, skuIds } = await shop({ qty: 5, priceFen: 100 })
    const placed = await order(owner, { locationId, lines: [{ skuId: skuIds[0], qty: 2 }] })
    await db()
      .update(orders)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(orders.id, placed.body.id))
    expect((await getOrder(owner, placed.body.id)).status).toBe("expired")
    const res = await pay(owner, placed.body.id, [{ method: "cash", amountFen: 200 }])
    expect(res.status).toBe(409)
    expect(res.body.code).toBe("hold_expired")
    // The holds were given back at once, nothing was recorded as paid.
    expect(await snapshot(locationId, skuIds[0]!)).toMatchObject({ onHand: 5, reserved: 0, available: 5 })
    const got = await getOrder(owner, placed.body.id)
    expect(got).toMatchObject({ status: "expired", payments: [] })
  })

  it("a payment that lands after a hold lapsed still gets the goods if the cell has them", async () => {
    const { owner, locationId, skuIds } = await shop({ skus: 2, qty: 5, priceFen: 100 })
    const placed = await order(owner, {
      locationId,
      lines: skuIds.map((skuId) => ({ skuId, qty: 1 })),
      holdSeconds: 60,
    })
    const lapsedSku = skuIds[1]!
    await cellClock(locationId, lapsedSku, Date.parse(placed.body.expiresAt) + 1)
    await runDurableObjectAlarm(stub(locationId, lapsedSku))
    expect(await holdOf(locationId, lapsedSku, placed.body.id)).toMatchObject({ status: "expired" })
    const res = await pay(owner, placed.body.id, [{ method: "cash", amountFen: 200 }])
    expect(res.status).toBe(200)
    for (const skuId of skuIds) expect(await snapshot(locationId, skuId)).toMatchObject({ onHand: 4, reserved: 0 })
  })

  it("if a lapsed line's goods are gone, nothing is taken: the other lines come back and payments are refunded", async () => {
    const { owner, locationId, skuIds } = await shop({ skus: 2, qty: 3, priceFen: 100 })
    const [kept, lapsed] = skuIds as [string, string]
    const placed = await order(owner, {
      locationId,
      lines: skuIds.map((skuId) => ({ skuId, qty: 2 })),
      holdSeconds: 60,
    })
    await cellClock(locationId, lapsed, Date.parse(placed.body.expiresAt) + 1)
    await runDurableObjectAlarm(stub(locationId, lapsed))
    // The till sells the lapsed goods meanwhile.
    const sale = await stub(locationId, lapsed).sell({
      locationId,
      skuId: lapsed,
      opId: uniq("sale"),
      qty: 3,
      ref: { type: "sale", id: uniq("xs"), actorId: "usr_cashier" },
    })
    expect(sale.ok).toBe(true)
    const keptBefore = await snapshot(locationId, kept)
    const res = await pay(owner, placed.body.id, [{ method: "alipay", amountFen: 400 }])
    expect(res.status).toBe(409)
    expect(res.body.code).toBe("hold_expired")
    const keptAfter = await snapshot(locationId, kept)
    expect(keptAfter).toMatchObject({ onHand: 3, reserved: 0, available: 3 })
    expect(keptAfter.lots).toEqual(keptBefore.lots)
    expectBalanced(keptAfter)
    expect(await snapshot(locationId, lapsed)).toMatchObject({ onHand: 0, reserved: 0 })
    const got = await getOrder(owner, placed.body.id)
    expect(got).toMatchObject({ status: "expired", payments: [{ status: "refunded", amountFen: 400 }] })
  })
})

describe("a customer-code payment awaiting its provider", () => {
  /** A gateway whose answers the test decides; it remembers what it was asked. */
  function testProvider(first: ChargeOutcome["status"]) {
    let answer: ChargeOutcome["status"] = first
    const calls: string[] = []
    const outcome = (paymentId: string): ChargeOutcome =>
      answer === "declined"
        ? { status: "declined", reason: "insufficient balance" }
        : { status: answer, providerRef: `gw_${paymentId}` }
    const provider: PaymentProvider = {
      name: "test-gateway",
      charge: async (req) => {
        calls.push(`charge ${req.authCode}`)
        return outcome(req.paymentId)
      },
      query: async (paymentId) => {
        calls.push("query")
        return outcome(paymentId)
      },
      refund: async (paymentId) => {
        calls.push(`refund ${paymentId}`)
      },
    }
    return { provider, calls, answer: (a: ChargeOutcome["status"]) => (answer = a) }
  }

  const owner: Actor = {
    kind: "user",
    id: "usr_test_owner",
    name: "owner",
    role: "owner",
    permissions: new Set(),
    locationIds: "all",
  }

  it("answers 202 payment_pending, GET shows it, and the repair job completes it once confirmed", async () => {
    const { owner: token, locationId, skuIds } = await shop({ qty: 5, priceFen: 990 })
    const placed = await order(token, { locationId, lines: [{ skuId: skuIds[0], qty: 1 }] })
    const gw = testProvider("pending")
    const ctx: OrdersCtx = { db: db(), env, actorId: owner.id, provider: gw.provider }
    const answer = await payOrder(ctx, owner, placed.body.id, [
      { method: "wechat", amountFen: 990, authCode: "134567890123456789" },
    ])
    expect(answer).toEqual({ httpStatus: 202, body: { id: placed.body.id, status: "payment_pending" } })
    expect(gw.calls).toEqual(["charge 134567890123456789"])

    const pending = await getOrder(token, placed.body.id)
    expect(pending).toMatchObject({
      status: "payment_pending",
      payments: [{ method: "wechat", status: "pending", provider: "test-gateway" }],
    })
    expect(await snapshot(locationId, skuIds[0]!)).toMatchObject({ reserved: 1, onHand: 5 })
    // Cancel must wait for the provider's answer.
    expect((await call("POST", `/orders/${placed.body.id}/cancel`, { token })).body.code).toBe("payment_pending")

    // Still pending at the next tick: nothing moves.
    await repairOrders(env, db(), { staleMs: 0, provider: gw.provider })
    expect((await getOrder(token, placed.body.id)).status).toBe("payment_pending")

    gw.answer("confirmed")
    const report = await repairOrders(env, db(), { staleMs: 0, provider: gw.provider })
    expect(report.paid).toBeGreaterThanOrEqual(1)
    const paid = await getOrder(token, placed.body.id)
    expect(paid).toMatchObject({ status: "paid", payments: [{ status: "confirmed" }] })
    expect(await snapshot(locationId, skuIds[0]!)).toMatchObject({ reserved: 0, onHand: 4 })
    const row = await db()
      .select({ ref: orderPayments.providerRef })
      .from(orderPayments)
      .where(and(eq(orderPayments.orderId, placed.body.id)))
    expect(row[0]?.ref).toBe(`gw_${placed.body.id}.1.1`)
  })

  it("a declined code leaves the order reserved for another attempt", async () => {
    const { owner: token, locationId, skuIds } = await shop({ qty: 5, priceFen: 990 })
    const placed = await order(token, { locationId, lines: [{ skuId: skuIds[0], qty: 1 }] })
    const gw = testProvider("declined")
    const ctx: OrdersCtx = { db: db(), env, actorId: owner.id, provider: gw.provider }
    await expect(
      payOrder(ctx, owner, placed.body.id, [{ method: "alipay", amountFen: 990, authCode: "284567890123456789" }]),
    ).rejects.toMatchObject({ status: 422, code: "payment_declined" })
    expect(await getOrder(token, placed.body.id)).toMatchObject({
      status: "reserved",
      payments: [{ status: "declined" }],
    })
    const retry = await pay(token, placed.body.id, [{ method: "cash", amountFen: 1000 }])
    expect(retry.status).toBe(200)
    expect((await getOrder(token, placed.body.id)).payments.map((p: { status: string }) => p.status)).toEqual([
      "declined",
      "confirmed",
    ])
  })
})
