import { type DBSchema, type IDBPDatabase, openDB } from "idb"
import type { AppliedPromotion, PricedLine } from "../../../core/pricing"
import type { Promotion } from "../../../core/promotions"
import type { Tender } from "../../../core/tenders"

// Everything the store app keeps on the device. One database per signed-in location set would be tidier, but a
// till is one store's device: one database, rows tagged with their location where it matters.

export interface SkuRecord {
  id: string
  productId: string
  productName: string
  skuCode: string
  barcode: string | null
  attributes: Record<string, string>
  priceFen: number
  memberPriceFen: number | null
  unit: "piece" | "gram"
  categoryId: string | null
  status: "active" | "archived"
  updatedAt: string
  /** Lower-cased name, code and attributes, for search without the network. */
  search: string
}

export interface MemberRecord {
  id: string
  code: string
  name: string | null
  /** core/member-phone-key of the phone: the device finds a member by phone without holding the number. */
  phoneKey: string
  phoneMasked: string
  tierId: string | null
  tierName: string | null
  birthdayMonth: number | null
  pointsBalance: number
  storedValueFen: number
  cachedAt: number
}

export interface StockRecord {
  key: string // locationId:skuId
  locationId: string
  skuId: string
  skuCode: string | null
  name: string | null
  onHand: number
  available: number
  lowStock: boolean
  updatedAt: string
}

/** The body POST /sales/sync takes for one sale made at this till. */
export interface SyncSale {
  id: string
  locationId: string
  occurredAt: string
  lines: { skuId: string; qty: number; unitPriceFen?: number }[]
  payments: Tender[]
  totalFen: number
  memberId?: string
  couponCodes?: string[]
  shiftId?: string
  /** Who was at the till (a PIN hand-over); the server credits it only to staff of the device's store. */
  cashierId?: string
  deviceId?: string
}

export interface SyncReturn {
  id: string
  saleId: string
  locationId: string
  occurredAt: string
  lines: { lineId: string; qty: number; restock?: boolean; reason?: string }[]
  refunds: { method: Tender["method"]; amountFen: number }[]
  shiftId?: string
}

/** The body POST /sales takes (a customer-code sale, which only the server can take). */
export interface OnlineSale {
  locationId: string
  lines: { skuId: string; qty: number }[]
  memberId?: string
  couponCodes?: string[]
  shiftId?: string
  deviceId?: string
  payments: Tender[]
}

export type OutboxItem =
  | { id: string; kind: "sale"; body: SyncSale; createdAt: number; attempts: number; problem?: OutboxProblem }
  | { id: string; kind: "return"; body: SyncReturn; createdAt: number; attempts: number; problem?: OutboxProblem }
  | { id: string; kind: "online_sale"; body: OnlineSale; createdAt: number; attempts: number; problem?: OutboxProblem }

export interface OutboxProblem {
  code: string
  detail: string
  /** rejected: the server refused it for good (a manager looks); retry: try again later. */
  final: boolean
}

/** A sale as this device remembers it: what the receipt shows, reprints and returns start from. */
export interface JournalSale {
  id: string
  /** The local receipt number (the server gives its own XS… number once synced). */
  number: string
  serverNumber?: string
  /** An online (customer-code) sale's id on the server; a synced sale keeps its own ULID there. */
  serverId?: string
  locationId: string
  cashier: string
  occurredAt: string
  day: string
  lines: (PricedLine & { name: string; detail: string; serverLineId?: string; returnedQty: number })[]
  subtotalFen: number
  discountFen: number
  roundingFen: number
  totalFen: number
  appliedPromotions: AppliedPromotion[]
  payments: Tender[]
  changeFen: number
  /** `pointsEarned`: what this sale earns by the chain's points rules, as the server will book it. */
  member?: { id: string; name: string | null; phoneMasked: string; pointsBalance: number; pointsEarned?: number }
  couponCodes: string[]
  returns: { id: string; at: string; refundFen: number; lines: { lineId: string; qty: number }[] }[]
}

export interface ParkedCart {
  id: string
  label: string
  parkedAt: number
  lines: { skuId: string; qty: number }[]
  memberId?: string
  couponCodes: string[]
}

interface PuziDb extends DBSchema {
  skus: { key: string; value: SkuRecord; indexes: { barcode: string; skuCode: string } }
  promotions: { key: string; value: Promotion & { couponOnly?: boolean; locationId: string } }
  members: { key: string; value: MemberRecord; indexes: { phoneKey: string; code: string } }
  stock: { key: string; value: StockRecord; indexes: { locationId: string } }
  outbox: { key: string; value: OutboxItem; indexes: { createdAt: number } }
  journal: { key: string; value: JournalSale; indexes: { day: string; number: string } }
  parked: { key: string; value: ParkedCart }
  meta: { key: string; value: unknown }
}

export type Db = IDBPDatabase<PuziDb>

export const DB_NAME = "puzi"
// 2: members are found by a key of their phone (phoneKey), no longer by the number itself.
const VERSION = 2

let opening: Promise<Db> | null = null

export const db = (): Promise<Db> => {
  opening ??= openDB<PuziDb>(DB_NAME, VERSION, {
    upgrade(database, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) {
        const skus = database.createObjectStore("skus", { keyPath: "id" })
        skus.createIndex("barcode", "barcode")
        skus.createIndex("skuCode", "skuCode")
        database.createObjectStore("promotions", { keyPath: "id" })
        database.createObjectStore("members", { keyPath: "id" }).createIndex("code", "code")
        database.createObjectStore("stock", { keyPath: "key" }).createIndex("locationId", "locationId")
        database.createObjectStore("outbox", { keyPath: "id" }).createIndex("createdAt", "createdAt")
        const journal = database.createObjectStore("journal", { keyPath: "id" })
        journal.createIndex("day", "day")
        journal.createIndex("number", "number")
        database.createObjectStore("parked", { keyPath: "id" })
        database.createObjectStore("meta")
      }
      if (oldVersion < 2) {
        // The members store is a cache: drop what version 1 kept (with phone numbers) and fetch it again.
        const members = tx.objectStore("members")
        if (members.indexNames.contains("phone" as never)) members.deleteIndex("phone" as never)
        void members.clear()
        members.createIndex("phoneKey", "phoneKey")
      }
    },
    // Another tab upgraded the schema: let it, and reopen on next use.
    blocking() {
      void opening?.then((d) => d.close())
      opening = null
    },
  })
  return opening
}

/** Closes the connection, so the next db() reopens it: what a reload does (tests). */
export const closeDb = async () => {
  const current = opening
  opening = null
  if (current) (await current).close()
}

export const getMeta = async <T>(key: string): Promise<T | undefined> => (await (await db()).get("meta", key)) as T
export const setMeta = async (key: string, value: unknown) => {
  await (await db()).put("meta", value, key)
}
