// Signing in, staying signed in, and being kept out.
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { hashPassword, iterationsFrom, MAX_PBKDF2_ITERATIONS, verifyPassword } from "../../worker/lib/password"
import { call, createLocation, OWNER, ownerToken, staffToken, uniq } from "./helpers"

describe("health and first run", () => {
  it("answers health without a token", async () => {
    const res = await call("GET", "/health")
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ ok: true })
  })

  it("creates the first owner once, and refuses a second setup", async () => {
    await ownerToken()
    const again = await call("POST", "/setup", { body: { username: "intruder", password: "intruder-pass" } })
    expect(again.status).toBe(409)
    expect(again.body.code).toBe("already_set_up")
    expect((await call("GET", "/setup")).body).toEqual({ needed: false })
  })
})

describe("login", () => {
  it("gives the owner a token and their scope", async () => {
    await ownerToken()
    const res = await call("POST", "/auth/login", { body: OWNER })
    expect(res.status).toBe(200)
    expect(res.body.token).toMatch(/^pzs_/)
    expect(res.body.user).toMatchObject({ role: "owner", allLocations: true })
    expect(Array.isArray(res.body.user.locationIds)).toBe(true)
  })

  it("refuses a wrong password and an unknown user with the same answer", async () => {
    await ownerToken()
    const wrong = await call("POST", "/auth/login", { body: { username: "owner", password: "nope-nope" } })
    const unknown = await call("POST", "/auth/login", { body: { username: uniq("ghost"), password: "nope-nope" } })
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401)
      expect(res.headers.get("content-type")).toContain("application/problem+json")
      expect(res.body.code).toBe("invalid_credentials")
    }
  })

  it("locks a username out after repeated failures, with Retry-After, then lets the right password in later", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const clerk = await staffToken(owner, "clerk", [store])
    const statuses: number[] = []
    for (let i = 0; i < 7; i++) {
      const res = await call("POST", "/auth/login", { body: { username: clerk.username, password: "wrong-password" } })
      statuses.push(res.status)
      if (res.status === 429) {
        expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0)
        expect(res.body.code).toBe("too_many_attempts")
      }
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
    expect(statuses.slice(5)).toEqual([429, 429])
    // Even the right password waits out the lock: the lock is on the name, not the guess.
    const right = await call("POST", "/auth/login", { body: { username: clerk.username, password: clerk.password } })
    expect(right.status).toBe(429)
    // The lock is temporary: once it has passed, the right password works and clears the count.
    await env.DB.prepare("update login_throttles set locked_until = 0 where key = ?")
      .bind(`u:${clerk.username.toLowerCase()}`)
      .run()
    const later = await call("POST", "/auth/login", { body: { username: clerk.username, password: clerk.password } })
    expect(later.status).toBe(200)
  })

  it("rejects bodies that aren't a login", async () => {
    const cases = [
      { rawBody: "{not json", headers: { "content-type": "application/json" } },
      { body: { username: "owner" } },
      { body: { username: "owner", password: "x", admin: true } },
      { body: { username: 42, password: [] } },
      { rawBody: "username=owner", headers: { "content-type": "application/x-www-form-urlencoded" } },
    ]
    for (const c of cases) {
      const res = await call("POST", "/auth/login", c)
      expect(res.status).toBeGreaterThanOrEqual(400)
      expect(res.status).toBeLessThan(500)
      expect(res.headers.get("content-type")).toContain("application/problem+json")
      expect(typeof res.body.code).toBe("string")
    }
    const unknownField = await call("POST", "/auth/login", { body: { username: "owner", password: "x", admin: true } })
    expect(unknownField.body.errors).toContainEqual(expect.objectContaining({ path: "admin" }))
  })
})

describe("tokens", () => {
  it("needs a token for everything but the public calls", async () => {
    for (const path of ["/locations", "/me", "/users"]) {
      const res = await call("GET", path)
      expect(res.status).toBe(401)
      expect(res.body.code).toBe("unauthenticated")
    }
    expect((await call("GET", "/me", { token: "pzs_forged" })).status).toBe(401)
  })

  it("ends a session on logout", async () => {
    const token = await ownerToken()
    expect((await call("GET", "/me", { token })).status).toBe(200)
    expect((await call("POST", "/auth/logout", { token })).status).toBe(200)
    const after = await call("GET", "/me", { token })
    expect(after.status).toBe(401)
    expect(after.body.code).toBe("invalid_token")
  })

  it("ends every other session when a user changes their password", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const cashier = await staffToken(owner, "cashier", [store])
    const other = (
      await call("POST", "/auth/login", { body: { username: cashier.username, password: cashier.password } })
    ).body.token
    const changed = await call("POST", "/me/password", {
      token: cashier.token,
      body: { currentPassword: cashier.password, newPassword: "a-new-password" },
    })
    expect(changed.status).toBe(200)
    expect((await call("GET", "/me", { token: cashier.token })).status).toBe(200)
    expect((await call("GET", "/me", { token: other })).status).toBe(401)
    const old = await call("POST", "/auth/login", { body: { username: cashier.username, password: cashier.password } })
    expect(old.status).toBe(401)
  })

  it("tells a signed-in cashier who they are and what they may do", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const cashier = await staffToken(owner, "cashier", [store])
    const me = await call("GET", "/me", { token: cashier.token })
    expect(me.body).toMatchObject({ role: "cashier", locationIds: [store], allLocations: false })
    expect(me.body.permissions).toContain("sales:write")
    expect(me.body.permissions).not.toContain("catalog:write")
  })
})

describe("password hashing", () => {
  it("never uses more PBKDF2 iterations than production Workers allow, and records the count", async () => {
    expect(iterationsFrom("1000000")).toBe(MAX_PBKDF2_ITERATIONS)
    expect(iterationsFrom(undefined)).toBe(MAX_PBKDF2_ITERATIONS)
    const hash = await hashPassword("secret-123", iterationsFrom("1000"))
    expect(hash.split("$")[1]).toBe("1000")
    expect(await verifyPassword("secret-123", hash)).toBe(true)
    expect(await verifyPassword("secret-124", hash)).toBe(false)
    await expect(hashPassword("x", MAX_PBKDF2_ITERATIONS + 1)).rejects.toThrow()
  })
})
