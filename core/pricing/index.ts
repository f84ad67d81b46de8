// Pricing a cart: import from here.
export { cartLine, type SkuRecord } from "./cart-line"
export { CartError, canonicalOrder, lineAmountFen } from "./line"
export { cartMember, type MemberRecord } from "./member"
export { DEFAULT_MAX_COMBINATIONS, priceCart } from "./price-cart"
export type {
  AppliedPromotion,
  CartLine,
  CartMember,
  CouponRejection,
  LineDiscount,
  PriceCartInput,
  PricedCart,
  PricedLine,
  PricingContext,
} from "./types"
