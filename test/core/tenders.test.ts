// Tenders at the till: payment codes (付款码) and mixed payments.
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { classifyPaymentCode, combineMemberTenders, type Tender, validateTenders } from "../../core/tenders"

describe("payment codes", () => {
  it.each([
    ["134567890123456789", "wechat"],
    ["101234567890123456", "wechat"],
    ["151234567890123456", "wechat"],
    ["16123456789012345", "unknown"], // 16 prefix is not WeChat's
    ["13456789012345678", "unknown"], // WeChat codes are exactly 18 digits
    ["2812345678901234", "alipay"], // 16 digits
    ["289431869362714645", "alipay"], // 18 digits
    ["301234567890123456789012", "alipay"], // 24 digits
    ["3012345678901234567890123", "unknown"], // 25 digits
    ["241234567890123456", "unknown"],
    ["311234567890123456", "unknown"],
    ["62123456789012345678", "unknown"],
    ["13456789012345678a", "unknown"],
    ["  134567890123456789\n", "wechat"], // scanner whitespace
    ["", "unknown"],
  ])("%s is %s", (code, kind) => {
    expect(classifyPaymentCode(code)).toBe(kind)
  })

  it("any 18 digits starting 10–15 are WeChat, any 16–24 digits starting 25–30 are Alipay", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 30 }),
        fc.integer({ min: 16, max: 24 }),
        fc.nat(),
        (prefix, length, seed) => {
          const code = `${prefix}${String(seed).padStart(length, "7")}`.slice(0, length)
          const expected = prefix <= 15 ? (length === 18 ? "wechat" : "unknown") : prefix >= 25 ? "alipay" : "unknown"
          expect(classifyPaymentCode(code)).toBe(expected)
        },
      ),
    )
  })
})

describe("validating tenders", () => {
  it("¥88.50 paid with ¥100 cash gives ¥11.50 change", () => {
    expect(validateTenders(8850, [{ method: "cash", amountFen: 10000 }])).toEqual({
      ok: true,
      paidFen: 10000,
      changeFen: 1150,
    })
  })

  it("a mix of points, stored value, WeChat and cash covers ¥200 with ¥0.50 change", () => {
    const tenders: Tender[] = [
      { method: "points", amountFen: 1000 },
      { method: "stored_value", amountFen: 5000 },
      { method: "wechat", amountFen: 10000, authCode: "134567890123456789" },
      { method: "cash", amountFen: 4050 },
    ]
    expect(validateTenders(20000, tenders)).toEqual({ ok: true, paidFen: 20050, changeFen: 50 })
  })

  it("short payment is payment_short with the missing fen", () => {
    expect(validateTenders(20000, [{ method: "alipay", amountFen: 15000 }])).toMatchObject({
      ok: false,
      code: "payment_short",
      shortFen: 5000,
    })
  })

  it("non-cash tenders cannot exceed what is due (no change from a card)", () => {
    expect(validateTenders(8850, [{ method: "card", amountFen: 9000 }])).toMatchObject({
      ok: false,
      code: "non_cash_over_total",
    })
  })

  it("refuses a sixth tender, a zero amount, and an Alipay code sent as WeChat", () => {
    const six = Array.from({ length: 6 }, (): Tender => ({ method: "cash", amountFen: 100 }))
    expect(validateTenders(600, six)).toMatchObject({ ok: false, code: "too_many_tenders" })
    expect(validateTenders(0, [{ method: "cash", amountFen: 0 }])).toMatchObject({ ok: false, code: "invalid_amount" })
    expect(validateTenders(100, [{ method: "wechat", amountFen: 100, authCode: "289431869362714645" }])).toMatchObject({
      ok: false,
      code: "auth_code_mismatch",
    })
  })

  it("a ¥0 sale needs no tender", () => {
    expect(validateTenders(0, [])).toEqual({ ok: true, paidFen: 0, changeFen: 0 })
  })

  it("change only ever comes out of cash", () => {
    const method = fc.constantFrom<Tender["method"]>("cash", "wechat", "alipay", "card", "stored_value", "points")
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.array(fc.record({ method, amountFen: fc.integer({ min: 1, max: 50_000 }) }), { maxLength: 5 }),
        (total, tenders) => {
          const r = validateTenders(total, tenders)
          if (!r.ok) return
          const cash = tenders.filter((t) => t.method === "cash").reduce((s, t) => s + t.amountFen, 0)
          expect(r.changeFen).toBeLessThanOrEqual(cash)
          expect(r.paidFen - r.changeFen).toBe(total)
        },
      ),
    )
  })
})

describe("member tenders in two goes", () => {
  it("stored value ¥30 then ¥20 is one ¥50 stored-value payment at the first one's place; cash stays as given", () => {
    const given: Tender[] = [
      { method: "stored_value", amountFen: 3000 },
      { method: "cash", amountFen: 500 },
      { method: "points", amountFen: 100 },
      { method: "stored_value", amountFen: 2000 },
      { method: "cash", amountFen: 200 },
      { method: "points", amountFen: 50 },
    ]
    expect(combineMemberTenders(given)).toEqual([
      { method: "stored_value", amountFen: 5000 },
      { method: "cash", amountFen: 500 },
      { method: "points", amountFen: 150 },
      { method: "cash", amountFen: 200 },
    ])
    expect(given[0]).toEqual({ method: "stored_value", amountFen: 3000 }) // the input is left alone
  })

  it("combining never changes the sum, and leaves at most one tender per member method", () => {
    const tender = fc.record({
      method: fc.constantFrom<Tender["method"]>("cash", "stored_value", "points", "card"),
      amountFen: fc.integer({ min: 1, max: 100_000 }),
    })
    fc.assert(
      fc.property(fc.array(tender, { maxLength: 8 }), (given) => {
        const out = combineMemberTenders(given)
        const sum = (ts: readonly Tender[]) => ts.reduce((s, t) => s + t.amountFen, 0)
        expect(sum(out)).toBe(sum(given))
        expect(out.filter((t) => t.method === "stored_value").length).toBeLessThanOrEqual(1)
        expect(out.filter((t) => t.method === "points").length).toBeLessThanOrEqual(1)
        expect(out.filter((t) => t.method === "cash")).toEqual(given.filter((t) => t.method === "cash"))
      }),
    )
  })
})
