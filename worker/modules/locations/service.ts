import { and, asc, eq, gt, isNull, type SQL } from "drizzle-orm"
import type { Db } from "../../db/client"
import { type LocationKind, locations } from "../../db/schema"
import { type Actor, assertLocation, locationFilter } from "../../lib/actor"
import { newId } from "../../lib/ids"
import { decodeCursor, toPage } from "../../lib/pagination"
import { notFound } from "../../lib/problem"

export type LocationInput = {
  name: string
  kind: LocationKind
  region?: string | null
  address?: string | null
  latitude?: number | null
  longitude?: number | null
  timeZone?: string
  businessHours?: { open: string; close: string } | null
}

type Row = typeof locations.$inferSelect
export const toLocation = ({ archivedAt: _a, ...row }: Row) => ({
  ...row,
  createdAt: new Date(row.createdAt).toISOString(),
  updatedAt: new Date(row.updatedAt).toISOString(),
})

export async function createLocation(db: Db, input: LocationInput) {
  const [row] = await db
    .insert(locations)
    .values({ id: newId("loc"), ...input })
    .returning()
  return toLocation(row!)
}

export async function listLocations(
  db: Db,
  actor: Actor,
  q: { limit: number; cursor?: string; kind?: LocationKind; region?: string },
) {
  const after = decodeCursor(q.cursor)
  const where: (SQL | undefined)[] = [
    isNull(locations.archivedAt),
    locationFilter(actor, locations.id),
    q.kind && eq(locations.kind, q.kind),
    q.region ? eq(locations.region, q.region) : undefined,
    after ? gt(locations.id, String(after[0])) : undefined,
  ]
  const rows = await db
    .select()
    .from(locations)
    .where(and(...where.filter(Boolean)))
    .orderBy(asc(locations.id))
    .limit(q.limit + 1)
  return toPage(rows, q.limit, (r) => [r.id], toLocation)
}

export async function getLocation(db: Db, actor: Actor, id: string) {
  assertLocation(actor, id)
  const [row] = await db.select().from(locations).where(eq(locations.id, id))
  if (!row || row.archivedAt) throw notFound("location")
  return toLocation(row)
}

export async function updateLocation(
  db: Db,
  actor: Actor,
  id: string,
  patch: Partial<LocationInput> & { status?: "active" | "closed" },
) {
  const current = await getLocation(db, actor, id)
  // An empty patch changes nothing (and Drizzle refuses an UPDATE without values).
  if (Object.values(patch).every((v) => v === undefined)) return current
  const [row] = await db.update(locations).set(patch).where(eq(locations.id, id)).returning()
  return toLocation(row!)
}

/** For owners and managers, whose scope is "all": the ids that exist right now. */
export const allLocationIds = async (db: Db) =>
  (await db.select({ id: locations.id }).from(locations).where(isNull(locations.archivedAt))).map((r) => r.id)

export async function locationExists(db: Db, id: string) {
  const [row] = await db.select({ id: locations.id }).from(locations).where(eq(locations.id, id))
  return Boolean(row)
}
