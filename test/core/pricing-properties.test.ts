// Properties of priceCart over random carts and random (valid) promotion sets.
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { allocateProRata } from "../../core/money"
import { type CartLine, canonicalOrder, lineAmountFen, type PriceCartInput, priceCart } from "../../core/pricing"
import {
  applicationOrder,
  applyAll,
  type Candidate,
  type Promotion,
  type PromotionInput,
  promotionSchema,
  TRIGGERED_KINDS,
} from "../../core/promotions"
import { ROUNDING_POLICIES, type RoundingPolicy, roundingAdjustment } from "../../core/rounding"

const context = { at: Date.UTC(2026, 10, 20, 2, 0), timeZone: "Asia/Shanghai", storeId: "st_1", channel: "pos" }
const member = { id: "m_1", tierId: "gold", birthdayMonth: 11 }

const lineArb = (lineId: string) =>
  fc
    .record({
      sku: fc.constantFrom("a", "b", "c", "d"),
      grams: fc.boolean(),
      qty: fc.integer({ min: 1, max: 5 }),
      gramQty: fc.integer({ min: 1, max: 2500 }),
      unitPriceFen: fc.integer({ min: 0, max: 20_000 }),
      memberPct: fc.option(fc.integer({ min: 50, max: 100 }), { nil: undefined }),
      categoryId: fc.constantFrom("c1", "c2"),
      brandId: fc.constantFrom("b1", "b2"),
      tags: fc.subarray(["t1", "t2"]),
    })
    .map(
      (r): CartLine => ({
        lineId,
        skuId: r.sku,
        qty: r.grams ? r.gramQty : r.qty,
        unit: r.grams ? "gram" : "piece",
        unitPriceFen: r.unitPriceFen,
        ...(r.memberPct === undefined ? {} : { memberPriceFen: Math.floor((r.unitPriceFen * r.memberPct) / 100) }),
        categoryId: r.categoryId,
        brandId: r.brandId,
        tags: r.tags,
      }),
    )

const linesArb = (max: number) =>
  fc
    .integer({ min: 0, max })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => lineArb(`l${i}`))))
    .map((ls): CartLine[] => ls)

const targetArb = fc.oneof(
  fc.constant(undefined),
  fc.record({ skuIds: fc.subarray(["a", "b", "c", "d"], { minLength: 1 }) }),
  fc.record({ categoryIds: fc.constant(["c1"]) }),
  fc.record({ brandIds: fc.constant(["b2"]) }),
  fc.record({ tags: fc.constant(["t1"]) }),
)

const fenArb = (min: number, max: number) => fc.integer({ min, max })

const itemRuleArb = fc.oneof(
  fc.record({ kind: fc.constant("percent_off" as const), offBp: fenArb(1, 10000) }),
  fc.record({ kind: fc.constant("fixed_off" as const), offFen: fenArb(1, 3000) }),
  fc.record({
    kind: fc.constant("buy_x_get_y" as const),
    buyQty: fenArb(1, 3),
    getQty: fenArb(1, 2),
    offBp: fenArb(1, 10000),
    maxApplications: fc.option(fenArb(1, 3), { nil: undefined }),
    sameSku: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("nth_item" as const),
    n: fenArb(2, 3),
    offBp: fenArb(1, 10000),
    sameSku: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("bundle" as const),
    qty: fenArb(2, 4),
    priceFen: fenArb(1, 30000),
    maxApplications: fc.option(fenArb(1, 2), { nil: undefined }),
  }),
  fc.constant({ kind: "member_price" as const }),
)

const orderRuleArb = fc.oneof(
  fc.record({ kind: fc.constant("percent_off" as const), offBp: fenArb(1, 10000) }),
  fc.record({ kind: fc.constant("fixed_off" as const), offFen: fenArb(1, 30000) }),
  fenArb(1000, 20000).map((minFen) => ({
    kind: "spend_tiers" as const,
    tiers: [
      { minFen, offFen: Math.ceil(minFen / 10) },
      { minFen: minFen * 2, offFen: Math.ceil(minFen / 4) },
    ],
  })),
  fenArb(1000, 20000).chain((everyFen) =>
    fc.record({
      kind: fc.constant("spend_every" as const),
      everyFen: fc.constant(everyFen),
      offFen: fenArb(1, everyFen),
      capFen: fc.option(fenArb(1, 50000), { nil: undefined }),
    }),
  ),
)

const promotionArb = (i: number, rules: "all" | "linear") =>
  fc
    .record({
      order: rules === "linear" ? fc.constant(false) : fc.boolean(),
      item: rules === "linear" ? itemRuleArb.filter((r) => !TRIGGERED_KINDS.includes(r.kind)) : itemRuleArb,
      orderRule:
        rules === "linear"
          ? fc.record({ kind: fc.constant("percent_off" as const), offBp: fenArb(1, 10000) })
          : orderRuleArb,
      target: targetArb,
      group: fc.constantFrom(null, "g1", "g2"),
      priority: fenArb(0, 3),
      minSpend: rules === "linear" ? fc.constant(undefined) : fc.option(fenArb(1, 30000), { nil: undefined }),
    })
    .map(({ order, item, orderRule, target, group, priority, minSpend }): Promotion => {
      const input: PromotionInput = order
        ? {
            id: `p${i}`,
            name: `p${i}`,
            class: "order",
            rule: orderRule,
            exclusiveGroup: group,
            priority,
            minSpendFen: minSpend,
          }
        : { id: `p${i}`, name: `p${i}`, class: "item", rule: item, exclusiveGroup: group, priority }
      return promotionSchema.parse(target ? { ...input, target } : input)
    })

const promotionsArb = (max: number, rules: "all" | "linear" = "all") =>
  fc
    .integer({ min: 0, max })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => promotionArb(i, rules))))
    .map((ps): Promotion[] => ps)

const policyArb = fc.constantFrom(...ROUNDING_POLICIES)

const price = (
  lines: CartLine[],
  promotions: Promotion[],
  rounding: RoundingPolicy = "none",
  more: Partial<PriceCartInput> = {},
) => priceCart({ lines, member, promotions, context, rounding, ...more })

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0)

describe("pricing properties", () => {
  it("totals are never negative, no line pays less than nothing or more than its list amount", () => {
    fc.assert(
      fc.property(linesArb(6), promotionsArb(5), policyArb, (lines, promotions, rounding) => {
        const r = price(lines, promotions, rounding)
        expect(r.totalFen).toBeGreaterThanOrEqual(0)
        for (const l of r.lines) {
          expect(l.totalFen).toBeGreaterThanOrEqual(0)
          expect(l.discountFen).toBeGreaterThanOrEqual(0)
          expect(l.discountFen).toBeLessThanOrEqual(l.originalFen)
        }
      }),
      { numRuns: 400 },
    )
  })

  it("Σ line totals = order total = subtotal − discount + rounding, and every discount is accounted for", () => {
    fc.assert(
      fc.property(linesArb(6), promotionsArb(5), policyArb, (lines, promotions, rounding) => {
        const r = price(lines, promotions, rounding)
        expect(sum(r.lines.map((l) => l.totalFen))).toBe(r.totalFen)
        expect(r.subtotalFen - r.discountFen + r.roundingFen).toBe(r.totalFen)
        expect(sum(r.lines.map((l) => l.originalFen))).toBe(r.subtotalFen)
        expect(sum(r.lines.map((l) => l.roundingFen))).toBe(r.roundingFen)
        for (const l of r.lines) expect(sum(l.discounts.map((d) => d.amountFen))).toBe(l.discountFen)
        for (const a of r.appliedPromotions) {
          const onLines = r.lines.flatMap((l) => l.discounts.filter((d) => d.promotionId === a.promotionId))
          expect(sum(onLines.map((d) => d.amountFen))).toBe(a.amountFen)
        }
        expect(sum(r.appliedPromotions.map((a) => a.amountFen))).toBe(r.discountFen)
      }),
      { numRuns: 400 },
    )
  })

  it("gives every line the same fen whatever order the lines come in", () => {
    fc.assert(
      fc.property(
        linesArb(6).chain((ls) =>
          fc.tuple(fc.constant(ls), fc.shuffledSubarray(ls, { minLength: ls.length, maxLength: ls.length })),
        ),
        promotionsArb(5),
        policyArb,
        ([lines, shuffled], promotions, rounding) => {
          const a = price(lines, promotions, rounding)
          const b = price(shuffled, promotions, rounding)
          expect(b.totalFen).toBe(a.totalFen)
          expect(b.appliedPromotions).toEqual(a.appliedPromotions)
          const byId = (r: typeof a) => Object.fromEntries(r.lines.map((l) => [l.lineId, l]))
          expect(byId(b)).toEqual(byId(a))
          expect(b.lines.map((l) => l.lineId)).toEqual(shuffled.map((l) => l.lineId))
        },
      ),
      { numRuns: 300 },
    )
  })

  it("best for the customer is never worse than any allowed combination (brute force over every subset)", () => {
    fc.assert(
      fc.property(linesArb(4), promotionsArb(5), (lines, promotions) => {
        const r = price(lines, promotions)
        const canonical = canonicalOrder(lines).map((i) => lines[i]!)
        const originals = canonical.map((l) => lineAmountFen(l.qty, l.unitPriceFen, l.unit))
        for (let mask = 0; mask < 1 << promotions.length; mask++) {
          const subset: Candidate[] = promotions.filter((_, i) => mask & (1 << i)).map((promotion) => ({ promotion }))
          const groups = subset.map((c) => c.promotion.exclusiveGroup ?? c.promotion.id)
          if (new Set(groups).size !== groups.length) continue // two of one group: not allowed
          const t = applyAll([...subset].sort(applicationOrder), canonical, originals).totalFen
          expect(r.totalFen).toBeLessThanOrEqual(t)
        }
      }),
      { numRuns: 300 },
    )
  })

  // What we claim about adding a line x to a cart C:
  // (a) with only proportional promotions (percent or fixed off per item, member price, whole-order
  //     percent off, no minimum spend) the total never goes down, under every rounding policy. Why:
  //     for a fixed combination each step maps amounts to amounts without ever lowering a larger
  //     input below a smaller one, so the combination's total can only grow with the cart; the best
  //     total is a minimum over the same combinations, and every rounding policy is non-decreasing.
  // (b) with any promotions, total(C + x) ≥ total(C) − T, where T is what quantity- or
  //     spend-triggered promotions (满减 tiers and steps, minimum spends, buy X get Y, nth item,
  //     bundles) took off in C + x: only those may make a fuller cart cheaper. This one is checked
  //     here over random carts and promotion sets, not derived.
  it("(a) adding a line never lowers the total when no promotion is triggered by quantity or spend", () => {
    fc.assert(
      fc.property(
        linesArb(5),
        lineArb("x"),
        promotionsArb(4, "linear"),
        policyArb,
        (lines, x, promotions, rounding) => {
          const before = price(lines, promotions, rounding).totalFen
          expect(price([...lines, x], promotions, rounding).totalFen).toBeGreaterThanOrEqual(before)
        },
      ),
      { numRuns: 400 },
    )
  })

  it("(b) adding a line lowers the total by no more than triggered promotions took off", () => {
    fc.assert(
      fc.property(linesArb(5), lineArb("x"), promotionsArb(4), (lines, x, promotions) => {
        const before = price(lines, promotions).totalFen
        const after = price([...lines, x], promotions)
        const triggered = new Set(
          promotions
            .filter((p) => TRIGGERED_KINDS.includes(p.rule.kind) || p.minSpendFen !== undefined)
            .map((p) => p.id),
        )
        const T = sum(after.appliedPromotions.filter((a) => triggered.has(a.promotionId)).map((a) => a.amountFen))
        expect(after.totalFen).toBeGreaterThanOrEqual(before - T)
      }),
      { numRuns: 400 },
    )
  })
})

describe("allocation and rounding properties", () => {
  it("pro-rata shares sum exactly and each is the floor or ceiling of its exact part", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 8 }),
        (amount, weights) => {
          fc.pre(sum(weights) > 0)
          const shares = allocateProRata(amount, weights)
          expect(sum(shares)).toBe(amount)
          const W = BigInt(sum(weights))
          shares.forEach((s, i) => {
            const exact = BigInt(Math.abs(amount)) * BigInt(weights[i]!)
            const floor = exact / W
            const size = BigInt(Math.abs(s))
            expect(size === floor || (size === floor + 1n && exact % W !== 0n)).toBe(true)
            if (s !== 0) expect(Math.sign(s)).toBe(Math.sign(amount))
          })
        },
      ),
    )
  })

  it("each rounding policy lands on its step, stays within its bounds and never decreases with the amount", () => {
    const step: Record<RoundingPolicy, number> = { none: 1, drop_fen: 10, drop_jiao: 100, round_jiao: 10 }
    const bounds: Record<RoundingPolicy, [number, number]> = {
      none: [0, 0],
      drop_fen: [-9, 0],
      drop_jiao: [-99, 0],
      round_jiao: [-4, 5],
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), policyArb, (t, policy) => {
        const adj = roundingAdjustment(t, policy)
        expect((t + adj) % step[policy]).toBe(0)
        expect(adj).toBeGreaterThanOrEqual(bounds[policy][0])
        expect(adj).toBeLessThanOrEqual(bounds[policy][1])
        expect(t + 1 + roundingAdjustment(t + 1, policy)).toBeGreaterThanOrEqual(t + adj)
      }),
    )
  })
})
