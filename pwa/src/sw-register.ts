import { computed, signal } from "@preact/signals"
import { Workbox } from "workbox-window"

// Registers the service worker built by vite-plugin-pwa (registerType "prompt"): a new version waits until the
// user presses 更新, so a cashier is never reloaded in the middle of a sale.
const waiting = signal<(() => void) | null>(null)
export const updateReady = computed(() => waiting.value !== null)

export const applyUpdate = () => waiting.value?.()

export const registerServiceWorker = () => {
  if (!("serviceWorker" in navigator)) return
  const wb = new Workbox("/sw.js", { scope: "/" })
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
