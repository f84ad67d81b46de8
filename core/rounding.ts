// Rounding, stated once. Every fen the engine computes from a fraction is rounded half up
// (0.5 fen → 1 fen) on non-negative exact integers, never through a float. The payable amount
// is then rounded once more by the chain's policy, and that adjustment is shown, signed.

/** round(numerator / denominator), half up, for numerator ≥ 0 and denominator > 0. */
export function divHalfUp(numerator: number | bigint, denominator: number | bigint): number {
  const n = BigInt(numerator)
  const d = BigInt(denominator)
  if (n < 0n || d <= 0n) throw new RangeError("divHalfUp: needs numerator ≥ 0 and denominator > 0")
  return Number((2n * n + d) / (2n * d))
}

/** floor(numerator / denominator) for numerator ≥ 0 and denominator > 0. */
export function divFloor(numerator: number | bigint, denominator: number | bigint): number {
  const n = BigInt(numerator)
  const d = BigInt(denominator)
  if (n < 0n || d <= 0n) throw new RangeError("divFloor: needs numerator ≥ 0 and denominator > 0")
  return Number(n / d)
}

/** The share of `amountFen` given by basis points (10000 = all of it), half up. */
export const basisPointsOf = (amountFen: number, bp: number): number =>
  divHalfUp(BigInt(amountFen) * BigInt(bp), 10000n)

/**
 * How a chain rounds what the customer pays:
 * - `none`: to the fen;
 * - `drop_fen` (抹分): fen dropped, ¥12.34 → ¥12.30;
 * - `drop_jiao` (抹角): jiao and fen dropped, ¥12.34 → ¥12.00;
 * - `round_jiao` (四舍五入到角): to the nearest jiao, 5 fen up, ¥12.35 → ¥12.40, ¥12.34 → ¥12.30.
 */

export const ROUNDING_POLICIES = ["none", "drop_fen", "drop_jiao", "round_jiao"] as const
export type RoundingPolicy = (typeof ROUNDING_POLICIES)[number]

/** The signed adjustment the policy makes to a non-negative payable amount (payable + result). */
export function roundingAdjustment(payableFen: number, policy: RoundingPolicy): number {
  if (!Number.isSafeInteger(payableFen) || payableFen < 0) throw new RangeError(`rounding: bad amount ${payableFen}`)
  switch (policy) {
    case "none":
      return 0
    case "drop_fen":
      return 0 - (payableFen % 10)
    case "drop_jiao":
      return 0 - (payableFen % 100)
    case "round_jiao": {
      const fen = payableFen % 10
      return fen >= 5 ? 10 - fen : 0 - fen
    }
  }
}
