// What the fuzz and the permission matrix found, each kept as the failing case that found it.
import { describe, expect, it } from "vitest"
import { call, createLocation, ownerToken, staffToken, uniq } from "./helpers"
import { newSkus, stock } from "./sales-helpers"

describe("found by the permission matrix", () => {
  it("an empty PATCH of a location changes nothing and answers the location (was a 500)", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner, "store", "南京路店")
    const res = await call("PATCH", `/locations/${store}`, { token: owner, body: {} })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: store, name: "南京路店" })
  })

  it("a refused transfer's problem keeps its HTTP status; the transfer's own status is `state`", async () => {
    const owner = await ownerToken()
    const [from, to] = [await createLocation(owner, "warehouse"), await createLocation(owner)]
    const [sku] = await newSkus(owner, 1)
    await stock(from, sku!, 5)
    const made = await call("POST", "/transfers", {
      token: owner,
      key: uniq("t"),
      body: { fromLocationId: from, toLocationId: to, lines: [{ skuId: sku, qty: 1 }] },
    })
    const shipped = await call("POST", `/transfers/${made.body.id}/ship`, { token: owner, key: uniq("s") })
    expect(shipped.status).toBe(200)
    const late = await call("POST", `/transfers/${made.body.id}/cancel`, { token: owner })
    expect(late.status).toBe(409)
    expect(late.body).toMatchObject({ status: 409, code: "invalid_transfer_state", state: "in_transit" })
  })

  it("an API key is refused (403) on every call about a signed-in user", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const issued = await call("POST", "/api-keys", {
      token: owner,
      body: { name: "小程序", permissions: ["sales:write", "catalog:read"], locationIds: [store] },
    })
    const key = issued.body.key as string
    const calls: [string, string, unknown?][] = [
      ["POST", "/auth/logout"],
      ["GET", "/me"],
      ["GET", "/me/sessions"],
      ["POST", "/me/sessions/ses_x/revoke"],
      ["POST", "/me/password", { currentPassword: "x", newPassword: "password-456" }],
      ["PUT", "/me/pin", { pin: "482916" }],
      ["GET", "/me/pin"],
    ]
    for (const [method, path, body] of calls) {
      const res = await call(method, path, { token: key, body })
      expect(res.status, `${method} ${path}`).toBe(403)
      expect(res.body.code, `${method} ${path}`).toBe("forbidden")
    }
    expect((await call("GET", "/skus", { token: key })).status).toBe(200) // the key itself still works
  })

  it("a store manager asking for another store's devices gets 404, not an empty list", async () => {
    const owner = await ownerToken()
    const [mine, theirs] = [await createLocation(owner), await createLocation(owner)]
    const manager = await staffToken(owner, "store_manager", [mine])
    expect((await call("GET", `/devices?locationId=${theirs}`, { token: manager.token })).status).toBe(404)
    expect((await call("GET", `/devices?locationId=${mine}`, { token: manager.token })).status).toBe(200)
  })

  it("stock receipts and adjustments declare the Idempotency-Key they require", async () => {
    const doc = (await call("GET", "/openapi.json")).body
    for (const path of ["/api/v1/stock/receipts", "/api/v1/stock/adjustments"]) {
      const params = doc.paths[path].post.parameters as { in: string; name: string }[]
      expect(params, path).toContainEqual(expect.objectContaining({ in: "header", name: "idempotency-key" }))
    }
  })
})
