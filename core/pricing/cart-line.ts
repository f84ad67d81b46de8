// A cart line as the engine sees it, from a SKU as the server reads it from the catalog or the till
// caches it (absent prices and categories as null): one mapping, so a member price or a category
// promotion can't apply on one side and not the other.
import type { CartLine } from "./types"

export type SkuRecord = {
  id: string
  unit: "piece" | "gram"
  priceFen: number
  memberPriceFen: number | null
  categoryId: string | null
}

/** `unitPriceFen`: the price the line sells at when it isn't the list price (an approved override). */
export const cartLine = (lineId: string, qty: number, sku: SkuRecord, unitPriceFen = sku.priceFen): CartLine => ({
  lineId,
  skuId: sku.id,
  qty,
  unit: sku.unit,
  unitPriceFen,
  ...(sku.memberPriceFen !== null ? { memberPriceFen: sku.memberPriceFen } : {}),
  ...(sku.categoryId ? { categoryId: sku.categoryId } : {}),
})
