// What an import row names, resolved in bulk: locations by id or by name, SKUs by code. One query
// per kind per chunk (the values travel as one JSON parameter), never one per row.
import { eq, or } from "drizzle-orm"
import type { Db } from "../../db/client"
import { locations, products, type SkuUnit, skus } from "../../db/schema"
import { type Actor, may } from "../../lib/actor"
import type { FieldError } from "../../lib/problem"
import { inJson } from "../catalog/sql"

export type LocationRef = { locationId?: string | undefined; locationName?: string | undefined }
export type RowError = FieldError & { row: number; code: string }

type LocationRow = { id: string; name: string; kind: string; timeZone: string }

export type LocationResolver = (ref: LocationRef) => LocationRow | { error: string; message: string }

/** Stock and sales live at stores and warehouses the caller may see; anything else is "unknown". */
export async function locationResolver(db: Db, actor: Actor, refs: readonly LocationRef[]): Promise<LocationResolver> {
  const ids = [...new Set(refs.flatMap((r) => (r.locationId ? [r.locationId] : [])))]
  const names = [...new Set(refs.flatMap((r) => (r.locationName ? [r.locationName] : [])))]
  const rows =
    ids.length + names.length === 0
      ? []
      : await db
          .select({ id: locations.id, name: locations.name, kind: locations.kind, timeZone: locations.timeZone })
          .from(locations)
          .where(or(inJson(locations.id, ids), inJson(locations.name, names)))
  const visible = rows.filter((l) => may(actor, l.id) && l.kind !== "dealer")
  const byId = new Map(visible.map((l) => [l.id, l]))
  const byName = new Map<string, LocationRow[]>()
  for (const l of visible) byName.set(l.name, [...(byName.get(l.name) ?? []), l])
  return (ref) => {
    if (ref.locationId)
      return byId.get(ref.locationId) ?? { error: "unknown_location", message: "No such store or warehouse." }
    const named = byName.get(ref.locationName ?? "") ?? []
    if (named.length === 1) return named[0]!
    return named.length === 0
      ? { error: "unknown_location", message: `No store or warehouse is called ${ref.locationName}.` }
      : {
          error: "ambiguous_location",
          message: `${named.length} locations are called ${ref.locationName}: use locationId.`,
        }
  }
}

export type SkuFacts = { id: string; skuCode: string; costFen: number | null; unit: SkuUnit }

export async function skusByCode(db: Db, codes: readonly string[]): Promise<Map<string, SkuFacts>> {
  const unique = [...new Set(codes)]
  if (unique.length === 0) return new Map()
  const rows = await db
    .select({ id: skus.id, skuCode: skus.skuCode, costFen: skus.costFen, unit: products.unit })
    .from(skus)
    .innerJoin(products, eq(products.id, skus.productId))
    .where(inJson(skus.skuCode, unique))
  return new Map(rows.map((r) => [r.skuCode, r]))
}

/** Every bad row of a chunk in one answer, nothing applied. */
export const rowErrors = (errors: RowError[]) => errors.sort((a, b) => a.row - b.row)
