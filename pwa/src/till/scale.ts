import { isInStoreCode, isValidBarcode, withCheckDigit } from "../../../core/barcode"

// Labels printed by the store's scales: in-store EAN-13 codes, `2F PPPPP VVVVV C`.
//   F 0–4: V is the weight in grams; F 5–9: V is the price in fen (the scale priced it).
//   PPPPP: the item's scale code. The catalog holds the item under the same code with V = 00000 and F
//   taken mod 5 (a weighed apple is 2010001000005 whether its label says weight or price).

export type ScaleLabel = { itemBarcode: string } & ({ grams: number } | { priceFen: number })

export const parseScaleBarcode = (code: string): ScaleLabel | null => {
  if (!isInStoreCode(code) || !isValidBarcode(code)) return null
  const flag = Number(code[1])
  const value = Number(code.slice(7, 12))
  if (value === 0) return null // the item's own code, not a label
  const itemBarcode = withCheckDigit(`2${flag % 5}${code.slice(2, 7)}00000`)
  return flag < 5 ? { itemBarcode, grams: value } : { itemBarcode, priceFen: value }
}

/** The grams a price label stands for at the item's price per kilogram (rounded to the gram). */
export const gramsForPrice = (priceFen: number, pricePerKgFen: number): number =>
  pricePerKgFen > 0 ? Math.max(1, Math.round((priceFen * 1000) / pricePerKgFen)) : 0

/** The grams a label carries: its weight, or its price at the item's price per kilogram. */
export const labelGrams = (label: ScaleLabel, pricePerKgFen: number): number =>
  "grams" in label ? label.grams : gramsForPrice(label.priceFen, pricePerKgFen)
