// What one till sale and one offline sale cost in round trips: D1 statements (a batch counts once) and
// StockCell calls. D1 runs one query at a time for the whole chain, so these counts — not milliseconds,
// which a loaded test machine can't assert — are what keeps checkout and sync fast (issue 6).
import { env } from "cloudflare:workers"
import { ulid } from "ulid"
import { describe, expect, it } from "vitest"
import { call, uniq } from "./helpers"
import { cash, member, promotion, shop, wechatCode } from "./sales-helpers"

type Counts = { d1: number; cells: number; log: string[] }

/** The test env with D1 and the StockCell namespace wrapped so every round trip is counted. */
function counted(): { env: Env; counts: Counts } {
  const counts: Counts = { d1: 0, cells: 0, log: [] }
  const stmt = (s: D1PreparedStatement, sql: string): D1PreparedStatement =>
    new Proxy(s, {
      get(target, prop) {
        const v = Reflect.get(target, prop)
        if (prop === "bind") return (...args: unknown[]) => stmt(v.apply(target, args), sql)
        if (["all", "run", "raw", "first"].includes(String(prop)))
          return (...args: unknown[]) => {
            counts.d1++
            counts.log.push(sql.slice(0, 90))
            return v.apply(target, args)
          }
        return typeof v === "function" ? v.bind(target) : v
      },
    })
  const db = new Proxy(env.DB, {
    get(target, prop) {
      const v = Reflect.get(target, prop)
      if (prop === "prepare") return (sql: string) => stmt(v.call(target, sql), sql)
      if (prop === "batch")
        return (list: D1PreparedStatement[]) => {
          counts.d1++
          counts.log.push(`batch of ${list.length}`)
          return v.call(target, list)
        }
      return typeof v === "function" ? v.bind(target) : v
    },
  })
  const cells = new Proxy(env.STOCK_CELL, {
    get(target, prop) {
      const v = Reflect.get(target, prop)
      if (prop === "get")
        return (...args: unknown[]) => {
          const stub = v.apply(target, args)
          return new Proxy(stub, {
            get(s, p) {
              const m = Reflect.get(s, p)
              if (typeof m !== "function") return m
              return (...a: unknown[]) => {
                counts.cells++
                counts.log.push(`cell.${String(p)}`)
                return Reflect.apply(m, s, a)
              }
            },
          })
        }
      return typeof v === "function" ? v.bind(target) : v
    },
  })
  return { env: { ...env, DB: db, STOCK_CELL: cells } as Env, counts }
}

describe("round trips per sale", () => {
  it("a 5-line member sale with a promotion, on a registered till with an open shift: 4 D1 round trips, 1 call per cell (2 when paid by customer code)", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 5, priceFen: 1000, qty: 50 })
    await promotion(owner, store, {
      name: "满50减5",
      class: "order",
      rule: { kind: "spend_tiers", tiers: [{ minFen: 5000, offFen: 500 }] },
    })
    const m = await member(cashier.token, store)
    const device = await call("POST", "/devices", { token: owner, body: { locationId: store, name: "收银台" } })
    const login = await call("POST", "/auth/login", {
      body: { username: cashier.username, password: cashier.password, deviceId: device.body.id },
    })
    const token = login.body.token as string
    const shift = await call("POST", "/shifts", {
      token,
      body: { locationId: store, deviceId: device.body.id, floatFen: 0 },
    })
    const body = {
      locationId: store,
      deviceId: device.body.id,
      memberId: m,
      shiftId: shift.body.id,
      lines: skuIds.map((skuId) => ({ skuId, qty: 1 })),
      payments: [cash(5000)],
    }
    const warm = await call("POST", "/sales", { token, key: uniq("sale"), body })
    expect(warm.status).toBe(201)
    const { env: e, counts } = counted()
    const res = await call("POST", "/sales", { token, key: uniq("sale"), body, env: e })
    expect(res.status).toBe(201)
    expect(res.body.appliedPromotions).toHaveLength(1)
    expect(res.body.pointsEarned).toBeGreaterThan(0)
    // One batch of reads (+ the SKUs beside it), the intent, one batch that writes and posts the sale.
    expect(counts.d1, counts.log.join("\n")).toBe(4)
    // Paid in cash, nothing can keep the customer waiting: each line is sold in one call.
    expect(counts.cells).toBe(5)
    const again = await call("POST", "/sales", { token, key: uniq("sale"), body: { ...body, memberId: null }, env: e })
    expect(again.status).toBe(201)
    expect(counts.d1).toBe(8)
    // Paid by the customer's WeChat code: held while the payment settles, then committed.
    const code = await call("POST", "/sales", {
      token,
      key: uniq("sale"),
      body: { ...body, memberId: null, payments: [{ method: "wechat", amountFen: 4500, authCode: wechatCode() }] },
      env: e,
    })
    expect(code.status, JSON.stringify(code.body)).toBe(201)
    expect(counts.cells).toBe(5 + 5 + 10)
  })

  it("offline sales of 3 lines to a member, synced: 4 D1 round trips each, one call per cell and line; a replay 1", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 3, priceFen: 1000, qty: 50 })
    const m = await member(cashier.token, store)
    const sale = () => ({
      id: ulid(),
      locationId: store,
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      memberId: m,
      lines: skuIds.map((skuId) => ({ skuId, qty: 1, unitPriceFen: 1000 })),
      payments: [cash(3000)],
      totalFen: 3000,
    })
    await call("POST", "/sales/sync", { token: cashier.token, body: { sales: [sale()] } })
    const { env: e, counts } = counted()
    const batch = { sales: [sale(), sale()] }
    const res = await call("POST", "/sales/sync", { token: cashier.token, body: batch, env: e })
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(["applied", "applied"])
    // Per call: which ids are synced already. Per sale: a batch of reads, the SKUs, their prices then,
    // and one batch that writes and posts it.
    expect(counts.d1, counts.log.join("\n")).toBe(1 + 2 * 4)
    expect(counts.cells).toBe(6)
    const replay = counted()
    const again = await call("POST", "/sales/sync", { token: cashier.token, body: batch, env: replay.env })
    expect(again.body.results.map((r: { status: string }) => r.status)).toEqual(["duplicate", "duplicate"])
    expect(replay.counts.d1).toBe(1)
    expect(replay.counts.cells).toBe(0)
  })
})
