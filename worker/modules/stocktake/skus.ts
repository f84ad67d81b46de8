// SKU lookups a count needs: which exist, and which fall inside the counted category (and its
// subcategories). Read straight from the catalog tables: the catalog module has no public lookup
// yet (swap for its index.ts export when it has one).
import { eq, inArray } from "drizzle-orm"
import type { Db } from "../../db/client"
import { categories, products, skus } from "../../db/schema"

export async function categoryPath(db: Db, categoryId: string): Promise<string | null> {
  const [row] = await db.select({ path: categories.path }).from(categories).where(eq(categories.id, categoryId))
  return row?.path ?? null
}

/** Each SKU's category path ("" when it has no category); SKUs that don't exist are absent. */
export async function skuCategoryPaths(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)]
  const out = new Map<string, string>()
  // D1 binds at most 100 parameters per statement.
  for (let i = 0; i < unique.length; i += 90) {
    const rows = await db
      .select({ id: skus.id, path: categories.path })
      .from(skus)
      .innerJoin(products, eq(products.id, skus.productId))
      .leftJoin(categories, eq(categories.id, products.categoryId))
      .where(inArray(skus.id, unique.slice(i, i + 90)))
    for (const r of rows) out.set(r.id, r.path ?? "")
  }
  return out
}

/** A category path is its ids from the root down, "/"-joined: a subtree is a prefix. */
export const withinCategory = (skuPath: string, categoryPath: string) =>
  skuPath === categoryPath || skuPath.startsWith(`${categoryPath}/`)
