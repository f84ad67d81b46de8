// Whether a promotion may apply to this sale at all, before any arithmetic: its time window,
// store, channel and member conditions, and the member's remaining uses.
import type { CartMember, PricingContext } from "../pricing/types"
import { hourIntervals, type LocalTime } from "./calendar"
import type { Promotion } from "./schema"

export type Ineligibility =
  | "outside_window"
  | "other_store"
  | "other_channel"
  | "members_only"
  | "member_tier"
  | "not_birthday_month"
  | "limit_reached"

export function inWindow(window: Promotion["window"], local: LocalTime): boolean {
  if (!window) return true
  if (window.startDate && local.date < window.startDate) return false
  if (window.endDate && local.date > window.endDate) return false
  if (window.weekdays && !window.weekdays.includes(local.weekday)) return false
  if (window.hours && !hourIntervals(window.hours).some(([a, b]) => local.minutes >= a && local.minutes < b))
    return false
  return true
}

/** Members only: asked for, or implied by tiers, birthday month, a per-member limit or member price. */
export const needsMember = (p: Promotion): boolean =>
  !!(
    p.member?.required ||
    p.member?.tierIds ||
    p.member?.birthdayMonth ||
    p.limitPerMember !== undefined ||
    p.rule.kind === "member_price"
  )

/** Why the promotion cannot apply to this sale, or null when it may. */
export function ineligibility(
  p: Promotion,
  sale: { context: PricingContext; local: LocalTime; member: CartMember; usage?: Readonly<Record<string, number>> },
): Ineligibility | null {
  const { context, local, member } = sale
  if (!inWindow(p.window, local)) return "outside_window"
  if (p.storeIds && !p.storeIds.includes(context.storeId)) return "other_store"
  if (p.channels && !p.channels.includes(context.channel)) return "other_channel"
  if (!member) return needsMember(p) ? "members_only" : null
  if (p.member?.tierIds && !(member.tierId && p.member.tierIds.includes(member.tierId))) return "member_tier"
  if (p.member?.birthdayMonth && member.birthdayMonth !== local.month) return "not_birthday_month"
  if (p.limitPerMember !== undefined && (sale.usage?.[p.id] ?? 0) >= p.limitPerMember) return "limit_reached"
  return null
}
