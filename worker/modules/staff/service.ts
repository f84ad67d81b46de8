// Staff accounts, till devices and API keys: who may act for the chain, and from where.
import { and, asc, eq, gt, inArray, isNull, ne, sql } from "drizzle-orm"
import { can, mayCreateRole, type Permission, type Role, seesAllLocations } from "../../../core/roles"
import { PIN_BUNDLE_TTL_MS, pinCheck } from "../../../core/till-pin"
import type { Db } from "../../db/client"
import { apiKeys, devices, locations, sessions, tillPins, users } from "../../db/schema"
import { type Actor, assertLocation, locationFilter } from "../../lib/actor"
import { forgetVerifiedTokens, newApiKey } from "../../lib/auth"
import { fromBase64Url, sha256 } from "../../lib/crypto"
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

type UserRow = typeof users.$inferSelect
export type UserStatus = UserRow["status"]

/**
 * A deleted account gives its username back, so a returning seasonal cashier or a new hire of the
 * same name can have it: the row keeps `<username>~<id>`, which no live username can equal (`~` is
 * not allowed in one) and which keeps the unique index, so duplicate_username still holds for every
 * live account and a sign-in by that name never finds the old row. Sales, shifts and logs name the
 * user by id and show the display name, which stays.
 */
const TOMBSTONE = "~"
const shownUsername = (u: UserRow) => (u.status === "deleted" ? u.username.split(TOMBSTONE)[0]! : u.username)

/** What a staff manager sees of an account: the public user, with its status. */
export const staffUser = async (db: Db, u: UserRow) => ({
  ...(await publicUser(db, u)),
  username: shownUsername(u),
  status: u.status,
})

export async function createUser(
  db: Db,
  iterations: number,
  actor: Actor,
  input: { username: string; password: string; role: Role; locationIds?: string[]; displayName?: string },
) {
  assertMayGrant(actor, input.role)
  const locationIds = await scopeFor(db, input.role, input.locationIds)
  return staffUser(db, await insertUser(db, iterations, { ...input, locationIds }))
}

/** Deleted accounts only when asked for (`status=deleted`): day to day they are gone. */
export async function listUsers(db: Db, q: { limit: number; cursor?: string; role?: Role; status?: UserStatus }) {
  const after = decodeCursor(q.cursor)
  const rows = await db
    .select()
    .from(users)
    .where(
      and(
        q.role ? eq(users.role, q.role) : undefined,
        q.status ? eq(users.status, q.status) : ne(users.status, "deleted"),
        after ? gt(users.id, String(after[0])) : undefined,
      ),
    )
    .orderBy(asc(users.id))
    .limit(q.limit + 1)
  const page = toPage(
    rows,
    q.limit,
    (r) => [r.id],
    (r) => r,
  )
  return { items: await Promise.all(page.items.map((u) => staffUser(db, u))), nextCursor: page.nextCursor }
}

async function userRow(db: Db, id: string) {
  const [row] = await db.select().from(users).where(eq(users.id, id))
  if (!row) throw notFound("user")
  return row
}

/** A deleted account is final: nothing about it changes again (409 user_deleted). */
function assertNotDeleted(u: UserRow) {
  if (u.status === "deleted")
    throw problem(
      409,
      "user_deleted",
      "This account was deleted and can't be changed or enabled again; create a new one.",
    )
}

export const getUser = async (db: Db, id: string) => staffUser(db, await userRow(db, id))

export async function updateUser(
  db: Db,
  actor: Actor,
  id: string,
  patch: { displayName?: string; role?: Role; locationIds?: string[]; status?: "active" | "disabled" },
) {
  const current = await userRow(db, id)
  assertMayGrant(actor, current.role)
  assertNotDeleted(current)
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
  return staffUser(db, row!)
}

/**
 * Removes a staff account for good (someone who left). A soft delete: the row stays because sales,
 * shifts and audit logs point at it. In one batch: status `deleted` and the username freed (see
 * TOMBSTONE), every session and every API key the user issued revoked (a key may not do more than
 * its creator, who now may do nothing), the till PIN removed. Only an owner deletes an owner or a
 * manager (a manager's scope is the whole chain, so a peer is out of reach); nobody deletes
 * themselves. A repeat finds the account deleted, changes nothing and answers the same.
 */
export async function deleteUser(db: Db, actor: Actor, id: string) {
  const target = await userRow(db, id)
  if (id === actor.id) throw problem(422, "cannot_delete_self", "You can't delete your own account.")
  assertMayGrant(actor, target.role)
  if (actor.role !== "owner" && seesAllLocations(target.role))
    throw problem(403, "forbidden", "Only an owner may delete an owner or a manager.")
  if (target.status !== "deleted") await tombstone(db, id)
  // The integrations that stopped with it, so HQ knows which to give a new key.
  const revokedApiKeys = await db
    .select({ id: apiKeys.id, name: apiKeys.name })
    .from(apiKeys)
    .where(eq(apiKeys.createdBy, id))
    .orderBy(apiKeys.id)
  return { ...(await staffUser(db, await userRow(db, id))), revokedApiKeys }
}

async function tombstone(db: Db, id: string) {
  const now = Date.now()
  await db.batch([
    db
      .update(users)
      .set({ status: "deleted", username: sql`${users.username} || ${TOMBSTONE} || ${users.id}` })
      .where(and(eq(users.id, id), ne(users.status, "deleted"))),
    db
      .update(sessions)
      .set({ revokedAt: now })
      .where(and(eq(sessions.userId, id), isNull(sessions.revokedAt))),
    db
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(and(eq(apiKeys.createdBy, id), isNull(apiKeys.revokedAt))),
    db.delete(tillPins).where(eq(tillPins.userId, id)),
  ])
  forgetVerifiedTokens() // this isolate's cache of verified tokens; others follow within seconds
}

export async function resetPassword(db: Db, iterations: number, actor: Actor, id: string, password: string) {
  const target = await userRow(db, id)
  assertMayGrant(actor, target.role)
  assertNotDeleted(target)
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
  if (q.locationId) assertLocation(actor, q.locationId, "store")
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
  assertDeviceRow(await deviceStatus(db, deviceId))
}

/** assertDeviceActive's read, for a caller's own batch (the till's sale); check its rows with assertDeviceRow. */
export const deviceStatus = (db: Db, deviceId: string) =>
  db.select({ revokedAt: devices.revokedAt }).from(devices).where(eq(devices.id, deviceId))

export function assertDeviceRow([row]: { revokedAt: number | null }[]) {
  if (row?.revokedAt)
    throw problem(403, "device_revoked", "This device was revoked; a manager must reinstate it before it can sync.")
}

// Till PINs on a device -------------------------------------------------------------------

/**
 * The verifiers a registered till needs to hand over offline: one per active member of its store's
 * staff who sells (sales:write) and has set a PIN. Owners and managers ("all" locations) are left
 * out: their PINs would otherwise sit on every till of the chain, and they can sign in online.
 * Only a session signed in on that very device gets them; a revoked device gets nothing.
 */
export async function devicePins(db: Db, actor: Actor, id: string) {
  const device = await deviceRow(db, actor, id)
  if (actor.deviceId !== id)
    throw problem(403, "not_this_device", "Only a session signed in on this device may download its till PINs.")
  if (device.revokedAt)
    throw problem(403, "device_revoked", "This device was revoked; a manager must reinstate it first.")
  const rows = await db
    .select({ user: users, pinHash: tillPins.pinHash })
    .from(tillPins)
    .innerJoin(users, eq(users.id, tillPins.userId))
    .where(
      and(
        eq(users.status, "active"),
        sql`exists (select 1 from json_each(${users.locationIds}) where json_each.value = ${device.locationId})`,
      ),
    )
    .orderBy(asc(users.username))
    .limit(500)
  const now = Date.now()
  const items = await Promise.all(
    rows
      .filter((r) => can(r.user.role, "sales:write"))
      .map(async ({ user, pinHash }) => {
        const [, iterations, salt, hash] = pinHash.split("$")
        return {
          userId: user.id,
          username: user.username,
          displayName: user.displayName,
          role: user.role,
          salt: salt!,
          iterations: Number(iterations),
          check: await pinCheck(fromBase64Url(hash!), id, user.id),
        }
      }),
  )
  return {
    deviceId: id,
    locationId: device.locationId,
    issuedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + PIN_BUNDLE_TTL_MS).toISOString(),
    items,
  }
}

export type CashierAttribution = {
  cashierId: string
  /** Set when the till named someone the server won't credit: the sale is still kept, for a manager to look at. */
  refused?: { claimedCashierId: string; reason: "unknown_user" | "not_active" | "other_store" }
}

/**
 * Who a synced sale is credited to. An offline till names the cashier who took over by PIN; the
 * server believes it only when that user is active and belongs to the device's store (the sale's
 * store when the device is unknown). Otherwise the sale is credited to the signed-in user who synced
 * it, and the claim is kept as a flag: a sale is never refused for its cashier.
 */
export async function attributeCashier(
  db: Db,
  input: { claimed?: string | null; actorId: string; locationId: string; deviceId?: string | null },
): Promise<CashierAttribution> {
  const { claimed, actorId } = input
  if (!claimed || claimed === actorId) return { cashierId: actorId }
  const [user] = await db.select().from(users).where(eq(users.id, claimed))
  const [device] = input.deviceId
    ? await db.select({ locationId: devices.locationId }).from(devices).where(eq(devices.id, input.deviceId))
    : []
  const store = device?.locationId ?? input.locationId
  const reason = !user
    ? "unknown_user"
    : user.status !== "active"
      ? "not_active"
      : user.locationIds !== "all" && !user.locationIds.includes(store)
        ? "other_store"
        : null
  return reason ? { cashierId: actorId, refused: { claimedCashierId: claimed, reason } } : { cashierId: claimed }
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
