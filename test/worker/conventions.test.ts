// What every client can rely on from any endpoint: the OpenAPI document, problem+json, headers.
import { describe, expect, it } from "vitest"
import { call, ownerToken } from "./helpers"

describe("API conventions", () => {
  it("publishes an OpenAPI 3.1 document that describes the contract's calls", async () => {
    const res = await call("GET", "/openapi.json")
    expect(res.status).toBe(200)
    expect(res.body.openapi).toBe("3.1.0")
    const paths = Object.keys(res.body.paths)
    for (const p of ["/api/v1/health", "/api/v1/auth/login", "/api/v1/users", "/api/v1/locations"])
      expect(paths).toContain(p)
    expect(res.body.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" })
  })

  it("serves the API reference page with scripts from our own origin only", async () => {
    const res = await call("GET", "/../docs")
    expect(res.status).toBe(200)
    const html = String(res.body)
    const srcs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
    expect(srcs.length).toBeGreaterThan(0)
    for (const src of srcs) expect(src.startsWith("/")).toBe(true)
    const init = await call("GET", "/../docs/init.js")
    expect(String(init.body)).toContain("/api/v1/openapi.json")
  })

  it("answers an unknown endpoint with a problem, not HTML", async () => {
    const token = await ownerToken()
    const res = await call("GET", "/no-such-thing", { token })
    expect(res.status).toBe(404)
    expect(res.headers.get("content-type")).toContain("application/problem+json")
  })

  it("refuses a body over 1 MB with 413 before touching it", async () => {
    const token = await ownerToken()
    const res = await call("POST", "/locations", {
      token,
      rawBody: JSON.stringify({ name: "x".repeat(1_100_000), kind: "store" }),
      headers: { "content-type": "application/json" },
    })
    expect(res.status).toBe(413)
    expect(res.body.code).toBe("payload_too_large")
  })

  it("tags every answer with a request id and secure headers, and allows cross-origin clients", async () => {
    const res = await call("GET", "/health", { headers: { origin: "https://servicewechat.com" } })
    expect(res.headers.get("x-request-id")).toBeTruthy()
    expect(res.headers.get("x-content-type-options")).toBe("nosniff")
    expect(res.headers.get("access-control-allow-origin")).toBe("*")
    const preflight = await call("OPTIONS", "/sales", {
      headers: { origin: "https://example.com", "access-control-request-method": "POST" },
    })
    expect(preflight.status).toBeLessThan(300)
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("idempotency-key")
  })

  it("checks who before what: 401, then 403, then the body", async () => {
    const noToken = await call("POST", "/users", { body: { nonsense: true } })
    expect(noToken.status).toBe(401)
    const owner = await ownerToken()
    const badBody = await call("POST", "/users", { token: owner, body: { nonsense: true } })
    expect(badBody.status).toBe(400)
    expect(badBody.body.code).toBe("validation_failed")
  })
})

describe("chain settings", () => {
  it("tell every till the rounding, time zone and points rules the server prices with", async () => {
    const token = await ownerToken()
    const res = await call("GET", "/settings", { token })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      timeZone: "Asia/Shanghai",
      rounding: "none",
      currency: "CNY",
      points: {
        earnFenPerPoint: 100,
        birthdayMultiplier: 1,
        excludedMethods: ["stored_value", "points"],
        redeemPointsPerYuan: 100,
        maxRedeemBp: 10000,
      },
    })
  })
})
