import { computed, signal } from "@preact/signals"
import { dayOf } from "../../../core/business-day"
import { DEFAULT_POINTS_RULES, type PointsRules } from "../../../core/points"
import type { RoundingPolicy } from "../../../core/rounding"
import { session } from "../auth/session"
import { readLocal, writeLocal } from "./local"

// Which store this device sells for: the user's own store, or the one an owner/manager picked.
const KEY = "puzi.location"

const chosen = signal<string | null>(readLocal(KEY))

export const locationId = computed<string | null>(() => {
  const user = session.value?.user
  if (!user) return null
  if (chosen.value && (user.locationIds.length === 0 || user.locationIds.includes(chosen.value))) return chosen.value
  return user.locationIds[0] ?? chosen.value
})

export const chooseLocation = (id: string) => {
  chosen.value = id
  writeLocal(KEY, id)
}

/** Re-reads the remembered choice (tests). */
export const loadLocation = () => {
  chosen.value = readLocal(KEY)
}

export const CHAIN_TIME_ZONE = "Asia/Shanghai"

/** The business day of an instant in the chain's time zone, YYYY-MM-DD. */
export const businessDay = (at = Date.now()) => dayOf(at, CHAIN_TIME_ZONE)

/** The chain's payable rounding (抹零), as the server publishes it; the till prices with it offline. */
export const chainRounding = signal<RoundingPolicy>("none")

/** The chain's points rules (earn rate, birthday multiplier, redeem rate), as the server publishes them. */
export const chainPoints = signal<PointsRules>(DEFAULT_POINTS_RULES)
