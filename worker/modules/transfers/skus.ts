// Which of these SKU ids don't exist. Read straight from the catalog table: the catalog module
// has no public lookup yet (swap for its index.ts export when it has one).
import { inArray } from "drizzle-orm"
import type { Db } from "../../db/client"
import { skus } from "../../db/schema"

export async function missingSkus(db: Db, ids: readonly string[]): Promise<string[]> {
  const unique = [...new Set(ids)]
  if (unique.length === 0) return []
  const found = new Set<string>()
  // D1 binds at most 100 parameters per statement.
  for (let i = 0; i < unique.length; i += 90) {
    const rows = await db
      .select({ id: skus.id })
      .from(skus)
      .where(inArray(skus.id, unique.slice(i, i + 90)))
    for (const r of rows) found.add(r.id)
  }
  return unique.filter((id) => !found.has(id))
}
