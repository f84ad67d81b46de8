// The business day of an instant: its calendar date "YYYY-MM-DD" in the chain's (or a store's) time
// zone, so a sale, its report row and the day close agree on which day it belongs to.

const formats = new Map<string, Intl.DateTimeFormat>()

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" })
    formats.set(timeZone, f)
  }
  return f
}

/** "YYYY-MM-DD" of an instant in a time zone (read from the parts, whatever the locale's own order). */
export function dayOf(at: number, timeZone: string): string {
  const p: Record<string, string> = {}
  for (const x of formatFor(timeZone).formatToParts(new Date(at))) p[x.type] = x.value
  return `${p.year}-${p.month}-${p.day}`
}

/** The "YYYY-MM-DD" `n` calendar days after `day` (before it when `n` is negative); month and year ends roll over. */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10)
}

/** Whole days from `from` to `to`, both "YYYY-MM-DD" (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
