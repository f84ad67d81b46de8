// The promotions module's public face: what the sales module (and the members export) may call.
export {
  activePromotions,
  memberCoupons,
  memberPromotionUsage,
  normalizeCouponCode,
  promotionUsageInsert,
  promotionUsageOf as promotionUsage,
  recordPromotionUsage,
  redeemCoupons,
  resolveCoupons,
} from "./service"
