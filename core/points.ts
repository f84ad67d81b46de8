// Member points: how many a sale earns, how they are split over its lines (so a return takes
// back exactly what its lines earned), and what redeeming them as a tender is worth.

import { allocateProRata } from "./money"
import { localTime } from "./promotions/calendar"
import { divFloor } from "./rounding"
import { combineMemberTenders, type Tender, type TenderMethod } from "./tenders"

export type PointsRules = {
  /** Fen of paid amount per point earned: 100 = 1 point per ¥1 (the default). */
  earnFenPerPoint: number
  /** Multiplier in the member's birthday month (1 = none). */
  birthdayMultiplier: number
  /** Tenders that earn nothing: stored value and points by default (money already counted once). */
  excludedMethods: readonly TenderMethod[]
  /** Points worth ¥1 when redeemed: 100 = 100 points for ¥1. */
  redeemPointsPerYuan: number
  /** At most this share of the amount due may be paid in points, in basis points (10000 = all). */
  maxRedeemBp: number
}

export const DEFAULT_POINTS_RULES: PointsRules = {
  earnFenPerPoint: 100,
  birthdayMultiplier: 1,
  excludedMethods: ["stored_value", "points"],
  redeemPointsPerYuan: 100,
  maxRedeemBp: 10000,
}

export type EarnInput = {
  /** The sale's total and the amount each of its lines was paid (PricedLine.totalFen), in line order. */
  totalFen: number
  lines: readonly { lineId: string; totalFen: number }[]
  tenders: readonly Tender[]
  member: { birthdayMonth?: number } | null
  at: number
  timeZone: string
  rules?: Partial<PointsRules>
}

export type Earned = {
  points: number
  /** The paid amount that earned points. */
  eligibleFen: number
  multiplier: number
  /** Points per line, summing to `points` (largest remainder, ties to the earlier line). */
  lines: { lineId: string; points: number }[]
}

/**
 * Points earned: floor(eligible fen × multiplier / earnFenPerPoint), where eligible is the total
 * less what excluded tenders paid (change comes from cash, so it never counts). No member, no points.
 */
export function earnPoints(input: EarnInput): Earned {
  const rules = { ...DEFAULT_POINTS_RULES, ...input.rules }
  const excludedFen = input.tenders
    .filter((t) => rules.excludedMethods.includes(t.method))
    .reduce((s, t) => s + t.amountFen, 0)
  const eligibleFen = Math.max(0, input.totalFen - excludedFen)
  const birthday =
    input.member?.birthdayMonth !== undefined &&
    input.member.birthdayMonth === localTime(input.at, input.timeZone).month
  const multiplier = birthday ? rules.birthdayMultiplier : 1
  const points = input.member ? divFloor(BigInt(eligibleFen) * BigInt(multiplier), rules.earnFenPerPoint) : 0
  const weights = input.lines.map((l) => Math.max(0, l.totalFen))
  const shares = points === 0 ? weights.map(() => 0) : allocateProRata(points, weights)
  return {
    points,
    eligibleFen,
    multiplier,
    lines: input.lines.map((l, i) => ({ lineId: l.lineId, points: shares[i]! })),
  }
}

/** What `points` are worth in fen, rounded down: 150 points at 100/¥1 → 150 fen. */
export const pointsValueFen = (points: number, rules: Partial<PointsRules> = {}): number =>
  divFloor(BigInt(points) * 100n, rules.redeemPointsPerYuan ?? DEFAULT_POINTS_RULES.redeemPointsPerYuan)

/** The fewest points that buy `fen`. */
export const pointsForFen = (fen: number, rules: Partial<PointsRules> = {}): number =>
  divFloor(BigInt(fen) * BigInt(rules.redeemPointsPerYuan ?? DEFAULT_POINTS_RULES.redeemPointsPerYuan) + 99n, 100)

export type Redemption = { points: number; fen: number }

/**
 * A points tender for up to `requestedPoints` (default: as many as allowed) against `dueFen`:
 * capped by the balance, by what is due and by maxRedeemBp of it; only whole fen are paid, and
 * only the points those fen need are spent.
 */
export function planRedemption(input: {
  balance: number
  dueFen: number
  requestedPoints?: number
  rules?: Partial<PointsRules>
}): Redemption {
  const rules = { ...DEFAULT_POINTS_RULES, ...input.rules }
  const offered = Math.max(0, Math.min(input.balance, input.requestedPoints ?? input.balance))
  const capFen = divFloor(BigInt(Math.max(0, input.dueFen)) * BigInt(rules.maxRedeemBp), 10000)
  const fen = Math.max(0, Math.min(pointsValueFen(offered, rules), capFen))
  return { fen, points: pointsForFen(fen, rules) }
}

export type MemberTenderCheck =
  | { ok: true; tenders: Tender[]; pointsFor: Map<number, number> }
  | { ok: false; code: "insufficient_stored_value" | "insufficient_points"; index: number; pointsNeeded?: number }

/**
 * The member tenders of a sale against the member's balances, the one rule the server (POST /sales) and the
 * till's pay sheet both apply: tenders combined first (combineMemberTenders), stored value within the
 * balance, a points tender worth its points at the chain's rate and within planRedemption's caps.
 * `pointsFor` maps a combined tender's index to the points it spends.
 */
export function checkMemberTenders(
  totalFen: number,
  given: readonly Tender[],
  balances: { pointsBalance: number; storedValueFen: number },
  rules: Partial<PointsRules> = {},
): MemberTenderCheck {
  const tenders = combineMemberTenders(given)
  const pointsFor = new Map<number, number>()
  for (const [index, t] of tenders.entries()) {
    if (t.method === "stored_value" && balances.storedValueFen < t.amountFen)
      return { ok: false, code: "insufficient_stored_value", index }
    if (t.method !== "points") continue
    const points = pointsForFen(t.amountFen, rules)
    const plan = planRedemption({ balance: balances.pointsBalance, dueFen: totalFen, requestedPoints: points, rules })
    if (plan.fen < t.amountFen) return { ok: false, code: "insufficient_points", index, pointsNeeded: points }
    pointsFor.set(index, points)
  }
  return { ok: true, tenders, pointsFor }
}
