// The long versions of the order proofs (`npm run test:heavy`): bigger races, repeated, with
// payments and cancellations interleaved, and many interrupted payments repaired at once.
import { env } from "cloudflare:workers"
import { eq } from "drizzle-orm"
import { describe, expect, it } from "vitest"
import { orderPayments, orders } from "../../worker/db/schema"
import { repairOrders } from "../../worker/modules/orders/service"
import { cellOpId, cellStub } from "../../worker/stock-cell/client"
import { call, uniq } from "../worker/helpers"
import { db, expectBalanced, holdOf, order, pay, shop, snapshot, stub } from "../worker/orders-fixtures"

/** A fixed pseudo-random sequence (mulberry32), so a failing round can be replayed. `rand(n)` is in [0, n). */
function prng(seed: number) {
  let a = seed >>> 0
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)
  }
}

describe("flash sales, repeated", () => {
  for (const round of [1, 2, 3, 4, 5])
    it(`round ${round}: 2,000 single-unit orders for 50 units, with till sales and a transfer mixed in`, async () => {
      const { owner, locationId, skuIds } = await shop({ qty: 50 })
      const skuId = skuIds[0]!
      const cell = cellStub(env, locationId, skuId)
      const ref = (type: string) => ({ type, id: uniq(type), actorId: "usr_tester" })
      const transferId = uniq("trf")
      const [placed, sales, transfer] = await Promise.all([
        Promise.all(Array.from({ length: 2000 }, () => order(owner, { locationId, lines: [{ skuId, qty: 1 }] }))),
        Promise.all(
          Array.from({ length: round * 20 }, () =>
            cell.sell({ locationId, skuId, opId: uniq("sale"), qty: 1, ref: ref("sale") }),
          ),
        ),
        cell.reserve({
          locationId,
          skuId,
          opId: `${transferId}:${skuId}:reserve`,
          holdId: transferId,
          qty: 5,
          kind: "shipment",
          expiresAt: Date.now() + 3_600_000,
          ref: ref("transfer"),
        }),
      ])
      for (const r of placed) expect([201, 409]).toContain(r.status)
      const won = placed.filter((r) => r.status === 201)
      const sold = sales.filter((s) => s.ok).length
      const shipped = transfer.ok ? 5 : 0
      expect(won.length + sold + shipped).toBe(50)
      const snap = await snapshot(locationId, skuId)
      expect(snap).toMatchObject({ onHand: 50 - sold, reserved: won.length + shipped, available: 0 })

      // Pay half of the winners and cancel the rest, all at once: the cell ends exactly right.
      const [toPay, toCancel] = [won.filter((_, i) => i % 2 === 0), won.filter((_, i) => i % 2 === 1)]
      const settled = await Promise.all([
        ...toPay.map((r) => pay(owner, r.body.id, [{ method: "cash", amountFen: r.body.totalFen }])),
        ...toCancel.map((r) => call("POST", `/orders/${r.body.id}/cancel`, { token: owner })),
      ])
      for (const s of settled) expect(s.status).toBe(200)
      const after = await snapshot(locationId, skuId)
      expect(after).toMatchObject({
        onHand: 50 - sold - toPay.length,
        reserved: shipped,
        available: toCancel.length,
      })
      expectBalanced(after)
    })
})

describe("all or nothing, at scale", () => {
  it("1,000 concurrent carts over 8 shared cells, three rounds of orders, payments and cancellations", async () => {
    const { owner, locationId, skuIds } = await shop({ skus: 8, qty: 100 })
    const rand = prng(42)
    const onHand = new Map(skuIds.map((s) => [s, 100]))
    for (let round = 0; round < 3; round++) {
      const carts = Array.from({ length: 1000 / 3 + 1 }, () => {
        const n = 1 + rand(5)
        const lines = Array.from({ length: n }, () => ({ skuId: skuIds[rand(skuIds.length)]!, qty: 1 + rand(3) }))
        return lines
      })
      const results = await Promise.all(carts.map((lines) => order(owner, { locationId, lines, holdSeconds: 600 })))
      const won = results.flatMap((r, i) => (r.status === 201 ? [{ res: r, lines: carts[i]! }] : []))
      for (const r of results) expect([201, 409]).toContain(r.status)

      for (const skuId of skuIds) {
        const snap = await snapshot(locationId, skuId)
        expectBalanced(snap)
        const held = won.reduce(
          (s, w) => s + w.lines.filter((l) => l.skuId === skuId).reduce((t, l) => t + l.qty, 0),
          0,
        )
        expect(snap.reserved).toBe(held)
        expect(snap.onHand).toBe(onHand.get(skuId))
      }
      for (const w of won)
        for (const l of w.res.body.lines)
          expect(await holdOf(locationId, l.skuId, w.res.body.id)).toMatchObject({ qty: l.qty, status: "active" })

      // Settle: pay two in three, cancel the rest.
      await Promise.all(
        won.map((w, i) =>
          i % 3 === 2
            ? call("POST", `/orders/${w.res.body.id}/cancel`, { token: owner })
            : pay(owner, w.res.body.id, [{ method: "card", amountFen: w.res.body.totalFen }]),
        ),
      )
      for (const [i, w] of won.entries())
        if (i % 3 !== 2) for (const l of w.res.body.lines) onHand.set(l.skuId, onHand.get(l.skuId)! - l.qty)
      for (const skuId of skuIds) {
        const snap = await snapshot(locationId, skuId)
        expect(snap).toMatchObject({ onHand: onHand.get(skuId), reserved: 0, available: onHand.get(skuId) })
      }
      // Restock what was sold so the next round races again.
      await Promise.all(
        skuIds.map(async (skuId) => {
          const missing = 100 - onHand.get(skuId)!
          if (missing > 0) {
            const r = await stub(locationId, skuId).receive({
              locationId,
              skuId,
              opId: uniq("restock"),
              qty: missing,
              ref: { type: "test_receipt", id: uniq("rk"), actorId: "usr_tester" },
            })
            expect(r.ok).toBe(true)
            onHand.set(skuId, 100)
          }
        }),
      )
    }
  })
})

describe("crash-resume, many at once", () => {
  it("60 payments interrupted after a random number of commits are all finished by one repair run", async () => {
    const { owner, locationId, skuIds } = await shop({ skus: 5, qty: 200, priceFen: 100 })
    const rand = prng(9)
    const placed = await Promise.all(
      Array.from({ length: 60 }, () => order(owner, { locationId, lines: skuIds.map((skuId) => ({ skuId, qty: 1 })) })),
    )
    for (const p of placed) expect(p.status).toBe(201)
    const stale = Date.now() - 120_000
    await Promise.all(
      placed.map(async (p) => {
        const id = p.body.id
        await db().batch([
          db().update(orders).set({ status: "paying", payAttempts: 1, updatedAt: stale }).where(eq(orders.id, id)),
          db()
            .insert(orderPayments)
            .values({
              id: `${id}.1.1`,
              orderId: id,
              attempt: 1,
              method: "cash",
              amountFen: 500,
              status: "confirmed",
              provider: "manual",
            }),
        ])
        const k = rand(skuIds.length + 1)
        for (const skuId of skuIds.slice(0, k))
          await stub(locationId, skuId).commit({
            locationId,
            skuId,
            opId: cellOpId(id, skuId, "commit"),
            holdId: id,
            ref: { type: "order", id, actorId: "usr_gone" },
          })
      }),
    )
    // Two overlapping repair runs (two cron ticks, or a tick and a retrying till) commit nothing twice.
    await Promise.all([repairOrders(env, db(), { staleMs: 60_000 }), repairOrders(env, db(), { staleMs: 60_000 })])
    for (const skuId of skuIds)
      expect(await snapshot(locationId, skuId)).toMatchObject({ onHand: 140, reserved: 0, available: 140 })
    const statuses = await Promise.all(
      placed.map(async (p) => (await call("GET", `/orders/${p.body.id}`, { token: owner })).body.status),
    )
    expect(new Set(statuses)).toEqual(new Set(["paid"]))
  })
})
