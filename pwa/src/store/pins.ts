import { computed, signal } from "@preact/signals"
import type { Role } from "../../../core/roles"
import { PIN_MAX_FAILURES, type PinVerifier, pinMatches } from "../../../core/till-pin"
import { ApiError, api } from "../api/client"
import { takeOverTill } from "../auth/cashier"
import { deviceId } from "../auth/device"
import { getMeta, setMeta } from "./db"

// The till PIN verifiers of this device's store staff, downloaded while online (GET /devices/{id}/pins) and kept
// in IndexedDB so a cashier can take over the till offline. They are bound to this device and expire (see
// core/till-pin.ts for why that is an acceptable risk); wrong PINs are counted on the device and lock the
// hand-over after PIN_MAX_FAILURES in a row, across reloads.

export interface PinBundle {
  deviceId: string
  locationId: string
  issuedAt: string
  expiresAt: string
  items: (PinVerifier & { username: string; displayName: string; role: Role })[]
}

interface Failures {
  count: number
  lockedUntil: number
}

const BUNDLE = "pins.bundle"
const FAILURES = "pins.failures"
export const LOCK_MS = 10 * 60_000

const held = signal<PinBundle | null>(null)
export const pinBundle = computed(() => held.value)

export const loadPins = async () => {
  held.value = (await getMeta<PinBundle>(BUNDLE)) ?? null
}

const keep = async (bundle: PinBundle | null) => {
  await setMeta(BUNDLE, bundle)
  held.value = bundle
}

/** Fetches this device's verifiers. A revoked or unknown device, or a session on another device, keeps none. */
export const refreshPins = async (): Promise<void> => {
  const id = deviceId()
  if (!id) return keep(null)
  try {
    await keep(await api.get<PinBundle>(`/devices/${encodeURIComponent(id)}/pins`))
  } catch (error) {
    if (error instanceof ApiError && error.status >= 400 && error.status < 500) await keep(null)
    else throw error
  }
}

export type HandOver =
  | { ok: true; name: string }
  | { ok: false; reason: "no_pins" | "expired" }
  | { ok: false; reason: "wrong"; left: number }
  | { ok: false; reason: "locked"; minutes: number }

const failures = async (): Promise<Failures> => (await getMeta<Failures>(FAILURES)) ?? { count: 0, lockedUntil: 0 }

/** A wrong PIN or an unknown username counts alike, so guessing usernames costs tries too. */
const refuse = async (now: number): Promise<HandOver> => {
  const before = await failures()
  const count = before.count + 1
  const locked = count >= PIN_MAX_FAILURES
  await setMeta(FAILURES, { count: locked ? 0 : count, lockedUntil: locked ? now + LOCK_MS : 0 })
  return locked
    ? { ok: false, reason: "locked", minutes: Math.ceil(LOCK_MS / 60_000) }
    : { ok: false, reason: "wrong", left: PIN_MAX_FAILURES - count }
}

/** A cashier takes over the till with username + PIN, checked here against the verifiers: no network needed. */
export const handOver = async (username: string, pin: string, now = Date.now()): Promise<HandOver> => {
  const { lockedUntil } = await failures()
  if (lockedUntil > now) return { ok: false, reason: "locked", minutes: Math.ceil((lockedUntil - now) / 60_000) }
  const bundle = (await getMeta<PinBundle>(BUNDLE)) ?? null
  const id = deviceId()
  if (!bundle || !id || bundle.deviceId !== id) return { ok: false, reason: "no_pins" }
  if (Date.parse(bundle.expiresAt) <= now) return { ok: false, reason: "expired" }
  const who = bundle.items.find((v) => v.username.toLowerCase() === username.trim().toLowerCase())
  if (!who || !(await pinMatches(pin, who, id))) return refuse(now)
  await setMeta(FAILURES, { count: 0, lockedUntil: 0 })
  takeOverTill({ userId: who.userId, username: who.username, displayName: who.displayName, role: who.role })
  return { ok: true, name: who.displayName }
}
