// The shapes the till and the server pass to priceCart and get back.

import type { Coupon, Promotion, PromotionClass } from "../promotions/schema"
import type { RoundingPolicy } from "../rounding"

/**
 * One cart line. `qty` is whole pieces, or grams for weighed goods, whose prices are per
 * kilogram: the line amount is round_half_up(qty × unitPriceFen / 1000).
 */
export type CartLine = {
  lineId: string
  skuId: string
  qty: number
  unit: "piece" | "gram"
  unitPriceFen: number
  memberPriceFen?: number
  categoryId?: string
  brandId?: string
  tags?: readonly string[]
}

/** The member at the till, or null. `birthdayMonth` is 1..12. */
export type CartMember = { id: string; tierId?: string; birthdayMonth?: number } | null

export type PricingContext = {
  /** When the sale happens (epoch ms): the sale's occurredAt when priced again on the server. */
  at: number
  /** The chain's IANA time zone, e.g. "Asia/Shanghai". */
  timeZone: string
  storeId: string
  /** "pos" (the till), "miniprogram", … */
  channel: string
}

export type PriceCartInput = {
  lines: readonly CartLine[]
  member: CartMember
  /** Active promotions of the chain (those out of window, store or channel are skipped here). */
  promotions: readonly Promotion[]
  /** Coupons presented, resolved by the caller from their codes. */
  coupons?: readonly Coupon[]
  context: PricingContext
  rounding?: RoundingPolicy
  /** How often this member already had each promotion (by promotion id), for limitPerMember. */
  usage?: Readonly<Record<string, number>>
  /**
   * `best_for_customer` (default) searches the allowed combinations for the lowest total;
   * `priority` takes, in each exclusive group, the highest-priority promotion that gives anything.
   */
  strategy?: "best_for_customer" | "priority"
  /** Upper bound on combinations evaluated (default 1024). */
  maxCombinations?: number
}

/** One discount on one line: its own (item class) or its share of an order promotion. */
export type LineDiscount = {
  promotionId: string
  name: string
  class: PromotionClass
  couponCode?: string
  amountFen: number
}

export type PricedLine = {
  lineId: string
  skuId: string
  qty: number
  unit: "piece" | "gram"
  unitPriceFen: number
  /** At list price. */
  originalFen: number
  /** In the order they were applied. */
  discounts: LineDiscount[]
  discountFen: number
  /** This line's share of the payable rounding (signed). */
  roundingFen: number
  /** originalFen − discountFen + roundingFen: what the customer paid for the line (refund basis). */
  totalFen: number
}

export type AppliedPromotion = {
  promotionId: string
  name: string
  class: PromotionClass
  couponCode?: string
  amountFen: number
}

export type CouponRejection =
  | "redeemed"
  | "other_member"
  | "duplicate_code"
  | "not_eligible"
  | "no_benefit"
  | "not_chosen"

export type PricedCart = {
  lines: PricedLine[]
  /** Σ originalFen. */
  subtotalFen: number
  discountFen: number
  roundingFen: number
  /** subtotalFen − discountFen + roundingFen = Σ line totalFen; never negative. */
  totalFen: number
  appliedPromotions: AppliedPromotion[]
  /** Coupons presented but not used, and why. */
  rejectedCoupons: { code: string; reason: CouponRejection }[]
  /** Combinations evaluated by the search (for diagnostics; bounded by maxCombinations). */
  combinationsTried: number
}
