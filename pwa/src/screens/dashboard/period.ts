// The dashboard's figures: one period (7 days, 30 days, this month) for all stores or one, beside the
// period just before it. Kept on the device per user, period and store with the home screen's helpers,
// so that offline the screen still shows the last figures and their time.
import { computed, signal } from "@preact/signals"
import { addDays, daysBetween } from "../../../../core/business-day"
import { ApiError, api } from "../../api/client"
import { online } from "../../net"
import { writeLocal } from "../../store/local"
import { businessDay } from "../../store/location"
import { type Figures, readJson, type Summary } from "../home/figures"

export type PeriodId = "7d" | "30d" | "month"
export const PERIODS: PeriodId[] = ["7d", "30d", "month"]

export type Range = { from: string; to: string }
export type Day = Figures & { day: string }
export type PeriodSummary = Summary & { days: Day[] }
export type Loaded = { summary: PeriodSummary; prior: Figures & Range; loadedAt: number }
export type LoadProblem = { code: string; detail?: string }

/** The business days of a period ending today (chain time): a rolling window, or the month so far. */
export function rangeOf(period: PeriodId, today: string): Range {
  if (period === "month") return { from: `${today.slice(0, 8)}01`, to: today }
  return { from: addDays(today, period === "7d" ? -6 : -29), to: today }
}

/** As many days just before the range: what each change is measured against. */
export function priorOf({ from, to }: Range): Range {
  const n = daysBetween(from, to) + 1
  return { from: addDays(from, -n), to: addDays(from, -1) }
}

/** A store's share of the period's net sales in tenths of a percent, half away from zero; null without a base. */
export function sharePermille(part: number, whole: number): number | null {
  if (whole <= 0) return null
  const sign = part < 0 ? -1 : 1
  return sign * Math.floor((2 * Math.abs(part) * 1000 + whole) / (2 * whole))
}

const ALL = ""
const cacheKey = (userId: string) => `puzi.dashboard.figures:${userId}`
const scopeKey = (period: PeriodId, store: string) => `${period}|${store}`
const saved = (userId: string) => readJson<Record<string, Loaded>>(cacheKey(userId)) ?? {}

const period = signal<PeriodId>("7d")
const store = signal<string>(ALL)
const loaded = signal<Loaded | null>(null)
const stale = signal(false)
const failed = signal<LoadProblem | null>(null)
const busy = signal(false)
// The stores the user may filter by: from the last all-stores answer (a filtered answer holds only one).
const storeList = signal<{ locationId: string; name: string }[]>([])

export const chosenPeriod = computed(() => period.value)
export const chosenStore = computed(() => store.value)
export const figures = computed(() => loaded.value)
export const showingSaved = computed(() => stale.value)
export const loadProblem = computed(() => failed.value)
export const loading = computed(() => busy.value)
export const stores = computed(() => storeList.value)

const summaryPath = (range: Range, locationId: string) => {
  const q = new URLSearchParams({ from: range.from, to: range.to })
  if (locationId) q.set("locationId", locationId)
  return `/reports/summary?${q}`
}

/** Shows what this device last saw for the period and store, then asks the server. */
export async function show(userId: string, next: { period?: PeriodId; store?: string } = {}) {
  period.value = next.period ?? period.value
  store.value = next.store ?? store.value
  const cached = saved(userId)[scopeKey(period.value, store.value)] ?? null
  loaded.value = cached
  if (!store.value && cached) storeList.value = cached.summary.stores
  stale.value = false
  failed.value = null
  await load(userId)
}

async function load(userId: string) {
  const wantedPeriod = period.value
  const wantedStore = store.value
  const switched = () => period.value !== wantedPeriod || store.value !== wantedStore
  // The device knows it is offline: keep the saved figures rather than wait for a fetch to fail.
  if (!online.value) {
    stale.value = loaded.value !== null
    failed.value = { code: "network_error" }
    return
  }
  const range = rangeOf(wantedPeriod, businessDay())
  const prior = priorOf(range)
  busy.value = true
  try {
    // Seven days: the answer's "same days last week" is exactly the prior period, no second read.
    const sevenDays = daysBetween(range.from, range.to) === 6
    const [summary, before] = await Promise.all([
      api.get<PeriodSummary>(summaryPath(range, wantedStore)),
      sevenDays ? null : api.get<PeriodSummary>(summaryPath(prior, wantedStore)),
    ])
    if (switched()) return // the user switched meanwhile: that answer wins
    const next: Loaded = {
      summary,
      prior: { ...(before ? before.totals : summary.totals.lastWeek), ...prior },
      loadedAt: Date.now(),
    }
    loaded.value = next
    if (!wantedStore) storeList.value = summary.stores
    stale.value = false
    failed.value = null
    writeLocal(cacheKey(userId), JSON.stringify({ ...saved(userId), [scopeKey(wantedPeriod, wantedStore)]: next }))
  } catch (e) {
    if (switched()) return
    stale.value = loaded.value !== null
    failed.value = e instanceof ApiError ? { code: e.code, detail: e.detail } : { code: "network_error" }
  } finally {
    if (!switched()) busy.value = false
  }
}

/** Forgets the screen's state (tests, and a different user on a shared device). */
export function resetDashboard() {
  period.value = "7d"
  store.value = ALL
  loaded.value = null
  stale.value = false
  failed.value = null
  busy.value = false
  storeList.value = []
}
