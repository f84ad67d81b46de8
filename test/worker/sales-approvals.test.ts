// A manager's approval typed at a till (username + password) is held back like a sign-in: a
// cashier can't guess a manager's password by ringing up overrides, nor spray many usernames;
// every refusal is logged with who asked, for whom and where.
import { afterEach, describe, expect, it, vi } from "vitest"
import { call, staffToken, uniq } from "./helpers"
import { cash, onHand, sell, shop } from "./sales-helpers"

afterEach(() => vi.restoreAllMocks())

const overrideSale = (store: string, skuId: string, approval: { username: string; password: string }) => ({
  locationId: store,
  lines: [{ skuId, qty: 1 }],
  priceOverrides: [{ skuId, unitPriceFen: 500 }],
  payments: [cash(500)],
  approval,
})

const refusals = (warn: { mock: { calls: unknown[][] } }) =>
  warn.mock.calls
    .map((c) => JSON.parse(String(c[0])) as Record<string, unknown>)
    .filter((l) => l.msg === "approval refused")

describe("manager approvals at the till", () => {
  it("after five wrong passwords the approver is held back (429 with Retry-After), even with the right one", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 5 })
    const manager = await staffToken(owner, "store_manager", [store])
    const warn = vi.spyOn(console, "warn")
    for (let i = 0; i < 5; i++) {
      const wrong = await sell(
        cashier.token,
        overrideSale(store, skuIds[0]!, { username: manager.username, password: `guess-wrong-${i}` }),
      )
      expect(wrong.status).toBe(403)
      expect(wrong.body.code).toBe("approval_refused")
    }
    const right = await sell(
      cashier.token,
      overrideSale(store, skuIds[0]!, { username: manager.username, password: manager.password }),
    )
    expect(right.status).toBe(429)
    expect(right.body.code).toBe("too_many_attempts")
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0)
    expect(await onHand(store, skuIds[0]!)).toBe(5)
    // The same password signs the manager in: that door is held back too, so the two can't be added up.
    const login = await call("POST", "/auth/login", {
      body: { username: manager.username, password: manager.password },
    })
    expect(login.status).toBe(429)

    const logged = refusals(warn)
    expect(logged).toHaveLength(6)
    expect(logged[0]).toMatchObject({
      requestedBy: cashier.id,
      approver: manager.username,
      locationId: store,
      reason: "wrong_credentials",
    })
    expect(logged[5]).toMatchObject({ reason: "throttled" })
  })

  it("a cashier who sprays many usernames is held back per cashier", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 5 })
    let last = await sell(
      cashier.token,
      overrideSale(store, skuIds[0]!, { username: uniq("nobody"), password: "wrong-password" }),
    )
    for (let i = 0; i < 60 && last.status === 403; i++)
      last = await sell(
        cashier.token,
        overrideSale(store, skuIds[0]!, { username: uniq("nobody"), password: "wrong-password" }),
      )
    expect(last.status).toBe(429)
    expect(last.headers.get("retry-after")).toBeTruthy()
    expect(await onHand(store, skuIds[0]!)).toBe(5)
  })

  it("a right password after a wrong one is approved and clears the count", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 5 })
    const manager = await staffToken(owner, "store_manager", [store])
    expect(
      (
        await sell(
          cashier.token,
          overrideSale(store, skuIds[0]!, { username: manager.username, password: "nope-wrong-1" }),
        )
      ).status,
    ).toBe(403)
    const ok = await sell(
      cashier.token,
      overrideSale(store, skuIds[0]!, { username: manager.username, password: manager.password }),
    )
    expect(ok.status, JSON.stringify(ok.body)).toBe(201)
    for (let i = 0; i < 4; i++)
      expect(
        (
          await sell(
            cashier.token,
            overrideSale(store, skuIds[0]!, { username: manager.username, password: `nope-wrong-${i}` }),
          )
        ).status,
      ).toBe(403)
  })
})
