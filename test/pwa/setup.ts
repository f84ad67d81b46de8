import "fake-indexeddb/auto"
import { afterEach, beforeEach, vi } from "vitest"
import { loadTillCashier } from "../../pwa/src/auth/cashier"
import { loadDevice } from "../../pwa/src/auth/device"
import { loadSession } from "../../pwa/src/auth/session"
import { loadLanguage } from "../../pwa/src/i18n"
import { loadSettings } from "../../pwa/src/settings"
import { closeDb, DB_NAME } from "../../pwa/src/store/db"
import { loadLocation } from "../../pwa/src/store/location"
import { loadShift } from "../../pwa/src/store/shift"
import { clearCart } from "../../pwa/src/till/cart"
import { loadOfflineLimits } from "../../pwa/src/till/offline-limits"
import { unmountAll } from "./helpers"

// Every story starts on a fresh device: nothing remembered, Chinese, signed out, history at "/", empty IndexedDB.
beforeEach(() => {
  localStorage.clear()
  loadLanguage()
  loadSession()
  loadLocation()
  loadSettings()
  loadShift()
  loadDevice()
  loadTillCashier()
  loadOfflineLimits()
  clearCart()
  history.replaceState(null, "", "/")
})

afterEach(async () => {
  await unmountAll()
  document.body.innerHTML = ""
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  await closeDb()
  await new Promise<void>((resolve) => {
    const request = indexedDB.deleteDatabase(DB_NAME)
    request.onsuccess = request.onerror = request.onblocked = () => resolve()
  })
})
