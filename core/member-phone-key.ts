// How a till finds a member by phone without the network, without keeping members' phone numbers
// on the device: the server sends a key made from the phone, and the till makes the same key from
// the number the customer says. It is a SHA-256 with a fixed label, not a secret: mobile numbers
// are few enough to enumerate, so this keeps numbers from being read off a device at a glance
// (PIPL: no more personal data than the task needs), not from a determined attacker.
import { toBase64Url } from "./base64"

const enc = new TextEncoder()

export async function memberPhoneKey(phone: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", enc.encode(`puzi-member-phone:${phone}`))
  return toBase64Url(new Uint8Array(digest))
}
