import { computed, signal } from "@preact/signals"

// This till's registration (POST /devices by a store manager): its id travels with every sign-in and every
// synced sale, and only a session signed in on it may download its store's till PIN verifiers.
const KEY = "puzi.device"

export interface DeviceRegistration {
  id: string
  locationId: string
  name: string
}

const read = (): DeviceRegistration | null => {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? "null") as DeviceRegistration | null
    return typeof value?.id === "string" && typeof value.locationId === "string" ? value : null
  } catch {
    return null
  }
}

const current = signal<DeviceRegistration | null>(read())
export const device = computed(() => current.value)
export const deviceId = () => current.value?.id

export const rememberDevice = (next: DeviceRegistration | null) => {
  current.value = next
  try {
    if (next) localStorage.setItem(KEY, JSON.stringify(next))
    else localStorage.removeItem(KEY)
  } catch {
    // this tab only
  }
}

/** Re-reads the stored registration (tests). */
export const loadDevice = () => {
  current.value = read()
}
