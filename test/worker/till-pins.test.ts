// Handing over a shared till offline: cashiers set a till PIN online, the store's registered till
// downloads device-bound verifiers, and sales synced later are credited to the cashier the till
// named only when that cashier belongs to the device's store.
import { ulid } from "ulid"
import { describe, expect, it } from "vitest"
import { type PinVerifier, pinMatches } from "../../core/till-pin"
import { call, createLocation, ownerToken, staffToken, uniq } from "./helpers"
import { cash, shop } from "./sales-helpers"

type Bundle = { deviceId: string; locationId: string; expiresAt: string; items: (PinVerifier & { username: string })[] }

/** A till registered to `store` and a session of `user` signed in on it. */
async function tillFor(owner: string, store: string, user: { username: string; password: string }) {
  const device = await call("POST", "/devices", { token: owner, body: { locationId: store, name: uniq("收银台") } })
  const login = await call("POST", "/auth/login", {
    body: { username: user.username, password: user.password, deviceId: device.body.id },
  })
  return { deviceId: device.body.id as string, token: login.body.token as string }
}

const setPin = (token: string, pin: string) => call("PUT", "/me/pin", { token, body: { pin } })

describe("a till PIN", () => {
  it("is set by its owner online, refused when trivial or malformed, and never signs anyone in", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const cashier = await staffToken(owner, "cashier", [store])
    expect((await call("GET", "/me/pin", { token: cashier.token })).body).toEqual({ set: false })

    const simple = await setPin(cashier.token, "1234")
    expect(simple.status).toBe(422)
    expect(simple.body.code).toBe("pin_too_simple")
    expect((await setPin(cashier.token, "12a4")).status).toBe(400)
    expect((await setPin(cashier.token, "1234567")).status).toBe(400)
    expect((await call("GET", "/me/pin", { token: cashier.token })).body).toEqual({ set: false })

    const ok = await setPin(cashier.token, "482916")
    expect(ok.status).toBe(200)
    expect((await call("GET", "/me/pin", { token: cashier.token })).body).toEqual({ set: true })
    const withPin = await call("POST", "/auth/login", { body: { username: cashier.username, password: "482916" } })
    expect(withPin.status).toBe(401)

    expect((await call("DELETE", "/me/pin", { token: cashier.token })).body).toEqual({ set: false })
    expect((await call("PUT", "/me/pin", { body: { pin: "482916" } })).status).toBe(401)
  })
})

describe("a registered till's PIN verifiers", () => {
  it("hold its own store's selling staff only, match the PIN on that device alone, and carry no hash", async () => {
    const owner = await ownerToken()
    const [store, other] = [await createLocation(owner), await createLocation(owner)]
    const ana = await staffToken(owner, "cashier", [store])
    const bo = await staffToken(owner, "cashier", [store])
    const noPin = await staffToken(owner, "cashier", [store])
    const elsewhere = await staffToken(owner, "cashier", [other])
    const clerk = await staffToken(owner, "clerk", [store])
    const manager = await staffToken(owner, "manager", [])
    for (const [who, pin] of [
      [ana, "482916"],
      [bo, "730215"],
      [elsewhere, "551902"],
      [manager, "908172"],
    ] as const)
      expect((await setPin(who.token, pin)).status).toBe(200)
    expect(noPin.id).toBeTruthy()
    expect((await setPin(clerk.token, "660813")).status).toBe(403) // a clerk never sells at a till

    const till = await tillFor(owner, store, ana)
    const res = await call<Bundle>("GET", `/devices/${till.deviceId}/pins`, { token: till.token })
    expect(res.status).toBe(200)
    expect(res.body.locationId).toBe(store)
    expect(res.body.items.map((v) => v.username).sort()).toEqual([ana.username, bo.username].sort())
    expect(Date.parse(res.body.expiresAt)).toBeGreaterThan(Date.now())
    expect(JSON.stringify(res.body)).not.toMatch(/pbkdf2/)

    const boOnTill = res.body.items.find((v) => v.userId === bo.id)!
    expect(await pinMatches("730215", boOnTill, till.deviceId)).toBe(true)
    expect(await pinMatches("730216", boOnTill, till.deviceId)).toBe(false)
    expect(await pinMatches("730215", boOnTill, "dev_another_till")).toBe(false)
  })

  it("go only to a session on that very till; another store's till is 404 and a revoked till gets nothing", async () => {
    const owner = await ownerToken()
    const [store, other] = [await createLocation(owner), await createLocation(owner)]
    const cashier = await staffToken(owner, "cashier", [store])
    const till = await tillFor(owner, store, cashier)
    const theirs = await call("POST", "/devices", { token: owner, body: { locationId: other, name: "their till" } })

    const offTill = await call("GET", `/devices/${till.deviceId}/pins`, { token: cashier.token })
    expect(offTill.status).toBe(403)
    expect(offTill.body.code).toBe("not_this_device")
    expect((await call("GET", `/devices/${theirs.body.id}/pins`, { token: till.token })).status).toBe(404)

    await call("POST", `/devices/${till.deviceId}/revoke`, { token: owner })
    const revoked = await call("GET", `/devices/${till.deviceId}/pins`, { token: till.token })
    expect(revoked.status).toBe(401)
    expect(revoked.body).not.toHaveProperty("items")
  })
})

describe("a sale synced after an offline hand-over", () => {
  const offlineSale = (store: string, skuId: string, extra: Record<string, unknown>) => ({
    id: ulid(),
    locationId: store,
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    lines: [{ skuId, qty: 1, unitPriceFen: 1000 }],
    payments: [cash(1000)],
    totalFen: 1000,
    ...extra,
  })

  it("is credited to the colleague who took over when they belong to the till's store", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const colleague = await staffToken(owner, "cashier", [store])
    const till = await tillFor(owner, store, cashier)
    const sale = offlineSale(store, skuIds[0]!, { cashierId: colleague.id, deviceId: till.deviceId })
    const res = await call("POST", "/sales/sync", { token: till.token, body: { sales: [sale] } })
    expect(res.body.results).toEqual([{ id: sale.id, status: "applied" }])
    expect((await call("GET", `/sales/${sale.id}`, { token: owner })).body.cashierId).toBe(colleague.id)
    const flags = await call("GET", `/sales/price-exceptions?locationId=${store}`, { token: owner })
    expect(flags.body.items).toEqual([])
  })

  it("is still applied but credited to the syncing user, and flagged, when the named cashier is not the store's", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const stranger = await staffToken(owner, "cashier", [await createLocation(owner)])
    const till = await tillFor(owner, store, cashier)
    const foreign = offlineSale(store, skuIds[0]!, { cashierId: stranger.id, deviceId: till.deviceId })
    const unknown = offlineSale(store, skuIds[0]!, { cashierId: "usr_nobody", deviceId: till.deviceId })
    const res = await call("POST", "/sales/sync", { token: till.token, body: { sales: [foreign, unknown] } })
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(["applied", "applied"])
    for (const s of [foreign, unknown])
      expect((await call("GET", `/sales/${s.id}`, { token: owner })).body.cashierId).toBe(cashier.id)

    const flags = await call("GET", `/sales/price-exceptions?locationId=${store}`, { token: owner })
    const byRef = new Map(flags.body.items.map((x: { refId: string }) => [x.refId, x]))
    expect(byRef.get(foreign.id)).toMatchObject({
      kind: "cashier_unverified",
      detail: { claimedCashierId: stranger.id, reason: "other_store", attributedTo: cashier.id },
    })
    expect(byRef.get(unknown.id)).toMatchObject({ kind: "cashier_unverified", detail: { reason: "unknown_user" } })

    const again = await call("POST", "/sales/sync", { token: till.token, body: { sales: [foreign] } })
    expect(again.body.results).toEqual([{ id: foreign.id, status: "duplicate" }])
  })
})
