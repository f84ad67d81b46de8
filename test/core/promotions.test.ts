// Saving promotions: the schema the worker validates with, and the set-level conflicts it refuses.
import { describe, expect, it } from "vitest"
import { inWindow, localTime, type PromotionInput, promotionSchema, validatePromotionSet } from "../../core/promotions"

const base = (id: string, more: Partial<PromotionInput> = {}): PromotionInput => ({
  id,
  name: `促销 ${id}`,
  class: "order",
  rule: { kind: "percent_off", offBp: 1000 },
  ...more,
})

describe("the promotion schema", () => {
  it("accepts a 满100减10 / 满200减30 and fills in priority 0", () => {
    const p = promotionSchema.parse(
      base("mj", {
        rule: {
          kind: "spend_tiers",
          tiers: [
            { minFen: 10000, offFen: 1000 },
            { minFen: 20000, offFen: 3000 },
          ],
        },
      }),
    )
    expect(p.priority).toBe(0)
  })

  it.each<[string, Partial<PromotionInput>]>([
    ["a 满减 as an item promotion", { class: "item", rule: { kind: "spend_every", everyFen: 10000, offFen: 2000 } }],
    ["a bundle as an order promotion", { rule: { kind: "bundle", qty: 3, priceFen: 9900 } }],
    ["a minimum spend on an item promotion", { class: "item", minSpendFen: 100 }],
    [
      "tiers that do not rise",
      {
        rule: {
          kind: "spend_tiers",
          tiers: [
            { minFen: 20000, offFen: 3000 },
            { minFen: 10000, offFen: 1000 },
          ],
        },
      },
    ],
    ["a tier taking off more than its spend", { rule: { kind: "spend_tiers", tiers: [{ minFen: 100, offFen: 200 }] } }],
    ["a step taking off more than the step", { rule: { kind: "spend_every", everyFen: 100, offFen: 200 } }],
    ["more than 100 % off", { rule: { kind: "percent_off", offBp: 10001 } }],
    ["a percentage as a float", { rule: { kind: "percent_off", offBp: 12.5 } }],
    ["dates the wrong way round", { window: { startDate: "2026-12-01", endDate: "2026-11-01" } }],
    ["an empty hour range", { window: { hours: { from: "09:00", to: "09:00" } } }],
    ["weekday 0", { window: { weekdays: [0] } }],
    ["an unknown field", { discount: 5 } as Partial<PromotionInput>],
  ])("refuses %s", (_, more) => {
    expect(promotionSchema.safeParse(base("x", more)).success).toBe(false)
  })
})

describe("validatePromotionSet", () => {
  it("accepts a set without conflicts", () => {
    expect(
      validatePromotionSet([
        base("a", { exclusiveGroup: "g", priority: 1 }),
        base("b", { exclusiveGroup: "g", priority: 2 }),
        base("c", { exclusiveGroup: null }),
        base("d"),
      ]),
    ).toEqual([])
  })

  it("refuses two exclusive promotions of one group with the same priority that can meet", () => {
    const conflicts = validatePromotionSet([
      base("a", { exclusiveGroup: "g", priority: 1 }),
      base("b", { exclusiveGroup: "g", priority: 1, storeIds: ["st_1"] }),
    ])
    expect(conflicts.map((c) => [c.code, c.promotionIds])).toEqual([["ambiguous_priority", ["a", "b"]]])
  })

  it.each<[string, Partial<PromotionInput>, Partial<PromotionInput>]>([
    ["different stores", { storeIds: ["st_1"] }, { storeIds: ["st_2"] }],
    ["different channels", { channels: ["pos"] }, { channels: ["miniprogram"] }],
    ["different tiers", { member: { tierIds: ["gold"] } }, { member: { tierIds: ["silver"] } }],
    ["November vs December", { window: { endDate: "2026-11-30" } }, { window: { startDate: "2026-12-01" } }],
    ["weekdays vs weekend", { window: { weekdays: [1, 2, 3, 4, 5] } }, { window: { weekdays: [6, 7] } }],
    [
      "morning vs a night range that wraps",
      { window: { hours: { from: "08:00", to: "12:00" } } },
      { window: { hours: { from: "22:00", to: "02:00" } } },
    ],
  ])("lets the same priority stand when they can never meet: %s", (_, a, b) => {
    expect(
      validatePromotionSet([base("a", { exclusiveGroup: "g", ...a }), base("b", { exclusiveGroup: "g", ...b })]),
    ).toEqual([])
  })

  it("catches hours that overlap across midnight", () => {
    const conflicts = validatePromotionSet([
      base("a", { exclusiveGroup: "g", window: { hours: { from: "01:00", to: "03:00" } } }),
      base("b", { exclusiveGroup: "g", window: { hours: { from: "22:00", to: "02:00" } } }),
    ])
    expect(conflicts.map((c) => c.code)).toEqual(["ambiguous_priority"])
  })

  it("reports invalid promotions with field paths, and duplicate ids", () => {
    const conflicts = validatePromotionSet([
      base("a"),
      base("a", { priority: 3 }),
      { ...base("bad"), rule: { kind: "percent_off", offBp: 0 } },
      "nonsense",
    ])
    expect(conflicts.map((c) => [c.code, c.promotionIds])).toEqual([
      ["invalid", ["bad"]],
      ["invalid", ["3"]],
      ["duplicate_id", ["a"]],
    ])
    expect(conflicts[0]!.issues?.[0]?.path).toEqual(["rule", "offBp"])
  })
})

describe("time windows in the chain's time zone", () => {
  // 2026-11-22 is a Sunday; 23:30 in Shanghai is 15:30 UTC.
  const sundayLate = Date.UTC(2026, 10, 22, 15, 30)

  it("reads local date, weekday and time in Asia/Shanghai", () => {
    expect(localTime(sundayLate, "Asia/Shanghai")).toEqual({
      date: "2026-11-22",
      month: 11,
      weekday: 7,
      minutes: 23 * 60 + 30,
    })
    expect(localTime(sundayLate, "UTC")).toMatchObject({ date: "2026-11-22", weekday: 7, minutes: 15 * 60 + 30 })
  })

  it("applies a 22:00–02:00 range late on Sunday, weekend only, through its end date", () => {
    const local = localTime(sundayLate, "Asia/Shanghai")
    expect(inWindow({ weekdays: [6, 7], hours: { from: "22:00", to: "02:00" }, endDate: "2026-11-22" }, local)).toBe(
      true,
    )
    expect(inWindow({ endDate: "2026-11-21" }, local)).toBe(false)
    expect(inWindow({ weekdays: [1, 2, 3, 4, 5] }, local)).toBe(false)
    expect(inWindow({ hours: { from: "09:00", to: "23:30" } }, local)).toBe(false)
  })
})
