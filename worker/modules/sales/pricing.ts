// Pricing a till's cart on the server: the SKUs' facts from the catalog, the member, the active
// promotions and presented coupons, then core's priceCart — the same function the PWA runs offline,
// so an online sale and a synced one are priced by one rule book.

import type { PricedCart } from "../../../core/pricing"
import { CartError, cartLine, cartMember, priceCart } from "../../../core/pricing"
import type { Promotion } from "../../../core/promotions"
import type { Db } from "../../db/client"
import { type FieldError, problem } from "../../lib/problem"
import { chainRounding } from "../../lib/settings"
import { getSkusByIds, pricesAt, type SkuFacts } from "../catalog"
import { activePromotions, type CouponsAsOf, getMemberForSale, promotionUsage, resolveCoupons } from "./ports"

export type MemberForSale = NonNullable<Awaited<ReturnType<typeof getMemberForSale>>>

export type PriceRequest = {
  locationId: string
  /** `unitPriceFen`: an approved price override (online) or the price the offline till used. */
  lines: readonly { skuId: string; qty: number; unitPriceFen?: number }[]
  memberId?: string | null
  couponCodes?: readonly string[]
  at: number
  manualDiscountFen?: number
  /** Offline sales are facts: a SKU archived since still prices at its list price. */
  allowArchived?: boolean
  /**
   * Offline sales: list and member prices as they were at `at` (the SKU's price history), and the
   * member's tier then (members' tier changes), so a change between the sale and its sync is not
   * mistaken for the till's error.
   */
  asOf?: boolean
  /**
   * Offline sales: a member whose data was erased (PIPL) since the sale is priced as no member and
   * answered in `erasedMemberId`, for the caller to flag; online, an erased member is unknown_member.
   */
  dropErasedMember?: boolean
}

/**
 * Facts a caller already read in its own batch (the till's sale reads them with its checks in one
 * D1 round trip); whatever is absent, priceSale reads itself.
 */
export type Known = {
  skus?: Map<string, SkuFacts>
  /** `asOf` requests: the SKUs' prices at the sale's instant (pricesAt). */
  prices?: Awaited<ReturnType<typeof pricesAt>>
  member?: MemberForSale | null
  promotions?: Promotion[]
  /** The member's use of every promotion they used (promotion id → sales); absent ids count 0. */
  usage?: Record<string, number>
  /** Offline sales: coupons apply their promotion as it was at the sale (promotion revisions). */
  couponsAsOf?: CouponsAsOf
}

export type Priced = {
  cart: PricedCart
  skus: Map<string, SkuFacts>
  member: MemberForSale | null
  /** The erased member a `dropErasedMember` request named, priced without them. */
  erasedMemberId: string | null
}

export const MANUAL_DISCOUNT_ID = "manual_discount"

/** The member as core's earnPoints sees them. */
export const earner = (m: MemberForSale | null) => (m ? { birthdayMonth: m.birthdayMonth ?? undefined } : null)

export async function priceSale(db: Db, env: Env, req: PriceRequest, known: Known = {}): Promise<Priced> {
  const skuIds = req.lines.map((l) => l.skuId)
  const [skus, then, named] = await Promise.all([
    known.skus ?? getSkusByIds(db, skuIds),
    req.asOf ? (known.prices ?? pricesAt(db, skuIds, req.at)) : Promise.resolve(null),
    !req.memberId
      ? null
      : "member" in known
        ? (known.member ?? null)
        : getMemberForSale(db, req.memberId, req.asOf ? req.at : undefined),
  ])
  for (const [id, p] of then ?? []) {
    const s = skus.get(id)
    if (s) skus.set(id, { ...s, priceFen: p.priceFen, memberPriceFen: p.memberPriceFen })
  }
  const errors: FieldError[] = []
  req.lines.forEach((l, i) => {
    const s = skus.get(l.skuId)
    if (!s) errors.push({ path: `lines.${i}.skuId`, message: "No such SKU.", skuId: l.skuId })
    else if (s.status !== "active" && !req.allowArchived)
      errors.push({ path: `lines.${i}.skuId`, message: "This SKU is no longer sold.", skuId: l.skuId })
  })
  if (errors.length) throw problem(422, "unknown_sku", "Some lines name SKUs that can't be sold.", { errors })
  const erasedMemberId = req.dropErasedMember && named?.status === "erased" ? named.id : null
  const member = erasedMemberId ? null : named
  if (req.memberId && !erasedMemberId && member?.status !== "active")
    throw problem(422, "unknown_member", "No such member.", {
      errors: [{ path: "memberId", message: "No such member." }],
    })

  const [promotions, coupons] = await Promise.all([
    known.promotions ?? activePromotions(db, { locationId: req.locationId, channel: "pos", at: req.at }),
    req.couponCodes?.length
      ? resolveCoupons(db, [...req.couponCodes], member?.id ?? null, known.couponsAsOf)
      : Promise.resolve([]),
  ])
  const ids = [...promotions.map((p) => p.id), ...coupons.map((c) => c.promotion.id)]
  const usage =
    !member || !ids.length ? {} : known.usage ? usageOf(known.usage, ids) : await promotionUsage(db, member.id, ids)
  const manual: Promotion[] = req.manualDiscountFen
    ? [
        {
          id: MANUAL_DISCOUNT_ID,
          name: "手工优惠",
          class: "order",
          rule: { kind: "fixed_off", offFen: req.manualDiscountFen },
          priority: 0,
        },
      ]
    : []

  const cart = tryPrice(() =>
    priceCart({
      lines: req.lines.map((l, i) => cartLine(String(i + 1), l.qty, skus.get(l.skuId)!, l.unitPriceFen)),
      member: cartMember(member),
      promotions: [...promotions, ...manual],
      coupons,
      context: { at: req.at, timeZone: env.CHAIN_TIME_ZONE, storeId: req.locationId, channel: "pos" },
      rounding: chainRounding(env),
      usage,
    }),
  )
  return { cart, skus, member, erasedMemberId }
}

const usageOf = (all: Record<string, number>, ids: string[]) => Object.fromEntries(ids.map((id) => [id, all[id] ?? 0]))

/** The engine refuses a cart it can't price (the schemas should have caught it): 422, never a 500. */
function tryPrice<T>(price: () => T): T {
  try {
    return price()
  } catch (e) {
    if (e instanceof CartError) throw problem(422, "cart_invalid", e.message)
    throw e
  }
}
