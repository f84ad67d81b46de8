// Every request leaves one JSON line an operator can filter on: request id, route, outcome (with the
// problem's code when refused), actor, role and location. Nothing in any line is a secret or a
// customer's full phone number.
import { ulid } from "ulid"
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { maskPhones, scrub } from "../../worker/lib/log"
import { call } from "./helpers"
import { cash, shop } from "./sales-helpers"

type Line = Record<string, unknown>
let lines: Line[] = []
let text = ""

beforeEach(() => {
  lines = []
  text = ""
  const keep = (s: unknown) => {
    text += `${String(s)}\n`
    try {
      lines.push(JSON.parse(String(s)))
    } catch {}
  }
  vi.spyOn(console, "log").mockImplementation(keep)
  vi.spyOn(console, "warn").mockImplementation(keep)
  vi.spyOn(console, "error").mockImplementation(keep)
})
afterEach(() => vi.restoreAllMocks())

const writeTo = (route: string) => lines.find((l) => l.msg === "write" && l.route === route)

describe("the request log", () => {
  it("records a cashier's offline sync with request id, actor, role, route, location and outcome", async () => {
    const { store, skuIds, cashier } = await shop({ skus: 1, priceFen: 500, qty: 5 })
    const sale = {
      id: ulid(),
      locationId: store,
      occurredAt: new Date().toISOString(),
      lines: [{ skuId: skuIds[0], qty: 1, unitPriceFen: 500 }],
      payments: [cash(500)],
      totalFen: 500,
    }
    const res = await call("POST", "/sales/sync", { token: cashier.token, body: { sales: [sale] } })
    expect(res.status).toBe(200)
    expect(writeTo("/api/v1/sales/sync")).toMatchObject({
      level: "info",
      requestId: res.headers.get("x-request-id"),
      method: "POST",
      status: 200,
      outcome: "ok",
      actor: cashier.id,
      role: "cashier",
      locationId: store,
    })
  })

  it("records a refused write with the problem's code and the route's pattern, not its ids", async () => {
    const { owner, store } = await shop({ skus: 1, qty: 0 })
    const res = await call("POST", "/orders/ord_nope/pay", { token: owner, key: "k-log-1", body: { payments: [] } })
    expect(res.status).toBeGreaterThanOrEqual(400)
    const line = writeTo("/api/v1/orders/:id/pay")
    expect(line).toMatchObject({
      outcome: "refused",
      status: res.status,
      code: res.body.code,
      path: "/api/v1/orders/ord_nope/pay",
    })
    const stock = await call("GET", `/stock/levels?locationId=${store}`, { token: owner })
    expect(stock.status).toBe(200)
    expect(lines.find((l) => l.msg === "read" && l.route === "/api/v1/stock/levels")).toMatchObject({
      locationId: store,
    })
  })

  it("never writes a member's phone or a password, whatever a caller logs", async () => {
    const { owner, store } = await shop({ skus: 1, qty: 0 })
    const phone = `139${String(Date.now()).slice(-8)}`
    const res = await call("POST", "/members", {
      token: owner,
      body: { phone, name: "王小明", homeLocationId: store, consent: { version: "privacy-2026-01", accepted: true } },
    })
    expect(res.status).toBe(201)
    await call("POST", "/auth/login", { body: { username: "owner", password: "wrong-password-xyz" } })
    expect(text).not.toContain(phone)
    expect(text).not.toContain("wrong-password-xyz")
    expect(lines.length).toBeGreaterThan(0)
  })

  it("masks phones anywhere in a field and redacts secret-named fields", () => {
    expect(maskPhones("call 13812345678 or 8613912345678x")).toBe("call 138****5678 or 8613912345678x")
    expect(
      scrub({ note: "member 13812345678", password: "p", nested: [{ authCode: "134567890123456789", qty: 2 }] }),
    ).toEqual({ note: "member 138****5678", password: "[redacted]", nested: [{ authCode: "[redacted]", qty: 2 }] })
  })
})
