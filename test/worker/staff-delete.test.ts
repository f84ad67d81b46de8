// A cashier leaves the chain: their account is deleted, not merely disabled. Everything they could
// sign in with stops at once, everything they did keeps their name, and nothing can bring the
// account back. (Store managers don't manage accounts in puzi: an area manager, the `manager` role,
// or the owner does.)
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { call, createLocation, ownerToken, staffToken, uniq } from "./helpers"
import { cash, sell, shop } from "./sales-helpers"

const deleteUser = (token: string, id: string) => call("DELETE", `/users/${id}`, { token })

/** Every row that says what a user may still do: the account, its sessions, its keys, its till PIN. */
async function accessRows(userId: string) {
  const q = (sql: string) => env.DB.prepare(sql).bind(userId).all()
  const [user, sessions, keys, pins] = await Promise.all([
    q("select * from users where id = ?"),
    q("select * from sessions where user_id = ? order by id"),
    q("select * from api_keys where created_by = ? order by id"),
    q("select * from till_pins where user_id = ?"),
  ])
  return { user: user.results, sessions: sessions.results, keys: keys.results, pins: pins.results }
}

/** A cashier with a display name, signed in on a till registered to `store`, PIN set. */
async function cashierOnTill(owner: string, store: string) {
  const username = uniq("wangfang")
  const password = "cashier-pass-1"
  const created = await call("POST", "/users", {
    token: owner,
    body: { username, password, role: "cashier", locationIds: [store], displayName: "王芳" },
  })
  expect(created.status).toBe(201)
  const device = await call("POST", "/devices", { token: owner, body: { locationId: store, name: "1号收银台" } })
  const login = await call("POST", "/auth/login", { body: { username, password, deviceId: device.body.id } })
  expect(login.status).toBe(200)
  const token = login.body.token as string
  expect((await call("PUT", "/me/pin", { token, body: { pin: "482916" } })).status).toBe(200)
  return { id: created.body.id as string, username, password, token, deviceId: device.body.id as string }
}

describe("deleting a staff account", () => {
  it("a manager removes a cashier who left: the till session stops at once, past sales keep her name, a retry changes nothing", async () => {
    const { owner, store, skuIds } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const manager = await staffToken(owner, "manager", [])
    const wang = await cashierOnTill(owner, store)
    const sale = await sell(wang.token, {
      locationId: store,
      lines: [{ skuId: skuIds[0], qty: 1 }],
      payments: [cash(1000)],
    })
    expect(sale.status).toBe(201)
    expect((await call("GET", "/me", { token: wang.token })).status).toBe(200) // her till is signed in

    const removed = await deleteUser(manager.token, wang.id)
    expect(removed.status).toBe(200)
    expect(removed.body).toMatchObject({ id: wang.id, username: wang.username, displayName: "王芳", status: "deleted" })

    // The open session on the till is refused on the very next request, selling included.
    const me = await call("GET", "/me", { token: wang.token })
    expect(me.status).toBe(401)
    expect(me.body.code).toBe("invalid_token")
    const next = await sell(wang.token, {
      locationId: store,
      lines: [{ skuId: skuIds[0], qty: 1 }],
      payments: [cash(1000)],
    })
    expect(next.status).toBe(401)
    const again = await call("POST", "/auth/login", { body: { username: wang.username, password: wang.password } })
    expect(again.status).toBe(401)
    // Her till PIN is gone: the till's hand-over list no longer has her.
    const rows = await accessRows(wang.id)
    expect(rows.pins).toEqual([])
    expect(rows.sessions.every((s) => s.revoked_at !== null)).toBe(true)

    // What she sold is still hers, by name.
    const receipt = await call("GET", `/sales/${sale.body.id}/receipt`, { token: owner })
    expect(receipt.status).toBe(200)
    expect(receipt.body.cashier).toEqual({ id: wang.id, name: "王芳" })

    // Asking again (a double click, a retried request) answers the same and changes nothing.
    const before = await accessRows(wang.id)
    const retry = await deleteUser(manager.token, wang.id)
    expect(retry.status).toBe(200)
    expect(retry.body).toEqual(removed.body)
    expect(await accessRows(wang.id)).toEqual(before)
  })

  it("a deleted account stays out of the staff list, can't be enabled again, and still answers by id", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const leaver = await staffToken(owner, "clerk", [store])
    expect((await deleteUser(owner, leaver.id)).status).toBe(200)

    const ids = async (query: string) => {
      const ids: string[] = []
      for (let cursor = ""; ; ) {
        const page = await call("GET", `/users?limit=100${query}${cursor ? `&cursor=${cursor}` : ""}`, { token: owner })
        expect(page.status).toBe(200)
        ids.push(...page.body.items.map((u: { id: string }) => u.id))
        if (!page.body.nextCursor) return ids
        cursor = page.body.nextCursor
      }
    }
    expect(await ids("")).not.toContain(leaver.id)
    expect(await ids("&status=deleted")).toContain(leaver.id)
    expect(await ids("&status=active")).not.toContain(leaver.id)
    const one = await call("GET", `/users/${leaver.id}`, { token: owner })
    expect(one.body).toMatchObject({ username: leaver.username, status: "deleted" })

    const enable = await call("PATCH", `/users/${leaver.id}`, { token: owner, body: { status: "active" } })
    expect(enable.status).toBe(409)
    expect(enable.headers.get("content-type")).toContain("application/problem+json")
    expect(enable.body.code).toBe("user_deleted")
    const rename = await call("PATCH", `/users/${leaver.id}`, { token: owner, body: { displayName: "回来了" } })
    expect(rename.body.code).toBe("user_deleted")
    const password = await call("POST", `/users/${leaver.id}/password`, {
      token: owner,
      body: { password: "a-new-password-1" },
    })
    expect(password.status).toBe(409)
    expect(password.body.code).toBe("user_deleted")
    const login = await call("POST", "/auth/login", { body: { username: leaver.username, password: leaver.password } })
    expect(login.status).toBe(401)
  })

  it("frees the username for a new hire, while a live account's username is still taken", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const first = await staffToken(owner, "cashier", [store])
    const body = { username: first.username, password: "new-hire-pass-1", role: "cashier", locationIds: [store] }
    const taken = await call("POST", "/users", { token: owner, body })
    expect(taken.status).toBe(409)
    expect(taken.body.code).toBe("duplicate_username")

    expect((await deleteUser(owner, first.id)).status).toBe(200)
    const hired = await call("POST", "/users", { token: owner, body })
    expect(hired.status).toBe(201)
    expect(hired.body.id).not.toBe(first.id)
    // The name signs in the new hire, never the old account; the old one still shows who it was.
    const login = await call("POST", "/auth/login", { body: { username: first.username, password: body.password } })
    expect(login.status).toBe(200)
    expect(login.body.user.id).toBe(hired.body.id)
    const old = await call("POST", "/auth/login", { body: { username: first.username, password: first.password } })
    expect(old.status).toBe(401)
    expect((await call("GET", `/users/${first.id}`, { token: owner })).body.username).toBe(first.username)
    // A second new hire under the same name is a duplicate again, and deleting the old account twice still answers.
    const twice = await call("POST", "/users", { token: owner, body })
    expect(twice.body.code).toBe("duplicate_username")
    const repeat = await deleteUser(owner, first.id)
    expect(repeat.status).toBe(200)
    expect(repeat.body).toMatchObject({ id: first.id, username: first.username, status: "deleted" })
  })

  it("ends the API keys the user issued: a channel's key made by a manager who left is refused", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const manager = await staffToken(owner, "manager", [])
    const key = await call("POST", "/api-keys", {
      token: manager.token,
      body: { name: uniq("小程序"), permissions: ["catalog:read"], locationIds: [store] },
    })
    expect(key.status).toBe(201)
    expect((await call("GET", "/skus", { token: key.body.key })).status).toBe(200)
    const deleted = await deleteUser(owner, manager.id)
    expect(deleted.status).toBe(200)
    // The answer names the integration that stopped, so HQ can issue it a new key.
    expect(deleted.body.revokedApiKeys).toEqual([{ id: key.body.id, name: key.body.name }])
    const refused = await call("GET", "/skus", { token: key.body.key })
    expect(refused.status).toBe(401)
    expect(refused.body.code).toBe("invalid_token")
  })

  it("only an owner deletes a manager or an owner; nobody deletes themselves; store staff delete nobody", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const manager = await staffToken(owner, "manager", [])
    const peer = await staffToken(owner, "manager", [])
    const boss = await staffToken(owner, "owner", [])
    const storeManager = await staffToken(owner, "store_manager", [store])
    const cashier = await staffToken(owner, "cashier", [store])

    for (const target of [peer, boss]) {
      const res = await deleteUser(manager.token, target.id)
      expect(res.status).toBe(403)
      expect(res.body.code).toBe("forbidden")
    }
    for (const who of [storeManager, cashier]) expect((await deleteUser(who.token, cashier.id)).status).toBe(403)
    const self = await deleteUser(manager.token, manager.id)
    expect(self.status).toBe(422)
    expect(self.body.code).toBe("cannot_delete_self")
    expect((await deleteUser(manager.token, "usr_nobody")).status).toBe(404)
    // None of the refusals touched anyone.
    for (const who of [peer, boss, storeManager, cashier, manager])
      expect((await call("GET", "/me", { token: who.token })).status).toBe(200)

    expect((await deleteUser(owner, peer.id)).status).toBe(200)
    expect((await deleteUser(boss.token, manager.id)).status).toBe(200)
  })
})
