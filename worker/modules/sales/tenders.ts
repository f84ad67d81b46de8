// Checking a sale's tenders before anything is taken, by core's rules only (the till's pay sheet applies the
// same ones): validateTenders (at most 5, only cash gives change, the whole must cover the total, customer
// codes classified), then the member tenders — stored value and points, each combined into one payment per
// sale (core combineMemberTenders) — against what the member has (core checkMemberTenders).
import { checkMemberTenders, type PointsRules } from "../../../core/points"
import { combineMemberTenders, MEMBER_TENDER_METHODS, type Tender, validateTenders } from "../../../core/tenders"
import { problem } from "../../lib/problem"
import type { MemberForSale } from "./pricing"

export type TenderCheck = {
  /** The tenders as the sale records and charges them: member tenders combined, the rest as sent. */
  tenders: Tender[]
  tenderedFen: number
  changeFen: number
  /** Index in `tenders` → the points a points tender spends. */
  pointsFor: Map<number, number>
}

/** 422 with core's code (payment_short, too_many_tenders, insufficient_points, …); nothing is taken. */
export function checkTenders(
  totalFen: number,
  sent: readonly Tender[],
  member: MemberForSale | null,
  rules: PointsRules,
): TenderCheck {
  const tenders = combineMemberTenders(sent)
  const check = validateTenders(totalFen, tenders)
  if (!check.ok)
    throw problem(422, check.code, check.detail, {
      totalFen,
      ...(check.shortFen !== undefined ? { shortFen: check.shortFen } : {}),
    })
  const first = sent.findIndex((t) => MEMBER_TENDER_METHODS.includes(t.method))
  if (first >= 0 && !member)
    throw problem(422, "member_required", `A ${sent[first]!.method} tender needs the member: send memberId.`, {
      errors: [{ path: `payments.${first}`, message: "No member on this sale." }],
    })
  if (!member) return { tenders, tenderedFen: check.paidFen, changeFen: check.changeFen, pointsFor: new Map() }
  const members = checkMemberTenders(totalFen, tenders, member, rules)
  if (!members.ok && members.code === "insufficient_stored_value")
    throw problem(422, "insufficient_stored_value", "The member's stored value doesn't cover this tender.", {
      balanceFen: member.storedValueFen,
    })
  if (!members.ok)
    throw problem(422, "insufficient_points", "The member's points don't cover this tender.", {
      balance: member.pointsBalance,
      pointsNeeded: members.pointsNeeded,
    })
  return { tenders, tenderedFen: check.paidFen, changeFen: check.changeFen, pointsFor: members.pointsFor }
}
