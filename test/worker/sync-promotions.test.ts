// An offline sale is priced, when it syncs, with the promotions as they were when it happened: HQ may
// end, change or start promotions while a till is offline, and none of that may turn a correctly
// priced sale into a price exception (nor hide a real one).
import { env } from "cloudflare:workers"
import { ulid } from "ulid"
import { describe, expect, it } from "vitest"
import { localTime } from "../../core/promotions"
import { call, uniq } from "./helpers"
import { cash, promotion, shop } from "./sales-helpers"

type Result = { id: string; status: string; problem?: { code: string } }

const sync = (token: string, sales: unknown[]) =>
  call<{ results: Result[] }>("POST", "/sales/sync", { token, body: { sales } })

/** A sale the till rang up offline `now`, charging `unitFen` a piece. */
const offlineSale = (
  store: string,
  skuId: string,
  qty: number,
  unitFen: number,
  extra: Record<string, unknown> = {},
) => ({
  id: ulid(),
  locationId: store,
  occurredAt: new Date().toISOString(),
  lines: [{ skuId, qty, unitPriceFen: unitFen }],
  payments: [cash(qty * unitFen)],
  totalFen: qty * unitFen,
  ...extra,
})

const tenPercentOff = (store: string, skuId: string, extra: Record<string, unknown> = {}) => ({
  name: uniq("九折"),
  class: "item",
  rule: { kind: "percent_off", offBp: 1000 },
  target: { skuIds: [skuId] },
  storeIds: [store],
  ...extra,
})

/** Time passes between the steps of a story (revisions are told apart by the millisecond they took effect). */
const later = () => scheduler.wait(5)

const exceptionsOf = async (owner: string, store: string) =>
  (await call("GET", `/sales/price-exceptions?locationId=${store}`, { token: owner })).body.items as {
    kind: string
    refId: string
    expectedFen: number
    actualFen: number
  }[]

const end = (owner: string, id: string) =>
  call("PATCH", `/promotions/${id}`, { token: owner, body: { status: "ended" } })

describe("an offline sale is priced with the promotions in force when it happened", () => {
  it("Saturday's sales under the weekend promotion, synced after HQ ended it on Monday morning: no price exception", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 2000, qty: 20 })
    const sku = skuIds[0]!
    // "The weekend" is the day this story runs on, in the chain's time zone.
    const today = localTime(Date.now(), "Asia/Shanghai").weekday
    const weekend = await promotion(owner, store, tenPercentOff(store, sku, { window: { weekdays: [today] } }))
    await later()
    // The till is offline all weekend and sells at ¥18, as the promotion says.
    const saturday = [offlineSale(store, sku, 2, 1800), offlineSale(store, sku, 1, 1800)]
    await later()
    expect((await end(owner, weekend)).status).toBe(200)

    const res = await sync(cashier.token, saturday)
    expect(res.body.results.map((r) => r.status)).toEqual(["applied", "applied"])
    expect(await exceptionsOf(owner, store)).toEqual([])
    const sold = await call("GET", `/sales/${saturday[0]!.id}`, { token: cashier.token })
    expect(sold.body).toMatchObject({ subtotalFen: 4000, discountFen: 400, totalFen: 3600 })
    expect(sold.body.appliedPromotions).toEqual([expect.objectContaining({ promotionId: weekend, amountFen: 400 })])
  })

  it("a promotion HQ changed after the sale prices it as it was (20 % off then, 10 % now)", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 20 })
    const sku = skuIds[0]!
    const id = await promotion(owner, store, tenPercentOff(store, sku, { rule: { kind: "percent_off", offBp: 2000 } }))
    await later()
    const sale = offlineSale(store, sku, 1, 800)
    await later()
    const changed = await call("PATCH", `/promotions/${id}`, {
      token: owner,
      body: { rule: { kind: "percent_off", offBp: 1000 } },
    })
    expect(changed.status).toBe(200)

    expect((await sync(cashier.token, [sale])).body.results[0]!.status).toBe("applied")
    expect(await exceptionsOf(owner, store)).toEqual([])
  })

  it("a promotion applies once even if two of its revisions overlap (saved by servers whose clocks disagree): the newest", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 20 })
    const sku = skuIds[0]!
    const id = await promotion(owner, store, tenPercentOff(store, sku, { rule: { kind: "percent_off", offBp: 2000 } }))
    await later()
    await call("PATCH", `/promotions/${id}`, { token: owner, body: { rule: { kind: "percent_off", offBp: 1000 } } })
    // As if the first revision's end had been written by a clock running behind: both look in force.
    await env.DB.prepare(
      "update promotion_revisions set effective_until = null where promotion_id = ? and revision = 1",
    )
      .bind(id)
      .run()
    await later()
    const sale = offlineSale(store, sku, 1, 900)

    expect((await sync(cashier.token, [sale])).body.results[0]!.status).toBe("applied")
    expect(await exceptionsOf(owner, store)).toEqual([])
    const sold = await call("GET", `/sales/${sale.id}`, { token: cashier.token })
    expect(sold.body.appliedPromotions).toEqual([expect.objectContaining({ promotionId: id, amountFen: 100 })])
  })

  it("a promotion created after the sale does not apply to it", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1500, qty: 20 })
    const sku = skuIds[0]!
    const sale = offlineSale(store, sku, 2, 1500)
    await later()
    await promotion(owner, store, tenPercentOff(store, sku))

    expect((await sync(cashier.token, [sale])).body.results[0]!.status).toBe("applied")
    expect(await exceptionsOf(owner, store)).toEqual([])
    const sold = await call("GET", `/sales/${sale.id}`, { token: cashier.token })
    expect(sold.body).toMatchObject({ totalFen: 3000, discountFen: 0, appliedPromotions: [] })
  })

  it("a real difference is still an exception: the till missed a promotion that was in force, ended since", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 2000, qty: 20 })
    const sku = skuIds[0]!
    const id = await promotion(owner, store, tenPercentOff(store, sku))
    await later()
    // One sale right (¥18), one at the full ¥20 (the till's cache lacked the promotion).
    const right = offlineSale(store, sku, 1, 1800)
    const missed = offlineSale(store, sku, 1, 2000)
    await later()
    expect((await end(owner, id)).status).toBe(200)

    const res = await sync(cashier.token, [right, missed])
    expect(res.body.results.map((r) => r.status)).toEqual(["applied", "applied"])
    expect(await exceptionsOf(owner, store)).toEqual([
      expect.objectContaining({ kind: "price_mismatch", refId: missed.id, expectedFen: 1800, actualFen: 2000 }),
    ])
  })

  it("a coupon taken offline keeps its discount after HQ ended its promotion", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 3000, qty: 20 })
    const sku = skuIds[0]!
    const id = await promotion(owner, store, {
      name: uniq("满30减5券"),
      class: "order",
      rule: { kind: "fixed_off", offFen: 500 },
      couponOnly: true,
    })
    const batch = await call("POST", "/coupons/batches", { token: owner, body: { promotionId: id, count: 1 } })
    expect(batch.status).toBe(201)
    const code = batch.body.codes[0].code as string
    await later()
    const sale = offlineSale(store, sku, 1, 3000, { couponCodes: [code], payments: [cash(2500)], totalFen: 2500 })
    await later()
    expect((await end(owner, id)).status).toBe(200)

    expect((await sync(cashier.token, [sale])).body.results[0]!.status).toBe("applied")
    expect(await exceptionsOf(owner, store)).toEqual([])
    const used = await call("GET", `/coupons/${code}`, { token: owner })
    expect(used.body).toMatchObject({ status: "redeemed", saleId: sale.id })
  })

  it("HQ's saves of a promotion are kept as revisions, each in force until the next", async () => {
    const { owner, store, skuIds } = await shop({ skus: 1, qty: 0 })
    const id = await promotion(owner, store, tenPercentOff(store, skuIds[0]!))
    await later()
    await call("PATCH", `/promotions/${id}`, { token: owner, body: { rule: { kind: "percent_off", offBp: 1500 } } })
    await later()
    await end(owner, id)

    const { results } = await env.DB.prepare(
      "select revision, status, definition, effective_from, effective_until from promotion_revisions where promotion_id = ? order by revision",
    )
      .bind(id)
      .all<{
        revision: number
        status: string
        definition: string
        effective_from: number
        effective_until: number | null
      }>()
    expect(results.map((r) => [r.revision, r.status, JSON.parse(r.definition).rule.offBp])).toEqual([
      [1, "active", 1000],
      [2, "active", 1500],
      [3, "ended", 1500],
    ])
    expect(results[0]!.effective_until).toBe(results[1]!.effective_from)
    expect(results[1]!.effective_until).toBe(results[2]!.effective_from)
    expect(results[2]!.effective_until).toBeNull()
    const now = await call("GET", `/promotions/${id}`, { token: owner })
    expect(Date.parse(now.body.updatedAt)).toBe(results[2]!.effective_from)
  })
})
