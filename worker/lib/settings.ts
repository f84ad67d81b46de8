// Chain-wide settings from wrangler.toml vars, read in one place.
import { ROUNDING_POLICIES, type RoundingPolicy } from "../../core/rounding"

/** The payable amount's rounding (抹零): CHAIN_ROUNDING, else none. */
export const chainRounding = (env: Env): RoundingPolicy =>
  ROUNDING_POLICIES.find((p) => p === env.CHAIN_ROUNDING) ?? "none"
