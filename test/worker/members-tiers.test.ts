// Member tiers from spend over each tier's window, recomputed by the nightly job. Tiers are
// chain-wide, so this file alone creates them (storage is shared within a file).
import { env } from "cloudflare:workers"
import { ulid } from "ulid"
import { describe, expect, it } from "vitest"
import { makeDb } from "../../worker/db/client"
import { recomputeTiers, recordSpend } from "../../worker/modules/members"
import { call, createLocation, ownerToken, staffToken, uniq } from "./helpers"
import { cash, member as memberWithValue, promotion, shop } from "./sales-helpers"

const db = () => makeDb(env.DB)
const DAY = 86_400_000
const NOW = Date.parse("2026-11-25T04:00:00Z")

async function member(token: string, store: string) {
  const [n] = crypto.getRandomValues(new Uint32Array(1))
  const res = await call("POST", "/members", {
    token,
    body: {
      phone: `139${String(n! % 100_000_000).padStart(8, "0")}`,
      name: "会员",
      homeLocationId: store,
      consent: { version: "v1", accepted: true },
    },
  })
  if (res.status !== 201) throw new Error(JSON.stringify(res.body))
  return res.body.id as string
}

const tierOf = async (id: string) =>
  (await env.DB.prepare("select tier_id as tierId from members where id = ?")
    .bind(id)
    .first<{ tierId: string | null }>())!.tierId

describe("member tiers", () => {
  it("HQ defines tiers; the nightly job gives each member the highest tier their recent spend earns", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const cashier = await staffToken(owner, "cashier", [store])

    const create = (body: Record<string, unknown>, token = owner) => call("POST", "/member-tiers", { token, body })
    const silver = await create({ name: uniq("银卡"), minSpendFen: 100_000, months: 12 })
    const gold = await create({ name: uniq("金卡"), minSpendFen: 500_000, months: 6 })
    expect(silver.status).toBe(201)
    expect(gold.body).toMatchObject({ minSpendFen: 500_000, months: 6 })
    expect((await create({ name: silver.body.name, minSpendFen: 1 })).status).toBe(409)
    expect((await create({ name: uniq("x"), minSpendFen: 1 }, cashier.token)).status).toBe(403)
    const list = await call("GET", "/member-tiers", { token: cashier.token })
    expect(list.body.items.map((t: { id: string }) => t.id)).toEqual([silver.body.id, gold.body.id])

    const [none, recentGold, oldGold, silverOnly] = [
      await member(cashier.token, store),
      await member(cashier.token, store),
      await member(cashier.token, store),
      await member(cashier.token, store),
    ]
    const spend = (memberId: string, amountFen: number, daysAgo: number) =>
      recordSpend(db(), { memberId, saleId: uniq("sale"), amountFen, at: NOW - daysAgo * DAY })
    await spend(none, 99_999, 10)
    // The same sale recorded twice counts once.
    const saleId = uniq("sale")
    await recordSpend(db(), { memberId: recentGold, saleId, amountFen: 300_000, at: NOW - 30 * DAY })
    await recordSpend(db(), { memberId: recentGold, saleId, amountFen: 300_000, at: NOW - 30 * DAY })
    await spend(recentGold, 250_000, 100)
    // Gold's window is 6 months: spend 7 months ago counts for silver only.
    await spend(oldGold, 600_000, 210)
    await spend(silverOnly, 150_000, 300)
    // A return takes its amount back.
    await spend(silverOnly, -50_000, 1)

    const first = await recomputeTiers(db(), NOW)
    expect(first.checked).toBeGreaterThanOrEqual(4)
    expect(await tierOf(none)).toBeNull()
    expect(await tierOf(recentGold)).toBe(gold.body.id)
    expect(await tierOf(oldGold)).toBe(silver.body.id)
    expect(await tierOf(silverOnly)).toBe(silver.body.id)

    // Run again: nothing changes. A year later, the old spend has lapsed.
    expect((await recomputeTiers(db(), NOW)).changed).toBe(0)
    await recomputeTiers(db(), NOW + 365 * DAY)
    expect(await tierOf(recentGold)).toBeNull()
    expect(await tierOf(silverOnly)).toBeNull()
    const lookup = await call("GET", `/members/${recentGold}`, { token: cashier.token })
    expect(lookup.body.tierId).toBeNull()
  })

  it("an offline sale synced after the member changed tier is priced with the tier they held when it happened", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const gold = await call("POST", "/member-tiers", {
      token: owner,
      body: { name: uniq("金卡"), minSpendFen: 10_000, months: 12 },
    })
    await promotion(owner, store, {
      name: "金卡九折",
      class: "order",
      rule: { kind: "percent_off", offBp: 1000 },
      member: { tierIds: [gold.body.id] },
    })
    const m = await memberWithValue(cashier.token, store)
    const offline = (paidFen: number) => ({
      id: ulid(),
      locationId: store,
      occurredAt: new Date().toISOString(),
      memberId: m,
      lines: [{ skuId: skuIds[0]!, qty: 1 }],
      payments: [cash(paidFen)],
      totalFen: paidFen,
    })
    // Sold offline before the member was gold (full price), then the nightly job makes them gold,
    // then sold offline again with the gold discount; both reach the server only now.
    const before = offline(1000)
    await recordSpend(db(), { memberId: m, saleId: uniq("sale"), amountFen: 20_000, at: Date.now() - DAY })
    await scheduler.wait(5)
    await recomputeTiers(db(), Date.now())
    expect(await tierOf(m)).toBe(gold.body.id)
    await scheduler.wait(5)
    const after = offline(900)

    const synced = await call("POST", "/sales/sync", { token: cashier.token, body: { sales: [before, after] } })
    expect(synced.body.results.map((r: { status: string }) => r.status)).toEqual(["applied", "applied"])
    const exceptions = await call("GET", `/sales/price-exceptions?locationId=${store}`, { token: owner })
    expect(exceptions.body.items).toEqual([])
    // A real difference is still an exception: gold's price charged for a time before gold.
    const wrong = { ...offline(900), occurredAt: before.occurredAt }
    await call("POST", "/sales/sync", { token: cashier.token, body: { sales: [wrong] } })
    const again = await call("GET", `/sales/price-exceptions?locationId=${store}`, { token: owner })
    expect(again.body.items).toEqual([expect.objectContaining({ refId: wrong.id, expectedFen: 1000, actualFen: 900 })])
  })
})
