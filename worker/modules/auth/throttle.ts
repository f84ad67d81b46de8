// Login throttling. Per username: after FREE_FAILURES wrong passwords the account is locked
// for a time that doubles with each further failure, capped at MAX_LOCK_MS, so nobody can lock
// the owner out for good. Per client: at most CLIENT_MAX failures per CLIENT_WINDOW_MS.
import { eq, sql } from "drizzle-orm"
import type { Db } from "../../db/client"
import { loginThrottles } from "../../db/schema"
import { problem } from "../../lib/problem"

const FREE_FAILURES = 5
const BASE_LOCK_MS = 30_000
const MAX_LOCK_MS = 15 * 60_000
const FORGET_AFTER_MS = 60 * 60_000
const CLIENT_MAX = 50
const CLIENT_WINDOW_MS = 10 * 60_000

export const userKey = (username: string) => `u:${username.toLowerCase()}`
export const clientKey = (ip: string) => `c:${ip}`

export const lockFor = (failures: number): number =>
  failures < FREE_FAILURES ? 0 : Math.min(MAX_LOCK_MS, BASE_LOCK_MS * 2 ** (failures - FREE_FAILURES))

const tooMany = (retryAfterMs: number) => {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000))
  return problem(429, "too_many_attempts", `Too many failed sign-ins; try again in ${seconds} s.`, {
    retryAfter: seconds,
    headers: { "Retry-After": String(seconds) },
  })
}

/** Throws 429 when either the username or the client is currently held back. */
export async function assertMayTry(db: Db, keys: { user: string; client: string }, now = Date.now()) {
  const rows = await db
    .select()
    .from(loginThrottles)
    .where(sql`${loginThrottles.key} in (${keys.user}, ${keys.client})`)
  for (const row of rows) {
    if (row.lockedUntil > now) throw tooMany(row.lockedUntil - now)
  }
}

export async function recordFailure(db: Db, keys: { user: string; client: string }, now = Date.now()) {
  const [user] = await db
    .insert(loginThrottles)
    .values({ key: keys.user, failures: 1, windowStart: now })
    .onConflictDoUpdate({
      target: loginThrottles.key,
      set: {
        failures: sql`case when ${loginThrottles.windowStart} < ${now - FORGET_AFTER_MS} then 1 else ${loginThrottles.failures} + 1 end`,
        windowStart: now,
      },
    })
    .returning()
  if (user && lockFor(user.failures) > 0)
    await db
      .update(loginThrottles)
      .set({ lockedUntil: now + lockFor(user.failures) })
      .where(eq(loginThrottles.key, keys.user))

  const [client] = await db
    .insert(loginThrottles)
    .values({ key: keys.client, failures: 1, windowStart: now })
    .onConflictDoUpdate({
      target: loginThrottles.key,
      set: {
        failures: sql`case when ${loginThrottles.windowStart} < ${now - CLIENT_WINDOW_MS} then 1 else ${loginThrottles.failures} + 1 end`,
        windowStart: sql`case when ${loginThrottles.windowStart} < ${now - CLIENT_WINDOW_MS} then ${now} else ${loginThrottles.windowStart} end`,
      },
    })
    .returning()
  if (client && client.failures >= CLIENT_MAX)
    await db
      .update(loginThrottles)
      .set({ lockedUntil: client.windowStart + CLIENT_WINDOW_MS })
      .where(eq(loginThrottles.key, keys.client))
}

export const forgetFailures = (db: Db, userKeyValue: string) =>
  db.delete(loginThrottles).where(eq(loginThrottles.key, userKeyValue))
