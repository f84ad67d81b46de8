import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { makeDb } from "../../worker/db/client"
import { businessDay, nextDocNumber } from "../../worker/lib/doc-numbers"

describe("document numbers", () => {
  it("cut the business day in the chain's time zone, not UTC", () => {
    // 2026-11-25 17:30 UTC is already 26 Nov in Shanghai.
    const at = Date.UTC(2026, 10, 25, 17, 30)
    expect(businessDay(at, "Asia/Shanghai")).toBe("20261126")
    expect(businessDay(at, "UTC")).toBe("20261125")
  })

  it("number each day's documents from 0001 without gaps or repeats, even when asked at once", async () => {
    const db = makeDb(env.DB)
    const at = Date.UTC(2026, 10, 25, 2, 0)
    const numbers = await Promise.all(Array.from({ length: 20 }, () => nextDocNumber(db, "RK", "Asia/Shanghai", at)))
    expect(new Set(numbers).size).toBe(20)
    expect([...numbers].sort()[0]).toBe("RK20261125-0001")
    expect([...numbers].sort()[19]).toBe("RK20261125-0020")
    expect(await nextDocNumber(db, "TZ", "Asia/Shanghai", at)).toBe("TZ20261125-0001")
  })
})
