// Till PINs for handing over a shared till offline. The same arithmetic runs on the server (when it
// gives a device its staff's verifiers) and on the device (when a cashier types a PIN offline), so it
// lives here: WebCrypto only, which Workers, browsers and Node all have.
//
// The server keeps PBKDF2-SHA256(pin, per-user salt). A device never receives that hash: it gets
// `check` = HMAC-SHA256(key = that hash, "puzi-till-pin:<deviceId>:<userId>"). So a verifier lifted
// from one device matches on no other device, and it is neither a password hash nor a token: the
// server accepts no PIN and no hash at sign-in (only a password of 8+ characters), so nothing on the
// device can be replayed against the API.
//
// Why a 6-digit PIN verifier on a device is an acceptable risk: 10^6 candidates × PBKDF2 rounds is
// within reach of someone who copies IndexedDB and owns a GPU. What they would gain is only the
// right to put a colleague's name on sales made on this one till, which they already hold signed in:
// a PIN never reaches the server as a credential, sales still sync under the device's own session
// (and the server checks that the named cashier belongs to the device's store), a revoked device
// gets no verifiers and loses its sessions, and the device forgets the verifiers when they expire
// (PIN_BUNDLE_TTL_MS), so a lost till holds them for at most that long.

export const PIN_RE = /^\d{4,6}$/

/** Verifiers a device got while online stop working after this: a whole day offline, with margin. */
export const PIN_BUNDLE_TTL_MS = 48 * 3600 * 1000

/** Wrong PINs a device allows in a row before it locks the hand-over for a while. */
export const PIN_MAX_FAILURES = 5

/** 0000, 1111, 1234, 987654 …: the PINs anyone tries first. */
export const isTooSimplePin = (pin: string): boolean => {
  const digits = [...pin].map(Number)
  const steps = new Set(digits.slice(1).map((d, i) => d - digits[i]!))
  return steps.size === 1 && [0, 1, -1].includes([...steps][0]!)
}

export interface PinVerifier {
  userId: string
  salt: string
  iterations: number
  check: string
}

import { fromBase64Url, toBase64Url } from "./base64"

const enc = new TextEncoder()

/** PBKDF2-SHA256 of the PIN: what the server stores (and what the device recomputes offline). */
export async function derivePin(pin: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", enc.encode(pin), "PBKDF2", false, ["deriveBits"])
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: salt as BufferSource, iterations },
    key,
    256,
  )
  return new Uint8Array(bits)
}

/** The device-bound verifier of a stored PIN hash. */
export async function pinCheck(pinHash: Uint8Array, deviceId: string, userId: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", pinHash as BufferSource, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ])
  const mac = await crypto.subtle.sign("HMAC", key, enc.encode(`puzi-till-pin:${deviceId}:${userId}`))
  return toBase64Url(new Uint8Array(mac))
}

/** Does `pin` match `verifier` on `deviceId`? Compared as whole strings of equal length. */
export async function pinMatches(pin: string, verifier: PinVerifier, deviceId: string): Promise<boolean> {
  if (!PIN_RE.test(pin)) return false
  const hash = await derivePin(pin, fromBase64Url(verifier.salt), verifier.iterations)
  const check = await pinCheck(hash, deviceId, verifier.userId)
  let diff = check.length ^ verifier.check.length
  for (let i = 0; i < Math.min(check.length, verifier.check.length); i++)
    diff |= check.charCodeAt(i) ^ verifier.check.charCodeAt(i)
  return diff === 0
}
