// Money is integer fen. Yuan strings ("59.90") are parsed digit by digit, never through a float,
// and formatted back the same way.

export const MAX_FEN = Number.MAX_SAFE_INTEGER

export type YuanParse = { ok: true; fen: number } | { ok: false; reason: string }

// Optional sign, optional ¥/￥, digits (optionally grouped by commas in threes), up to 2 decimals.
const YUAN_RE = /^([+-]?)[¥￥]?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{0,2}))?$/

/** Parses a yuan amount such as "59.90", "59.9", "1,299", "¥12.5" into fen. */
export function tryParseYuan(text: string, opts: { allowNegative?: boolean } = {}): YuanParse {
  const s = text.trim()
  if (s === "") return { ok: false, reason: "An amount is required." }
  if (/^[+-]?[¥￥]?\d*\.\d{3,}$/.test(s.replaceAll(",", "")))
    return { ok: false, reason: "At most 2 decimals (fen): e.g. 59.90." }
  const m = YUAN_RE.exec(s)
  if (!m) return { ok: false, reason: "Not an amount in yuan: write it like 59.90." }
  const negative = m[1] === "-"
  const digits = `${m[2]!.replaceAll(",", "")}${(m[3] ?? "").padEnd(2, "0")}`.replace(/^0+(?=\d)/, "")
  const fen = Number(digits)
  if (digits.length > 16 || !Number.isSafeInteger(fen)) return { ok: false, reason: "The amount is too large." }
  if (negative && fen !== 0 && !opts.allowNegative) return { ok: false, reason: "The amount may not be negative." }
  return { ok: true, fen: negative && fen !== 0 ? -fen : fen }
}

export class MoneyFormatError extends Error {}

export function parseYuan(text: string, opts: { allowNegative?: boolean } = {}): number {
  const r = tryParseYuan(text, opts)
  if (!r.ok) throw new MoneyFormatError(`${JSON.stringify(text)}: ${r.reason}`)
  return r.fen
}

/** 5990 → "59.90", -5 → "-0.05". */
export function formatYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new MoneyFormatError(`Not a whole number of fen: ${fen}`)
  const abs = Math.abs(fen)
  const rest = abs % 100
  const yuan = (abs - rest) / 100 // exact: no float division of a non-multiple
  return `${fen < 0 ? "-" : ""}${yuan}.${rest < 10 ? "0" : ""}${rest}`
}

// ── Added for pricing and documents (the pricing engineer): ¥ display, 大写 amounts, pro-rata split ──

/** 5990 → "¥59.90", -5 → "-¥0.05". */
export const formatCny = (fen: number): string => (fen < 0 ? `-¥${formatYuan(-fen)}` : `¥${formatYuan(fen)}`)

const CN_DIGITS = "零壹贰叁肆伍陆柒捌玖"
const CN_PLACES = ["仟", "佰", "拾", ""]
const CN_SECTIONS = ["", "万", "亿", "万亿"]

// One group of four digits (1..9999), zeros inside collapsed to a single 零, none at the end.
function cnSection(n: number): string {
  const digits = String(n).padStart(4, "0")
  let out = ""
  let zero = false
  for (let i = 0; i < 4; i++) {
    const d = digits.charCodeAt(i) - 48
    if (d === 0) {
      zero = out !== ""
      continue
    }
    out += `${zero ? "零" : ""}${CN_DIGITS[d]}${CN_PLACES[i]}`
    zero = false
  }
  return out
}

function cnInteger(n: number): string {
  const sections: number[] = []
  for (let rest = n; rest > 0; rest = Math.floor(rest / 10000)) sections.push(rest % 10000)
  let out = ""
  let gap = false
  for (let i = sections.length - 1; i >= 0; i--) {
    const sec = sections[i]!
    if (sec === 0) {
      gap = out !== ""
      continue
    }
    if (out !== "" && (gap || sec < 1000)) out += "零"
    out += cnSection(sec) + CN_SECTIONS[i]
    gap = false
  }
  return out
}

/**
 * The amount in capital numerals as written on invoices and vouchers (大写金额), following the
 * People's Bank rules for filling in bills: 12345 → "壹佰贰拾叁元肆角伍分", 10000 → "壹佰元整",
 * 168032 → "壹仟陆佰捌拾元零叁角贰分", 1002 → "壹拾元零贰分", 0 → "零元整", negative → "负…".
 * "整" follows 元 when there are no jiao or fen; none is written after 角 (the rules allow either).
 */
export function toChineseCapital(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new MoneyFormatError(`Not a whole number of fen: ${fen}`)
  if (fen < 0) return `负${toChineseCapital(-fen)}`
  const yuan = Math.floor(fen / 100)
  const jiao = Math.floor(fen / 10) % 10
  const cents = fen % 10
  if (jiao === 0 && cents === 0) return `${yuan === 0 ? "零" : cnInteger(yuan)}元整`
  let out = yuan > 0 ? `${cnInteger(yuan)}元` : ""
  if (jiao > 0) out += `${yuan > 0 && yuan % 10 === 0 ? "零" : ""}${CN_DIGITS[jiao]}角`
  if (cents > 0) out += `${jiao === 0 && yuan > 0 ? "零" : ""}${CN_DIGITS[cents]}分`
  return out
}

/**
 * Splits `amountFen` (may be negative) over `weights` (non-negative) in proportion, to the fen:
 * each share is the floor of its exact part, and the fen left over go one each to the largest
 * remainders, ties to the earlier weight. The shares always sum to `amountFen` exactly, and a
 * share is never larger in size than the ceiling of its exact part. Exact for any safe integers
 * (BigInt inside); weights may be bigint when they are scaled fractions.
 */
export function allocateProRata(amountFen: number, weights: readonly (number | bigint)[]): number[] {
  if (!Number.isSafeInteger(amountFen)) throw new RangeError(`allocateProRata: not whole fen: ${amountFen}`)
  if (amountFen < 0) return allocateProRata(-amountFen, weights).map((s) => (s === 0 ? 0 : -s))
  const w = weights.map((x) => BigInt(x))
  if (w.some((x) => x < 0n)) throw new RangeError("allocateProRata: negative weight")
  const total = w.reduce((a, b) => a + b, 0n)
  if (amountFen === 0) return w.map(() => 0)
  if (total === 0n) throw new RangeError("allocateProRata: an amount cannot be split over zero weights")
  const amount = BigInt(amountFen)
  const shares = w.map((x) => (amount * x) / total)
  let left = Number(amount - shares.reduce((a, b) => a + b, 0n))
  const order = w
    .map((x, i) => ({ i, rem: (amount * x) % total }))
    .sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1))
  for (const { i } of order) {
    if (left === 0) break
    shares[i]! += 1n
    left--
  }
  return shares.map(Number)
}
