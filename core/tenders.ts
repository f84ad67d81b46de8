// Tenders at the till: recognising a customer's payment code (付款码) and checking a mix of
// payments against what is due.
//
// Payment codes, as the providers publish them for merchant-scanned (付款码/被扫) payments:
// - WeChat Pay: 18 digits beginning 10, 11, 12, 13, 14 or 15 (WeChat Pay micropay API, auth_code);
// - Alipay: 16 to 24 digits beginning 25, 26, 27, 28, 29 or 30 (Alipay open platform, 当面付
//   auth_code; "the real length is whatever the code read is", hence the range).
// Anything else is unknown. A code is valid once; recognising it says nothing about funds.

export type PaymentCodeKind = "wechat" | "alipay" | "unknown"

export function classifyPaymentCode(code: string): PaymentCodeKind {
  const c = code.trim()
  if (!/^\d+$/.test(c)) return "unknown"
  const prefix = Number(c.slice(0, 2))
  if (c.length === 18 && prefix >= 10 && prefix <= 15) return "wechat"
  if (c.length >= 16 && c.length <= 24 && prefix >= 25 && prefix <= 30) return "alipay"
  return "unknown"
}

export type TenderMethod = "cash" | "wechat" | "alipay" | "unionpay" | "card" | "stored_value" | "points" | "other"

export const TENDER_METHODS: readonly TenderMethod[] = [
  "cash",
  "wechat",
  "alipay",
  "unionpay",
  "card",
  "stored_value",
  "points",
  "other",
]

export type Tender = { method: TenderMethod; amountFen: number; authCode?: string }

export const MAX_TENDERS = 5

export type TenderProblem =
  | "too_many_tenders"
  | "invalid_amount"
  | "auth_code_mismatch"
  | "non_cash_over_total"
  | "payment_short"

export type TenderCheck =
  | { ok: true; paidFen: number; changeFen: number }
  | { ok: false; code: TenderProblem; detail: string; shortFen?: number }

/**
 * Checks up to 5 tenders against `totalFen`. Only cash gives change, so the non-cash tenders
 * together may not exceed what is due; the whole must cover it (`payment_short` with the
 * missing fen otherwise). A payment code sent with wechat/alipay must be that provider's code.
 */
export function validateTenders(totalFen: number, tenders: readonly Tender[]): TenderCheck {
  if (!Number.isSafeInteger(totalFen) || totalFen < 0) throw new RangeError(`validateTenders: bad total ${totalFen}`)
  if (tenders.length > MAX_TENDERS)
    return { ok: false, code: "too_many_tenders", detail: `At most ${MAX_TENDERS} tenders per sale.` }
  for (const t of tenders) {
    if (!Number.isSafeInteger(t.amountFen) || t.amountFen <= 0)
      return {
        ok: false,
        code: "invalid_amount",
        detail: `A ${t.method} tender must be a whole number of fen above 0.`,
      }
    if (t.authCode !== undefined && classifyPaymentCode(t.authCode) !== t.method)
      return { ok: false, code: "auth_code_mismatch", detail: `The payment code is not a ${t.method} code.` }
  }
  const paidFen = tenders.reduce((s, t) => s + t.amountFen, 0)
  const nonCashFen = tenders.filter((t) => t.method !== "cash").reduce((s, t) => s + t.amountFen, 0)
  if (nonCashFen > totalFen)
    return {
      ok: false,
      code: "non_cash_over_total",
      detail: "Only cash gives change: non-cash tenders exceed the total.",
    }
  if (paidFen < totalFen)
    return {
      ok: false,
      code: "payment_short",
      detail: `${totalFen - paidFen} fen are still due.`,
      shortFen: totalFen - paidFen,
    }
  return { ok: true, paidFen, changeFen: paidFen - totalFen }
}

/** The tenders the members' ledgers take: each moves once per sale (one ledger entry per sale and kind). */
export const MEMBER_TENDER_METHODS: readonly TenderMethod[] = ["stored_value", "points"]

/**
 * Stored value, or points, handed over in two goes is still one payment from one account: merged into one
 * tender (at the first one's place, amounts summed) before anything is checked or charged, on the server
 * and at the till alike, so the sale records exactly what the ledger moved. Other tenders stay as given.
 */
export function combineMemberTenders<T extends Tender>(tenders: readonly T[]): T[] {
  const out: T[] = []
  for (const t of tenders) {
    const i = MEMBER_TENDER_METHODS.includes(t.method) ? out.findIndex((o) => o.method === t.method) : -1
    if (i < 0) out.push({ ...t })
    else out[i] = { ...out[i]!, amountFen: out[i]!.amountFen + t.amountFen }
  }
  return out
}
