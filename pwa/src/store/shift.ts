import { computed, signal } from "@preact/signals"

// The shift open at this till (交班), remembered on the device so sales made offline carry its id.
export interface OpenShift {
  id: string
  locationId: string
  openedAt: string
  floatFen: number
}

const KEY = "puzi.shift"

const read = (): OpenShift | null => {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(KEY) ?? "null")
    return value && typeof value === "object" && typeof (value as OpenShift).id === "string"
      ? (value as OpenShift)
      : null
  } catch {
    return null
  }
}

const current = signal<OpenShift | null>(read())
export const openShift = computed(() => current.value)
export const currentShiftId = () => current.value?.id

export const setOpenShift = (shift: OpenShift | null) => {
  current.value = shift
  try {
    if (shift) localStorage.setItem(KEY, JSON.stringify(shift))
    else localStorage.removeItem(KEY)
  } catch {
    // this tab only
  }
}

export const loadShift = () => {
  current.value = read()
}
