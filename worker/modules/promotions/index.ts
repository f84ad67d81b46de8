// The promotions module's public face: what the sales module (and the members export) may call.
export {
  activePromotions,
  memberCoupons,
  memberPromotionUsage,
  normalizeCouponCode,
  promotionUsageOf as promotionUsage,
  promotionUsageInsert,
  recordPromotionUsage,
  redeemCoupons,
  resolveCoupons,
} from "./service"
