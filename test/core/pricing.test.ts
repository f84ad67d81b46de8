// The promotion engine's table of cases: one shop story per promotion type and per stacking
// rule, each with the fen the customer pays.
import { describe, expect, it } from "vitest"
import { type CartLine, type CartMember, type PriceCartInput, priceCart } from "../../core/pricing"
import { type Coupon, type PromotionInput, promotionSchema } from "../../core/promotions"

// Friday 2026-11-20, 10:00 in Shanghai.
const FRIDAY_10AM = Date.UTC(2026, 10, 20, 2, 0)
const context = { at: FRIDAY_10AM, timeZone: "Asia/Shanghai", storeId: "st_1", channel: "pos" }

let nextLine = 0
const line = (unitPriceFen: number, more: Partial<CartLine> = {}): CartLine => ({
  lineId: `l${++nextLine}`,
  skuId: `sku_${unitPriceFen}`,
  qty: 1,
  unit: "piece",
  unitPriceFen,
  ...more,
})
const promo = (p: Omit<PromotionInput, "id" | "name"> & { id?: string; name?: string }) =>
  promotionSchema.parse({ id: p.id ?? `p_${p.rule.kind}`, name: p.name ?? p.rule.kind, ...p })

const price = (lines: CartLine[], promotions: PromotionInput[] = [], more: Partial<PriceCartInput> = {}) =>
  priceCart({ lines, member: null, promotions: promotions.map((p) => promotionSchema.parse(p)), context, ...more })

const gold: CartMember = { id: "m_1", tierId: "gold", birthdayMonth: 3 }

type Story = {
  story: string
  lines: CartLine[]
  promotions: PromotionInput[]
  more?: Partial<PriceCartInput>
  totalFen: number
}

const stories: Story[] = [
  {
    story: "no promotion: 2 × ¥12.50 and 350 g at ¥39.80/kg pays ¥38.93",
    lines: [line(1250, { qty: 2 }), line(3980, { qty: 350, unit: "gram" })],
    promotions: [],
    totalFen: 3893,
  },
  {
    story: "drinks 8折: 3 × ¥5.00 of drinks pays ¥12.00, the snack at full price",
    lines: [line(500, { qty: 3, categoryId: "drinks" }), line(700, { categoryId: "snacks" })],
    promotions: [
      promo({ class: "item", rule: { kind: "percent_off", offBp: 2000 }, target: { categoryIds: ["drinks"] } }),
    ],
    totalFen: 1900,
  },
  {
    story: "whole order 95折 on ¥123.45 takes ¥6.17 (617.25 rounded half up) and pays ¥117.28",
    lines: [line(12345)],
    promotions: [promo({ class: "order", rule: { kind: "percent_off", offBp: 500 } })],
    totalFen: 11728,
  },
  {
    story: "¥2 off each piece of brand Nongfu: 3 × ¥9.90 pays ¥23.70",
    lines: [line(990, { qty: 3, brandId: "nongfu" }), line(990, { qty: 1, brandId: "other" })],
    promotions: [promo({ class: "item", rule: { kind: "fixed_off", offFen: 200 }, target: { brandIds: ["nongfu"] } })],
    totalFen: 2370 + 990,
  },
  {
    story: "¥10 off orders from ¥99: a ¥98 cart pays ¥98",
    lines: [line(9800)],
    promotions: [promo({ class: "order", rule: { kind: "fixed_off", offFen: 1000 }, minSpendFen: 9900 })],
    totalFen: 9800,
  },
  {
    story: "¥10 off orders from ¥99: a ¥100 cart pays ¥90",
    lines: [line(10000)],
    promotions: [promo({ class: "order", rule: { kind: "fixed_off", offFen: 1000 }, minSpendFen: 9900 })],
    totalFen: 9000,
  },
  {
    story: "满100减10 / 满200减30 on a ¥239 cart pays ¥209",
    lines: [line(13900), line(10000)],
    promotions: [
      promo({
        class: "order",
        rule: {
          kind: "spend_tiers",
          tiers: [
            { minFen: 10000, offFen: 1000 },
            { minFen: 20000, offFen: 3000 },
          ],
        },
      }),
    ],
    totalFen: 20900,
  },
  {
    story: "满100减10 / 满200减30 on a ¥150 cart pays ¥140",
    lines: [line(15000)],
    promotions: [
      promo({
        class: "order",
        rule: {
          kind: "spend_tiers",
          tiers: [
            { minFen: 10000, offFen: 1000 },
            { minFen: 20000, offFen: 3000 },
          ],
        },
      }),
    ],
    totalFen: 14000,
  },
  {
    story: "每满100减20 capped at ¥50: a ¥350 cart takes ¥50, not ¥60, and pays ¥300",
    lines: [line(35000)],
    promotions: [promo({ class: "order", rule: { kind: "spend_every", everyFen: 10000, offFen: 2000, capFen: 5000 } })],
    totalFen: 30000,
  },
  {
    story: "buy 2 get 1 free: ¥10, ¥20 and ¥30 pays ¥50 (the cheapest is free)",
    lines: [line(1000), line(2000), line(3000)],
    promotions: [promo({ class: "item", rule: { kind: "buy_x_get_y", buyQty: 2, getQty: 1, offBp: 10000 } })],
    totalFen: 5000,
  },
  {
    story: "buy 2 get 1 free at most twice: 7 × ¥10 pays ¥50",
    lines: [line(1000, { qty: 7 })],
    promotions: [
      promo({ class: "item", rule: { kind: "buy_x_get_y", buyQty: 2, getQty: 1, offBp: 10000, maxApplications: 2 } }),
    ],
    totalFen: 5000,
  },
  {
    story: "buy 1 get 1 at 50% off, weighed goods don't count: ¥20 + ¥20 + 500 g at ¥30/kg pays ¥45",
    lines: [line(2000, { qty: 2 }), line(3000, { qty: 500, unit: "gram" })],
    promotions: [promo({ class: "item", rule: { kind: "buy_x_get_y", buyQty: 1, getQty: 1, offBp: 5000 } })],
    totalFen: 3000 + 1500,
  },
  {
    story: "第二件半价 on the same SKU: 3 × ¥30 pays ¥75",
    lines: [line(3000, { qty: 3 })],
    promotions: [promo({ class: "item", rule: { kind: "nth_item", n: 2, offBp: 5000, sameSku: true } })],
    totalFen: 7500,
  },
  {
    story: "第二件半价 on the same SKU: two different SKUs at ¥30 get nothing",
    lines: [line(3000, { skuId: "a" }), line(3000, { skuId: "b" })],
    promotions: [promo({ class: "item", rule: { kind: "nth_item", n: 2, offBp: 5000, sameSku: true } })],
    totalFen: 6000,
  },
  {
    story: "任选3件99元: ¥40, ¥40, ¥35 and ¥10 pays ¥99 for the dearest three + ¥10",
    lines: [line(4000, { qty: 2, tags: ["set"] }), line(3500, { tags: ["set"] }), line(1000, { tags: ["set"] })],
    promotions: [promo({ class: "item", rule: { kind: "bundle", qty: 3, priceFen: 9900 }, target: { tags: ["set"] } })],
    totalFen: 10900,
  },
  {
    story: "任选3件99元 never charges more: three ¥30 items pay ¥90",
    lines: [line(3000, { qty: 3 })],
    promotions: [promo({ class: "item", rule: { kind: "bundle", qty: 3, priceFen: 9900 } })],
    totalFen: 9000,
  },
  {
    story: "member price: 2 × ¥12.80 at member price ¥9.90 pays ¥19.80 for a member",
    lines: [line(1280, { qty: 2, memberPriceFen: 990 })],
    promotions: [promo({ class: "item", rule: { kind: "member_price" } })],
    more: { member: gold },
    totalFen: 1980,
  },
  {
    story: "member price: a walk-in customer pays list ¥25.60",
    lines: [line(1280, { qty: 2, memberPriceFen: 990 })],
    promotions: [promo({ class: "item", rule: { kind: "member_price" } })],
    totalFen: 2560,
  },
  {
    story: "gold members 9折: ¥100 pays ¥90",
    lines: [line(10000)],
    promotions: [promo({ class: "order", rule: { kind: "percent_off", offBp: 1000 }, member: { tierIds: ["gold"] } })],
    more: { member: gold },
    totalFen: 9000,
  },
  {
    story: "gold members 9折: a silver member pays ¥100",
    lines: [line(10000)],
    promotions: [promo({ class: "order", rule: { kind: "percent_off", offBp: 1000 }, member: { tierIds: ["gold"] } })],
    more: { member: { id: "m_2", tierId: "silver" } },
    totalFen: 10000,
  },
  {
    story: "birthday-month 8折: a member born in November pays ¥80 for ¥100",
    lines: [line(10000)],
    promotions: [
      promo({ class: "order", rule: { kind: "percent_off", offBp: 2000 }, member: { birthdayMonth: true } }),
    ],
    more: { member: { id: "m_3", birthdayMonth: 11 } },
    totalFen: 8000,
  },
  {
    story: "happy hour 18:00–21:00 does not apply at 10:00",
    lines: [line(10000)],
    promotions: [
      promo({
        class: "order",
        rule: { kind: "percent_off", offBp: 2000 },
        window: { hours: { from: "18:00", to: "21:00" } },
      }),
    ],
    totalFen: 10000,
  },
  {
    story: "Friday-and-Saturday 9折 within its dates applies on Friday 20 November",
    lines: [line(10000)],
    promotions: [
      promo({
        class: "order",
        rule: { kind: "percent_off", offBp: 1000 },
        window: {
          startDate: "2026-11-20",
          endDate: "2026-11-21",
          weekdays: [5, 6],
          hours: { from: "08:00", to: "02:00" },
        },
      }),
    ],
    totalFen: 9000,
  },
  {
    story: "a promotion for store 2 and the mini-program does not apply at store 1's till",
    lines: [line(10000)],
    promotions: [
      promo({ id: "a", class: "order", rule: { kind: "percent_off", offBp: 1000 }, storeIds: ["st_2"] }),
      promo({ id: "b", class: "order", rule: { kind: "percent_off", offBp: 1000 }, channels: ["miniprogram"] }),
    ],
    totalFen: 10000,
  },
  {
    story: "once per member: a member who already had it pays ¥100",
    lines: [line(10000)],
    promotions: [promo({ id: "once", class: "order", rule: { kind: "fixed_off", offFen: 1000 }, limitPerMember: 1 })],
    more: { member: gold, usage: { once: 1 } },
    totalFen: 10000,
  },
  // Stacking.
  {
    story: "exclusive group, best for the customer: 9折 (¥15) vs 满100减20 (¥20) on ¥150 pays ¥130",
    lines: [line(15000)],
    promotions: [
      promo({
        id: "pct",
        class: "order",
        rule: { kind: "percent_off", offBp: 1000 },
        exclusiveGroup: "g",
        priority: 9,
      }),
      promo({
        id: "thr",
        class: "order",
        rule: { kind: "spend_tiers", tiers: [{ minFen: 10000, offFen: 2000 }] },
        exclusiveGroup: "g",
        priority: 1,
      }),
    ],
    totalFen: 13000,
  },
  {
    story: "exclusive group, priority strategy: the 9折 with higher priority wins and ¥150 pays ¥135",
    lines: [line(15000)],
    promotions: [
      promo({
        id: "pct",
        class: "order",
        rule: { kind: "percent_off", offBp: 1000 },
        exclusiveGroup: "g",
        priority: 9,
      }),
      promo({
        id: "thr",
        class: "order",
        rule: { kind: "spend_tiers", tiers: [{ minFen: 10000, offFen: 2000 }] },
        exclusiveGroup: "g",
        priority: 1,
      }),
    ],
    more: { strategy: "priority" },
    totalFen: 13500,
  },
  {
    story: "stacking: 8折 on the item, then 满100减10 on what is left: ¥150 → ¥120 → ¥110",
    lines: [line(15000)],
    promotions: [
      promo({ class: "item", rule: { kind: "percent_off", offBp: 2000 } }),
      promo({ class: "order", rule: { kind: "spend_tiers", tiers: [{ minFen: 10000, offFen: 1000 }] } }),
    ],
    totalFen: 11000,
  },
  {
    story: "best for the customer skips a 95折 that would lose 满200减30: ¥210 pays ¥180, not ¥199.50",
    lines: [line(21000)],
    promotions: [
      promo({ class: "item", rule: { kind: "percent_off", offBp: 500 } }),
      promo({ class: "order", rule: { kind: "spend_tiers", tiers: [{ minFen: 20000, offFen: 3000 }] } }),
    ],
    totalFen: 18000,
  },
  {
    story: "member price comes before other item promotions: ¥100 → member ¥90 → 8折 ¥72",
    lines: [line(10000, { memberPriceFen: 9000 })],
    promotions: [
      promo({ class: "item", rule: { kind: "percent_off", offBp: 2000 }, priority: 100 }),
      promo({ class: "item", rule: { kind: "member_price" }, priority: 0 }),
    ],
    more: { member: gold },
    totalFen: 7200,
  },
  {
    story: "two buy-one-get-one promotions in one group on the same shelf apply once: 2 × ¥20 pays ¥20",
    lines: [line(2000, { qty: 2 })],
    promotions: [
      promo({
        id: "x",
        class: "item",
        rule: { kind: "buy_x_get_y", buyQty: 1, getQty: 1, offBp: 10000 },
        exclusiveGroup: "bogo",
      }),
      promo({
        id: "y",
        class: "item",
        rule: { kind: "buy_x_get_y", buyQty: 1, getQty: 1, offBp: 5000 },
        exclusiveGroup: "bogo",
        priority: 5,
      }),
    ],
    totalFen: 2000,
  },
  // Rounding.
  {
    story: "抹分: ¥12.34 pays ¥12.30",
    lines: [line(1234)],
    promotions: [],
    more: { rounding: "drop_fen" },
    totalFen: 1230,
  },
  {
    story: "抹角: ¥12.34 pays ¥12.00",
    lines: [line(1234)],
    promotions: [],
    more: { rounding: "drop_jiao" },
    totalFen: 1200,
  },
  {
    story: "四舍五入到角: ¥12.35 pays ¥12.40",
    lines: [line(1235)],
    promotions: [],
    more: { rounding: "round_jiao" },
    totalFen: 1240,
  },
  {
    story: "四舍五入到角: ¥12.34 pays ¥12.30",
    lines: [line(1234)],
    promotions: [],
    more: { rounding: "round_jiao" },
    totalFen: 1230,
  },
]

describe("the promotion engine's table of cases", () => {
  it.each(stories)("$story", ({ lines, promotions, more, totalFen }) => {
    const r = price(lines, promotions, more)
    expect(r.totalFen).toBe(totalFen)
    expect(r.subtotalFen - r.discountFen + r.roundingFen).toBe(r.totalFen)
    expect(r.lines.reduce((s, l) => s + l.totalFen, 0)).toBe(r.totalFen)
  })
})

describe("the result explains itself", () => {
  it("splits 满100减10 over three ¥40 lines as 334 + 333 + 333, the spare fen to the first line", () => {
    const r = price(
      [line(4000), line(4000), line(4000)],
      [
        promo({
          id: "m",
          name: "满100减10",
          class: "order",
          rule: { kind: "spend_tiers", tiers: [{ minFen: 10000, offFen: 1000 }] },
        }),
      ],
    )
    expect(r.lines.map((l) => l.discountFen)).toEqual([334, 333, 333])
    expect(r.lines[0]!.discounts).toEqual([{ promotionId: "m", name: "满100减10", class: "order", amountFen: 334 }])
    expect(r.appliedPromotions).toEqual([{ promotionId: "m", name: "满100减10", class: "order", amountFen: 1000 }])
  })

  it("lists each line's discounts in the order applied, and its share of 抹角", () => {
    const r = price(
      [line(2990, { lineId: "a" }), line(1000, { lineId: "b" })],
      [
        promo({
          id: "i",
          name: "9折",
          class: "item",
          rule: { kind: "percent_off", offBp: 1000 },
          target: { skuIds: ["sku_2990"] },
        }),
        promo({ id: "o", name: "立减5元", class: "order", rule: { kind: "fixed_off", offFen: 500 } }),
      ],
      { rounding: "drop_jiao" },
    )
    // 2990 − 299 = 2691; 2691 + 1000 = 3691; −500 split 2691:1000 → 365 + 135; 3191 → 抹角 −91.
    const [a, b] = r.lines
    expect(a!.discounts.map((d) => [d.promotionId, d.amountFen])).toEqual([
      ["i", 299],
      ["o", 365],
    ])
    expect(b!.discounts.map((d) => [d.promotionId, d.amountFen])).toEqual([["o", 135]])
    expect([r.subtotalFen, r.discountFen, r.roundingFen, r.totalFen]).toEqual([3990, 799, -91, 3100])
    expect(a!.roundingFen + b!.roundingFen).toBe(-91)
    expect(a!.totalFen).toBe(2990 - 299 - 365 + a!.roundingFen)
  })

  it("gives a free piece's discount to the line it belongs to", () => {
    const r = price(
      [line(3000, { lineId: "dear" }), line(1000, { lineId: "cheap" })],
      [promo({ class: "item", rule: { kind: "buy_x_get_y", buyQty: 1, getQty: 1, offBp: 10000 } })],
    )
    expect(r.lines.map((l) => l.discountFen)).toEqual([0, 1000])
  })
})

describe("coupons", () => {
  const couponPromo = promo({
    id: "cp20",
    name: "满100减20券",
    class: "order",
    rule: { kind: "fixed_off", offFen: 2000 },
    minSpendFen: 10000,
  })
  const coupon = (code: string, more: Partial<Coupon> = {}): Coupon => ({
    code,
    promotion: couponPromo,
    redeemed: false,
    ...more,
  })

  it("a ¥20-off coupon with a ¥100 minimum takes a ¥120 cart to ¥100 and names its code", () => {
    const r = price([line(12000)], [], { coupons: [coupon("C1")], member: gold })
    expect(r.totalFen).toBe(10000)
    expect(r.appliedPromotions).toEqual([
      { promotionId: "cp20", name: "满100减20券", class: "order", couponCode: "C1", amountFen: 2000 },
    ])
  })

  it("refuses a redeemed code, another member's code, a repeated code, and one below its minimum", () => {
    const big = price([line(12000)], [], {
      member: gold,
      coupons: [
        coupon("USED", { redeemed: true }),
        coupon("THEIRS", { memberId: "m_9" }),
        coupon("MINE", { memberId: "m_1" }),
        coupon("MINE"),
      ],
    })
    expect(big.totalFen).toBe(10000)
    expect(big.rejectedCoupons).toEqual([
      { code: "USED", reason: "redeemed" },
      { code: "THEIRS", reason: "other_member" },
      { code: "MINE", reason: "duplicate_code" },
    ])
    const small = price([line(9000)], [], { coupons: [coupon("C2")] })
    expect(small.totalFen).toBe(9000)
    expect(small.rejectedCoupons).toEqual([{ code: "C2", reason: "no_benefit" }])
  })

  it("two coupons of one campaign apply once; the unused one is not spent", () => {
    const r = price([line(30000)], [], { coupons: [coupon("A"), coupon("B")] })
    expect(r.totalFen).toBe(28000)
    expect(r.appliedPromotions.map((a) => a.couponCode)).toEqual(["A"])
    expect(r.rejectedCoupons).toEqual([{ code: "B", reason: "not_chosen" }])
  })

  it("a coupon in the 满减 group is not used when the 满减 is better", () => {
    const manjian = promo({
      id: "mj",
      class: "order",
      rule: { kind: "spend_tiers", tiers: [{ minFen: 10000, offFen: 3000 }] },
      exclusiveGroup: "order",
    })
    const c = coupon("C3", { promotion: { ...couponPromo, exclusiveGroup: "order" } })
    const r = price([line(12000)], [manjian], { coupons: [c] })
    expect(r.totalFen).toBe(9000)
    expect(r.rejectedCoupons).toEqual([{ code: "C3", reason: "not_chosen" }])
  })
})

describe("the search stays within its bound", () => {
  it("evaluates at most maxCombinations and still finds the best of what it kept", () => {
    const promotions = Array.from({ length: 12 }, (_, i) =>
      promo({ id: `p${i}`, class: "item", rule: { kind: "fixed_off", offFen: 10 * (i + 1) } }),
    )
    const r = price([line(100000)], promotions, { maxCombinations: 64 })
    expect(r.combinationsTried).toBeLessThanOrEqual(64)
    // The six largest (¥0.70 … ¥1.20) were kept and all applied.
    expect(r.discountFen).toBe(70 + 80 + 90 + 100 + 110 + 120)
  })
})
