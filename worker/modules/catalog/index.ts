// What other modules may use of the catalog (never its tables or routes).
export { applyDuePrices, getSkusByIds, type SkuFacts } from "./service"
