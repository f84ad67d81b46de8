// Owners and managers run the staff; store staff see only their own stores.
import { describe, expect, it } from "vitest"
import { call, createLocation, ownerToken, staffToken, uniq } from "./helpers"

describe("staff accounts", () => {
  it("an owner creates a cashier for one store; the contract's fields come back", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const username = uniq("cashier")
    const res = await call("POST", "/users", {
      token: owner,
      body: { username, password: "cashier-pass-1", role: "cashier", locationIds: [store] },
    })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ username, role: "cashier", locationIds: [store] })
    expect(res.body.id).toMatch(/^usr_/)
    expect(res.body).not.toHaveProperty("passwordHash")
  })

  it("refuses a taken username with 409 duplicate_username", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const body = { username: uniq("dup"), password: "cashier-pass-1", role: "cashier", locationIds: [store] }
    expect((await call("POST", "/users", { token: owner, body })).status).toBe(201)
    const again = await call("POST", "/users", { token: owner, body })
    expect(again.status).toBe(409)
    expect(again.body.code).toBe("duplicate_username")
  })

  it("a manager can create staff but not an owner; a store manager can create nobody", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const manager = await staffToken(owner, "manager", [])
    const asOwner = await call("POST", "/users", {
      token: manager.token,
      body: { username: uniq("boss"), password: "owner-pass-12", role: "owner" },
    })
    expect(asOwner.status).toBe(403)
    const clerk = await call("POST", "/users", {
      token: manager.token,
      body: { username: uniq("clerk"), password: "clerk-pass-12", role: "clerk", locationIds: [store] },
    })
    expect(clerk.status).toBe(201)
    const storeManager = await staffToken(owner, "store_manager", [store])
    const denied = await call("POST", "/users", {
      token: storeManager.token,
      body: { username: uniq("x"), password: "cashier-pass-1", role: "cashier", locationIds: [store] },
    })
    expect(denied.status).toBe(403)
    expect(denied.body.code).toBe("forbidden")
  })

  it("store staff need a location that exists", async () => {
    const owner = await ownerToken()
    const none = await call("POST", "/users", {
      token: owner,
      body: { username: uniq("c"), password: "cashier-pass-1", role: "cashier" },
    })
    expect(none.status).toBe(422)
    expect(none.body.code).toBe("location_required")
    const ghost = await call("POST", "/users", {
      token: owner,
      body: { username: uniq("c"), password: "cashier-pass-1", role: "cashier", locationIds: ["loc_nope"] },
    })
    expect(ghost.status).toBe(422)
    expect(ghost.body.code).toBe("unknown_location")
  })

  it("a password reset by the owner ends the user's sessions; the new password works", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const cashier = await staffToken(owner, "cashier", [store])
    const reset = await call("POST", `/users/${cashier.id}/password`, {
      token: owner,
      body: { password: "fresh-pass-99" },
    })
    expect(reset.status).toBe(200)
    expect((await call("GET", "/me", { token: cashier.token })).status).toBe(401)
    const login = await call("POST", "/auth/login", { body: { username: cashier.username, password: "fresh-pass-99" } })
    expect(login.status).toBe(200)
  })

  it("moving a user to another store ends their old sessions", async () => {
    const owner = await ownerToken()
    const [a, b] = [await createLocation(owner), await createLocation(owner)]
    const cashier = await staffToken(owner, "cashier", [a])
    const moved = await call("PATCH", `/users/${cashier.id}`, { token: owner, body: { locationIds: [b] } })
    expect(moved.status).toBe(200)
    expect(moved.body.locationIds).toEqual([b])
    expect((await call("GET", "/me", { token: cashier.token })).status).toBe(401)
  })

  it("an owner lists a user's sessions and ends them all", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const clerk = await staffToken(owner, "clerk", [store])
    const sessions = await call("GET", `/users/${clerk.id}/sessions`, { token: owner })
    expect(sessions.body.items).toHaveLength(1)
    expect((await call("POST", `/users/${clerk.id}/sessions/revoke`, { token: owner })).status).toBe(200)
    expect((await call("GET", "/me", { token: clerk.token })).status).toBe(401)
  })
})

describe("devices", () => {
  it("a lost till is revoked: its session ends, it can't sign in, and reinstating lets it recover", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const manager = await staffToken(owner, "store_manager", [store])
    const cashier = await staffToken(owner, "cashier", [store])
    const device = await call("POST", "/devices", {
      token: manager.token,
      body: { locationId: store, name: "收银台 1" },
    })
    expect(device.status).toBe(201)
    const creds = { username: cashier.username, password: cashier.password }
    const onTill = await call("POST", "/auth/login", { body: { ...creds, deviceId: device.body.id } })
    expect(onTill.status).toBe(200)
    expect((await call("GET", "/me", { token: onTill.body.token })).body.deviceId).toBe(device.body.id)

    const revoked = await call("POST", `/devices/${device.body.id}/revoke`, { token: manager.token })
    expect(revoked.body.revoked).toBe(true)
    expect((await call("GET", "/me", { token: onTill.body.token })).status).toBe(401)
    const again = await call("POST", "/auth/login", { body: { ...creds, deviceId: device.body.id } })
    expect(again.status).toBe(403)
    expect(again.body.code).toBe("device_revoked")

    await call("POST", `/devices/${device.body.id}/reinstate`, { token: manager.token })
    expect((await call("POST", "/auth/login", { body: { ...creds, deviceId: device.body.id } })).status).toBe(200)
  })

  it("a store manager can't register or see devices of another store", async () => {
    const owner = await ownerToken()
    const [mine, theirs] = [await createLocation(owner), await createLocation(owner)]
    const manager = await staffToken(owner, "store_manager", [mine])
    const foreign = await call("POST", "/devices", { token: manager.token, body: { locationId: theirs, name: "x" } })
    expect(foreign.status).toBe(404)
    await call("POST", "/devices", { token: owner, body: { locationId: theirs, name: "their till" } })
    const list = await call("GET", "/devices", { token: manager.token })
    expect(list.body.items.every((d: { locationId: string }) => d.locationId === mine)).toBe(true)
  })
})

describe("API keys", () => {
  it("a mini-program backend's key reads what it was granted and nothing more, until revoked", async () => {
    const owner = await ownerToken()
    const [store, other] = [await createLocation(owner), await createLocation(owner)]
    const issued = await call("POST", "/api-keys", {
      token: owner,
      body: { name: "小程序", permissions: ["locations:read", "catalog:read"], locationIds: [store] },
    })
    expect(issued.status).toBe(201)
    expect(issued.body.key).toMatch(/^pzk_/)
    const key = issued.body.key as string
    const seen = await call("GET", "/locations", { token: key })
    expect(seen.body.items.map((l: { id: string }) => l.id)).toEqual([store])
    expect((await call("GET", `/locations/${other}`, { token: key })).status).toBe(404)
    expect((await call("POST", "/locations", { token: key, body: { name: "x", kind: "store" } })).status).toBe(403)
    const listed = await call("GET", "/api-keys", { token: owner })
    expect(JSON.stringify(listed.body)).not.toContain(key)

    await call("POST", `/api-keys/${issued.body.id}/revoke`, { token: owner })
    expect((await call("GET", "/locations", { token: key })).status).toBe(401)
  })

  it("a manager can't grant a key more than a manager may do", async () => {
    const owner = await ownerToken()
    const manager = await staffToken(owner, "manager", [])
    const res = await call("POST", "/api-keys", {
      token: manager.token,
      body: { name: "audit bot", permissions: ["stock:audit"], locationIds: "all" },
    })
    expect(res.status).toBe(403)
  })
})
