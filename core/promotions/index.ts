// The promotion engine's public face; pricing a cart is core/pricing.
export { type LocalTime, localTime } from "./calendar"
export { applicationOrder, applyAll, type Candidate, choose } from "./combine"
export { type PromotionConflict, validatePromotionSet } from "./conflicts"
export { type Ineligibility, ineligibility, inWindow } from "./eligibility"
export { inTarget, ruleDiscounts } from "./rules"
export {
  type Coupon,
  couponSchema,
  type Promotion,
  type PromotionClass,
  type PromotionInput,
  promotionSchema,
  RULE_CLASS,
  type Rule,
  type RuleKind,
  ruleSchema,
  TRIGGERED_KINDS,
} from "./schema"
