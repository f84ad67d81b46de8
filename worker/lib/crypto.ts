// Hashing helpers shared by passwords, tokens and idempotency.
import { fromBase64Url, toBase64Url } from "../../core/base64"

export { fromBase64Url, toBase64Url }

const enc = new TextEncoder()

export const randomToken = (bytes = 32): string => toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)))

export async function sha256(text: string): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(text))))
}

export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  return crypto.subtle.timingSafeEqual(a, b)
}
