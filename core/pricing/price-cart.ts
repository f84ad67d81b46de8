// priceCart: the one function the till and the server call to price a cart. Pure: the same
// input gives the same fen everywhere.
import { allocateProRata } from "../money"
import { localTime } from "../promotions/calendar"
import { type Applied, applyAll, type Candidate, choose } from "../promotions/combine"
import { ineligibility } from "../promotions/eligibility"
import { roundingAdjustment } from "../rounding"
import { canonicalOrder, checkLines, lineAmountFen } from "./line"
import type { CouponRejection, LineDiscount, PriceCartInput, PricedCart, PricedLine } from "./types"

export const DEFAULT_MAX_COMBINATIONS = 1024

export function priceCart(input: PriceCartInput): PricedCart {
  const { member, context } = input
  checkLines(input.lines)
  // Work in canonical order; answer in the caller's order.
  const order = canonicalOrder(input.lines)
  const lines = order.map((i) => input.lines[i]!)
  const originals = lines.map((l) => lineAmountFen(l.qty, l.unitPriceFen, l.unit))
  const sale = { context, local: localTime(context.at, context.timeZone), member, usage: input.usage }

  const candidates: Candidate[] = input.promotions
    .filter((p) => !ineligibility(p, sale))
    .map((promotion) => ({ promotion }))
  const rejectedCoupons: { code: string; reason: CouponRejection }[] = []
  const codes = new Set<string>()
  for (const c of input.coupons ?? []) {
    const reason: CouponRejection | null = codes.has(c.code)
      ? "duplicate_code"
      : c.redeemed
        ? "redeemed"
        : c.memberId && c.memberId !== member?.id
          ? "other_member"
          : ineligibility(c.promotion, sale)
            ? "not_eligible"
            : null
    codes.add(c.code)
    if (reason) rejectedCoupons.push({ code: c.code, reason })
    else candidates.push({ promotion: c.promotion, couponCode: c.code })
  }

  const choice = choose(candidates, lines, originals, {
    strategy: input.strategy ?? "best_for_customer",
    maxCombinations: input.maxCombinations ?? DEFAULT_MAX_COMBINATIONS,
  })
  const { amounts, applied: all } = applyAll(choice.chosen, lines, originals)
  // A promotion left with nothing to take (an earlier one took it) is not shown, and its coupon is not spent.
  const applied = all.filter((a) => a.amountFen > 0)
  for (const c of candidates) {
    if (!c.couponCode || applied.some((a) => a.candidate === c)) continue
    const alone = applyAll([c], lines, originals).totalFen < originals.reduce((s, x) => s + x, 0)
    rejectedCoupons.push({ code: c.couponCode, reason: alone ? "not_chosen" : "no_benefit" })
  }

  const beforeRoundingFen = amounts.reduce((a, b) => a + b, 0)
  const roundingFen = roundingAdjustment(beforeRoundingFen, input.rounding ?? "none")
  const lineRounding = roundingFen === 0 ? amounts.map(() => 0) : allocateProRata(roundingFen, amounts)
  const subtotalFen = originals.reduce((a, b) => a + b, 0)

  const priced = lines.map((l, i) => {
    const discounts = applied.filter((a) => a.shares[i]! > 0).map((a) => lineDiscount(a, a.shares[i]!))
    const discountFen = originals[i]! - amounts[i]!
    return {
      lineId: l.lineId,
      skuId: l.skuId,
      qty: l.qty,
      unit: l.unit,
      unitPriceFen: l.unitPriceFen,
      originalFen: originals[i]!,
      discounts,
      discountFen,
      roundingFen: lineRounding[i]!,
      totalFen: amounts[i]! + lineRounding[i]!,
    }
  })
  const byInput: PricedLine[] = []
  order.forEach((inputIndex, i) => {
    byInput[inputIndex] = priced[i]!
  })
  return {
    lines: byInput,
    subtotalFen,
    discountFen: subtotalFen - beforeRoundingFen,
    roundingFen,
    totalFen: beforeRoundingFen + roundingFen,
    appliedPromotions: applied.map((a) => lineDiscount(a, a.amountFen)),
    rejectedCoupons,
    combinationsTried: choice.tried,
  }
}

function lineDiscount(a: Applied, amountFen: number): LineDiscount {
  const p = a.candidate.promotion
  return {
    promotionId: p.id,
    name: p.name,
    class: p.class,
    ...(a.candidate.couponCode ? { couponCode: a.candidate.couponCode } : {}),
    amountFen,
  }
}
