import { computed, signal } from "@preact/signals"
import type { Permission, Role } from "../../../core/roles"
import { ROLES } from "../../../core/roles"

export interface SessionUser {
  id: string
  role: Role
  locationIds: string[]
  /** What the user typed at login; /me adds the display name once the server offers it. */
  username: string
  displayName?: string
  permissions?: Permission[]
}

export interface Session {
  token: string
  user: SessionUser
}

const STORAGE_KEY = "puzi.session"

const isSession = (value: unknown): value is Session => {
  const s = value as Session | null
  return (
    typeof s?.token === "string" &&
    typeof s.user?.id === "string" &&
    ROLES.includes(s.user.role) &&
    Array.isArray(s.user.locationIds)
  )
}

const remembered = (): Session | null => {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null")
    return isSession(parsed) ? parsed : null
  } catch {
    return null
  }
}

const current = signal<Session | null>(remembered())
export const session = computed(() => current.value)
export const signedIn = computed(() => current.value !== null)

const save = (next: Session | null) => {
  current.value = next
  try {
    if (next) localStorage.setItem(STORAGE_KEY, JSON.stringify(next))
    else localStorage.removeItem(STORAGE_KEY)
  } catch {
    // kept in memory for this tab
  }
}

export const startSession = (next: Session) => save(next)

/** Merges what /me says about the user into the stored session (the token stays). */
export const refreshUser = (profile: Partial<SessionUser>) => {
  const s = current.value
  if (!s) return
  save({ ...s, user: { ...s.user, ...profile } })
}

/** Forgets the token and the user: sign-out, or the server said the token is no longer valid. */
export const endSession = () => save(null)

/** Re-reads the stored session (another tab signed in or out; tests). */
export const loadSession = () => {
  current.value = remembered()
}

export const displayName = (user: SessionUser): string => user.displayName || user.username
