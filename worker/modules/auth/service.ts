import { and, count, desc, eq, gt, isNull, ne } from "drizzle-orm"
import type { Role } from "../../../core/roles"
import { isTooSimplePin } from "../../../core/till-pin"
import type { Db } from "../../db/client"
import { devices, sessions, tillPins, users } from "../../db/schema"
import { type Actor, may } from "../../lib/actor"
import { forgetVerifiedTokens, newSessionToken } from "../../lib/auth"
import { sha256 } from "../../lib/crypto"
import { newId } from "../../lib/ids"
import { hashPassword, verifyPassword } from "../../lib/password"
import { problem } from "../../lib/problem"
import { allLocationIds } from "../locations"
import { assertMayTry, clientKey, forgetFailures, recordFailure, userKey } from "./throttle"

export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000

type UserRow = typeof users.$inferSelect

/** What a client learns about a user: never the hash. "all" scopes are expanded to today's ids. */
export async function publicUser(db: Db, u: UserRow) {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    allLocations: u.locationIds === "all",
    locationIds: u.locationIds === "all" ? await allLocationIds(db) : u.locationIds,
  }
}

export async function login(
  db: Db,
  iterations: number,
  input: { username: string; password: string; deviceId?: string; userAgent?: string; clientIp: string },
) {
  const keys = { user: userKey(input.username), client: clientKey(input.clientIp) }
  await assertMayTry(db, keys)
  const [user] = await db.select().from(users).where(eq(users.username, input.username))
  // An unknown user costs the same hashing as a wrong password, so timing tells nothing.
  const ok = user
    ? await verifyPassword(input.password, user.passwordHash)
    : await hashPassword(input.password, iterations)
  if (!user || ok !== true || user.status !== "active") {
    await recordFailure(db, keys)
    throw problem(401, "invalid_credentials", "Wrong username or password.")
  }
  if (input.deviceId) await assertDeviceUsable(db, input.deviceId, user)

  const token = newSessionToken()
  const now = Date.now()
  await db.batch([
    db.insert(sessions).values({
      id: newId("ses"),
      userId: user.id,
      tokenHash: await sha256(token),
      deviceId: input.deviceId ?? null,
      userAgent: input.userAgent?.slice(0, 200) ?? null,
      expiresAt: now + SESSION_TTL_MS,
    }),
    forgetFailures(db, keys.user),
  ])
  return { token, expiresAt: new Date(now + SESSION_TTL_MS).toISOString(), user: await publicUser(db, user) }
}

async function assertDeviceUsable(db: Db, deviceId: string, user: UserRow) {
  const [device] = await db.select().from(devices).where(eq(devices.id, deviceId))
  const scope = { locationIds: user.locationIds } as Actor
  if (!device || !may(scope, device.locationId)) throw problem(404, "not_found", "No such device.")
  if (device.revokedAt)
    throw problem(403, "device_revoked", "This device has been revoked by a manager; ask them to register it again.")
}

export async function logout(db: Db, actor: Actor) {
  if (actor.sessionId) await revokeSessions(db, { sessionId: actor.sessionId })
}

export async function me(db: Db, actor: Actor) {
  if (actor.kind !== "user") throw problem(403, "forbidden", "API keys have no user profile.")
  const [user] = await db.select().from(users).where(eq(users.id, actor.id))
  return { ...(await publicUser(db, user!)), permissions: [...actor.permissions], deviceId: actor.deviceId ?? null }
}

/** Every session of a user ends when the password changes, except (optionally) the caller's own. */
export async function setPassword(db: Db, iterations: number, userId: string, password: string, keepSession?: string) {
  const now = Date.now()
  await db.batch([
    db
      .update(users)
      .set({ passwordHash: await hashPassword(password, iterations), passwordChangedAt: now })
      .where(eq(users.id, userId)),
    db
      .update(sessions)
      .set({ revokedAt: now })
      .where(
        and(
          eq(sessions.userId, userId),
          isNull(sessions.revokedAt),
          keepSession ? ne(sessions.id, keepSession) : undefined,
        ),
      ),
  ])
  forgetVerifiedTokens()
}

export async function changeOwnPassword(
  db: Db,
  iterations: number,
  actor: Actor,
  input: { currentPassword: string; newPassword: string },
) {
  const [user] = await db.select().from(users).where(eq(users.id, actor.id))
  if (!user || !(await verifyPassword(input.currentPassword, user.passwordHash)))
    throw problem(422, "invalid_credentials", "The current password is wrong.")
  await setPassword(db, iterations, actor.id, input.newPassword, actor.sessionId)
}

export async function listSessions(db: Db, userId: string) {
  const rows = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, Date.now())))
    .orderBy(desc(sessions.createdAt))
    .limit(100)
  return rows.map((s) => ({
    id: s.id,
    deviceId: s.deviceId,
    userAgent: s.userAgent,
    createdAt: new Date(s.createdAt).toISOString(),
    expiresAt: new Date(s.expiresAt).toISOString(),
  }))
}

/** Ends sessions now: in this isolate at once, elsewhere once the verified-token cache lapses (seconds). */
export async function revokeSessions(db: Db, where: { sessionId?: string; userId?: string; deviceId?: string }) {
  const result = await db
    .update(sessions)
    .set({ revokedAt: Date.now() })
    .where(
      and(
        isNull(sessions.revokedAt),
        where.sessionId ? eq(sessions.id, where.sessionId) : undefined,
        where.userId ? eq(sessions.userId, where.userId) : undefined,
        where.deviceId ? eq(sessions.deviceId, where.deviceId) : undefined,
      ),
    )
  forgetVerifiedTokens()
  return result
}

/** A deployed chain has no users yet: the first call creates its owner, and never again. */
export async function needsSetup(db: Db) {
  const [row] = await db.select({ n: count() }).from(users)
  return (row?.n ?? 0) === 0
}

export async function insertUser(
  db: Db,
  iterations: number,
  u: { username: string; password: string; role: Role; locationIds: string[] | "all"; displayName?: string },
) {
  const id = newId("usr")
  const [row] = await db
    .insert(users)
    .values({
      id,
      username: u.username,
      displayName: u.displayName ?? u.username,
      passwordHash: await hashPassword(u.password, iterations),
      role: u.role,
      locationIds: u.locationIds,
      passwordChangedAt: Date.now(),
    })
    .onConflictDoNothing()
    .returning()
  if (!row) throw problem(409, "duplicate_username", `The username "${u.username}" is taken.`)
  return row
}

export async function setupOwner(db: Db, iterations: number, input: { username: string; password: string }) {
  if (!(await needsSetup(db))) throw problem(409, "already_set_up", "This chain already has its owner.")
  const row = await insertUser(db, iterations, { ...input, role: "owner", locationIds: "all" })
  return publicUser(db, row)
}

/**
 * Sets the caller's till PIN (4–6 digits, checked by the route). Hashed like a password, with its own
 * salt, in its own table: a PIN never signs anyone in to the server; tills verify it offline.
 */
export async function setTillPin(db: Db, iterations: number, actor: Actor, pin: string) {
  if (actor.kind !== "user") throw problem(403, "forbidden", "API keys have no till PIN.")
  if (isTooSimplePin(pin))
    throw problem(422, "pin_too_simple", "Choose a PIN that is not a repeated or consecutive run of digits.", {
      errors: [{ path: "pin", message: "too easy to guess" }],
    })
  const pinHash = await hashPassword(pin, iterations)
  await db
    .insert(tillPins)
    .values({ userId: actor.id, pinHash })
    .onConflictDoUpdate({ target: tillPins.userId, set: { pinHash, updatedAt: Date.now() } })
}

export async function clearTillPin(db: Db, actor: Actor) {
  await db.delete(tillPins).where(eq(tillPins.userId, actor.id))
}

export async function hasTillPin(db: Db, userId: string) {
  const [row] = await db.select({ userId: tillPins.userId }).from(tillPins).where(eq(tillPins.userId, userId))
  return row !== undefined
}
