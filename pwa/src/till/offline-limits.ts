import { computed, signal } from "@preact/signals"
import { readLocal, writeLocal } from "../store/local"

// How much stored value (储值) one sale may take while the till is offline. Offline the till only knows the
// balance it last saw, and the member may be spending the same balance at another store right now: the server
// books such a sale anyway (it happened) and flags what the balance no longer covers, so the chain caps what it
// risks per sale. A store manager sets it on the device (Settings); 0 refuses stored value offline altogether.
const KEY = "puzi.offlineStoredValueFen"
export const DEFAULT_OFFLINE_STORED_VALUE_FEN = 200_00

const read = (): number => {
  const value = Number(readLocal(KEY) ?? Number.NaN)
  return Number.isInteger(value) && value >= 0 ? value : DEFAULT_OFFLINE_STORED_VALUE_FEN
}

const limit = signal(read())
export const offlineStoredValueLimit = computed(() => limit.value)

export const setOfflineStoredValueLimit = (fen: number) => {
  if (!Number.isInteger(fen) || fen < 0) return
  limit.value = fen
  writeLocal(KEY, String(fen))
}

/** Whether `fen` more stored value, on top of `alreadyFen` in this sale, stays within the offline limit. */
export const withinOfflineStoredValue = (alreadyFen: number, fen: number) => alreadyFen + fen <= limit.value

export const loadOfflineLimits = () => {
  limit.value = read()
}
