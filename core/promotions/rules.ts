// The arithmetic of one promotion on the cart as it stands (after the promotions applied before
// it): how many fen it takes off each line. A line never loses more than it has left.
//
// Piece-based rules (buy X get Y, nth item, bundles) see each piece of a line at the line's
// current amount / qty, an exact fraction; they round once on the total they take off and
// split it back over the lines pro rata, so which of two equally priced lines gets the free
// piece never changes the total.
import { allocateProRata } from "../money"
import { lineAmountFen } from "../pricing/line"
import type { CartLine } from "../pricing/types"
import { basisPointsOf, divFloor, divHalfUp } from "../rounding"
import type { Promotion, Rule } from "./schema"

export function inTarget(line: CartLine, target: Promotion["target"]): boolean {
  if (!target) return true
  const { skuIds, categoryIds, brandIds, tags } = target
  if (!skuIds?.length && !categoryIds?.length && !brandIds?.length && !tags?.length) return true
  return !!(
    skuIds?.includes(line.skuId) ||
    (line.categoryId !== undefined && categoryIds?.includes(line.categoryId)) ||
    (line.brandId !== undefined && brandIds?.includes(line.brandId)) ||
    tags?.some((t) => line.tags?.includes(t))
  )
}

/** Fen taken off each line (same order as `lines`) by promotion `p` when lines now stand at `amounts`. */
export function ruleDiscounts(p: Promotion, lines: readonly CartLine[], amounts: readonly number[]): number[] {
  const out = lines.map(() => 0)
  const scope = lines.flatMap((l, i) => (inTarget(l, p.target) ? [i] : []))
  const put = (idx: readonly number[], shares: readonly number[]) => {
    idx.forEach((i, j) => {
      out[i] = shares[j]!
    })
  }
  if (p.class === "order") {
    const sum = scope.reduce((s, i) => s + amounts[i]!, 0)
    if (sum === 0 || (p.minSpendFen !== undefined && sum < p.minSpendFen)) return out
    put(
      scope,
      allocateProRata(
        orderDiscount(p.rule, sum),
        scope.map((i) => amounts[i]!),
      ),
    )
    return out
  }
  const rule = p.rule
  switch (rule.kind) {
    case "percent_off":
      for (const i of scope) out[i] = basisPointsOf(amounts[i]!, rule.offBp)
      return out
    case "fixed_off":
      for (const i of scope)
        out[i] = Math.min(amounts[i]!, rule.offFen * (lines[i]!.unit === "piece" ? lines[i]!.qty : 1))
      return out
    case "member_price":
      for (const i of scope) {
        const l = lines[i]!
        if (l.memberPriceFen !== undefined)
          out[i] = Math.max(0, amounts[i]! - lineAmountFen(l.qty, l.memberPriceFen, l.unit))
      }
      return out
    case "buy_x_get_y":
    case "nth_item": {
      const [buy, get] = rule.kind === "nth_item" ? [rule.n - 1, 1] : [rule.buyQty, rule.getQty]
      let left = rule.maxApplications ?? Number.MAX_SAFE_INTEGER
      for (const group of pieceGroups(scope, lines, rule.sameSku)) {
        const pieces = group.reduce((s, i) => s + lines[i]!.qty, 0)
        const times = Math.min(Math.floor(pieces / (buy + get)), left)
        left -= times
        const chosen = takePieces(cheapestFirst(group, lines, amounts), lines, times * get)
        const value = pieceValue(chosen, lines, amounts)
        const off = Math.min(
          divHalfUp(value.weight * BigInt(rule.offBp), value.denominator * 10000n),
          divFloor(value.weight, value.denominator),
        )
        put(
          chosen.map((c) => c.i),
          allocateProRata(off, value.weights),
        )
      }
      return out
    }
    case "bundle": {
      const group = pieceGroups(scope, lines, false)[0] ?? []
      const dearest = cheapestFirst(group, lines, amounts).reverse()
      const pieces = group.reduce((s, i) => s + lines[i]!.qty, 0)
      const most = Math.min(Math.floor(pieces / rule.qty), rule.maxApplications ?? Number.MAX_SAFE_INTEGER)
      // Bundle the dearest pieces, one set after another, while a set is worth more than its price.
      let times = 0
      let before = pieceValue([], lines, amounts)
      for (; times < most; times++) {
        const next = pieceValue(takePieces(dearest, lines, (times + 1) * rule.qty), lines, amounts)
        if (
          next.weight * before.denominator - before.weight * next.denominator <=
          BigInt(rule.priceFen) * next.denominator * before.denominator
        )
          break
        before = next
      }
      const chosen = takePieces(dearest, lines, times * rule.qty)
      const value = pieceValue(chosen, lines, amounts)
      const off = Math.max(0, divHalfUp(value.weight, value.denominator) - times * rule.priceFen)
      put(
        chosen.map((c) => c.i),
        allocateProRata(off, value.weights),
      )
      return out
    }
  }
  throw new Error(`unexpected item rule ${rule.kind}`)
}

function orderDiscount(rule: Rule, sum: number): number {
  switch (rule.kind) {
    case "percent_off":
      return basisPointsOf(sum, rule.offBp)
    case "fixed_off":
      return Math.min(rule.offFen, sum)
    case "spend_tiers": {
      const reached = rule.tiers.filter((t) => t.minFen <= sum)
      return Math.min(
        sum,
        reached.reduce((best, t) => Math.max(best, t.offFen), 0),
      )
    }
    case "spend_every":
      return Math.min(sum, Math.floor(sum / rule.everyFen) * rule.offFen, rule.capFen ?? Number.MAX_SAFE_INTEGER)
    default:
      throw new Error(`${rule.kind} is not an order rule`)
  }
}

// Piece lines in scope (weighed goods have no pieces), one group, or one per SKU in SKU order.
function pieceGroups(scope: readonly number[], lines: readonly CartLine[], perSku: boolean | undefined): number[][] {
  const pieces = scope.filter((i) => lines[i]!.unit === "piece")
  if (!perSku) return pieces.length ? [pieces] : []
  const bySku = new Map<string, number[]>()
  for (const i of pieces) bySku.set(lines[i]!.skuId, [...(bySku.get(lines[i]!.skuId) ?? []), i])
  return [...bySku.keys()].sort().map((k) => bySku.get(k)!)
}

// Lines by the current price of one piece (amount / qty), cheapest first, ties by line order.
function cheapestFirst(group: readonly number[], lines: readonly CartLine[], amounts: readonly number[]): number[] {
  return [...group].sort((a, b) => {
    const d = amounts[a]! * lines[b]!.qty - amounts[b]! * lines[a]!.qty
    return d !== 0 ? d : a - b
  })
}

type Take = { i: number; k: number }

function takePieces(ordered: readonly number[], lines: readonly CartLine[], count: number): Take[] {
  const out: Take[] = []
  let left = count
  for (const i of ordered) {
    if (left <= 0) break
    const k = Math.min(left, lines[i]!.qty)
    out.push({ i, k })
    left -= k
  }
  return out
}

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b))

/** The exact value of the taken pieces, weight / denominator fen, with each take's weight. */
function pieceValue(takes: readonly Take[], lines: readonly CartLine[], amounts: readonly number[]) {
  let denominator = 1n
  for (const { i } of takes) {
    const q = BigInt(lines[i]!.qty)
    denominator = (denominator / gcd(denominator, q)) * q
  }
  const weights = takes.map(({ i, k }) => (BigInt(amounts[i]!) * BigInt(k) * denominator) / BigInt(lines[i]!.qty))
  return { weights, weight: weights.reduce((a, b) => a + b, 0n), denominator }
}
