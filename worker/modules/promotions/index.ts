// The promotions module's public face: what the sales module (and the members export) may call.
export {
  activePromotionRows,
  activePromotions,
  type CouponsAsOf,
  memberCoupons,
  memberPromotionUsage,
  memberUsageRows,
  normalizeCouponCode,
  type PromotionRevision,
  promotionsAsOf,
  promotionsInForce,
  promotionUsageInsert,
  promotionUsageOf as promotionUsage,
  recordPromotionUsage,
  redeemCoupons,
  resolveCoupons,
  revisionsDuring,
} from "./service"
