import { act } from "preact/test-utils"
import { describe, expect, it } from "vitest"
import { toBase64Url } from "../../core/base64"
import { derivePin, PIN_BUNDLE_TTL_MS, pinCheck } from "../../core/till-pin"
import { login } from "../../pwa/src/api/auth"
import { tillCashier } from "../../pwa/src/auth/cashier"
import { rememberDevice } from "../../pwa/src/auth/device"
import { session, startSession } from "../../pwa/src/auth/session"
import { returnLines } from "../../pwa/src/sales/returns"
import Till from "../../pwa/src/screens/till"
import { closeDb, db, type SyncSale } from "../../pwa/src/store/db"
import { handOver, LOCK_MS, type PinBundle, pinBundle, refreshPins } from "../../pwa/src/store/pins"
import { outbox, syncing } from "../../pwa/src/sync/outbox"
import { deviceHolds, STORE, signedInCashier, WATER } from "./fixtures"
import { byTestId, click, eventually, json, mount, problem, stubApi, text, type } from "./helpers"

// A shared till stays signed in as one cashier; a colleague takes over with username + till PIN, checked on the
// device against verifiers it downloaded while online, so the hand-over works with the network gone.

const TILL = "dev_till1"
const BO = { userId: "usr_bo", username: "bo", displayName: "王波", role: "cashier" as const, pin: "730215" }

/** What GET /devices/{id}/pins answers: verifiers made exactly as the server makes them (core/till-pin.ts). */
const bundleFor = async (
  people: (typeof BO)[],
  expiresAt = new Date(Date.now() + PIN_BUNDLE_TTL_MS).toISOString(),
): Promise<PinBundle> => ({
  deviceId: TILL,
  locationId: STORE,
  issuedAt: new Date().toISOString(),
  expiresAt,
  items: await Promise.all(
    people.map(async ({ pin, ...who }) => {
      const salt = crypto.getRandomValues(new Uint8Array(16))
      const check = await pinCheck(await derivePin(pin, salt, 1000), TILL, who.userId)
      return { ...who, salt: toBase64Url(salt), iterations: 1000, check }
    }),
  ),
})

/** A registered till, signed in as cashier1, that refreshed its PINs while online. */
const registeredTill = async (bundle?: PinBundle) => {
  signedInCashier()
  rememberDevice({ id: TILL, locationId: STORE, name: "收银台 1" })
  const answer = bundle ?? (await bundleFor([BO]))
  const calls = stubApi({ [`GET /api/v1/devices/${TILL}/pins`]: () => json(200, answer) })
  await refreshPins()
  return calls
}

const scanCode = async (code: string) => {
  await act(() => {
    for (const key of [...code, "Enter"])
      document.body.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }))
  })
}

describe("handing over a shared till", () => {
  it("lets a colleague take over offline with username and PIN; the next sale carries their id", async () => {
    await deviceHolds([WATER])
    await registeredTill()
    stubApi({}) // the network is gone from here on
    window.dispatchEvent(new Event("offline"))
    const screen = await mount(<Till />)
    await eventually(() => byTestId(screen, "till"))
    expect(text(screen, "till-cashier-name")).toBe("收银 刘洋")

    await click(byTestId(screen, "handover-open"))
    await type(byTestId<HTMLInputElement>(screen, "handover-username"), "bo")
    await type(byTestId<HTMLInputElement>(screen, "handover-pin"), "730216")
    await click(byTestId(screen, "handover-submit"))
    await eventually(() => expect(text(screen, "handover-problem")).toBe("用户名或 PIN 不对，还可以再试 4 次"))
    await type(byTestId<HTMLInputElement>(screen, "handover-pin"), BO.pin)
    await click(byTestId(screen, "handover-submit"))
    await eventually(() => expect(text(screen, "till-cashier-name")).toBe("王波"))
    expect(text(screen, "scan-notice")).toBe("王波 已接班")
    expect(session.value?.user.id).toBe("usr_cashier") // the till stays signed in; its session syncs

    await scanCode(WATER.barcode!)
    await eventually(() => byTestId(screen, "cart-line"))
    await click(byTestId(screen, "pay"))
    await click(byTestId(screen, "quick-200"))
    await eventually(() => byTestId(screen, "sale-done"))
    const body = outbox.value[0]?.body as SyncSale
    expect(body).toMatchObject({ cashierId: "usr_bo", deviceId: TILL, totalFen: 200 })
    const journal = await (await db()).get("journal", body.id)
    expect(journal).toMatchObject({ cashier: "王波" })
    await eventually(() => expect(syncing.value).toBe(false)) // the till's own sync attempt, before the story ends

    // The customer brings the bottle back: the return is 王波's too, from this till.
    expect(await returnLines(journal!, { [journal!.lines[0]!.lineId]: 1 })).toBe(200)
    const back = outbox.value.find((i) => i.kind === "return")?.body
    expect(back).toMatchObject({ cashierId: "usr_bo", deviceId: TILL, refunds: [{ method: "cash", amountFen: 200 }] })
    await eventually(() => expect(syncing.value).toBe(false))
    window.dispatchEvent(new Event("online"))
  })

  it("locks after five wrong PINs in a row, still locked after a reload, open again when the lock lapses", async () => {
    await registeredTill()
    const now = Date.now()
    for (const left of [4, 3, 2, 1])
      expect(await handOver("bo", "000001", now)).toEqual({ ok: false, reason: "wrong", left })
    expect(await handOver("nobody", "730215", now)).toEqual({ ok: false, reason: "locked", minutes: 10 })
    expect(await handOver("bo", BO.pin, now)).toMatchObject({ ok: false, reason: "locked" })

    await closeDb() // what a reload does to the IndexedDB connection
    expect(await handOver("bo", BO.pin, now + 60_000)).toMatchObject({ ok: false, reason: "locked", minutes: 9 })
    expect(await handOver("bo", BO.pin, now + LOCK_MS + 1)).toEqual({ ok: true, name: "王波" })
    expect(tillCashier.value).toEqual({ id: "usr_bo", name: "王波" })
  })

  it("starts a new sign-in with its own user at the till, whoever had taken over before", async () => {
    await registeredTill()
    expect(await handOver("bo", BO.pin)).toEqual({ ok: true, name: "王波" })
    expect(tillCashier.value?.id).toBe("usr_bo")
    signedInCashier() // signed out and in again: a new token
    startSession({ ...session.value!, token: "tok_cashier_again" })
    expect(tillCashier.value).toEqual({ id: "usr_cashier", name: "收银 刘洋" })
  })

  it("refuses when the PINs on the device expired, or the device never got any", async () => {
    expect(await handOver("bo", BO.pin)).toEqual({ ok: false, reason: "no_pins" })
    await registeredTill(await bundleFor([BO], new Date(Date.now() - 1000).toISOString()))
    expect(await handOver("bo", BO.pin)).toEqual({ ok: false, reason: "expired" })
    expect(tillCashier.value?.id).toBe("usr_cashier")
  })

  it("forgets every PIN when the server says this till was revoked", async () => {
    await registeredTill()
    expect(pinBundle.value?.items).toHaveLength(1)
    stubApi({
      [`GET /api/v1/devices/${TILL}/pins`]: () =>
        problem(401, { code: "device_revoked", title: "Unauthorized", detail: "This device has been revoked" }),
    })
    await refreshPins()
    expect(pinBundle.value).toBeNull()
    expect(await handOver("bo", BO.pin)).toEqual({ ok: false, reason: "no_pins" })
  })

  it("signs in on a registered till with its device id, so the session is bound to the till", async () => {
    rememberDevice({ id: TILL, locationId: STORE, name: "收银台 1" })
    const calls = stubApi({
      "POST /api/v1/auth/login": () =>
        json(200, { token: "tok", user: { id: "usr_bo", role: "cashier", locationIds: [STORE] } }),
    })
    await login("bo", "bo-password-1")
    expect(calls[0]?.body).toEqual({ username: "bo", password: "bo-password-1", deviceId: TILL })
  })
})
