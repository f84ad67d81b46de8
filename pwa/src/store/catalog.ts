import { barcodeForms } from "../../../core/barcode"
import { DEFAULT_POINTS_RULES, type PointsRules } from "../../../core/points"
import type { Promotion } from "../../../core/promotions"
import type { RoundingPolicy } from "../../../core/rounding"
import { api } from "../api/client"
import { type ApiPromotion, tillPromotions } from "../till/price"
import { db, getMeta, type SkuRecord, type StockRecord, setMeta } from "./db"
import { chainPoints, chainRounding } from "./location"
import { pullPages, SYNC_PAGE, type SyncPage } from "./sync-pages"

// The device's copy of what the till needs without the network: the catalog (incremental, by the API's
// syncToken), the store's active promotions and a stock snapshot (members: store/members.ts).

interface Page<T> {
  items: T[]
  nextCursor: string | null
}

type ApiSku = Omit<SkuRecord, "search">

const EPOCH = "1970-01-01T00:00:00.000Z"

const searchText = (s: ApiSku) =>
  [s.productName, s.skuCode, s.barcode ?? "", ...Object.values(s.attributes ?? {})].join(" ").toLowerCase()

/**
 * Brings the catalog up to date: every SKU changed after the token of the last page stored, 1,000 a page, each
 * page written with its token in one transaction while the next one is fetched (store/sync-pages.ts), so a pass
 * cut short resumes where it stopped. Answers how many SKUs changed.
 */
export const syncCatalog = async (): Promise<number> => {
  const token = await getMeta<string>("catalog.token")
  // A device that synced before tokens existed starts from its instant (the epoch: everything).
  const since = token ? undefined : ((await getMeta<string>("catalog.since")) ?? EPOCH)
  const fetchPage = (at: string | undefined) => {
    const query = new URLSearchParams({ limit: String(SYNC_PAGE) })
    if (at) query.set("syncToken", at)
    if (since) query.set("updatedSince", since)
    return api.get<SyncPage<ApiSku>>(`/skus?${query}`)
  }
  return pullPages(token, fetchPage, storeSkus)
}

async function storeSkus(page: SyncPage<ApiSku>, last: boolean) {
  const tx = (await db()).transaction(["skus", "meta"], "readwrite")
  const skus = tx.objectStore("skus")
  const meta = tx.objectStore("meta")
  // Not awaited one by one: the requests queue in the transaction, and tx.done reports any failure.
  const writes: Promise<unknown>[] = page.items.map((sku) => skus.put({ ...sku, search: searchText(sku) }))
  writes.push(meta.put(page.syncToken, "catalog.token"))
  if (last)
    writes.push(meta.put(Date.now(), "catalog.syncedAt"), meta.delete("catalog.since"), meta.delete("catalog.progress"))
  await Promise.all([...writes, tx.done])
}

export const catalogSize = async () => (await db()).count("skus")

export const getSku = async (id: string) => (await db()).get("skus", id)

export const findByBarcode = async (code: string): Promise<SkuRecord | undefined> => {
  const database = await db()
  for (const form of barcodeForms(code)) {
    const hit = await database.getFromIndex("skus", "barcode", form)
    if (hit && hit.status === "active") return hit
  }
  const byCode = await database.getFromIndex("skus", "skuCode", code)
  return byCode?.status === "active" ? byCode : undefined
}

/** Name, code, barcode or attribute contains every word typed; at most `limit` active SKUs. */
export const searchSkus = async (text: string, limit = 20): Promise<SkuRecord[]> => {
  const words = text.trim().toLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return []
  const found: SkuRecord[] = []
  let cursor = await (await db()).transaction("skus").store.openCursor()
  while (cursor && found.length < limit) {
    const sku = cursor.value
    if (sku.status === "active" && words.every((w) => sku.search.includes(w))) found.push(sku)
    cursor = await cursor.continue()
  }
  return found
}

// ── promotions ────────────────────────────────────────────────────────────────

// What the till prices with is decided in till/price.ts (no I/O there, so tests can run it anywhere).
export { toEnginePromotion } from "../till/price"

/** Replaces the store's promotions with what the server prices with now (a short list: fetched whole). */
export const syncPromotions = async (locationId: string): Promise<number> => {
  const all: ApiPromotion[] = []
  let cursor: string | null = null
  do {
    const query = new URLSearchParams({ locationId, channel: "pos", limit: "100" })
    if (cursor) query.set("cursor", cursor)
    const page: Page<ApiPromotion> = await api.get(`/promotions/active?${query}`)
    all.push(...page.items)
    cursor = page.nextCursor
  } while (cursor)
  const tx = (await db()).transaction("promotions", "readwrite")
  for (const old of await tx.store.getAll()) if (old.locationId === locationId) await tx.store.delete(old.id)
  for (const p of tillPromotions(all)) await tx.store.put({ ...p, locationId })
  await tx.done
  return all.length
}

export const storePromotions = async (locationId: string): Promise<Promotion[]> =>
  (await (await db()).getAll("promotions"))
    .filter((p) => p.locationId === locationId)
    .map(({ locationId: _, couponOnly: __, ...p }) => p)

// ── stock snapshot ────────────────────────────────────────────────────────────

type ApiLevel = Omit<StockRecord, "key">

export const syncStock = async (locationId: string): Promise<number> => {
  const levels: ApiLevel[] = []
  let cursor: string | null = null
  do {
    const query = new URLSearchParams({ locationId, limit: "100" })
    if (cursor) query.set("cursor", cursor)
    const page: Page<ApiLevel> = await api.get(`/stock/levels?${query}`)
    levels.push(...page.items)
    cursor = page.nextCursor
  } while (cursor)
  const tx = (await db()).transaction(["stock", "meta"], "readwrite")
  const store = tx.objectStore("stock")
  for (const key of await store.index("locationId").getAllKeys(locationId)) await store.delete(key)
  for (const l of levels) await store.put({ ...l, key: `${l.locationId}:${l.skuId}` })
  await tx.objectStore("meta").put(Date.now(), `stock.syncedAt.${locationId}`)
  await tx.done
  return levels.length
}

export const stockSnapshot = async (locationId: string): Promise<StockRecord[]> =>
  (await db()).getAllFromIndex("stock", "locationId", locationId)

/** The chain's settings the till must price with (rounding, points), kept on the device for offline use. */
export const syncSettings = async (): Promise<void> => {
  const settings = await api.get<{ rounding: RoundingPolicy; points?: PointsRules }>("/settings")
  // A server from before points rules were published keeps core's defaults, which it applied too.
  const points = { ...DEFAULT_POINTS_RULES, ...settings.points }
  await setMeta("chain.rounding", settings.rounding)
  await setMeta("chain.points", points)
  chainRounding.value = settings.rounding
  chainPoints.value = points
}

export const loadSettings = async (): Promise<void> => {
  chainRounding.value = (await getMeta<RoundingPolicy>("chain.rounding")) ?? "none"
  chainPoints.value = { ...DEFAULT_POINTS_RULES, ...(await getMeta<PointsRules>("chain.points")) }
}
