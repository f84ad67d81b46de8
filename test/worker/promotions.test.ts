// Promotions as HQ saves them (core's schema, conflicts refused at save time), what a till
// prices with, and coupons. Promotions are chain-wide and this file's tests share storage, so
// each test uses its own stores and exclusive groups.
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { makeDb } from "../../worker/db/client"
import {
  activePromotions,
  promotionUsage,
  recordPromotionUsage,
  redeemCoupons,
  resolveCoupons,
} from "../../worker/modules/promotions"
import { call, createLocation, ownerToken, staffToken, uniq } from "./helpers"

const db = () => makeDb(env.DB)

const percentOff = (extra: Record<string, unknown> = {}) => ({
  name: uniq("全场9折"),
  class: "order",
  rule: { kind: "percent_off", offBp: 1000 },
  ...extra,
})

async function save(token: string, body: Record<string, unknown>) {
  const res = await call("POST", "/promotions", { token, body })
  if (res.status !== 201) throw new Error(`promotion failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body as { id: string; name: string; updatedAt: string }
}

async function member(owner: string, store: string) {
  const [n] = crypto.getRandomValues(new Uint32Array(1))
  const res = await call("POST", "/members", {
    token: owner,
    body: {
      phone: `137${String(n! % 100_000_000).padStart(8, "0")}`,
      name: "会员",
      homeLocationId: store,
      consent: { version: "v1", accepted: true },
    },
  })
  return res.body.id as string
}

const ids = (items: { id: string }[]) => items.map((p) => p.id)

describe("saving promotions", () => {
  it("saves a promotion validated by core's schema, with the field path when it is wrong", async () => {
    const owner = await ownerToken()
    const saved = await call("POST", "/promotions", {
      token: owner,
      body: {
        name: "满100减10 / 满200减30",
        class: "order",
        rule: {
          kind: "spend_tiers",
          tiers: [
            { minFen: 10000, offFen: 1000 },
            { minFen: 20000, offFen: 3000 },
          ],
        },
        window: { startDate: "2026-12-01", endDate: "2026-12-31", weekdays: [6, 7] },
      },
    })
    expect(saved.status).toBe(201)
    expect(saved.body).toMatchObject({ status: "active", couponOnly: false, priority: 0, class: "order" })
    expect(saved.body.id).toMatch(/^prm_/)
    expect((await call("GET", `/promotions/${saved.body.id}`, { token: owner })).body.name).toBe(saved.body.name)

    const wrongClass = await call("POST", "/promotions", {
      token: owner,
      body: { name: "x", class: "item", rule: { kind: "spend_every", everyFen: 10000, offFen: 2000 } },
    })
    expect(wrongClass.status).toBe(400)
    expect(wrongClass.body.errors.map((e: { path: string }) => e.path)).toContain("class")
    const falling = await call("POST", "/promotions", {
      token: owner,
      body: {
        name: "x",
        class: "order",
        rule: {
          kind: "spend_tiers",
          tiers: [
            { minFen: 20000, offFen: 3000 },
            { minFen: 10000, offFen: 1000 },
          ],
        },
      },
    })
    expect(falling.status).toBe(400)
    expect(falling.body.errors.map((e: { path: string }) => e.path)).toContain("rule.tiers.1")
    const withId = await call("POST", "/promotions", { token: owner, body: { ...percentOff(), id: "mine" } })
    expect(withId.status).toBe(400)
    expect(withId.body.errors.map((e: { path: string }) => e.path)).toContain("id")

    const store = await createLocation(owner)
    const cashier = await staffToken(owner, "cashier", [store])
    expect((await call("POST", "/promotions", { token: cashier.token, body: percentOff() })).status).toBe(403)
  })

  it("refuses a second promotion of the same exclusive group and priority that could meet the first: 422 with the conflict", async () => {
    const owner = await ownerToken()
    const group = uniq("grp")
    const first = await save(owner, percentOff({ exclusiveGroup: group, priority: 5 }))
    const res = await call("POST", "/promotions", {
      token: owner,
      body: { ...percentOff({ exclusiveGroup: group, priority: 5 }), rule: { kind: "percent_off", offBp: 2000 } },
    })
    expect(res.status).toBe(422)
    expect(res.body.code).toBe("promotion_conflict")
    expect(res.body.conflicts).toEqual([
      expect.objectContaining({
        code: "ambiguous_priority",
        promotionIds: [first.id, expect.stringMatching(/^prm_/)],
        promotions: expect.arrayContaining([{ id: first.id, name: first.name }]),
      }),
    ])
    // Another priority, or windows that can't meet, are fine.
    expect(
      (await call("POST", "/promotions", { token: owner, body: percentOff({ exclusiveGroup: group, priority: 6 }) }))
        .status,
    ).toBe(201)
    const paused = await save(owner, percentOff({ exclusiveGroup: group, priority: 5, status: "paused" }))
    // Resuming it would make the same conflict.
    const resume = await call("PATCH", `/promotions/${paused.id}`, { token: owner, body: { status: "active" } })
    expect(resume.status).toBe(422)
    expect(resume.body.code).toBe("promotion_conflict")
    const moved = await call("PATCH", `/promotions/${paused.id}`, {
      token: owner,
      body: { status: "active", priority: 7 },
    })
    expect(moved.status).toBe(200)
    expect(moved.body).toMatchObject({ status: "active", priority: 7 })
  })

  it("two conflicting saves racing: exactly one lands", async () => {
    const owner = await ownerToken()
    const group = uniq("grp")
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        call("POST", "/promotions", { token: owner, body: percentOff({ exclusiveGroup: group, priority: 1 }) }),
      ),
    )
    const statuses = results.map((r) => r.status).sort()
    expect(statuses.filter((s) => s === 201)).toHaveLength(1)
    for (const r of results.filter((r) => r.status !== 201))
      expect(r.body.code).toMatch(/promotion_conflict|promotions_busy/)
    const list = await call("GET", "/promotions?status=active&limit=100", { token: owner })
    let page = list.body
    const all: { exclusiveGroup?: string }[] = [...page.items]
    while (page.nextCursor) {
      page = (await call("GET", `/promotions?status=active&limit=100&cursor=${page.nextCursor}`, { token: owner })).body
      all.push(...page.items)
    }
    expect(all.filter((p) => p.exclusiveGroup === group)).toHaveLength(1)
  })

  it("pauses, edits (null removes a field) and ends a promotion; an ended one stays ended", async () => {
    const owner = await ownerToken()
    const p = await save(owner, percentOff({ minSpendFen: 5000, limitPerMember: 2 }))
    const edited = await call("PATCH", `/promotions/${p.id}`, {
      token: owner,
      body: { status: "paused", minSpendFen: null, name: "新名字" },
    })
    expect(edited.status).toBe(200)
    expect(edited.body).toMatchObject({ status: "paused", name: "新名字", limitPerMember: 2 })
    expect(edited.body.minSpendFen).toBeUndefined()
    // core's cross-field rules hold for the merged promotion: an item promotion has no minimum spend.
    const bad = await call("PATCH", `/promotions/${p.id}`, { token: owner, body: { minSpendFen: 1, class: "item" } })
    expect(bad.status).toBe(400)
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toContain("minSpendFen")
    expect((await call("PATCH", `/promotions/${p.id}`, { token: owner, body: { status: "ended" } })).status).toBe(200)
    const again = await call("PATCH", `/promotions/${p.id}`, { token: owner, body: { status: "active" } })
    expect(again.status).toBe(409)
    expect(again.body.code).toBe("promotion_ended")
    expect((await call("PATCH", "/promotions/prm_nothing", { token: owner, body: { status: "paused" } })).status).toBe(
      404,
    )
  })
})

describe("what a till prices with", () => {
  it("active promotions are filtered by store, channel and time; coupon-only and paused ones stay out", async () => {
    const owner = await ownerToken()
    const [a, b] = [await createLocation(owner), await createLocation(owner)]
    const onlyA = await save(owner, percentOff({ storeIds: [a] }))
    const onlyB = await save(owner, percentOff({ storeIds: [b] }))
    const miniprogram = await save(owner, percentOff({ storeIds: [a], channels: ["miniprogram"] }))
    const ended = await save(owner, percentOff({ storeIds: [a], window: { endDate: "2020-01-31" } }))
    const later = await save(owner, percentOff({ storeIds: [a], window: { startDate: "2099-01-01" } }))
    const weekends = await save(owner, percentOff({ storeIds: [a], window: { weekdays: [6, 7] } }))
    const paused = await save(owner, percentOff({ storeIds: [a], status: "paused" }))
    const coupon = await save(owner, percentOff({ storeIds: [a], couponOnly: true }))

    const cashier = await staffToken(owner, "cashier", [a])
    const res = await call("GET", `/promotions/active?locationId=${a}&channel=pos&limit=100`, { token: cashier.token })
    expect(res.status).toBe(200)
    const seen = ids(res.body.items)
    // Starting later is cached ahead of time; the engine checks each window when it prices.
    expect(seen).toEqual(expect.arrayContaining([onlyA.id, later.id, weekends.id]))
    for (const id of [onlyB.id, miniprogram.id, ended.id, paused.id, coupon.id]) expect(seen).not.toContain(id)
    for (const p of res.body.items) expect(p.applies).toBe(true)
    const mini = await call("GET", `/promotions/active?locationId=${a}&channel=miniprogram&limit=100`, {
      token: cashier.token,
    })
    expect(ids(mini.body.items)).toContain(miniprogram.id)

    // On the server, at the moment of the sale: a Wednesday, then a Saturday (Asia/Shanghai).
    const wednesday = Date.parse("2026-11-25T04:00:00Z")
    const saturday = Date.parse("2026-11-28T04:00:00Z")
    const atWed = ids(await activePromotions(db(), { locationId: a, channel: "pos", at: wednesday }))
    const atSat = ids(await activePromotions(db(), { locationId: a, channel: "pos", at: saturday }))
    expect(atWed).toContain(onlyA.id)
    expect(atWed).not.toContain(weekends.id)
    expect(atWed).not.toContain(later.id)
    expect(atSat).toContain(weekends.id)
    for (const id of [onlyB.id, miniprogram.id, ended.id, paused.id, coupon.id]) expect(atSat).not.toContain(id)
    const promotion = (await activePromotions(db(), { locationId: a, channel: "pos", at: saturday })).find(
      (p) => p.id === onlyA.id,
    )
    expect(promotion).toEqual({
      id: onlyA.id,
      name: onlyA.name,
      class: "order",
      rule: { kind: "percent_off", offBp: 1000 },
      priority: 0,
      storeIds: [a],
    })

    // Another store's id is 404 for a cashier of store A.
    expect((await call("GET", `/promotions/active?locationId=${b}`, { token: cashier.token })).status).toBe(404)
  })

  it("syncs changes since an instant, telling the till which to drop", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const first = await save(owner, percentOff({ storeIds: [store] }))
    const since = first.updatedAt
    const second = await save(owner, percentOff({ storeIds: [store] }))
    await call("PATCH", `/promotions/${first.id}`, { token: owner, body: { status: "paused" } })

    const items: { id: string; applies: boolean; status: string }[] = []
    let cursor: string | null = null
    do {
      const q: string = `/promotions/active?locationId=${store}&updatedSince=${encodeURIComponent(since)}&limit=2${cursor ? `&cursor=${cursor}` : ""}`
      const page = await call("GET", q, { token: owner })
      expect(page.status).toBe(200)
      items.push(...page.body.items)
      cursor = page.body.nextCursor
    } while (cursor)
    expect(items.find((p) => p.id === first.id)).toMatchObject({ status: "paused", applies: false })
    expect(items.find((p) => p.id === second.id)).toMatchObject({ status: "active", applies: true })
    expect(new Set(ids(items)).size).toBe(items.length)
    const bad = await call("GET", `/promotions/active?locationId=${store}&updatedSince=yesterday`, { token: owner })
    expect(bad.status).toBe(400)
  })
})

describe("coupons", () => {
  it("a batch of single-use codes: resolved, redeemed once, and refused to a second sale", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const promotion = await save(owner, {
      name: uniq("满50减10券"),
      class: "order",
      rule: { kind: "fixed_off", offFen: 1000 },
      minSpendFen: 5000,
      couponOnly: true,
    })
    const batch = await call("POST", "/coupons/batches", {
      token: owner,
      body: { promotionId: promotion.id, count: 3 },
    })
    expect(batch.status).toBe(201)
    expect(batch.body.count).toBe(3)
    const codes: string[] = batch.body.codes.map((c: { code: string }) => c.code)
    expect(new Set(codes).size).toBe(3)
    for (const c of codes) expect(c).toMatch(/^[2-9A-HJ-NP-Z]{12}$/)
    const code = codes[0]!

    // Typed at the till in lower case with dashes.
    const typed = `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`.toLowerCase()
    const cashier = await staffToken(owner, "cashier", [store])
    const seen = await call("GET", `/coupons/${typed}`, { token: cashier.token })
    expect(seen.status).toBe(200)
    expect(seen.body).toMatchObject({ code, promotionId: promotion.id, status: "issued", redeemed: false })

    const [resolved] = await resolveCoupons(db(), [typed, "NOSUCHCODE"], null)
    expect(resolved).toMatchObject({ code, memberId: null, redeemed: false, promotion: { id: promotion.id } })
    expect(await resolveCoupons(db(), ["NOSUCHCODE"], null)).toEqual([])

    const saleId = uniq("sale")
    await redeemCoupons(db(), { codes: [code], saleId, memberId: null, at: Date.now() })
    await redeemCoupons(db(), { codes: [code], saleId, memberId: null, at: Date.now() })
    await expect(
      redeemCoupons(db(), { codes: [codes[1]!, code], saleId: uniq("sale"), memberId: null, at: Date.now() }),
    ).rejects.toMatchObject({ status: 409, code: "coupon_unavailable", extra: { codes: [code] } })
    // The sale stands: its free code is taken, the one another sale had is reported.
    expect((await call("GET", `/coupons/${codes[1]}`, { token: owner })).body.status).toBe("redeemed")
    expect((await resolveCoupons(db(), [code], null))[0]!.redeemed).toBe(true)
    expect((await call("GET", `/coupons/${code}`, { token: owner })).body).toMatchObject({ redeemed: true, saleId })
    await expect(
      redeemCoupons(db(), { codes: ["NOSUCHCODE"], saleId: uniq("sale"), memberId: null, at: Date.now() }),
    ).rejects.toMatchObject({ code: "unknown_coupon" })
    expect((await call("GET", "/coupons/NOSUCHCODE", { token: owner })).status).toBe(404)

    // Pausing the promotion takes its coupons out of what a sale can use.
    await call("PATCH", `/promotions/${promotion.id}`, { token: owner, body: { status: "paused" } })
    expect(await resolveCoupons(db(), [codes[2]!], null)).toEqual([])
  })

  it("ten sales racing for one code: exactly one has it", async () => {
    const owner = await ownerToken()
    const promotion = await save(owner, percentOff({ couponOnly: true }))
    const batch = await call("POST", "/coupons/batches", {
      token: owner,
      body: { promotionId: promotion.id, count: 1 },
    })
    const code = batch.body.codes[0].code as string
    const sales = Array.from({ length: 10 }, () => uniq("sale"))
    const results = await Promise.allSettled(
      sales.map((saleId) => redeemCoupons(db(), { codes: [code], saleId, memberId: null, at: Date.now() })),
    )
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1)
    const winner = sales[results.findIndex((r) => r.status === "fulfilled")]
    expect((await call("GET", `/coupons/${code}`, { token: owner })).body.saleId).toBe(winner)
  })

  it("codes assigned to members are theirs alone", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const [m1, m2] = [await member(owner, store), await member(owner, store)]
    const promotion = await save(owner, percentOff({ couponOnly: true }))
    const batch = await call("POST", "/coupons/batches", {
      token: owner,
      body: { promotionId: promotion.id, memberIds: [m1] },
    })
    expect(batch.status).toBe(201)
    expect(batch.body.codes).toEqual([{ code: expect.any(String), memberId: m1 }])
    const code = batch.body.codes[0].code as string
    expect((await resolveCoupons(db(), [code], m2))[0]).toMatchObject({ memberId: m1, redeemed: false })
    await expect(
      redeemCoupons(db(), { codes: [code], saleId: uniq("sale"), memberId: m2, at: Date.now() }),
    ).rejects.toMatchObject({ code: "coupon_unavailable" })
    await redeemCoupons(db(), { codes: [code], saleId: uniq("sale"), memberId: m1, at: Date.now() })

    const unknown = await call("POST", "/coupons/batches", {
      token: owner,
      body: { promotionId: promotion.id, memberIds: [m1, "mbr_nobody"] },
    })
    expect(unknown.status).toBe(422)
    expect(unknown.body.errors).toEqual([expect.objectContaining({ path: "memberIds.1" })])
    const notCoupon = await save(owner, percentOff({ storeIds: [store] }))
    const refused = await call("POST", "/coupons/batches", {
      token: owner,
      body: { promotionId: notCoupon.id, count: 1 },
    })
    expect(refused.status).toBe(422)
    expect(refused.body.code).toBe("not_a_coupon_promotion")
    const both = await call("POST", "/coupons/batches", {
      token: owner,
      body: { promotionId: promotion.id, count: 1, memberIds: [m1] },
    })
    expect(both.status).toBe(400)

    const exported = await call("GET", `/members/${m1}/export`, { token: owner })
    expect(exported.body.coupons).toEqual([expect.objectContaining({ code, redeemed: true })])
  })

  it("a large batch is generated in one go", async () => {
    const owner = await ownerToken()
    const promotion = await save(owner, percentOff({ couponOnly: true }))
    const batch = await call("POST", "/coupons/batches", {
      token: owner,
      body: { promotionId: promotion.id, count: 2500 },
    })
    expect(batch.status).toBe(201)
    const n = await env.DB.prepare("select count(*) as n from coupons where batch_id = ?").bind(batch.body.id).first()
    expect(n?.n).toBe(2500)
  })
})

describe("per-member usage", () => {
  it("counts each sale once per promotion", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const m = await member(owner, store)
    const [p1, p2] = [uniq("prm"), uniq("prm")]
    const saleId = uniq("sale")
    await recordPromotionUsage(db(), { memberId: m, saleId, promotionIds: [p1, p2] })
    await recordPromotionUsage(db(), { memberId: m, saleId, promotionIds: [p1, p2] })
    await recordPromotionUsage(db(), { memberId: m, saleId: uniq("sale"), promotionIds: [p1] })
    expect(await promotionUsage(db(), m, [p1, p2, "prm_never"])).toEqual({ [p1]: 2, [p2]: 1, prm_never: 0 })
  })
})
