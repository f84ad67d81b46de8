import { describe, expect, it } from "vitest"
import { isChineseMobile, maskPhone, normalizePhone } from "../../core/phone"

describe("Chinese mobile numbers", () => {
  it("accepts 1[3-9] followed by nine digits and nothing else", () => {
    for (const ok of ["13800138000", "15912345678", "19999999999", "16612345678"])
      expect(isChineseMobile(ok)).toBe(true)
    for (const bad of ["12800138000", "10800138000", "1380013800", "138001380001", "1380013800a", " 13800138000", ""])
      expect(isChineseMobile(bad), bad).toBe(false)
  })

  it("normalizes what people type: spaces, dashes and a +86 prefix", () => {
    expect(normalizePhone("138 0013 8000")).toBe("13800138000")
    expect(normalizePhone("138-0013-8000")).toBe("13800138000")
    expect(normalizePhone("+86 138 0013 8000")).toBe("13800138000")
    expect(normalizePhone("0086 13800138000")).toBe("13800138000")
    expect(normalizePhone("8613800138000")).toBe("13800138000")
    expect(normalizePhone("021-12345678")).toBeNull()
    expect(normalizePhone("12345")).toBeNull()
  })

  it("masks the middle four digits", () => {
    expect(maskPhone("13812341234")).toBe("138****1234")
    expect(maskPhone("15900000001")).toBe("159****0001")
  })

  it("never shows more than the last four characters of something that is not a mobile number", () => {
    expect(maskPhone("12345678")).toBe("****5678")
    expect(maskPhone("123")).toBe("***")
  })
})
