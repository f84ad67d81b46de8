// Applying a combination of promotions, and choosing the combination.
//
// Order of application (fixed, so the same set always gives the same fen): item promotions
// before order promotions; member price first among item promotions (it is a price, not a
// discount); then higher priority first; then promotion id, then coupon code. Each promotion
// sees the amounts left by those before it, so 满减 thresholds are measured after item discounts.
//
// Allowed combinations: any subset with at most one promotion per exclusive group (a promotion
// without a group is its own group, so one promotion — or one coupon campaign — applies once).
// best_for_customer searches every allowed combination of the candidates, depth first in
// application order (each prefix is applied once and shared by all combinations that start with
// it), and keeps the lowest total; ties go to fewer promotions, then to the promotions earlier in
// application order (higher priority). Bound: at most maxCombinations combinations (Π over groups
// of members + 1), each reached with at most k rule applications of O(L log L) for L lines, and
// about two per combination in practice. If the product would exceed maxCombinations, the
// candidates with the smallest stand-alone discount are dropped (ties: the later in application
// order) until it fits. Candidates that give nothing alone are never searched: applied after
// others, a promotion sees amounts no larger than the cart's own, so it still gives nothing.
import type { CartLine } from "../pricing/types"
import { ruleDiscounts } from "./rules"
import type { Promotion } from "./schema"

export type Candidate = { promotion: Promotion; couponCode?: string }

export function applicationOrder(a: Candidate, b: Candidate): number {
  const pa = a.promotion
  const pb = b.promotion
  const rank = (p: Promotion) => (p.class === "item" ? (p.rule.kind === "member_price" ? 0 : 1) : 2)
  return (
    rank(pa) - rank(pb) || pb.priority - pa.priority || cmp(pa.id, pb.id) || cmp(a.couponCode ?? "", b.couponCode ?? "")
  )
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

export type Applied = { candidate: Candidate; shares: number[]; amountFen: number }

/** Applies the candidates (already in application order) to lines standing at `originals`. */
export function applyAll(candidates: readonly Candidate[], lines: readonly CartLine[], originals: readonly number[]) {
  const amounts = [...originals]
  const applied: Applied[] = []
  for (const candidate of candidates) {
    const shares = ruleDiscounts(candidate.promotion, lines, amounts)
    shares.forEach((s, i) => {
      amounts[i]! -= s
    })
    applied.push({ candidate, shares, amountFen: shares.reduce((a, b) => a + b, 0) })
  }
  return { amounts, applied, totalFen: amounts.reduce((a, b) => a + b, 0) }
}

const groupOf = (c: Candidate) => c.promotion.exclusiveGroup ?? `\u0000${c.promotion.id}`

/** Groups in application order of their first member, members in application order. */
function groupsOf(sorted: readonly Candidate[]): Candidate[][] {
  const groups = new Map<string, Candidate[]>()
  for (const c of sorted) groups.set(groupOf(c), [...(groups.get(groupOf(c)) ?? []), c])
  return [...groups.values()]
}

const product = (groups: readonly Candidate[][]) => groups.reduce((n, g) => n * (g.length + 1), 1)

export type Choice = { chosen: Candidate[]; tried: number; dropped: Candidate[] }

/**
 * Chooses which candidates to apply. `candidates` must be eligible; those giving nothing alone
 * are left out here.
 */
export function choose(
  candidates: readonly Candidate[],
  lines: readonly CartLine[],
  originals: readonly number[],
  opts: { strategy: "best_for_customer" | "priority"; maxCombinations: number },
): Choice {
  const sorted = [...candidates].sort(applicationOrder)
  const alone = new Map(sorted.map((c) => [c, applyAll([c], lines, originals).applied[0]!.amountFen]))
  let useful = sorted.filter((c) => alone.get(c)! > 0)
  if (opts.strategy === "priority") {
    const chosen = groupsOf(useful).map((g) => g[0]!)
    return { chosen: chosen.sort(applicationOrder), tried: 1, dropped: [] }
  }
  const dropped: Candidate[] = []
  while (product(groupsOf(useful)) > Math.max(1, opts.maxCombinations)) {
    const weakest = useful.reduce((w, c) => (alone.get(c)! <= alone.get(w)! ? c : w))
    useful = useful.filter((c) => c !== weakest)
    dropped.push(weakest)
  }
  let best: { chosen: Candidate[]; total: number } = { chosen: [], total: sum(originals) }
  let tried = 0
  const better = (chosen: Candidate[], total: number) =>
    total < best.total ||
    (total === best.total &&
      (chosen.length < best.chosen.length ||
        (chosen.length === best.chosen.length && earlier(chosen, best.chosen, useful))))
  const visit = (i: number, amounts: readonly number[], chosen: Candidate[], used: ReadonlySet<string>) => {
    if (i === useful.length) {
      tried++
      const total = sum(amounts)
      if (better(chosen, total)) best = { chosen, total }
      return
    }
    const c = useful[i]!
    visit(i + 1, amounts, chosen, used)
    if (used.has(groupOf(c))) return
    const shares = ruleDiscounts(c.promotion, lines, amounts)
    if (sum(shares) === 0) return // same amounts with one more promotion: never better
    visit(
      i + 1,
      amounts.map((a, j) => a - shares[j]!),
      [...chosen, c],
      new Set([...used, groupOf(c)]),
    )
  }
  visit(0, originals, [], new Set())
  return { chosen: best.chosen, tried, dropped }
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0)

// Is combination a before b in application order, member by member?
function earlier(a: readonly Candidate[], b: readonly Candidate[], order: readonly Candidate[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const d = order.indexOf(a[i]!) - order.indexOf(b[i]!)
    if (d !== 0) return d < 0
  }
  return false
}
