// Yuan strings ⇄ integer fen, digit by digit: never through a float.
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { formatYuan, MoneyFormatError, parseYuan, tryParseYuan } from "../../core/money"

describe("yuan ⇄ fen", () => {
  it("parses what people and spreadsheets write", () => {
    expect(parseYuan("59.90")).toBe(5990)
    expect(parseYuan("59.9")).toBe(5990)
    expect(parseYuan("59")).toBe(5900)
    expect(parseYuan("59.")).toBe(5900)
    expect(parseYuan("0.01")).toBe(1)
    expect(parseYuan("0.10")).toBe(10)
    expect(parseYuan("  12.30 ")).toBe(1230)
    expect(parseYuan("1,299.50")).toBe(129950)
    expect(parseYuan("¥8.80")).toBe(880)
    expect(parseYuan("￥8.80")).toBe(880)
    expect(parseYuan("007.05")).toBe(705)
    expect(parseYuan("-0")).toBe(0)
    // The classic float traps come out exact.
    expect(parseYuan("0.29")).toBe(29)
    expect(parseYuan("1.15")).toBe(115)
    expect(parseYuan("4.35")).toBe(435)
    expect(parseYuan("90071992547409.91")).toBe(9007199254740991)
  })

  it("rejects 3 decimals, negatives unless allowed, and non-numbers", () => {
    expect(tryParseYuan("59.999")).toMatchObject({ ok: false, reason: expect.stringMatching(/2 decimals/) })
    expect(tryParseYuan("1,234.567").ok).toBe(false)
    expect(tryParseYuan("-5").ok).toBe(false)
    expect(parseYuan("-5", { allowNegative: true })).toBe(-500)
    expect(parseYuan("-0.05", { allowNegative: true })).toBe(-5)
    for (const bad of [
      "",
      "  ",
      "abc",
      "十块",
      "1e3",
      "1.2.3",
      "12,34",
      "1,2345",
      "NaN",
      "Infinity",
      ".5.",
      "0x10",
      "5 元",
      "--5",
    ])
      expect(tryParseYuan(bad).ok, bad).toBe(false)
    expect(tryParseYuan("1234567890123456").ok).toBe(false) // beyond exact integers
    expect(() => parseYuan("abc")).toThrow(MoneyFormatError)
  })

  it("formats fen as yuan with two decimals", () => {
    expect(formatYuan(5990)).toBe("59.90")
    expect(formatYuan(5)).toBe("0.05")
    expect(formatYuan(0)).toBe("0.00")
    expect(formatYuan(-5)).toBe("-0.05")
    expect(formatYuan(-129950)).toBe("-1299.50")
    expect(formatYuan(Number.MAX_SAFE_INTEGER)).toBe("90071992547409.91")
    expect(() => formatYuan(1.5)).toThrow(MoneyFormatError)
    expect(() => formatYuan(Number.NaN)).toThrow(MoneyFormatError)
  })

  it("round-trips every amount", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e14, max: 1e14 }), (fen) => {
        expect(parseYuan(formatYuan(fen), { allowNegative: true })).toBe(fen)
      }),
    )
    fc.assert(
      fc.property(fc.nat({ max: 1e12 }), fc.integer({ min: 0, max: 99 }), (yuan, cents) => {
        const text = `${yuan}.${String(cents).padStart(2, "0")}`
        expect(formatYuan(parseYuan(text))).toBe(text)
      }),
    )
  })
})
