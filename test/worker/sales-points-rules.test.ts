// Points rules are the chain's (wrangler.toml vars POINTS_*), published by GET /settings so the till applies
// them offline: a chain that earns 1 point per ¥0.50, doubles them in the birthday month and redeems 10 points
// per ¥1 gets exactly that from POST /sales and POST /sales/sync, and core, given the published rules,
// computes the same figures the server booked.
import { env } from "cloudflare:workers"
import { ulid } from "ulid"
import { describe, expect, it } from "vitest"
import { DEFAULT_POINTS_RULES, earnPoints, type PointsRules, pointsForFen } from "../../core/points"
import { localTime } from "../../core/promotions/calendar"
import { call, withVars } from "./helpers"
import { cash, type Sale, shop } from "./sales-helpers"

const CHAIN = withVars(env, {
  POINTS_EARN_FEN_PER_POINT: "50",
  POINTS_BIRTHDAY_MULTIPLIER: "2",
  POINTS_REDEEM_PER_YUAN: "10",
})

const settingsOf = async (token: string, chainEnv?: Env) =>
  (await call<{ points: PointsRules }>("GET", "/settings", { token, ...(chainEnv ? { env: chainEnv } : {}) })).body
    .points

/** A member registered at `store`, born this month when `birthday` (in the chain's time zone). */
async function member(token: string, store: string, birthday = false) {
  const month = localTime(Date.now(), env.CHAIN_TIME_ZONE).month
  const res = await call<{ id: string }>("POST", "/members", {
    token,
    body: {
      phone: `139${String(Date.now() % 100_000_000).padStart(8, "0")}`,
      name: "张会员",
      homeLocationId: store,
      consent: { version: "privacy-2026-01", accepted: true },
      ...(birthday ? { birthday: `1990-${String(month).padStart(2, "0")}-15` } : {}),
    },
  })
  if (res.status !== 201) throw new Error(`member failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.id
}

const points = async (token: string, id: string) =>
  (await call<{ pointsBalance: number }>("GET", `/members/${id}`, { token })).body.pointsBalance

describe("the chain's points rules", () => {
  it("GET /settings publishes the defaults (1 point per ¥1, 100 points per ¥1) unless the chain sets them", async () => {
    const { cashier } = await shop({ skus: 1, qty: 0 })
    expect(await settingsOf(cashier.token)).toEqual({ ...DEFAULT_POINTS_RULES })
    expect(await settingsOf(cashier.token, CHAIN)).toEqual({
      earnFenPerPoint: 50,
      birthdayMultiplier: 2,
      excludedMethods: ["stored_value", "points"],
      redeemPointsPerYuan: 10,
      maxRedeemBp: 10000,
    })
  })

  it("a ¥30 cash sale earns 60 points at 1 per ¥0.50 (30 under the default), as core computes with the published rules", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const rules = await settingsOf(cashier.token, CHAIN)
    const m = await member(cashier.token, store)
    const body = { locationId: store, memberId: m, lines: [{ skuId: skuIds[0], qty: 3 }], payments: [cash(3000)] }

    const sale = await call<Sale>("POST", "/sales", { token: cashier.token, key: ulid(), body, env: CHAIN })
    expect(sale.status, JSON.stringify(sale.body)).toBe(201)
    const core = earnPoints({
      totalFen: 3000,
      lines: sale.body.lines.map((l) => ({ lineId: l.lineId, totalFen: l.totalFen })),
      tenders: body.payments as { method: "cash"; amountFen: number }[],
      member: {},
      at: Date.now(),
      timeZone: env.CHAIN_TIME_ZONE,
      rules,
    })
    expect(sale.body.pointsEarned).toBe(60)
    expect(core.points).toBe(60)
    expect(await points(cashier.token, m)).toBe(60)

    const plain = await call<Sale>("POST", "/sales", { token: cashier.token, key: ulid(), body })
    expect(plain.body.pointsEarned).toBe(30)
  })

  it("a return takes back what the lines earned under the rules of the day, even after the chain changed them", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const m = await member(cashier.token, store)
    const sale = await call<Sale>("POST", "/sales", {
      token: cashier.token,
      key: ulid(),
      env: CHAIN,
      body: { locationId: store, memberId: m, lines: [{ skuId: skuIds[0], qty: 3 }], payments: [cash(3000)] },
    })
    expect(sale.body.pointsEarned).toBe(60)
    // Returned under the default rules (1 point per ¥1): still the 20 points that line's piece earned.
    const back = await call<{ pointsReversed: number }>("POST", "/returns", {
      token: cashier.token,
      key: ulid(),
      body: { saleId: sale.body.id, lines: [{ lineId: sale.body.lines[0]!.lineId, qty: 1 }] },
    })
    expect(back.status, JSON.stringify(back.body)).toBe(201)
    expect(back.body.pointsReversed).toBe(20)
    expect(await points(cashier.token, m)).toBe(40)
  })

  it("in the member's birthday month the chain's multiplier doubles what a sale earns", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const m = await member(cashier.token, store, true)
    const sale = await call<Sale>("POST", "/sales", {
      token: cashier.token,
      key: ulid(),
      env: CHAIN,
      body: { locationId: store, memberId: m, lines: [{ skuId: skuIds[0], qty: 1 }], payments: [cash(1000)] },
    })
    expect(sale.body.pointsEarned).toBe(40)
  })

  it("a points tender is worth the chain's rate online and offline: ¥3.00 costs 30 points, not 300", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const rules = await settingsOf(cashier.token, CHAIN)
    const m = await member(cashier.token, store)
    const grant = await call("POST", `/members/${m}/points/adjustments`, {
      token: owner,
      body: { delta: 100, reason: "开业赠送" },
    })
    expect(grant.status).toBe(201)

    const online = await call<Sale & { payments: { points: number | null }[] }>("POST", "/sales", {
      token: cashier.token,
      key: ulid(),
      env: CHAIN,
      body: {
        locationId: store,
        memberId: m,
        lines: [{ skuId: skuIds[0], qty: 1 }],
        payments: [{ method: "points", amountFen: 300 }, cash(700)],
      },
    })
    expect(online.status, JSON.stringify(online.body)).toBe(201)
    expect(pointsForFen(300, rules)).toBe(30)
    // 30 spent; the ¥7 in cash earns 14 at 1 per ¥0.50.
    expect(await points(cashier.token, m)).toBe(100 - 30 + 14)

    const offline = {
      id: ulid(),
      locationId: store,
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      memberId: m,
      lines: [{ skuId: skuIds[0], qty: 1, unitPriceFen: 1000 }],
      payments: [{ method: "points", amountFen: 500 }, cash(500)],
      totalFen: 1000,
    }
    const synced = await call("POST", "/sales/sync", { token: cashier.token, env: CHAIN, body: { sales: [offline] } })
    expect(synced.body.results).toEqual([{ id: offline.id, status: "applied" }])
    expect(pointsForFen(500, rules)).toBe(50)
    expect(await points(cashier.token, m)).toBe(84 - 50 + 10)
    const stored = await call("GET", `/sales/${offline.id}`, { token: cashier.token })
    expect(stored.body.payments.map((p: { method: string; points: number | null }) => [p.method, p.points])).toEqual([
      ["points", 50],
      ["cash", null],
    ])
  })

  it("the same points tender is refused online when the chain's rate makes the balance short", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const m = await member(cashier.token, store)
    await call("POST", `/members/${m}/points/adjustments`, { token: owner, body: { delta: 20, reason: "补偿" } })
    const body = {
      locationId: store,
      memberId: m,
      lines: [{ skuId: skuIds[0], qty: 1 }],
      payments: [{ method: "points", amountFen: 10 }, cash(990)],
    }
    // At 10 points per ¥1, 10 fen cost 1 point; at 1,000 per ¥1 they cost 100, more than the member has.
    const chainSale = await call("POST", "/sales", { token: cashier.token, key: ulid(), env: CHAIN, body })
    expect(chainSale.status).toBe(201)
    const dear = withVars(env, { POINTS_REDEEM_PER_YUAN: "1000" })
    const refused = await call("POST", "/sales", { token: cashier.token, key: ulid(), env: dear, body })
    expect(refused.status).toBe(422)
    expect(refused.body.code).toBe("insufficient_points")
  })
})
