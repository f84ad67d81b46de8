// Nothing is oversold: real parallel HTTP requests against the real StockCell Durable Objects.
// Invariant under any interleaving: the units granted (held or sold) never exceed what was on
// hand, an order is held on every line or on none, and held + available = on hand in every cell.
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { cellStub } from "../../worker/stock-cell/client"
import { uniq } from "./helpers"
import { expectBalanced, holdOf, order, shop, snapshot } from "./orders-fixtures"

// Hundreds of real requests: a generous limit (not a timing assertion) for a busy machine.
const RACE = { timeout: 120_000 }

describe("a flash sale on one cell", () => {
  it("500 single-unit orders race for a cell holding 50: exactly 50 are reserved, the rest get 409", RACE, async () => {
    const { owner, locationId, skuIds } = await shop({ qty: 50 })
    const skuId = skuIds[0]!
    const results = await Promise.all(
      Array.from({ length: 500 }, () => order(owner, { locationId, lines: [{ skuId, qty: 1 }], holdSeconds: 600 })),
    )
    const won = results.filter((r) => r.status === 201)
    const lost = results.filter((r) => r.status === 409)
    expect(won).toHaveLength(50)
    expect(lost).toHaveLength(450)
    for (const r of lost) expect(r.body.code).toBe("insufficient_stock")
    const snap = await snapshot(locationId, skuId)
    expect(snap).toMatchObject({ onHand: 50, reserved: 50, available: 0, activeHolds: 50 })
    // Each winner's hold is in the cell; each winner is one order row.
    const holds = await Promise.all(won.map((r) => holdOf(locationId, skuId, r.body.id)))
    for (const h of holds) expect(h).toMatchObject({ qty: 1, status: "active" })
    const rows = await env.DB.prepare("select count(*) as n from orders where location_id = ?").bind(locationId).first()
    expect(rows?.n).toBe(50)
  })

  it("the same race mixing channel orders, till sales and a transfer reservation", RACE, async () => {
    const { owner, locationId, skuIds } = await shop({ qty: 50 })
    const skuId = skuIds[0]!
    const cell = cellStub(env, locationId, skuId)
    const ref = (type: string) => ({ type, id: uniq(type), actorId: "usr_tester" })
    const orders = Array.from({ length: 300 }, () =>
      order(owner, { channel: "douyin", locationId, lines: [{ skuId, qty: 1 }] }),
    )
    const till = Array.from({ length: 100 }, () =>
      cell.sell({ locationId, skuId, opId: uniq("sale"), qty: 1, ref: ref("sale") }),
    )
    const transferId = uniq("trf")
    const transfer = cell.reserve({
      locationId,
      skuId,
      opId: `${transferId}:${skuId}:reserve`,
      holdId: transferId,
      qty: 10,
      kind: "shipment",
      expiresAt: Date.now() + 3_600_000,
      ref: ref("transfer"),
    })
    const [orderResults, saleResults, transferResult] = await Promise.all([
      Promise.all(orders),
      Promise.all(till),
      transfer,
    ])
    const ordered = orderResults.filter((r) => r.status === 201).length
    const sold = saleResults.filter((r) => r.ok).length
    const shipped = transferResult.ok ? 10 : 0
    for (const r of orderResults) expect([201, 409]).toContain(r.status)
    // Demand (410 units) far exceeds supply, so every unit went somewhere and none twice.
    expect(ordered + sold + shipped).toBe(50)
    const snap = await snapshot(locationId, skuId)
    expect(snap).toMatchObject({ onHand: 50 - sold, reserved: ordered + shipped, available: 0 })
    expectBalanced(snap)
  })
})

describe("all or nothing across cells", () => {
  it("many concurrent multi-line orders over a few shared cells: each fully held or not at all", RACE, async () => {
    const { owner, locationId, skuIds } = await shop({ skus: 4, qty: 30 })
    // A fixed pseudo-random mix, so a failure can be replayed.
    let a = 7
    const rand = (n: number) => {
      a = (a + 0x6d2b79f5) >>> 0
      let t = Math.imul(a ^ (a >>> 15), a | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)
    }
    const carts = Array.from({ length: 120 }, () => {
      const picked = skuIds.filter(() => rand(2) === 1)
      const lines = (picked.length > 0 ? picked : [skuIds[rand(4)]!]).map((skuId) => ({ skuId, qty: 1 + rand(3) }))
      return lines
    })
    const results = await Promise.all(carts.map((lines) => order(owner, { locationId, lines, holdSeconds: 600 })))
    for (const r of results) expect([201, 409]).toContain(r.status)
    const won = results.flatMap((r, i) => (r.status === 201 ? [{ id: r.body.id, lines: carts[i]! }] : []))
    expect(won.length).toBeGreaterThan(0)
    expect(won.length).toBeLessThan(carts.length)

    for (const skuId of skuIds) {
      const snap = await snapshot(locationId, skuId)
      expectBalanced(snap)
      const mine = won.filter((w) => w.lines.some((l) => l.skuId === skuId))
      const held = mine.reduce((s, w) => s + w.lines.find((l) => l.skuId === skuId)!.qty, 0)
      // Exactly the winners' lines are held: a refused order left no hold behind in any cell.
      expect(snap.reserved).toBe(held)
      expect(snap.activeHolds).toBe(mine.length)
      expect(snap.onHand).toBe(30)
    }
    for (const w of won)
      for (const l of w.lines)
        expect(await holdOf(locationId, l.skuId, w.id)).toMatchObject({ qty: l.qty, status: "active" })

    // Every refusal names its short lines with what the cell had.
    for (const r of results.filter((x) => x.status === 409)) {
      expect(r.body.code).toBe("insufficient_stock")
      expect(r.body.errors?.length).toBeGreaterThan(0)
    }
    // One order row per winner, none for a refusal.
    const rows = await env.DB.prepare("select id from orders where location_id = ?")
      .bind(locationId)
      .all<{ id: string }>()
    expect(rows.results.map((r) => r.id).sort()).toEqual(won.map((w) => w.id).sort())
  })
})
