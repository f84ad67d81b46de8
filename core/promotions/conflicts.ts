// Conflicts are refused when a promotion is saved, never discovered at the till: the worker
// calls validatePromotionSet with the chain's promotions plus the one being saved.
import { hourIntervals } from "./calendar"
import { type Promotion, promotionSchema } from "./schema"

export type PromotionConflict = {
  code: "invalid" | "duplicate_id" | "ambiguous_priority"
  /** The promotions involved (for `invalid`, the index as a string when there is no id). */
  promotionIds: string[]
  message: string
  /** For `invalid`: each problem with its field path. */
  issues?: { path: (string | number)[]; message: string }[]
}

/**
 * Checks a whole set: each against the schema, ids unique, and no two promotions of one
 * exclusive group with the same priority that could both be eligible in one sale (overlapping
 * dates, weekdays, hours, stores, channels and member tiers) — for those,
 * which one applies first, or wins under the `priority` strategy, would be up to chance.
 */
export function validatePromotionSet(promotions: readonly unknown[]): PromotionConflict[] {
  const conflicts: PromotionConflict[] = []
  const valid: Promotion[] = []
  promotions.forEach((raw, index) => {
    const parsed = promotionSchema.safeParse(raw)
    if (parsed.success) {
      valid.push(parsed.data)
      return
    }
    const rawId = typeof raw === "object" && raw && "id" in raw && typeof raw.id === "string" ? raw.id : String(index)
    conflicts.push({
      code: "invalid",
      promotionIds: [rawId],
      message: `Promotion ${rawId} is not valid.`,
      issues: parsed.error.issues.map((i) => ({
        path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
        message: i.message,
      })),
    })
  })
  const byId = new Map<string, Promotion[]>()
  for (const p of valid) byId.set(p.id, [...(byId.get(p.id) ?? []), p])
  for (const [id, same] of byId)
    if (same.length > 1)
      conflicts.push({
        code: "duplicate_id",
        promotionIds: [id],
        message: `Promotion id ${id} is used ${same.length} times.`,
      })
  for (let i = 0; i < valid.length; i++)
    for (let j = i + 1; j < valid.length; j++) {
      const a = valid[i]!
      const b = valid[j]!
      if (a.id === b.id || !a.exclusiveGroup || a.exclusiveGroup !== b.exclusiveGroup || a.priority !== b.priority)
        continue
      if (!mayMeet(a, b)) continue
      conflicts.push({
        code: "ambiguous_priority",
        promotionIds: [a.id, b.id],
        message: `"${a.name}" and "${b.name}" are exclusive (group ${a.exclusiveGroup}) with the same priority ${a.priority} and can apply to the same sale: give them different priorities.`,
      })
    }
  return conflicts
}

/**
 * Could both be eligible in the same sale? Targets are not compared: two members of one group
 * with different targets still compete for the same cart.
 */
export function mayMeet(a: Promotion, b: Promotion): boolean {
  return (
    listsMeet(a.storeIds, b.storeIds) &&
    listsMeet(a.channels, b.channels) &&
    listsMeet(a.member?.tierIds, b.member?.tierIds) &&
    listsMeet(a.window?.weekdays, b.window?.weekdays) &&
    datesMeet(a.window, b.window) &&
    hoursMeet(a.window?.hours, b.window?.hours)
  )
}

// An absent list means "all".
const listsMeet = <T>(a: readonly T[] | undefined, b: readonly T[] | undefined): boolean =>
  !a || !b || a.some((x) => b.includes(x))

function datesMeet(a: Promotion["window"], b: Promotion["window"]): boolean {
  const start = [a?.startDate, b?.startDate].filter((d) => d !== undefined).sort()
  const end = [a?.endDate, b?.endDate].filter((d) => d !== undefined).sort()
  const latestStart = start[start.length - 1]
  const earliestEnd = end[0]
  return !latestStart || !earliestEnd || latestStart <= earliestEnd
}

function hoursMeet(a: { from: string; to: string } | undefined, b: { from: string; to: string } | undefined): boolean {
  if (!a || !b) return true
  return hourIntervals(a).some(([a0, a1]) => hourIntervals(b).some(([b0, b1]) => a0 < b1 && b0 < a1))
}
