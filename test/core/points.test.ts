// Member points: earning on what was really paid, splitting over lines for returns, redeeming as a tender.
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { checkMemberTenders, earnPoints, planRedemption, pointsForFen, pointsValueFen } from "../../core/points"

const at = Date.UTC(2026, 10, 20, 2, 0) // November in Shanghai
const timeZone = "Asia/Shanghai"
const lines = [
  { lineId: "a", totalFen: 8990 },
  { lineId: "b", totalFen: 3010 },
]

describe("earning points", () => {
  it("a member paying ¥120.00 in cash earns 120 points, split 90 + 30 over the lines", () => {
    const e = earnPoints({
      totalFen: 12000,
      lines,
      tenders: [{ method: "cash", amountFen: 15000 }],
      member: {},
      at,
      timeZone,
    })
    expect(e).toEqual({
      points: 120,
      eligibleFen: 12000,
      multiplier: 1,
      lines: [
        { lineId: "a", points: 90 },
        { lineId: "b", points: 30 },
      ],
    })
  })

  it("stored value and points tenders earn nothing: ¥50 stored value + ¥70 WeChat earns 70", () => {
    const e = earnPoints({
      totalFen: 12000,
      lines,
      tenders: [
        { method: "stored_value", amountFen: 5000 },
        { method: "wechat", amountFen: 7000 },
      ],
      member: {},
      at,
      timeZone,
    })
    expect([e.points, e.eligibleFen]).toEqual([70, 7000])
  })

  it("floors: ¥99.99 earns 99 points; in the birthday month ×2 earns 199", () => {
    const one = [{ lineId: "a", totalFen: 9999 }]
    const tenders = [{ method: "cash" as const, amountFen: 9999 }]
    expect(
      earnPoints({
        totalFen: 9999,
        lines: one,
        tenders,
        member: { birthdayMonth: 3 },
        at,
        timeZone,
        rules: { birthdayMultiplier: 2 },
      }).points,
    ).toBe(99)
    const bday = earnPoints({
      totalFen: 9999,
      lines: one,
      tenders,
      member: { birthdayMonth: 11 },
      at,
      timeZone,
      rules: { birthdayMultiplier: 2 },
    })
    expect([bday.points, bday.multiplier]).toEqual([199, 2])
  })

  it("no member, no points", () => {
    expect(
      earnPoints({
        totalFen: 12000,
        lines,
        tenders: [{ method: "cash", amountFen: 12000 }],
        member: null,
        at,
        timeZone,
      }).points,
    ).toBe(0)
  })

  it("per-line points always sum to the points earned", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 50_000 }),
        (totals, storedValue) => {
          const totalFen = totals.reduce((a, b) => a + b, 0)
          const sv = Math.min(storedValue, totalFen)
          const e = earnPoints({
            totalFen,
            lines: totals.map((t, i) => ({ lineId: `l${i}`, totalFen: t })),
            tenders: [
              ...(sv > 0 ? [{ method: "stored_value" as const, amountFen: sv }] : []),
              ...(totalFen - sv > 0 ? [{ method: "cash" as const, amountFen: totalFen - sv }] : []),
            ],
            member: {},
            at,
            timeZone,
          })
          expect(e.lines.reduce((s, l) => s + l.points, 0)).toBe(e.points)
          expect(e.points).toBe(Math.floor((totalFen - sv) / 100))
        },
      ),
    )
  })
})

describe("redeeming points as a tender", () => {
  it("at 100 points = ¥1, 1,234 points pay ¥12.34", () => {
    expect(pointsValueFen(1234)).toBe(1234)
    expect(planRedemption({ balance: 1234, dueFen: 5000 })).toEqual({ points: 1234, fen: 1234 })
  })

  it("never pays more than is due, or than the share allowed, and spends only the points needed", () => {
    expect(planRedemption({ balance: 10_000, dueFen: 2500 })).toEqual({ points: 2500, fen: 2500 })
    expect(planRedemption({ balance: 10_000, dueFen: 2500, rules: { maxRedeemBp: 5000 } })).toEqual({
      points: 1250,
      fen: 1250,
    })
    // 1,000 points = ¥1: 1,234 points are worth 123 fen, which need 1,230 points.
    expect(planRedemption({ balance: 1234, dueFen: 5000, rules: { redeemPointsPerYuan: 1000 } })).toEqual({
      points: 1230,
      fen: 123,
    })
    expect(planRedemption({ balance: 500, dueFen: 5000, requestedPoints: 200 })).toEqual({ points: 200, fen: 200 })
  })

  it("the points spent are never worth less than the fen paid", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 2000 }),
        (balance, dueFen, rate) => {
          const r = planRedemption({ balance, dueFen, rules: { redeemPointsPerYuan: rate } })
          expect(r.points).toBeLessThanOrEqual(balance)
          expect(r.fen).toBeLessThanOrEqual(dueFen)
          expect(pointsValueFen(r.points, { redeemPointsPerYuan: rate })).toBeGreaterThanOrEqual(r.fen)
          expect(r.points).toBe(pointsForFen(r.fen, { redeemPointsPerYuan: rate }))
        },
      ),
    )
  })
})

describe("member tenders against the member's balances (the server's check and the till's)", () => {
  const balances = { pointsBalance: 400, storedValueFen: 5000 }

  it("two points tenders are checked together: 300 + 200 points with 400 held is short, 150 + 100 is not", () => {
    const tenders = (a: number, b: number) => [
      { method: "points" as const, amountFen: a },
      { method: "cash" as const, amountFen: 1000 - a - b },
      { method: "points" as const, amountFen: b },
    ]
    expect(checkMemberTenders(1000, tenders(300, 200), balances)).toEqual({
      ok: false,
      code: "insufficient_points",
      index: 0,
      pointsNeeded: 500,
    })
    const ok = checkMemberTenders(1000, tenders(150, 100), balances)
    expect(ok.ok && ok.tenders).toEqual([
      { method: "points", amountFen: 250 },
      { method: "cash", amountFen: 750 },
    ])
    expect(ok.ok && [...ok.pointsFor]).toEqual([[0, 250]])
  })

  it("prices points at the chain's rate: at 10 points per ¥1, ¥3 costs 30 points", () => {
    const r = checkMemberTenders(1000, [{ method: "points", amountFen: 300 }], balances, { redeemPointsPerYuan: 10 })
    expect(r.ok && [...r.pointsFor]).toEqual([[0, 30]])
  })

  it("stored value in two goes must be covered as a whole", () => {
    const sv = (amountFen: number) => ({ method: "stored_value" as const, amountFen })
    expect(checkMemberTenders(6000, [sv(3000), sv(2000)], balances).ok).toBe(true)
    expect(checkMemberTenders(6000, [sv(3000), sv(3000)], balances)).toEqual({
      ok: false,
      code: "insufficient_stored_value",
      index: 0,
    })
  })
})
