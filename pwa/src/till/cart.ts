import { batch, computed, signal } from "@preact/signals"
import { ulid } from "ulid"
import { earnPoints } from "../../../core/points"
import type { PricedCart } from "../../../core/pricing"
import type { Coupon, Promotion } from "../../../core/promotions"
import type { Tender } from "../../../core/tenders"
import { tillCashier } from "../auth/cashier"
import { deviceId } from "../auth/device"
import { findByBarcode, getSku, storePromotions } from "../store/catalog"
import { db, type JournalSale, type MemberRecord, type OutboxItem, type ParkedCart, type SkuRecord } from "../store/db"
import { businessDay, CHAIN_TIME_ZONE, chainPoints, chainRounding, locationId } from "../store/location"
import { spendCachedBalances } from "../store/members"
import { recordSale } from "../sync/outbox"
import { priceTillCart } from "./price"
import { labelGrams, parseScaleBarcode } from "./scale"

// The till's cart, outside any component: signals for state, computed for the price, plain functions as actions.
// The price is core's priceCart over the promotions this device holds: the same function the server runs.

export interface TillLine {
  lineId: string
  sku: SkuRecord
  /** Pieces, or grams for weighed goods. */
  qty: number
  /** A weighed line comes from one scale label; its weight is not changed with +/−. */
  weighed: boolean
}

const lines = signal<TillLine[]>([])
const member = signal<MemberRecord | null>(null)
const coupons = signal<Coupon[]>([])
const promotions = signal<Promotion[]>([])
const lastAdded = signal<string | null>(null)
let nextLine = 1

export const cartLines = computed(() => lines.value)
export const cartMember = computed(() => member.value)
export const cartCoupons = computed(() => coupons.value)
export const activePromotions = computed(() => promotions.value)
export const lastAddedLine = computed(() => lastAdded.value)

export const priceLines = (
  tillLines: readonly TillLine[],
  who: MemberRecord | null,
  promos: readonly Promotion[],
  presented: readonly Coupon[],
  storeId: string,
  at = Date.now(),
): PricedCart =>
  priceTillCart(tillLines, who, promos, presented, {
    storeId,
    at,
    timeZone: CHAIN_TIME_ZONE,
    rounding: chainRounding.value,
  })

export const priced = computed(() =>
  priceLines(lines.value, member.value, promotions.value, coupons.value, locationId.value ?? ""),
)

export const loadPromotions = async () => {
  promotions.value = locationId.value ? await storePromotions(locationId.value) : []
}

export const addSku = (sku: SkuRecord, qty = 1, weighed = false) => {
  const same = weighed ? undefined : lines.value.find((l) => l.sku.id === sku.id && !l.weighed)
  if (same) {
    lines.value = lines.value.map((l) => (l === same ? { ...l, qty: l.qty + qty } : l))
    lastAdded.value = same.lineId
    return
  }
  const lineId = String(nextLine++)
  lines.value = [...lines.value, { lineId, sku, qty, weighed }]
  lastAdded.value = lineId
}

export type ScanOutcome = { ok: true; sku: SkuRecord } | { ok: false; reason: "unknown" | "not_weighed" }

/** A scanned code: a product's barcode or SKU code, or a scale label (weight or price inside). */
export const scan = async (code: string): Promise<ScanOutcome> => {
  const label = parseScaleBarcode(code)
  if (label) {
    const sku = await findByBarcode(label.itemBarcode)
    if (!sku) return { ok: false, reason: "unknown" }
    if (sku.unit !== "gram") return { ok: false, reason: "not_weighed" }
    addSku(sku, labelGrams(label, sku.priceFen), true)
    return { ok: true, sku }
  }
  const sku = await findByBarcode(code)
  if (!sku) return { ok: false, reason: "unknown" }
  // A weighed item's own code without a weight: one kilogram would be a guess, so 500 g is not assumed either.
  if (sku.unit === "gram") return { ok: false, reason: "not_weighed" }
  addSku(sku)
  return { ok: true, sku }
}

export const setQty = (lineId: string, qty: number) => {
  lines.value =
    qty <= 0
      ? lines.value.filter((l) => l.lineId !== lineId)
      : lines.value.map((l) => (l.lineId === lineId ? { ...l, qty } : l))
}

export const removeLine = (lineId: string) => setQty(lineId, 0)

export const setMember = (next: MemberRecord | null) => {
  member.value = next
  if (!next) coupons.value = coupons.value.filter((c) => !c.memberId)
}

export const addCoupon = (coupon: Coupon) => {
  coupons.value = [...coupons.value.filter((c) => c.code !== coupon.code), coupon]
}

export const removeCoupon = (code: string) => {
  coupons.value = coupons.value.filter((c) => c.code !== code)
}

export const clearCart = () =>
  batch(() => {
    lines.value = []
    member.value = null
    coupons.value = []
    lastAdded.value = null
  })

// ── park / recall (挂单 / 取单), on this device ──────────────────────────────

export const parkCart = async (label: string) => {
  if (lines.value.length === 0) return
  const parked: ParkedCart = {
    id: ulid(),
    label,
    parkedAt: Date.now(),
    lines: lines.value.map((l) => ({ skuId: l.sku.id, qty: l.qty })),
    ...(member.value ? { memberId: member.value.id } : {}),
    couponCodes: coupons.value.map((c) => c.code),
  }
  await (await db()).put("parked", parked)
  clearCart()
}

export const parkedCarts = async (): Promise<ParkedCart[]> =>
  (await (await db()).getAll("parked")).sort((a, b) => b.parkedAt - a.parkedAt)

export const recallCart = async (id: string) => {
  const database = await db()
  const parked = await database.get("parked", id)
  if (!parked) return
  const restored: TillLine[] = []
  for (const l of parked.lines) {
    const sku = await getSku(l.skuId)
    if (sku) restored.push({ lineId: String(nextLine++), sku, qty: l.qty, weighed: sku.unit === "gram" })
  }
  const who = parked.memberId ? ((await database.get("members", parked.memberId)) ?? null) : null
  batch(() => {
    lines.value = restored
    member.value = who
    coupons.value = []
  })
  await database.delete("parked", id)
}

// ── checkout ──────────────────────────────────────────────────────────────────

/** What the sale earns the member, by core's earnPoints and the chain's published rules: the server's figure. */
const pointsEarned = (cart: PricedCart, tenders: readonly Tender[], who: MemberRecord, at: number) =>
  earnPoints({
    totalFen: cart.totalFen,
    lines: cart.lines.map((l) => ({ lineId: l.lineId, totalFen: l.totalFen })),
    tenders,
    member: who.birthdayMonth ? { birthdayMonth: who.birthdayMonth } : {},
    at,
    timeZone: CHAIN_TIME_ZONE,
    rules: chainPoints.value,
  }).points

const skuDetail = (sku: SkuRecord) => Object.values(sku.attributes ?? {}).join(" / ")

const nextReceiptNumber = async (day: string) => {
  const database = await db()
  const tx = database.transaction("meta", "readwrite")
  const key = `receipt.seq.${day}`
  const seq = (((await tx.store.get(key)) as number | undefined) ?? 0) + 1
  await tx.store.put(seq, key)
  await tx.done
  return `${day.replaceAll("-", "")}-${String(seq).padStart(4, "0")}`
}

export interface Checkout {
  tenders: Tender[]
  changeFen: number
  /** A customer's 付款码 among the tenders: the server takes it live (POST /sales). */
  online: boolean
  shiftId?: string
}

/**
 * Writes the sale (journal + outbox, one transaction) and empties the cart. Resolves with the journal entry the
 * receipt prints from; by then the sale is on the device and will reach the server.
 */
export const checkout = async ({ tenders, changeFen, online, shiftId }: Checkout): Promise<JournalSale> => {
  const store = locationId.value
  const cashier = tillCashier.value
  if (!store || !cashier) throw new Error("no store or user")
  const at = Date.now()
  const cart = priceLines(lines.value, member.value, promotions.value, coupons.value, store, at)
  const id = ulid(at)
  const day = businessDay(at)
  const occurredAt = new Date(at).toISOString()
  const byId = new Map(lines.value.map((l) => [l.lineId, l]))
  const couponCodes = cart.appliedPromotions.flatMap((p) => (p.couponCode ? [p.couponCode] : []))
  const who = member.value
  const device = deviceId()
  const sale: JournalSale = {
    id,
    number: await nextReceiptNumber(day),
    locationId: store,
    cashier: cashier.name,
    occurredAt,
    day,
    lines: cart.lines.map((l) => {
      const sku = byId.get(l.lineId)!.sku
      return { ...l, name: sku.productName, detail: skuDetail(sku), returnedQty: 0 }
    }),
    subtotalFen: cart.subtotalFen,
    discountFen: cart.discountFen,
    roundingFen: cart.roundingFen,
    totalFen: cart.totalFen,
    appliedPromotions: cart.appliedPromotions,
    payments: tenders,
    changeFen,
    ...(who
      ? {
          member: {
            id: who.id,
            name: who.name,
            phoneMasked: who.phoneMasked,
            pointsBalance: who.pointsBalance,
            pointsEarned: pointsEarned(cart, tenders, who, at),
          },
        }
      : {}),
    couponCodes,
    returns: [],
  }
  const common = {
    locationId: store,
    ...(who ? { memberId: who.id } : {}),
    ...(couponCodes.length ? { couponCodes } : {}),
    ...(shiftId ? { shiftId } : {}),
    ...(device ? { deviceId: device } : {}),
  }
  const item: OutboxItem = online
    ? {
        id,
        kind: "online_sale",
        createdAt: at,
        attempts: 0,
        body: { ...common, lines: cart.lines.map((l) => ({ skuId: l.skuId, qty: l.qty })), payments: tenders },
      }
    : {
        id,
        kind: "sale",
        createdAt: at,
        attempts: 0,
        body: {
          id,
          occurredAt,
          ...common,
          cashierId: cashier.id,
          lines: cart.lines.map((l) => ({ skuId: l.skuId, qty: l.qty, unitPriceFen: l.unitPriceFen })),
          payments: tenders,
          totalFen: cart.totalFen,
        },
      }
  await recordSale(sale, item)
  if (who) await spendCachedBalances(who.id, tenders)
  clearCart()
  return sale
}
