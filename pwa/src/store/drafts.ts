import { db, getMeta, setMeta } from "./db"

// Work in progress on this device — a count being scanned, a delivery being checked in — kept in IndexedDB so
// that a reload, a crash or a flat battery loses nothing. One draft per kind and location, in the meta store
// (no schema change: the database's version stays as the till set it).

// receiving: a transfer being counted in; delivery: a supplier delivery being scanned in.
export type DraftKind = "stocktake" | "receiving" | "delivery"

const key = (kind: DraftKind, locationId: string) => `draft.${kind}.${locationId}`

export const readDraft = <T>(kind: DraftKind, locationId: string) => getMeta<T>(key(kind, locationId))

export const writeDraft = (kind: DraftKind, locationId: string, value: unknown) => setMeta(key(kind, locationId), value)

export const dropDraft = async (kind: DraftKind, locationId: string) => {
  await (await db()).delete("meta", key(kind, locationId))
}
