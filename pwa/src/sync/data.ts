import { computed, signal } from "@preact/signals"
import { ApiError } from "../api/client"
import { session } from "../auth/session"
import { loadSettings, syncCatalog, syncPromotions, syncSettings, syncStock } from "../store/catalog"
import { getMeta } from "../store/db"
import { locationId } from "../store/location"
import { syncMembers } from "../store/members"
import { refreshPins } from "../store/pins"

// Keeps the device's copy of the catalog, promotions and stock fresh: at start, when the network returns, and
// every few minutes. The till never waits for it: it prices from whatever the device already holds.

const busy = signal(false)
const failed = signal<string | null>(null)
const catalogAt = signal<number | null>(null)

export const refreshing = computed(() => busy.value)
export const dataError = computed(() => failed.value)
export const catalogSyncedAt = computed(() => catalogAt.value)

let running: Promise<void> | null = null

export const refreshData = (): Promise<void> => {
  running ??= (async () => {
    // Offline the device prices from what it holds; the `online` event brings the next refresh.
    if (!session.value || !navigator.onLine) return
    busy.value = true
    try {
      await syncCatalog()
      const store = locationId.value
      await Promise.all([
        syncSettings(),
        refreshPins(),
        ...(store ? [syncPromotions(store), syncStock(store), syncMembers(store)] : []),
      ])
      failed.value = null
    } catch (error) {
      failed.value = error instanceof ApiError ? error.code : String(error)
    } finally {
      catalogAt.value = (await getMeta<number>("catalog.syncedAt")) ?? null
      busy.value = false
    }
  })().finally(() => {
    running = null
  })
  return running
}

const EVERY_MS = 5 * 60_000
let started = false

export const startDataSync = () => {
  if (started || typeof window === "undefined") return
  started = true
  void loadSettings()
  void getMeta<number>("catalog.syncedAt").then((at) => {
    catalogAt.value = at ?? null
  })
  void refreshData()
  window.addEventListener("online", () => void refreshData())
  window.setInterval(() => {
    if (navigator.onLine) void refreshData()
  }, EVERY_MS)
}
