// What a till sale (tillReads) or an offline sale's sync (syncReads) reads before it prices, in one
// D1 round trip: a retry's intent or a synced sale's hash, the store, the shift, the device, the
// member (and their tier then), the store's promotions (a till sale only: a sync reads the promotions'
// revisions once per call) and the member's promotion use go in one batch, with the SKUs (a join whose
// rows D1's batch can't return by position) and their prices read beside it. D1 runs one query at a
// time for the whole chain, so a round trip per fact was most of a sale's cost.
import { eq } from "drizzle-orm"
import type { BatchItem } from "drizzle-orm/batch"
import type { Db } from "../../db/client"
import { sales } from "../../db/schema"
import { getSkusByIds, pricesAt } from "../catalog"
import { deviceStatus } from "../staff"
import { asIntent, intentByKeyRow } from "./intents"
import { activePromotionRows, memberRow, memberUsageRows, tierChangeAfter } from "./ports"
import { shiftRow, storeRow } from "./shifts"

type Ask = {
  actorId: string
  key: string | null
  locationId: string
  lines: readonly { skuId: string }[]
  shiftId?: string | null
  deviceId?: string | null
  memberId?: string | null
}

export async function tillReads(db: Db, a: Ask) {
  const [[intent, store, shift, device, member, promotions, usage], skus] = await Promise.all([
    batchOf(db, [
      a.key ? intentByKeyRow(db, a.actorId, a.key) : null,
      storeRow(db, a.locationId),
      a.shiftId ? shiftRow(db, a.shiftId) : null,
      a.deviceId ? deviceStatus(db, a.deviceId) : null,
      a.memberId ? memberRow(db, a.memberId) : null,
      activePromotionRows(db, { locationId: a.locationId, channel: "pos" }),
      a.memberId ? memberUsageRows(db, a.memberId) : null,
    ] as const),
    getSkusByIds(
      db,
      a.lines.map((l) => l.skuId),
    ),
  ])
  return {
    intent: intent?.[0] ? asIntent(intent[0]) : null,
    store,
    shift: shift ?? [],
    device: device ?? [],
    /** undefined: no member asked for; null: none by that id. */
    member: member ? (member[0] ?? null) : undefined,
    promotionRows: promotions,
    usage: Object.fromEntries((usage ?? []).map((u) => [u.promotionId, u.n])),
    skus,
  }
}

type OfflineAsk = { id: string; locationId: string; lines: readonly { skuId: string }[]; memberId?: string | null }

/** An offline sale's reads, as of `at` (its instant): its own hash if synced, prices and tier then. */
export async function syncReads(db: Db, s: OfflineAsk, at: number) {
  const skuIds = s.lines.map((l) => l.skuId)
  // Its promotions are not read here: the sync reads their revisions once per call (syncCallReads).
  const [[synced, store, member, tier, usage], skus, prices] = await Promise.all([
    batchOf(db, [
      db.select({ bodyHash: sales.bodyHash }).from(sales).where(eq(sales.id, s.id)),
      storeRow(db, s.locationId),
      s.memberId ? memberRow(db, s.memberId) : null,
      s.memberId ? tierChangeAfter(db, s.memberId, at) : null,
      s.memberId ? memberUsageRows(db, s.memberId) : null,
    ] as const),
    getSkusByIds(db, skuIds),
    pricesAt(db, skuIds, at),
  ])
  return {
    saleHash: synced[0],
    store,
    member: member ? (member[0] ?? null) : undefined,
    tier,
    usage: Object.fromEntries((usage ?? []).map((u) => [u.promotionId, u.n])),
    skus,
    prices,
  }
}

type Results<T extends readonly unknown[]> = {
  [K in keyof T]: Awaited<NonNullable<T[K]>> | (null extends T[K] ? null : never)
}

/** One D1 batch of the reads that are asked for; the others answer null in their place. */
async function batchOf<T extends readonly (BatchItem<"sqlite"> | null)[]>(db: Db, items: T): Promise<Results<T>> {
  const present = items.filter((x): x is BatchItem<"sqlite"> => x !== null)
  const [head, ...tail] = present
  const results: unknown[] = head ? await db.batch([head, ...tail]) : []
  let i = 0
  return items.map((x) => (x === null ? null : results[i++])) as Results<T>
}
