// PBKDF2-SHA256 through WebCrypto. Production Workers refuse more than 100,000 iterations
// (local workerd accepts more, workerd #1346), so the cap is enforced here; the count is stored
// in the hash so it can be raised later without breaking old hashes.
import { fromBase64Url, timingSafeEqual, toBase64Url } from "./crypto"

export const MAX_PBKDF2_ITERATIONS = 100_000

export const iterationsFrom = (configured: string | undefined): number =>
  Math.min(MAX_PBKDF2_ITERATIONS, Math.max(1, Number.parseInt(configured ?? "", 10) || MAX_PBKDF2_ITERATIONS))

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  if (iterations > MAX_PBKDF2_ITERATIONS) throw new Error(`PBKDF2 iterations above ${MAX_PBKDF2_ITERATIONS}`)
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"])
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256)
  return new Uint8Array(bits)
}

/** `pbkdf2-sha256$<iterations>$<salt>$<hash>` */
export async function hashPassword(password: string, iterations: number): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16))
  const hash = await derive(password, salt, iterations)
  return `pbkdf2-sha256$${iterations}$${toBase64Url(salt)}$${toBase64Url(hash)}`
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iter, salt, hash] = stored.split("$")
  const iterations = Number(iter)
  if (scheme !== "pbkdf2-sha256" || !salt || !hash || !Number.isInteger(iterations)) return false
  const derived = await derive(password, fromBase64Url(salt), iterations)
  return timingSafeEqual(derived, fromBase64Url(hash))
}
