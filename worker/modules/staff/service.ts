// Staff accounts, till devices and API keys: who may act for the chain, and from where.
import { and, asc, eq, gt, inArray, isNull } from "drizzle-orm"
import { mayCreateRole, type Permission, type Role, seesAllLocations } from "../../../core/roles"
import type { Db } from "../../db/client"
import { apiKeys, devices, locations, users } from "../../db/schema"
import { type Actor, assertLocation, locationFilter } from "../../lib/actor"
import { forgetVerifiedTokens, newApiKey } from "../../lib/auth"
import { sha256 } from "../../lib/crypto"
import { newId } from "../../lib/ids"
import { decodeCursor, toPage } from "../../lib/pagination"
import { notFound, problem } from "../../lib/problem"
import { insertUser, listSessions, publicUser, revokeSessions, setPassword } from "../auth"

async function assertLocationsExist(db: Db, ids: readonly string[]) {
  if (ids.length === 0) return
  const found = await db
    .select({ id: locations.id })
    .from(locations)
    .where(inArray(locations.id, [...ids]))
  const missing = ids.filter((id) => !found.some((f) => f.id === id))
  if (missing.length)
    throw problem(422, "unknown_location", `Unknown location: ${missing.join(", ")}.`, {
      errors: missing.map((id) => ({ path: "locationIds", message: `No location ${id}.` })),
    })
}

/** Owners and managers see everything; everyone else needs at least one location. */
async function scopeFor(db: Db, role: Role, locationIds: string[] | undefined): Promise<string[] | "all"> {
  if (seesAllLocations(role)) return "all"
  if (!locationIds?.length)
    throw problem(422, "location_required", "A store or warehouse user needs at least one location.", {
      errors: [{ path: "locationIds", message: "Give at least one location." }],
    })
  await assertLocationsExist(db, locationIds)
  return [...new Set(locationIds)]
}

function assertMayGrant(actor: Actor, role: Role) {
  if (actor.role === "api" || !mayCreateRole(actor.role, role))
    throw problem(403, "forbidden", `Your role may not create or change a ${role}.`)
}

export async function createUser(
  db: Db,
  iterations: number,
  actor: Actor,
  input: { username: string; password: string; role: Role; locationIds?: string[]; displayName?: string },
) {
  assertMayGrant(actor, input.role)
  const locationIds = await scopeFor(db, input.role, input.locationIds)
  return publicUser(db, await insertUser(db, iterations, { ...input, locationIds }))
}

export async function listUsers(db: Db, q: { limit: number; cursor?: string; role?: Role }) {
  const after = decodeCursor(q.cursor)
  const rows = await db
    .select()
    .from(users)
    .where(and(q.role ? eq(users.role, q.role) : undefined, after ? gt(users.id, String(after[0])) : undefined))
    .orderBy(asc(users.id))
    .limit(q.limit + 1)
  const page = toPage(
    rows,
    q.limit,
    (r) => [r.id],
    (r) => r,
  )
  return { items: await Promise.all(page.items.map((u) => publicUser(db, u))), nextCursor: page.nextCursor }
}

async function userRow(db: Db, id: string) {
  const [row] = await db.select().from(users).where(eq(users.id, id))
  if (!row) throw notFound("user")
  return row
}

export const getUser = async (db: Db, id: string) => publicUser(db, await userRow(db, id))

export async function updateUser(
  db: Db,
  actor: Actor,
  id: string,
  patch: { displayName?: string; role?: Role; locationIds?: string[]; status?: "active" | "disabled" },
) {
  const current = await userRow(db, id)
  assertMayGrant(actor, current.role)
  const role = patch.role ?? current.role
  if (patch.role) assertMayGrant(actor, patch.role)
  if (id === actor.id && (patch.status === "disabled" || (patch.role && patch.role !== current.role)))
    throw problem(422, "cannot_change_self", "You can't disable yourself or change your own role.")
  const scopeChanged = patch.role !== undefined || patch.locationIds !== undefined
  const locationIds = scopeChanged
    ? await scopeFor(db, role, patch.locationIds ?? (current.locationIds === "all" ? [] : current.locationIds))
    : current.locationIds
  const [row] = await db
    .update(users)
    .set({ displayName: patch.displayName, role, locationIds, status: patch.status })
    .where(eq(users.id, id))
    .returning()
  // A changed scope or a disabled account must not keep acting through old tokens.
  if (scopeChanged || patch.status === "disabled") await revokeSessions(db, { userId: id })
  return publicUser(db, row!)
}

export async function resetPassword(db: Db, iterations: number, actor: Actor, id: string, password: string) {
  const target = await userRow(db, id)
  assertMayGrant(actor, target.role)
  await setPassword(db, iterations, id, password)
}

// Devices -------------------------------------------------------------------------------

type DeviceRow = typeof devices.$inferSelect
const toDevice = (d: DeviceRow) => ({
  id: d.id,
  locationId: d.locationId,
  name: d.name,
  revoked: d.revokedAt !== null,
  revokedAt: d.revokedAt ? new Date(d.revokedAt).toISOString() : null,
  createdAt: new Date(d.createdAt).toISOString(),
})

export async function registerDevice(db: Db, actor: Actor, input: { locationId: string; name: string }) {
  assertLocation(actor, input.locationId)
  const [loc] = await db.select({ id: locations.id }).from(locations).where(eq(locations.id, input.locationId))
  if (!loc) throw notFound("location")
  const [row] = await db
    .insert(devices)
    .values({ id: newId("dev"), ...input, registeredBy: actor.id })
    .returning()
  return toDevice(row!)
}

export async function listDevices(db: Db, actor: Actor, q: { locationId?: string }) {
  const rows = await db
    .select()
    .from(devices)
    .where(
      and(locationFilter(actor, devices.locationId), q.locationId ? eq(devices.locationId, q.locationId) : undefined),
    )
    .orderBy(asc(devices.id))
    .limit(500)
  return { items: rows.map(toDevice), nextCursor: null }
}

async function deviceRow(db: Db, actor: Actor, id: string) {
  const [row] = await db.select().from(devices).where(eq(devices.id, id))
  if (!row) throw notFound("device")
  assertLocation(actor, row.locationId, "device")
  return row
}

/** A lost till: its sessions end now, and its unsynced outbox is refused until reinstated. */
export async function revokeDevice(db: Db, actor: Actor, id: string) {
  await deviceRow(db, actor, id)
  const [row] = await db
    .update(devices)
    .set({ revokedAt: Date.now(), revokedBy: actor.id })
    .where(eq(devices.id, id))
    .returning()
  await revokeSessions(db, { deviceId: id })
  return toDevice(row!)
}

export async function reinstateDevice(db: Db, actor: Actor, id: string) {
  await deviceRow(db, actor, id)
  const [row] = await db.update(devices).set({ revokedAt: null, revokedBy: null }).where(eq(devices.id, id)).returning()
  return toDevice(row!)
}

/** For the sync of an offline outbox: a revoked device's sales wait for a manager. */
export async function assertDeviceActive(db: Db, deviceId: string) {
  const [row] = await db.select({ revokedAt: devices.revokedAt }).from(devices).where(eq(devices.id, deviceId))
  if (row?.revokedAt)
    throw problem(403, "device_revoked", "This device was revoked; a manager must reinstate it before it can sync.")
}

// API keys ------------------------------------------------------------------------------

type KeyRow = typeof apiKeys.$inferSelect
const toKey = ({ keyHash: _h, ...k }: KeyRow) => ({
  ...k,
  revokedAt: k.revokedAt ? new Date(k.revokedAt).toISOString() : null,
  createdAt: new Date(k.createdAt).toISOString(),
})

export async function createApiKey(
  db: Db,
  actor: Actor,
  input: { name: string; permissions: Permission[]; locationIds: string[] | "all" },
) {
  // A key can't carry more than its creator may do.
  const beyond = input.permissions.filter((p) => !actor.permissions.has(p))
  if (beyond.length) throw problem(403, "forbidden", `You can't grant what you don't have: ${beyond.join(", ")}.`)
  if (input.locationIds !== "all") await assertLocationsExist(db, input.locationIds)
  const key = newApiKey()
  const [row] = await db
    .insert(apiKeys)
    .values({
      id: newId("key"),
      name: input.name,
      keyHash: await sha256(key),
      prefix: key.slice(0, 10),
      permissions: [...new Set(input.permissions)],
      locationIds: input.locationIds,
      createdBy: actor.id,
    })
    .returning()
  return { ...toKey(row!), key }
}

export async function listApiKeys(db: Db) {
  const rows = await db.select().from(apiKeys).where(isNull(apiKeys.revokedAt)).orderBy(asc(apiKeys.id)).limit(500)
  return { items: rows.map(toKey), nextCursor: null }
}

export async function revokeApiKey(db: Db, id: string) {
  const [row] = await db.update(apiKeys).set({ revokedAt: Date.now() }).where(eq(apiKeys.id, id)).returning()
  if (!row) throw notFound("API key")
  forgetVerifiedTokens()
  return toKey(row)
}

export async function userSessions(db: Db, id: string) {
  await userRow(db, id)
  return { items: await listSessions(db, id) }
}

export async function revokeUserSessions(db: Db, actor: Actor, id: string) {
  assertMayGrant(actor, (await userRow(db, id)).role)
  await revokeSessions(db, { userId: id })
}
