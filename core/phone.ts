// Mainland Chinese mobile numbers: what the till accepts, how it is stored, how it is shown.
// Stored as the bare 11 digits; shown masked (138****1234) everywhere but a member's own detail
// for staff who may edit members (PIPL: show no more personal data than the task needs).

/** 11 digits, 1 then 3–9: every mainland carrier's mobile ranges (13x–19x). */
export const CHINESE_MOBILE_RE = /^1[3-9]\d{9}$/

export const isChineseMobile = (s: string): boolean => CHINESE_MOBILE_RE.test(s)

/**
 * What people type or paste, made into the stored form: spaces, dashes, dots and brackets are
 * dropped, and a +86 / 0086 / 86 country prefix is removed. Null when it is not a mobile number.
 */
export function normalizePhone(input: string): string | null {
  let digits = input.trim().replace(/[\s\-.()（）]/g, "")
  if (digits.startsWith("+")) digits = digits.slice(1)
  if (digits.startsWith("0086")) digits = digits.slice(4)
  else if (digits.startsWith("86") && digits.length === 13) digits = digits.slice(2)
  return isChineseMobile(digits) ? digits : null
}

/** 13800138000 → 138****8000. Anything that is not a mobile number keeps only its last 4 characters. */
export function maskPhone(phone: string): string {
  if (isChineseMobile(phone)) return `${phone.slice(0, 3)}****${phone.slice(7)}`
  return phone.length <= 4 ? "*".repeat(phone.length) : `${"*".repeat(phone.length - 4)}${phone.slice(-4)}`
}
