import { computed, signal } from "@preact/signals"
import type { Role } from "../../../core/roles"
import { displayName, session } from "./session"

// Who is at the till right now. A shared till stays signed in as one user (its session syncs the outbox), and
// cashiers take over with username + till PIN, checked on the device (store/pins.ts), online or not. Each sale
// carries the cashier at the till as cashierId; the server credits it only to staff of the device's store.
const KEY = "puzi.tillCashier"

export interface TillCashier {
  userId: string
  username: string
  displayName: string
  role: Role
  /** The session it was taken over in (the token's tail): any new sign-in starts again with its own user. */
  session: string
  since: number
}

const read = (): TillCashier | null => {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? "null") as TillCashier | null
    return typeof value?.userId === "string" && typeof value.session === "string" ? value : null
  } catch {
    return null
  }
}

const current = signal<TillCashier | null>(read())

/** The cashier at the till: whoever took over by PIN in this session, else the signed-in user. */
const sessionTag = (token: string) => token.slice(-16)

export const tillCashier = computed(() => {
  const signedIn = session.value
  if (!signedIn) return null
  const taken = current.value
  if (taken && taken.session === sessionTag(signedIn.token)) return { id: taken.userId, name: taken.displayName }
  return { id: signedIn.user.id, name: displayName(signedIn.user) }
})

export const takeOverTill = (cashier: Omit<TillCashier, "session" | "since">) => {
  const signedIn = session.value
  if (!signedIn) return
  const next: TillCashier = { ...cashier, session: sessionTag(signedIn.token), since: Date.now() }
  current.value = next
  try {
    localStorage.setItem(KEY, JSON.stringify(next))
  } catch {
    // this tab only
  }
}

/** Re-reads the stored hand-over (tests). */
export const loadTillCashier = () => {
  current.value = read()
}
