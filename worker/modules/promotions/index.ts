// The promotions module's public face: what the sales module (and the members export) may call.
export {
  activePromotionRows,
  activePromotions,
  memberCoupons,
  memberPromotionUsage,
  memberUsageRows,
  normalizeCouponCode,
  promotionsInForce,
  promotionUsageInsert,
  promotionUsageOf as promotionUsage,
  recordPromotionUsage,
  redeemCoupons,
  resolveCoupons,
} from "./service"
