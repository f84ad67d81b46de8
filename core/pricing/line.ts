// A line's amount at a given unit price: pieces × price, or grams × price-per-kilogram / 1000
// rounded half up to the fen.
import { divHalfUp } from "../rounding"
import type { CartLine } from "./types"

export function lineAmountFen(qty: number, unitPriceFen: number, unit: CartLine["unit"]): number {
  return unit === "gram" ? divHalfUp(BigInt(qty) * BigInt(unitPriceFen), 1000n) : qty * unitPriceFen
}

export class CartError extends Error {}

/** Rejects lines the engine cannot price (the API schemas should have caught them already). */
export function checkLines(lines: readonly CartLine[]): void {
  const ids = new Set<string>()
  for (const l of lines) {
    if (ids.has(l.lineId)) throw new CartError(`Line ${l.lineId} appears twice.`)
    ids.add(l.lineId)
    if (!Number.isSafeInteger(l.qty) || l.qty < 1)
      throw new CartError(`Line ${l.lineId}: qty must be a whole number ≥ 1.`)
    for (const price of [l.unitPriceFen, l.memberPriceFen ?? 0])
      if (!Number.isSafeInteger(price) || price < 0) throw new CartError(`Line ${l.lineId}: prices are whole fen ≥ 0.`)
    if (!Number.isSafeInteger(lineAmountFen(l.qty, l.unitPriceFen, l.unit)))
      throw new CartError(`Line ${l.lineId}: the amount is too large.`)
  }
}

/**
 * The order the engine works in: by the line's content (SKU, unit, qty, prices, category, brand,
 * tags), then lineId. Ties (which line gets a spare fen, which of two equal pieces is free) are
 * broken in this order, so the till and the server give every line the same fen whatever order
 * the lines arrive in and whatever ids each side gave them; only lines identical in content can
 * trade places.
 */
export function canonicalOrder(lines: readonly CartLine[]): number[] {
  const key = (l: CartLine) =>
    [
      l.skuId,
      l.unit,
      pad(l.qty),
      pad(l.unitPriceFen),
      pad(l.memberPriceFen ?? -1),
      l.categoryId ?? "",
      l.brandId ?? "",
      (l.tags ?? []).join("\u0001"),
      l.lineId,
    ].join("\u0000")
  const keys = lines.map(key)
  return lines.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0))
}

const pad = (n: number) => (n < 0 ? "-" : String(n).padStart(16, "0"))
