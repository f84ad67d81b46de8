import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { fefoOrder, type LotStock, movingAverageCost, pickFefo } from "../../core/lots"

const date = fc
  .tuple(fc.integer({ min: 2026, max: 2028 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
  .map(([y, m, d]) => `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`)
const lotsArb = fc
  .uniqueArray(
    fc.record({
      lot: fc.string({ minLength: 1, maxLength: 6 }),
      expiresOn: fc.option(date, { nil: null }),
      qty: fc.integer({ min: 0, max: 50 }),
      unitCostFen: fc.integer({ min: 0, max: 10_000 }),
    }),
    { selector: (l) => l.lot, maxLength: 6 },
  )
  .map((ls): LotStock[] => ls)

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)

describe("FEFO picking", () => {
  it("takes the lot expiring first, then the next, then lot-less stock", () => {
    const lots: LotStock[] = [
      { lot: "B", expiresOn: "2026-12-31", qty: 5, unitCostFen: 200 },
      { lot: "A", expiresOn: "2026-12-01", qty: 3, unitCostFen: 100 },
      { lot: "N", expiresOn: null, qty: 2, unitCostFen: 300 },
    ]
    const pick = pickFefo(lots, 4, 12, { lotlessUnitCostFen: 150, allowNegative: false })
    expect(pick.takes.map((t) => [t.lot, t.qty])).toEqual([
      ["A", 3],
      ["B", 5],
      ["N", 2],
      [null, 2],
    ])
    expect(pick.costFen).toBe(3 * 100 + 5 * 200 + 2 * 300 + 2 * 150)
    expect(pick.short).toBe(0)
  })

  it("reports what it could not cover, unless the sale is a fact that may drive lot-less stock negative", () => {
    const lots: LotStock[] = [{ lot: "A", expiresOn: "2026-12-01", qty: 3, unitCostFen: 100 }]
    expect(pickFefo(lots, 1, 10, { lotlessUnitCostFen: 50, allowNegative: false }).short).toBe(6)
    const fact = pickFefo(lots, 1, 10, { lotlessUnitCostFen: 50, allowNegative: true })
    expect(fact.short).toBe(0)
    expect(fact.takes.at(-1)).toEqual({ lot: null, expiresOn: null, qty: 7, unitCostFen: 50, costFen: 350 })
  })

  it("never takes from a negative lot-less bucket unless allowed", () => {
    const pick = pickFefo([], -5, 2, { lotlessUnitCostFen: 10, allowNegative: false })
    expect(pick.takes).toEqual([])
    expect(pick.short).toBe(2)
  })

  it("property: takes add up, no lot is overdrawn, order is first-expiry-first-out, cost is exact", () => {
    fc.assert(
      fc.property(
        lotsArb,
        fc.integer({ min: -20, max: 40 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.boolean(),
        (lots, lotless, qty, avg, allowNegative) => {
          const pick = pickFefo(lots, lotless, qty, { lotlessUnitCostFen: avg, allowNegative })
          const taken = sum(pick.takes.map((t) => t.qty))
          expect(taken + pick.short).toBe(qty)
          expect(pick.takes.every((t) => t.qty > 0)).toBe(true)
          const lotTakes = pick.takes.filter((t) => t.lot !== null)
          for (const t of lotTakes) {
            const l = lots.find((x) => x.lot === t.lot)!
            expect(t.qty).toBeLessThanOrEqual(l.qty)
            expect(t.unitCostFen).toBe(l.unitCostFen)
          }
          // FEFO: every lot taken is, in FEFO order, preceded only by lots taken in full.
          const ordered = lots.filter((l) => l.qty > 0).sort(fefoOrder)
          lotTakes.forEach((t, i) => {
            expect(t.lot).toBe(ordered[i]!.lot)
            if (i < lotTakes.length - 1) expect(t.qty).toBe(ordered[i]!.qty)
          })
          // Lot-less goods only after every lot is empty; below zero only for facts.
          const fromLotless = pick.takes.find((t) => t.lot === null)
          if (fromLotless) {
            expect(lotTakes.length).toBe(ordered.length)
            if (!allowNegative) expect(fromLotless.qty).toBeLessThanOrEqual(Math.max(lotless, 0))
          }
          if (allowNegative) expect(pick.short).toBe(0)
          else expect(pick.short).toBe(Math.max(0, qty - sum(ordered.map((l) => l.qty)) - Math.max(lotless, 0)))
          expect(pick.costFen).toBe(sum(pick.takes.map((t) => t.qty * t.unitCostFen)))
        },
      ),
    )
  })

  it("does not depend on the order the lots were read in", () => {
    fc.assert(
      fc.property(lotsArb, fc.integer({ min: 0, max: 200 }), (lots, qty) => {
        const opts = { lotlessUnitCostFen: 7, allowNegative: true }
        expect(pickFefo([...lots].reverse(), 3, qty, opts)).toEqual(pickFefo(lots, 3, qty, opts))
      }),
    )
  })
})

describe("moving-average cost", () => {
  it("weights the receipt by quantity and rounds half up to the fen", () => {
    expect(movingAverageCost(100, 10, 10, 200)).toBe(150)
    // (100·1 + 101·1) / 2 = 100.5 → 101
    expect(movingAverageCost(100, 1, 1, 101)).toBe(101)
    // (100·2 + 101·1) / 3 = 100.33 → 100
    expect(movingAverageCost(100, 2, 1, 101)).toBe(100)
  })

  it("takes the receipt's cost when nothing (or less than nothing) is on hand", () => {
    expect(movingAverageCost(999, 0, 5, 120)).toBe(120)
    expect(movingAverageCost(999, -3, 5, 120)).toBe(120)
  })

  it("property: stays between the two costs and is exact for huge quantities", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 100_000_000 }),
        fc.integer({ min: 1, max: 100_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (avg, onHand, qty, cost) => {
          const next = movingAverageCost(avg, onHand, qty, cost)
          expect(Number.isInteger(next)).toBe(true)
          expect(next).toBeGreaterThanOrEqual(Math.min(avg, cost))
          expect(next).toBeLessThanOrEqual(Math.max(avg, cost))
          const exact = (BigInt(avg) * BigInt(onHand) + BigInt(cost) * BigInt(qty)) * 2n
          const den = BigInt(onHand + qty)
          // |2·den·next − 2·num| ≤ den: within half a fen of the true average.
          const diff = 2n * den * BigInt(next) - exact
          expect(diff <= den && diff > -den).toBe(true)
        },
      ),
    )
  })
})
