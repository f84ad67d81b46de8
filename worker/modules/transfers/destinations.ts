import { and, asc, eq, isNull } from "drizzle-orm"
import type { Db } from "../../db/client"
import { locations } from "../../db/schema"

/**
 * Where goods may be sent: every open location of the chain, by name only. A store sends to a
 * warehouse or another store it can't see (createTransfer only checks the destination exists), and
 * its staff read the other end of a transfer by name; no stock or address is disclosed here.
 */
export async function listDestinations(db: Db) {
  const rows = await db
    .select({ id: locations.id, name: locations.name, kind: locations.kind, region: locations.region })
    .from(locations)
    .where(and(isNull(locations.archivedAt), eq(locations.status, "active")))
    .orderBy(asc(locations.kind), asc(locations.name))
  return { items: rows }
}
