// What the till needs from members and promotions, through their public index only (one place to
// look when their signatures move). Every call here is idempotent by (refType, refId).
export {
  awardPoints,
  awardPointsStatements,
  chargeStoredValue,
  findMovement,
  getMemberForSale,
  memberForSale,
  memberRow,
  recordSpend,
  refundStoredValue,
  reversePoints,
  spendInsert,
  spendPoints,
  tierChangeAfter,
  tierFrom,
} from "../members"
export {
  activePromotionRows,
  activePromotions,
  type CouponsAsOf,
  memberUsageRows,
  type PromotionRevision,
  promotionsAsOf,
  promotionsInForce,
  promotionUsage,
  promotionUsageInsert,
  recordPromotionUsage,
  redeemCoupons,
  resolveCoupons,
  revisionsDuring,
} from "../promotions"
