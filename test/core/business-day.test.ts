// The business day: which calendar day a sale belongs to in the store's time zone, and the day
// arithmetic reports and expiry warnings do on those days.
import { describe, expect, it } from "vitest"
import { addDays, dayOf, daysBetween } from "../../core/business-day"

describe("the business day", () => {
  it("a sale at 01:30 in Shanghai belongs to that Shanghai day, though it is still yesterday in UTC", () => {
    const at = Date.UTC(2026, 10, 25, 17, 30)
    expect(dayOf(at, "Asia/Shanghai")).toBe("2026-11-26")
    expect(dayOf(at, "UTC")).toBe("2026-11-25")
  })

  it("a week back from 3 March crosses February's end, and a year's end rolls into January", () => {
    expect(addDays("2026-03-03", -7)).toBe("2026-02-24")
    expect(addDays("2026-12-30", 3)).toBe("2027-01-02")
    expect(addDays("2026-02-30", 0)).not.toBe("2026-02-30")
  })

  it("a lot expiring on 5 December has 10 days left on 25 November, and one expired yesterday has -1", () => {
    expect(daysBetween("2026-11-25", "2026-12-05")).toBe(10)
    expect(daysBetween("2026-11-25", "2026-11-24")).toBe(-1)
  })
})
