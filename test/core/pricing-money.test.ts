// Money for documents: ¥ display and 大写 amounts as the People's Bank rules write them.
import { describe, expect, it } from "vitest"
import { allocateProRata, formatCny, toChineseCapital } from "../../core/money"

describe("¥ and 大写 amounts", () => {
  it("formats ¥", () => {
    expect([formatCny(5990), formatCny(-5), formatCny(0)]).toEqual(["¥59.90", "-¥0.05", "¥0.00"])
  })

  it.each([
    [12345, "壹佰贰拾叁元肆角伍分"],
    [10000, "壹佰元整"],
    [140950, "壹仟肆佰零玖元伍角"],
    [600714, "陆仟零柒元壹角肆分"],
    [168032, "壹仟陆佰捌拾元零叁角贰分"],
    [10700053, "壹拾万柒仟元零伍角叁分"],
    [1640902, "壹万陆仟肆佰零玖元零贰分"],
    [32504, "叁佰贰拾伍元零肆分"],
    [1000, "壹拾元整"],
    [1002, "壹拾元零贰分"],
    [5, "伍分"],
    [50, "伍角"],
    [0, "零元整"],
    [10000000000, "壹亿元整"],
    [10001000000, "壹亿零壹万元整"],
    [100000100, "壹佰万零壹元整"],
    [-12345, "负壹佰贰拾叁元肆角伍分"],
  ])("%i fen is %s", (fen, words) => {
    expect(toChineseCapital(fen)).toBe(words)
  })
})

describe("pro-rata allocation", () => {
  it("splits ¥10 over three equal lines as 334 + 333 + 333, the spare fen to the first", () => {
    expect(allocateProRata(1000, [4000, 4000, 4000])).toEqual([334, 333, 333])
  })

  it("gives the spare fen to the largest remainder, and splits negative amounts the same way", () => {
    expect(allocateProRata(100, [1, 2])).toEqual([33, 67])
    expect(allocateProRata(-9, [1, 9])).toEqual([-1, -8])
  })

  it("refuses to split an amount over nothing", () => {
    expect(() => allocateProRata(1, [0, 0])).toThrow(RangeError)
    expect(allocateProRata(0, [])).toEqual([])
  })
})
