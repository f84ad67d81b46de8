import { cartLine, cartMember, type PricedCart, priceCart, type SkuRecord } from "../../../core/pricing"
import type { Coupon, Promotion } from "../../../core/promotions"
import type { RoundingPolicy } from "../../../core/rounding"

// The till's pricing path, with no I/O: what the device holds (SKUs, the store's promotions, presented coupons,
// the member, the chain's settings) turned into core's priceCart, the same function POST /sales runs. Plain
// data in and out, so a worker test can price the same carts through it and through the server.

/** A cart line as the till holds it; SkuRecord and MemberRecord from IndexedDB fit these shapes. */
export interface TillPricedLine {
  lineId: string
  qty: number
  sku: SkuRecord
}

export interface TillMember {
  id: string
  tierId: string | null
  birthdayMonth: number | null
}

export interface TillPricing {
  storeId: string
  at: number
  timeZone: string
  rounding: RoundingPolicy
}

export const priceTillCart = (
  lines: readonly TillPricedLine[],
  who: TillMember | null,
  promotions: readonly Promotion[],
  coupons: readonly Coupon[],
  { storeId, at, timeZone, rounding }: TillPricing,
): PricedCart =>
  priceCart({
    lines: lines.map((l) => cartLine(l.lineId, l.qty, l.sku)),
    member: cartMember(who),
    promotions,
    coupons,
    context: { at, timeZone, storeId, channel: "pos" },
    rounding,
  })

/** A promotion as GET /promotions/active (or /promotions/{id}) answers it. */
export type ApiPromotion = Promotion & { status?: string; couponOnly?: boolean; applies?: boolean }

/** core's Promotion, without what the API adds around it (status, timestamps): what priceCart reads. */
export const toEnginePromotion = (p: ApiPromotion): Promotion => ({
  id: p.id,
  name: p.name,
  class: p.class,
  rule: p.rule,
  priority: p.priority ?? 0,
  ...(p.target ? { target: p.target } : {}),
  ...(p.exclusiveGroup ? { exclusiveGroup: p.exclusiveGroup } : {}),
  ...(p.minSpendFen !== undefined && p.minSpendFen !== null ? { minSpendFen: p.minSpendFen } : {}),
  ...(p.window ? { window: p.window } : {}),
  ...(p.storeIds ? { storeIds: p.storeIds } : {}),
  ...(p.channels ? { channels: p.channels } : {}),
  ...(p.member ? { member: p.member } : {}),
  ...(p.limitPerMember !== undefined && p.limitPerMember !== null ? { limitPerMember: p.limitPerMember } : {}),
})

/** Of the store's promotions as synced, the ones the till prices with (paused, ended or not applying: none). */
export const tillPromotions = (synced: readonly ApiPromotion[]): Promotion[] =>
  synced.filter((p) => p.applies !== false && p.status !== "paused" && p.status !== "ended").map(toEnginePromotion)

/** A coupon code the server resolved (GET /coupons/{code}) with its promotion (GET /promotions/{id}). */
export const tillCoupon = (
  coupon: { code: string; memberId: string | null; redeemed: boolean },
  promotion: ApiPromotion,
): Coupon => ({
  code: coupon.code,
  promotion: toEnginePromotion(promotion),
  memberId: coupon.memberId,
  redeemed: coupon.redeemed,
})
