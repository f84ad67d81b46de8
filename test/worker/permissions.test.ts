// The role × endpoint matrix, read from the OpenAPI document itself, so a new route can't
// forget its guard: each role gets 403 exactly where core/roles.ts says it may not act.
import { describe, expect, it } from "vitest"
import { can, type Permission, ROLES } from "../../core/roles"
import { call, createLocation, ownerToken, staffToken } from "./helpers"

type Doc = { paths: Record<string, Record<string, { "x-permission"?: Permission; security?: unknown[] }>> }

// Calls any signed-in user may make about themselves; everything else must declare a permission.
const SELF_SERVICE = new Set([
  "post /api/v1/auth/logout",
  "get /api/v1/me",
  "post /api/v1/me/password",
  "get /api/v1/me/sessions",
  "post /api/v1/me/sessions/{id}/revoke",
])
const PUBLIC = new Set(["get /api/v1/health", "post /api/v1/auth/login", "get /api/v1/setup", "post /api/v1/setup"])

describe("role × endpoint matrix", () => {
  it("every signed-in endpoint declares the permission it needs", async () => {
    const doc = (await call<Doc>("GET", "/openapi.json")).body
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        const id = `${method} ${path}`
        if (PUBLIC.has(id) || SELF_SERVICE.has(id)) continue
        expect(op["x-permission"], `${id} has no x-permission`).toBeTruthy()
      }
  })

  it("each role is refused (403) exactly the calls its role may not make", { timeout: 120_000 }, async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const tokens = Object.fromEntries(
      await Promise.all(
        ROLES.map(async (role) => [role, role === "owner" ? owner : (await staffToken(owner, role, [store])).token]),
      ),
    )
    const doc = (await call<Doc>("GET", "/openapi.json")).body
    let checked = 0
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        const permission = op["x-permission"]
        if (!permission) continue
        const url = path.replace(/^\/api\/v1/, "").replace(/\{[^}]+\}/g, "zz_missing")
        for (const role of ROLES) {
          // An empty body: allowed roles then fail later (400/404/422), refused ones at 403.
          const res = await call(method.toUpperCase(), url, {
            token: tokens[role],
            body: method === "get" ? undefined : {},
            key: `matrix-${checked}`,
          })
          const where = `${role} → ${method.toUpperCase()} ${path} (${permission})`
          if (can(role, permission)) expect(res.status, where).not.toBe(403)
          else {
            expect(res.status, where).toBe(403)
            expect(res.body.code, where).toBe("forbidden")
          }
          expect(res.status, where).not.toBe(401)
          expect(res.status, where).toBeLessThan(500)
          checked++
        }
      }
    expect(checked).toBeGreaterThan(60)
  })
})
