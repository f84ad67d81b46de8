// Chain-wide settings from wrangler.toml vars, read in one place. GET /api/v1/settings publishes the
// ones a till must apply offline exactly as the server does.
import { DEFAULT_POINTS_RULES, type PointsRules } from "../../core/points"
import { ROUNDING_POLICIES, type RoundingPolicy } from "../../core/rounding"

/** The payable amount's rounding (抹零): CHAIN_ROUNDING, else none. */
export const chainRounding = (env: Env): RoundingPolicy =>
  ROUNDING_POLICIES.find((p) => p === env.CHAIN_ROUNDING) ?? "none"

/** A whole number in [min, max] from a var; anything else (missing, "1.5", "") is the default. */
const wholeVar = (raw: string | undefined, min: number, max: number, fallback: number): number => {
  const n = raw !== undefined && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : fallback
}

/**
 * The chain's points rules: POINTS_EARN_FEN_PER_POINT, POINTS_BIRTHDAY_MULTIPLIER, POINTS_REDEEM_PER_YUAN,
 * POINTS_MAX_REDEEM_BP; a var left out or not a sensible whole number keeps core's default, like the
 * rounding above. Stored value and points tenders never earn (money counted once), whatever the chain.
 */
export const chainPointsRules = (env: Env): PointsRules => {
  const d = DEFAULT_POINTS_RULES
  const max = 1_000_000
  return {
    ...d,
    earnFenPerPoint: wholeVar(env.POINTS_EARN_FEN_PER_POINT, 1, max, d.earnFenPerPoint),
    birthdayMultiplier: wholeVar(env.POINTS_BIRTHDAY_MULTIPLIER, 1, 100, d.birthdayMultiplier),
    redeemPointsPerYuan: wholeVar(env.POINTS_REDEEM_PER_YUAN, 1, max, d.redeemPointsPerYuan),
    maxRedeemBp: wholeVar(env.POINTS_MAX_REDEEM_BP, 0, 10_000, d.maxRedeemBp),
  }
}
