// Local calendar time in the chain's time zone, through Intl (present in browsers, Workers and
// Node), so "Saturdays 18:00–21:00" means the same moment on the till and on the server.

export type LocalTime = {
  /** "YYYY-MM-DD" */
  date: string
  /** 1..12 */
  month: number
  /** ISO weekday: 1 Monday … 7 Sunday */
  weekday: number
  /** minutes since local midnight, 0..1439 */
  minutes: number
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 }
const formats = new Map<string, Intl.DateTimeFormat>()

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
    formats.set(timeZone, f)
  }
  return f
}

export function localTime(at: number, timeZone: string): LocalTime {
  if (!Number.isFinite(at)) throw new RangeError(`localTime: not a time: ${at}`)
  const parts: Record<string, string> = {}
  for (const p of formatFor(timeZone).formatToParts(new Date(at))) parts[p.type] = p.value
  const month = Number(parts.month)
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    month,
    weekday: WEEKDAYS[parts.weekday ?? ""] ?? 0,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  }
}

/** "HH:MM" → minutes since midnight. */
export const clockMinutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/** A daily [from, to) range as one or two intervals of minutes (two when it wraps past midnight). */
export function hourIntervals(hours: { from: string; to: string }): [number, number][] {
  const from = clockMinutes(hours.from)
  const to = clockMinutes(hours.to)
  return from < to
    ? [[from, to]]
    : [
        [from, 1440],
        [0, to],
      ]
}
