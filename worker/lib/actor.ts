// Who is calling, what they may do, and which locations they may see. Built once per request
// by the auth middleware; every route and query asks it rather than re-deriving rules.
import { inArray, type SQL } from "drizzle-orm"
import type { SQLiteColumn } from "drizzle-orm/sqlite-core"
import { type Permission, ROLE_PERMISSIONS, type Role } from "../../core/roles"
import { problem } from "./problem"

export type Actor = {
  kind: "user" | "api_key"
  id: string
  name: string
  role: Role | "api"
  permissions: ReadonlySet<Permission>
  locationIds: readonly string[] | "all"
  sessionId?: string
  deviceId?: string | null
}

export const userActor = (
  u: { id: string; username: string; role: Role; locationIds: string[] | "all" },
  session?: { id: string; deviceId: string | null },
): Actor => ({
  kind: "user",
  id: u.id,
  name: u.username,
  role: u.role,
  permissions: new Set(ROLE_PERMISSIONS[u.role]),
  locationIds: u.locationIds,
  sessionId: session?.id,
  deviceId: session?.deviceId ?? null,
})

export const may = (actor: Actor, locationId: string): boolean =>
  actor.locationIds === "all" || actor.locationIds.includes(locationId)

/** Another store's id answers 404, so a caller can't even learn that it exists. */
export function assertLocation(actor: Actor, locationId: string, what = "location"): void {
  if (!may(actor, locationId)) throw problem(404, "not_found", `No such ${what}.`)
}

export function assertPermission(actor: Actor, permission: Permission): void {
  if (!actor.permissions.has(permission)) throw problem(403, "forbidden", `Your role may not do this (${permission}).`)
}

/** A WHERE fragment limiting a location column to what the actor may see (undefined = no limit). */
export const locationFilter = (actor: Actor, column: SQLiteColumn): SQL | undefined =>
  actor.locationIds === "all" ? undefined : inArray(column, [...actor.locationIds, "\u0000none"])
