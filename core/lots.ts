// Lots and cost: which goods leave first (FEFO) and what they cost. The StockCell applies these
// online; the till may preview them offline, so they live here, pure and integer-only.

/** A lot on hand in one cell. `expiresOn` is a calendar date "YYYY-MM-DD" (or null: no expiry). */
export type LotStock = {
  lot: string
  expiresOn: string | null
  qty: number
  unitCostFen: number
}

/** One slice taken by a pick: from a lot, or from the lot-less bucket (`lot: null`). */
export type LotTake = {
  lot: string | null
  expiresOn: string | null
  qty: number
  unitCostFen: number
  costFen: number
}

export type FefoPick = {
  takes: LotTake[]
  /** Quantity that could not be covered (always 0 when `allowNegative`). */
  short: number
  costFen: number
}

export type FefoOptions = {
  /** Unit cost of lot-less goods (the cell's moving average). */
  lotlessUnitCostFen: number
  /** Facts (offline sales, posted variances) take the rest from the lot-less bucket, below zero. */
  allowNegative: boolean
}

// Dates compare as strings; lots without expiry go last, ties break on the lot number so the
// order never depends on how the rows were read.
const NO_EXPIRY = "9999-12-31"
export const fefoOrder = (a: LotStock, b: LotStock): number => {
  const ea = a.expiresOn ?? NO_EXPIRY
  const eb = b.expiresOn ?? NO_EXPIRY
  if (ea !== eb) return ea < eb ? -1 : 1
  return a.lot < b.lot ? -1 : a.lot > b.lot ? 1 : 0
}

/**
 * Picks `qty` first-expiry-first-out: lots by expiry, then the lot-less bucket while it is
 * positive, then (facts only) the lot-less bucket below zero. Lots never go below zero.
 */
export function pickFefo(lots: readonly LotStock[], lotless: number, qty: number, opts: FefoOptions): FefoPick {
  if (!Number.isSafeInteger(qty) || qty < 0) throw new RangeError(`pickFefo: qty must be a non-negative integer`)
  const takes: LotTake[] = []
  let rest = qty
  for (const l of [...lots].sort(fefoOrder)) {
    if (rest === 0) break
    if (l.qty <= 0) continue
    const q = Math.min(l.qty, rest)
    takes.push({ lot: l.lot, expiresOn: l.expiresOn, qty: q, unitCostFen: l.unitCostFen, costFen: q * l.unitCostFen })
    rest -= q
  }
  const fromLotless = Math.min(rest, opts.allowNegative ? rest : Math.max(lotless, 0))
  if (fromLotless > 0) {
    const c = opts.lotlessUnitCostFen
    takes.push({ lot: null, expiresOn: null, qty: fromLotless, unitCostFen: c, costFen: fromLotless * c })
    rest -= fromLotless
  }
  return { takes, short: rest, costFen: takes.reduce((s, t) => s + t.costFen, 0) }
}

/**
 * Moving-average unit cost after a receipt, in integer fen, rounded half up (…0.5 fen goes up):
 * round((avg × onHand + unitCost × qty) / (onHand + qty)). Stock at or below zero carries no
 * value, so the receipt's own cost becomes the average. BigInt keeps the products exact.
 */
export function movingAverageCost(avgFen: number, onHand: number, receivedQty: number, unitCostFen: number): number {
  if (onHand <= 0) return unitCostFen
  const num = BigInt(avgFen) * BigInt(onHand) + BigInt(unitCostFen) * BigInt(receivedQty)
  const den = BigInt(onHand + receivedQty)
  return Number((2n * num + den) / (2n * den))
}
