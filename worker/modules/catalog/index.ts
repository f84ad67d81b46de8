// What other modules may use of the catalog (never its tables or routes).
export { applyDuePrices, getSkusByIds, pricesAt, type SkuFacts } from "./service"
