import { computed, signal } from "@preact/signals"
import { Workbox } from "workbox-window"

// Registers the service worker built by vite-plugin-pwa (registerType "prompt"): a new version waits until the
// user presses 更新, so a cashier is never reloaded in the middle of a sale.
const waiting = signal<(() => void) | null>(null)
export const updateReady = computed(() => waiting.value !== null)

export const applyUpdate = () => waiting.value?.()

let workbox: Workbox | null = null

/** Asks the server whether a newer version exists (Settings → 检查更新); a waiting one shows the prompt. */
export const checkForUpdate = async () => {
  await workbox?.update()
}

export const registerServiceWorker = () => {
  if (!("serviceWorker" in navigator)) return
  const wb = new Workbox("/sw.js", { scope: "/" })
  workbox = wb
  wb.addEventListener("waiting", () => {
    waiting.value = () => {
      // reload once the new version has taken over, so the page and its chunks come from one build
      wb.addEventListener("controlling", () => window.location.reload())
      wb.messageSkipWaiting()
    }
  })
  wb.register().catch((error: unknown) => {
    // The app still works online without a service worker; say so in the console only.
    console.warn("service worker registration failed", error)
  })
}
