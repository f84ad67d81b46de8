import { computed, signal } from "@preact/signals"

// Whether the browser believes it has a network. It can be wrong in the hopeful direction (captive portals,
// a dead uplink), so sync code must still treat a failed fetch as offline; this drives what the user sees.
const state = signal(typeof navigator === "undefined" ? true : navigator.onLine)
export const online = computed(() => state.value)

if (typeof window !== "undefined") {
  window.addEventListener("online", () => {
    state.value = true
  })
  window.addEventListener("offline", () => {
    state.value = false
  })
}
