// Checking a sale's tenders before anything is taken: core's validateTenders (at most 5, only cash
// gives change, the whole must cover the total), customer codes classified with core, and the
// member tenders (stored value, points) against what the member has.
import { type PointsRules, planRedemption, pointsForFen } from "../../../core/points"
import { type Tender, validateTenders } from "../../../core/tenders"
import { problem } from "../../lib/problem"
import type { MemberForSale } from "./pricing"

export type TenderCheck = { tenderedFen: number; changeFen: number; pointsFor: Map<number, number> }

/** 422 with core's code (payment_short, too_many_tenders, auth_code_mismatch, non_cash_over_total, …). */
export function checkTenders(
  totalFen: number,
  tenders: readonly Tender[],
  member: MemberForSale | null,
  rules: PointsRules,
): TenderCheck {
  const check = validateTenders(totalFen, tenders)
  if (!check.ok)
    throw problem(422, check.code, check.detail, {
      totalFen,
      ...(check.shortFen !== undefined ? { shortFen: check.shortFen } : {}),
    })
  const pointsFor = new Map<number, number>()
  const seen = new Set<string>()
  tenders.forEach((t, i) => {
    if (t.method !== "stored_value" && t.method !== "points") return
    const path = `payments.${i}`
    if (!member)
      throw problem(422, "member_required", `A ${t.method} tender needs the member: send memberId.`, {
        errors: [{ path, message: "No member on this sale." }],
      })
    // One ledger entry per sale and tender kind: two of them would collapse into one.
    if (seen.has(t.method)) throw problem(422, "duplicate_tender", `At most one ${t.method} tender per sale.`)
    seen.add(t.method)
    if (t.method === "stored_value" && member.storedValueFen < t.amountFen)
      throw problem(422, "insufficient_stored_value", "The member's stored value doesn't cover this tender.", {
        balanceFen: member.storedValueFen,
      })
    if (t.method === "points") {
      const points = pointsForFen(t.amountFen, rules)
      const plan = planRedemption({ balance: member.pointsBalance, dueFen: totalFen, requestedPoints: points, rules })
      if (plan.fen < t.amountFen)
        throw problem(422, "insufficient_points", "The member's points don't cover this tender.", {
          balance: member.pointsBalance,
          pointsNeeded: points,
        })
      pointsFor.set(i, points)
    }
  })
  return { tenderedFen: check.paidFen, changeFen: check.changeFen, pointsFor }
}
