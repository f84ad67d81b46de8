// The owner's numbers on the home screen: today's summary for all stores or one, remembered per user
// and kept on the device, so that offline the screen still shows the last figures and their time.
import { computed, signal } from "@preact/signals"
import { ApiError, api } from "../../api/client"
import { online } from "../../net"
import { readLocal, writeLocal } from "../../store/local"

export type Figures = { orders: number; netSalesFen: number; averageTicketFen: number; returnsFen: number }
export type StoreFigures = Figures & { rank: number; locationId: string; name: string }
export type Summary = {
  from: string
  to: string
  locationId: string | null
  totals: Figures & { lastWeek: Figures }
  stores: StoreFigures[]
  asOf: string
}

/** One scope's figures as loaded: the chain-wide summary (for the store list) and, for one store, its own. */
export type Loaded = { all: Summary; store: Summary | null; loadedAt: number }

const ALL = ""
const storeKey = (userId: string) => `puzi.home.store:${userId}`
const cacheKey = (userId: string) => `puzi.home.figures:${userId}`

export const readJson = <T>(key: string): T | null => {
  try {
    const raw = readLocal(key)
    return raw ? (JSON.parse(raw) as T) : null
  } catch {
    return null
  }
}

const scope = signal<string>(ALL)
const loaded = signal<Loaded | null>(null)
const stale = signal(false)
const failed = signal<string | null>(null)

export const chosenStore = computed(() => scope.value)
export const figures = computed(() => loaded.value)
/** True when what is shown came from the device because the server could not be reached. */
export const showingSaved = computed(() => stale.value)
export const loadError = computed(() => failed.value)

/** The figures of the scope on screen: the chosen store's own summary, or the chain's. */
export const current = computed(() => {
  const l = loaded.value
  return l ? (l.store ?? l.all) : null
})

const saved = (userId: string) => readJson<Record<string, Loaded>>(cacheKey(userId)) ?? {}

/** Shows what this device last saw for the user's remembered scope, then asks the server. */
export async function openFigures(userId: string) {
  scope.value = readLocal(storeKey(userId)) ?? ALL
  loaded.value = saved(userId)[scope.value] ?? null
  stale.value = false
  failed.value = null
  await loadFigures(userId)
}

export async function chooseStore(userId: string, locationId: string) {
  scope.value = locationId
  writeLocal(storeKey(userId), locationId)
  loaded.value = saved(userId)[locationId] ?? null
  await loadFigures(userId)
}

export async function loadFigures(userId: string) {
  const wanted = scope.value
  // The device knows it is offline: keep the saved figures rather than wait for a fetch to fail.
  if (!online.value) {
    stale.value = loaded.value !== null
    failed.value = "network_error"
    return
  }
  try {
    const [all, store] = await Promise.all([
      api.get<Summary>("/reports/summary"),
      wanted === ALL ? null : api.get<Summary>(`/reports/summary?locationId=${encodeURIComponent(wanted)}`),
    ])
    if (scope.value !== wanted) return // the user switched meanwhile: that answer wins
    const next: Loaded = { all, store, loadedAt: Date.now() }
    loaded.value = next
    stale.value = false
    failed.value = null
    writeLocal(cacheKey(userId), JSON.stringify({ ...saved(userId), [wanted]: next }))
  } catch (e) {
    if (scope.value !== wanted) return
    // A store that is no longer ours (404): back to all stores rather than a blank screen.
    if (e instanceof ApiError && e.status === 404 && wanted !== ALL) return chooseStore(userId, ALL)
    stale.value = loaded.value !== null
    failed.value = e instanceof ApiError ? e.code : "network_error"
  }
}

/** Change against last week in tenths of a percent, rounded half away from zero; null without a base. */
export function changePermille(now: number, before: number): number | null {
  if (before === 0) return null
  const num = (now - before) * 1000
  const sign = num * before < 0 ? -1 : 1
  const a = Math.abs(num)
  const b = Math.abs(before)
  return sign * Math.floor((2 * a + b) / (2 * b))
}

/** Forgets the screen's state (tests, and a different user on a shared device). */
export const resetFigures = () => {
  scope.value = ALL
  loaded.value = null
  stale.value = false
  failed.value = null
}
