// A member asks for their data to be erased (PIPL) while a till that sold to them offline is still
// away: when its outbox comes in, the sale is a fact — it applies without the member (no points earned,
// none spent), and HQ sees why among the price exceptions. Nothing stays stuck in the till's outbox.
import { env } from "cloudflare:workers"
import { ulid } from "ulid"
import { describe, expect, it } from "vitest"
import { call } from "./helpers"
import { cash, member, onHand, shop } from "./sales-helpers"

type Exception = {
  kind: string
  refId: string
  expectedFen: number
  actualFen: number
  detail: Record<string, unknown>
}

describe("an offline sale to a member erased before it synced", () => {
  it("applies without the member: the goods and cash stand, no points move, HQ sees member_erased", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const sku = skuIds[0]!
    const m = await member(cashier.token, store)
    await call("POST", `/members/${m}/points/adjustments`, { token: owner, body: { delta: 500, reason: "赠送" } })
    const sale = {
      id: ulid(),
      locationId: store,
      occurredAt: new Date(Date.now() - 30 * 60_000).toISOString(),
      memberId: m,
      lines: [{ skuId: sku, qty: 3, unitPriceFen: 1000 }],
      payments: [{ method: "points", amountFen: 200 }, cash(2800)],
      totalFen: 3000,
    }
    const erased = await call("POST", `/members/${m}/erase`, { token: owner, body: { reason: "本人申请注销" } })
    expect(erased.status).toBe(200)

    const res = await call("POST", "/sales/sync", { token: cashier.token, body: { sales: [sale] } })
    expect(res.body.results).toEqual([{ id: sale.id, status: "applied" }])
    expect(await onHand(store, sku)).toBe(7)
    const booked = await call("GET", `/sales/${sale.id}`, { token: cashier.token })
    expect(booked.body).toMatchObject({ totalFen: 3000, memberId: null, pointsEarned: 0, source: "offline" })
    // The erasure forfeited the points: nothing was earned or spent afterwards.
    const ledger = await env.DB.prepare("select kind, delta from member_points where member_id = ? order by at, id")
      .bind(m)
      .all<{ kind: string; delta: number }>()
    expect(ledger.results.map((r) => r.kind)).toEqual(["adjust", "expire"])

    const listed = await call<{ items: Exception[] }>("GET", `/sales/price-exceptions?locationId=${store}`, {
      token: owner,
    })
    const mine = listed.body.items.filter((x) => x.refId === sale.id)
    expect(mine.map((x) => x.kind).sort()).toEqual(["member_erased", "points_short"])
    expect(mine.find((x) => x.kind === "member_erased")).toMatchObject({
      expectedFen: 3000,
      actualFen: 3000,
      detail: { memberId: m },
    })

    const again = await call("POST", "/sales/sync", { token: cashier.token, body: { sales: [sale] } })
    expect(again.body.results).toEqual([{ id: sale.id, status: "duplicate" }])
    expect(await onHand(store, sku)).toBe(7)
  })

  it("a member id that never existed is still refused as unknown_member, and nothing moves", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const sale = {
      id: ulid(),
      locationId: store,
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      memberId: "mbr_01JDZ0000000000000000000",
      lines: [{ skuId: skuIds[0], qty: 1, unitPriceFen: 1000 }],
      payments: [cash(1000)],
      totalFen: 1000,
    }
    const res = await call("POST", "/sales/sync", { token: cashier.token, body: { sales: [sale] } })
    expect(res.body.results[0]).toMatchObject({ status: "rejected", problem: { code: "unknown_member" } })
    expect(await onHand(store, skuIds[0]!)).toBe(10)
  })
})
