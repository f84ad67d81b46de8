import "fake-indexeddb/auto"
import { afterEach, beforeEach, vi } from "vitest"
import { loadSession } from "../../pwa/src/auth/session"
import { loadLanguage } from "../../pwa/src/i18n"

// Every story starts on a fresh device: nothing remembered, Chinese, signed out, history at "/".
beforeEach(() => {
  localStorage.clear()
  loadLanguage()
  loadSession()
  history.replaceState(null, "", "/")
})

afterEach(() => {
  document.body.innerHTML = ""
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})
