// Check digits as GS1 defines them: any single wrong digit is caught.
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  barcodeForms,
  checkBarcode,
  gs1CheckDigit,
  isInStoreCode,
  isValidBarcode,
  withCheckDigit,
} from "../../core/barcode"

const digits = (n: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(""))
const anyBody = fc.oneof(digits(12), digits(11), digits(7)) // EAN-13, UPC-A, EAN-8 without the check digit

describe("barcodes", () => {
  it("accepts real codes", () => {
    expect(checkBarcode("6901234567892")).toEqual({ ok: true, kind: "ean13" }) // a Chinese EAN-13
    expect(checkBarcode("4006381333931")).toEqual({ ok: true, kind: "ean13" })
    expect(checkBarcode("036000291452")).toEqual({ ok: true, kind: "upca" })
    expect(checkBarcode("96385074")).toEqual({ ok: true, kind: "ean8" })
    expect(gs1CheckDigit("690123456789")).toBe(2)
  })

  it("rejects wrong lengths and anything but digits", () => {
    for (const bad of [
      "",
      "123",
      "690123456789",
      "69012345678921",
      "69012345678a2",
      " 6901234567892",
      "６９０１２３４５６７８９２",
    ])
      expect(checkBarcode(bad).ok, bad).toBe(false)
    expect(checkBarcode("6901234567893")).toEqual({ ok: false, reason: "check_digit" })
    expect(checkBarcode("12345")).toEqual({ ok: false, reason: "format" })
  })

  it("a code with its check digit appended is always valid", () => {
    fc.assert(fc.property(anyBody, (body) => isValidBarcode(withCheckDigit(body))))
  })

  it("changing any single digit of a valid code makes it invalid", () => {
    fc.assert(
      fc.property(anyBody, fc.nat(), fc.integer({ min: 1, max: 9 }), (body, at, delta) => {
        const code = withCheckDigit(body)
        const i = at % code.length
        const changed = code.slice(0, i) + String((Number(code[i]) + delta) % 10) + code.slice(i + 1)
        expect(isValidBarcode(changed)).toBe(false)
      }),
    )
  })

  it("allows in-store codes starting with 2 when their check digit is right", () => {
    fc.assert(
      fc.property(digits(11), (rest) => {
        const code = withCheckDigit(`2${rest}`)
        return isValidBarcode(code) && isInStoreCode(code)
      }),
    )
    expect(isInStoreCode("6901234567892")).toBe(false)
  })

  it("knows a UPC-A and its EAN-13 form are one code", () => {
    expect(barcodeForms("036000291452")).toEqual(["036000291452", "0036000291452"])
    expect(barcodeForms("0036000291452")).toEqual(["0036000291452", "036000291452"])
    expect(barcodeForms("6901234567892")).toEqual(["6901234567892"])
    fc.assert(fc.property(digits(11), (body) => isValidBarcode(`0${withCheckDigit(body)}`)))
  })
})
