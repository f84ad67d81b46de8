// The StockCell as its callers live with it: tills, channel orders, transfers, stocktakes and the
// store that sold while offline. Every story makes its own SKU and location.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { commitAll, releaseAll, reserveAll } from "../../worker/stock-cell/client"
import type { StockCell } from "../../worker/stock-cell/stock-cell"
import {
  expectInvariants,
  fakeClock,
  newCell,
  outbox,
  ref,
  type TestCell,
  uid,
  withoutReplay,
} from "./stock-cell-helpers"

const HOUR = 3600_000

async function stocked(
  cell: TestCell,
  qty: number,
  extra: { lot?: string; expiresOn?: string; unitCostFen?: number } = {},
) {
  const r = await cell.stub.receive({ ...cell.key, opId: cell.op("rcv"), qty, ref: ref(), ...extra })
  expect(r.ok).toBe(true)
  return r
}

/** A fresh cell on a hand-moved clock (a year ahead, so no real alarm fires behind a story's back). */
async function setup(locationId?: string) {
  const cell = newCell(locationId)
  const clock = await fakeClock(cell, START)
  return { cell, clock }
}
const START = Date.now() + 365 * 24 * HOUR
const later = (ms = HOUR) => START + ms

// Hundreds of real RPCs per story: generous time on a shared machine (no timing is asserted).
describe("no overselling under concurrency", { timeout: 30_000 }, () => {
  it("500 concurrent single-unit reserves on one cell holding 50: exactly 50 succeed", async () => {
    const { cell } = await setup()
    await stocked(cell, 50)
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        cell.stub.reserve({
          ...cell.key,
          opId: `ord_${i}:reserve`,
          holdId: `ord_${i}`,
          qty: 1,
          expiresAt: later(),
          ref: ref(`ord_${i}`, "order"),
        }),
      ),
    )
    const ok = results.filter((r) => r.ok)
    const refused = results.filter((r) => !r.ok)
    expect(ok).toHaveLength(50)
    expect(refused).toHaveLength(450)
    for (const r of refused)
      expect(r).toMatchObject({ ok: false, code: "insufficient_stock", requested: 1, available: 0 })
    const snap = await expectInvariants(cell)
    expect(snap).toMatchObject({ onHand: 50, reserved: 50, available: 0, activeHolds: 50 })
  })

  it("till sales, channel orders and a transfer racing for 50 units never take more than 50", async () => {
    const { cell } = await setup()
    await stocked(cell, 50)
    const calls = [
      ...Array.from({ length: 200 }, (_, i) => async () => {
        const r = await cell.stub.sell({ ...cell.key, opId: `sale_${i}`, qty: 1, ref: ref(`sale_${i}`, "sale") })
        return r.ok ? { kind: "sold", qty: 1 } : null
      }),
      ...Array.from({ length: 200 }, (_, i) => async () => {
        const r = await cell.stub.reserve({
          ...cell.key,
          opId: `ord_${i}:reserve`,
          holdId: `ord_${i}`,
          qty: 1,
          expiresAt: later(),
          ref: ref(`ord_${i}`, "order"),
        })
        return r.ok ? { kind: "held", qty: 1 } : null
      }),
      async () => {
        const r = await cell.stub.reserve({
          ...cell.key,
          opId: "trf_1:reserve",
          holdId: "trf_1",
          qty: 20,
          kind: "shipment",
          expiresAt: later(24 * HOUR),
          ref: ref("trf_1", "transfer"),
        })
        return r.ok ? { kind: "held", qty: 20 } : null
      },
    ]
    // Interleave the three kinds of caller instead of sending them in blocks.
    const shuffled = calls.map((c, i) => ({ c, k: (i * 7919) % calls.length })).sort((a, b) => a.k - b.k)
    const outcomes = (await Promise.all(shuffled.map(({ c }) => c()))).filter((o) => o !== null)
    const sold = outcomes.filter((o) => o.kind === "sold").reduce((s, o) => s + o.qty, 0)
    const held = outcomes.filter((o) => o.kind === "held").reduce((s, o) => s + o.qty, 0)
    expect(sold + held).toBe(50)
    const snap = await expectInvariants(cell)
    expect(snap).toMatchObject({ onHand: 50 - sold, reserved: held, available: 0 })
  })

  it("concurrent multi-line carts over shared cells are held in full or not at all", async () => {
    const locationId = uid("loc")
    const cells = await Promise.all([setup(locationId), setup(locationId), setup(locationId)]).then((xs) =>
      xs.map((x) => x.cell),
    )
    for (const c of cells) await stocked(c, 20)
    const carts = Array.from({ length: 60 }, (_, i) => ({
      id: `ord_${i}`,
      lines: cells
        .filter((_, j) => (i + j) % 3 !== 0 || j === i % 3)
        .map((c, j) => ({ skuId: c.skuId, qty: 1 + ((i + j) % 3) })),
    }))
    const results = await Promise.all(
      carts.map((cart) =>
        reserveAll(env, cart.id, cart.lines, { locationId, expiresAt: later(), ref: ref(cart.id, "order") }),
      ),
    )
    for (const c of cells) {
      const holds = await runInDurableObject(c.stub, (_i: StockCell, state) =>
        state.storage.sql
          .exec<{ hold_id: string; qty: number }>("SELECT hold_id, qty FROM holds WHERE status = 'active'")
          .toArray(),
      )
      const snap = await expectInvariants(c)
      expect(holds.reduce((s, h) => s + h.qty, 0)).toBe(snap.reserved)
      expect(snap.reserved + snap.available).toBe(snap.onHand)
      // Every cart is either held on each of its lines or on none.
      results.forEach((r, i) => {
        const line = carts[i]!.lines.find((l) => l.skuId === c.skuId)
        const hold = holds.find((h) => h.hold_id === carts[i]!.id)
        if (!line) expect(hold).toBeUndefined()
        else if (r.ok) expect(hold?.qty).toBe(line.qty)
        else expect(hold).toBeUndefined()
      })
    }
    expect(results.some((r) => r.ok)).toBe(true)
    expect(results.some((r) => !r.ok)).toBe(true)
  })
})

describe("orders across cells (client fan-out)", () => {
  it("sums lines of one SKU, and on a short line releases the rest and reports every short line", async () => {
    const locationId = uid("loc")
    const [a, b, c] = [(await setup(locationId)).cell, (await setup(locationId)).cell, (await setup(locationId)).cell]
    await stocked(a, 10)
    await stocked(b, 1)
    await stocked(c, 0 + 2)
    const r = await reserveAll(
      env,
      "ord_short",
      [
        { skuId: a.skuId, qty: 3 },
        { skuId: b.skuId, qty: 1 },
        { skuId: a.skuId, qty: 4 },
        { skuId: b.skuId, qty: 1 },
        { skuId: c.skuId, qty: 5 },
      ],
      { locationId, expiresAt: later(), ref: ref("ord_short", "order") },
    )
    expect(r).toEqual({
      ok: false,
      short: [
        { skuId: b.skuId, requested: 2, available: 1 },
        { skuId: c.skuId, requested: 5, available: 2 },
      ],
      refused: [],
    })
    expect((await a.stub.snapshot()).available).toBe(10)
    expect((await a.stub.hold("ord_short"))?.status).toBe("released")
  })

  it("reserves, commits with cost of goods, and a retried commitAll changes nothing", async () => {
    const locationId = uid("loc")
    const [a, b] = [(await setup(locationId)).cell, (await setup(locationId)).cell]
    await stocked(a, 10, { unitCostFen: 300 })
    await stocked(b, 10, { unitCostFen: 50 })
    const lines = [
      { skuId: a.skuId, qty: 2 },
      { skuId: b.skuId, qty: 3 },
    ]
    const held = await reserveAll(env, "ord_paid", lines, { locationId, expiresAt: later(), ref: ref("ord_paid") })
    expect(held.ok).toBe(true)
    const paid = await commitAll(env, "ord_paid", [a.skuId, b.skuId], { locationId, ref: ref("pay_1", "payment") })
    expect(paid.ok).toBe(true)
    expect(paid.costFen).toBe(2 * 300 + 3 * 50)
    const again = await commitAll(env, "ord_paid", [a.skuId, b.skuId], { locationId })
    expect(again.lines.map((l) => withoutReplay(l.result))).toEqual(paid.lines.map((l) => l.result))
    expect(await a.stub.snapshot()).toMatchObject({ onHand: 8, reserved: 0 })
    expect(await b.stub.snapshot()).toMatchObject({ onHand: 7, reserved: 0 })
    // Cancel after payment cannot give the goods back as stock: the holds are committed.
    const cancel = await releaseAll(env, "ord_paid", [a.skuId, b.skuId], { locationId })
    expect(cancel.ok).toBe(false)
    expect(cancel.lines.map((l) => l.result)).toEqual([
      { ok: false, code: "hold_committed", holdId: "ord_paid" },
      { ok: false, code: "hold_committed", holdId: "ord_paid" },
    ])
  })
})

describe("lots, FEFO and cost of goods", () => {
  it("sells the lot that expires first, then the next, then lot-less goods, each at its own cost", async () => {
    const { cell } = await setup()
    await stocked(cell, 5, { lot: "L-LATE", expiresOn: "2027-03-01", unitCostFen: 120 })
    await stocked(cell, 3, { lot: "L-SOON", expiresOn: "2026-12-10", unitCostFen: 100 })
    await stocked(cell, 4, { unitCostFen: 90 })
    const avg = (await cell.stub.snapshot()).avgCostFen
    const r = await cell.stub.sell({ ...cell.key, opId: cell.op(), qty: 10, ref: ref() })
    if (!r.ok) throw new Error(`sale refused: ${r.code}`)
    expect(r.takes).toEqual([
      { lot: "L-SOON", expiresOn: "2026-12-10", qty: 3, unitCostFen: 100, costFen: 300 },
      { lot: "L-LATE", expiresOn: "2027-03-01", qty: 5, unitCostFen: 120, costFen: 600 },
      { lot: null, expiresOn: null, qty: 2, unitCostFen: avg, costFen: 2 * avg },
    ])
    expect(r.costFen).toBe(900 + 2 * avg)
    const snap = await expectInvariants(cell)
    expect(snap).toMatchObject({ onHand: 2, lotless: 2, lots: [] })
    // One move per lot slice.
    const sales = (await outbox(cell)).filter((o) => o.event.kind === "sale")
    expect(sales.map((o) => [o.event.lot, o.event.delta])).toEqual([
      ["L-SOON", -3],
      ["L-LATE", -5],
      [null, -2],
    ])
  })

  it("a partial take leaves the rest of the lot, even when the rest equals what was taken", async () => {
    const { cell } = await setup()
    await stocked(cell, 4, { lot: "L4", expiresOn: "2027-01-01", unitCostFen: 10 })
    await cell.stub.sell({ ...cell.key, opId: cell.op(), qty: 2, ref: ref() })
    expect(await expectInvariants(cell)).toMatchObject({ onHand: 2, lots: [{ lot: "L4", qty: 2 }] })
    await cell.stub.sell({ ...cell.key, opId: cell.op(), qty: 2, ref: ref() })
    expect(await expectInvariants(cell)).toMatchObject({ onHand: 0, lots: [] })
  })

  it("keeps a moving-average unit cost, rounded half up to the fen", async () => {
    const { cell } = await setup()
    const r1 = await stocked(cell, 3, { unitCostFen: 100 })
    expect(r1.ok && r1.avgCostFen).toBe(100)
    // (100·3 + 101·1) / 4 = 100.25 → 100
    const r2 = await stocked(cell, 1, { unitCostFen: 101 })
    expect(r2.ok && r2.avgCostFen).toBe(100)
    // (100·4 + 102·4) / 8 = 101
    const r3 = await stocked(cell, 4, { unitCostFen: 102 })
    expect(r3.ok && r3.avgCostFen).toBe(101)
    // A receipt without cost is valued at the average and leaves it alone.
    const r4 = await stocked(cell, 2)
    expect(r4.ok && [r4.unitCostFen, r4.avgCostFen]).toEqual([101, 101])
    const sold = await cell.stub.sell({ ...cell.key, opId: cell.op(), qty: 3, ref: ref() })
    expect(sold.ok && sold.costFen).toBe(303)
  })

  it("a sale undone (unsell) puts each lot slice back with its date and cost, frees the hold, and a repeat changes nothing", async () => {
    const { cell } = await setup()
    await stocked(cell, 2, { lot: "L-SOON", expiresOn: "2026-12-10", unitCostFen: 100 })
    await stocked(cell, 3, { unitCostFen: 90 })
    const sellOp = cell.op()
    const sold = await cell.stub.sell({
      ...cell.key,
      opId: sellOp,
      holdId: "xs_1",
      qty: 4,
      customerId: "m1",
      ref: ref(),
    })
    expect(sold.ok).toBe(true)
    expect(await expectInvariants(cell)).toMatchObject({ onHand: 1, lots: [] })
    const undo = { ...cell.key, opId: cell.op(), holdId: "xs_1", takenBy: sellOp, ref: ref("xs_1", "sale_void") }
    const back = await cell.stub.unsell(undo)
    expect(back).toMatchObject({ ok: true, qty: 4, onHand: 5, available: 5 })
    const snap = await expectInvariants(cell)
    expect(snap).toMatchObject({ onHand: 5, lotless: 3 })
    expect(snap.lots).toEqual([{ lot: "L-SOON", expiresOn: "2026-12-10", qty: 2, unitCostFen: 100 }])
    expect(await cell.stub.hold("xs_1")).toMatchObject({ status: "released" })
    expect(withoutReplay(await cell.stub.unsell(undo))).toEqual(withoutReplay(back))
    expect((await cell.stub.snapshot()).onHand).toBe(5)
    // Only what that op took comes back: an op id of another hold is refused.
    const other = await cell.stub.sell({ ...cell.key, opId: cell.op(), holdId: "xs_2", qty: 1, ref: ref() })
    expect(other.ok).toBe(true)
    expect(await cell.stub.unsell({ ...undo, opId: cell.op(), holdId: "xs_2" })).toEqual({
      ok: false,
      code: "taken_unknown",
      holdId: "xs_2",
    })
  })

  it("refuses a second expiry date for a lot it already holds", async () => {
    const { cell } = await setup()
    await stocked(cell, 2, { lot: "L1", expiresOn: "2027-01-01" })
    const r = await cell.stub.receive({
      ...cell.key,
      opId: cell.op(),
      qty: 1,
      lot: "L1",
      expiresOn: "2027-02-01",
      ref: ref(),
    })
    expect(r).toEqual({ ok: false, code: "lot_conflict", lot: "L1", expiresOn: "2027-01-01" })
  })
})

describe("facts: offline sales and posted variances", () => {
  it("applies an offline sale below zero and emits one discrepancy event", async () => {
    const { cell } = await setup()
    await stocked(cell, 2, { lot: "L1", expiresOn: "2027-01-01", unitCostFen: 500 })
    await cell.stub.reserve({ ...cell.key, opId: cell.op(), holdId: "ord_x", qty: 1, expiresAt: later(), ref: ref() })
    const soldAt = Date.now() - 3 * HOUR
    const r = await cell.stub.recordOfflineSale({
      ...cell.key,
      opId: "sale_01:1",
      qty: 5,
      occurredAt: soldAt,
      ref: ref("sale_01", "sale"),
    })
    expect(r).toMatchObject({ ok: true, qty: 5, onHand: -3, reserved: 1, available: -4, discrepancy: 4 })
    expect(r.ok && r.takes.map((t) => [t.lot, t.qty])).toEqual([
      ["L1", 2],
      [null, 3],
    ])
    const events = (await outbox(cell)).map((o) => o.event)
    const discrepancies = events.filter((e) => e.kind === "discrepancy")
    expect(discrepancies).toHaveLength(1)
    expect(discrepancies[0]).toMatchObject({ availableAfter: -4, data: { shortfall: 4 }, occurredAt: soldAt })
    expect(events.filter((e) => e.kind === "offline_sale").every((e) => e.occurredAt === soldAt)).toBe(true)
    const snap = await expectInvariants(cell, { afterFact: true })
    expect(snap.lotless).toBe(-3)
    // The short hold can't be committed: nothing is there to ship.
    const commit = await cell.stub.commit({ ...cell.key, opId: cell.op(), holdId: "ord_x" })
    expect(commit).toEqual({ ok: false, code: "hold_short", holdId: "ord_x", qty: 1, onHand: -3 })
    // A receipt refills; the negative lot-less bucket is paid back first.
    await stocked(cell, 10)
    expect(await expectInvariants(cell)).toMatchObject({ onHand: 7, lotless: 7, available: 6 })
  })

  it("refuses a damage write-off beyond available, but posts a stocktake variance anyway and reports short holds", async () => {
    const { cell } = await setup()
    await stocked(cell, 5)
    await cell.stub.reserve({ ...cell.key, opId: cell.op(), holdId: "ord_y", qty: 4, expiresAt: later(), ref: ref() })
    const damage = await cell.stub.adjust({ ...cell.key, opId: cell.op(), delta: -2, reason: "damage", ref: ref() })
    expect(damage).toEqual({ ok: false, code: "insufficient_stock", requested: 2, available: 1 })
    const variance = await cell.stub.adjust({
      ...cell.key,
      opId: cell.op(),
      delta: -3,
      reason: "count",
      fact: true,
      ref: ref("st_1", "stocktake"),
    })
    expect(variance).toMatchObject({ ok: true, onHand: 2, reserved: 4, available: -2, overReserved: 2, discrepancy: 2 })
    await expectInvariants(cell, { afterFact: true })
    const found = await cell.stub.adjust({ ...cell.key, opId: cell.op(), delta: 6, reason: "found", ref: ref() })
    expect(found).toMatchObject({ ok: true, onHand: 8, available: 4 })
    await expectInvariants(cell)
  })
})

describe("idempotency", () => {
  it("a replay of every mutating call returns the first answer and changes nothing", async () => {
    const { cell } = await setup()
    const calls: [string, () => Promise<object>][] = [
      ["setPolicy", () => cell.stub.setPolicy({ ...cell.key, opId: "p1", reorderPoint: 3, max: 40, safetyStock: 2 })],
      ["setLimit", () => cell.stub.setLimit({ ...cell.key, opId: "l1", perCustomer: 5, windowMs: HOUR })],
      [
        "receive",
        () =>
          cell.stub.receive({
            ...cell.key,
            opId: "r1",
            qty: 20,
            lot: "L1",
            expiresOn: "2027-01-01",
            unitCostFen: 10,
            ref: ref("rk1"),
          }),
      ],
      ["adjust", () => cell.stub.adjust({ ...cell.key, opId: "a1", delta: -1, reason: "damage", ref: ref("adj1") })],
      [
        "reserve",
        () =>
          cell.stub.reserve({
            ...cell.key,
            opId: "h1",
            holdId: "ord_1",
            qty: 2,
            expiresAt: later(),
            customerId: "c1",
            ref: ref("ord_1"),
          }),
      ],
      ["commit", () => cell.stub.commit({ ...cell.key, opId: "c1", holdId: "ord_1" })],
      [
        "reserve",
        () =>
          cell.stub.reserve({
            ...cell.key,
            opId: "h2",
            holdId: "ord_2",
            qty: 1,
            expiresAt: later(),
            customerId: "c2",
            ref: ref("ord_2"),
          }),
      ],
      ["release", () => cell.stub.release({ ...cell.key, opId: "x2", holdId: "ord_2" })],
      ["sell", () => cell.stub.sell({ ...cell.key, opId: "s1", qty: 3, customerId: "c3", ref: ref("sale_1") })],
      [
        "offline",
        () =>
          cell.stub.recordOfflineSale({ ...cell.key, opId: "o1", qty: 30, occurredAt: Date.now(), ref: ref("sale_2") }),
      ],
      ["refused", () => cell.stub.sell({ ...cell.key, opId: "s2", qty: 1, customerId: "c4", ref: ref("sale_3") })],
    ]
    const first: object[] = []
    for (const [, call] of calls) first.push(await call())
    expect(first.slice(0, -1).every((r) => "ok" in r && r.ok)).toBe(true)
    expect(first.at(-1)).toMatchObject({ ok: false, code: "insufficient_stock" })
    const before = await runInDurableObject(cell.stub, (i: StockCell) => i.snapshot())
    const eventsBefore = await outbox(cell)
    for (const [i, [name, call]] of calls.entries()) {
      const again = await call()
      // A refusal changed nothing and isn't remembered: its retry is decided afresh (and refused again here).
      if (name === "refused") expect(again).not.toHaveProperty("replayed")
      else expect(again).toMatchObject({ replayed: true })
      expect(withoutReplay(again)).toEqual(first[i])
    }
    expect(await cell.stub.snapshot()).toEqual(before)
    expect(await outbox(cell)).toEqual(eventsBefore)
    await expectInvariants(cell, { afterFact: true })
  })

  it("a sale refused for want of stock goes through when retried after a delivery", async () => {
    const { cell } = await setup()
    const sale = () => cell.stub.sell({ ...cell.key, opId: "s_retry", qty: 2, ref: ref("sale_r") })
    expect(await sale()).toMatchObject({ ok: false, code: "insufficient_stock", available: 0 })
    await stocked(cell, 5)
    expect(await sale()).toMatchObject({ ok: true, qty: 2 })
    expect(await sale()).toMatchObject({ ok: true, qty: 2, replayed: true })
    expect((await cell.stub.snapshot()).onHand).toBe(3)
  })

  it("refuses an opId reused for a different call", async () => {
    const { cell } = await setup()
    await cell.stub.receive({ ...cell.key, opId: "same", qty: 1, ref: ref() })
    expect(await cell.stub.receive({ ...cell.key, opId: "same", qty: 2, ref: ref() })).toEqual({
      ok: false,
      code: "op_conflict",
      opId: "same",
      method: "receive",
    })
    expect(await cell.stub.sell({ ...cell.key, opId: "same", qty: 1, ref: ref() })).toMatchObject({
      code: "op_conflict",
    })
    expect((await cell.stub.snapshot()).onHand).toBe(1)
  })

  it("a hold id is single use: the same active hold answers again, anything else is hold_exists", async () => {
    const { cell } = await setup()
    await stocked(cell, 10)
    const hold = { ...cell.key, holdId: "ord_h", qty: 2, expiresAt: later(), ref: ref("ord_h") }
    const first = await cell.stub.reserve({ ...hold, opId: "try1" })
    expect(first).toMatchObject({ ok: true, holdId: "ord_h", qty: 2 })
    // Same hold, lost opId (new one): the existing hold is the answer, nothing more is held.
    expect(await cell.stub.reserve({ ...hold, opId: "try2" })).toMatchObject({ ok: true, qty: 2, available: 8 })
    expect(await cell.stub.reserve({ ...hold, opId: "try3", qty: 3 })).toEqual({
      ok: false,
      code: "hold_exists",
      holdId: "ord_h",
      status: "active",
      qty: 2,
    })
    await cell.stub.commit({ ...cell.key, opId: "pay", holdId: "ord_h" })
    // A committed hold never reappears, even when a late duplicate of the reserve arrives.
    expect(await cell.stub.reserve({ ...hold, opId: "late" })).toMatchObject({
      ok: false,
      code: "hold_exists",
      status: "committed",
    })
    expect(await cell.stub.commit({ ...cell.key, opId: "pay2", holdId: "ord_h" })).toMatchObject({
      code: "hold_committed",
    })
    expect(await expectInvariants(cell)).toMatchObject({ onHand: 8, reserved: 0 })
  })

  it("refuses bad quantities and ids as values, not exceptions", async () => {
    const { cell } = await setup()
    const base = { ...cell.key, ref: ref() }
    for (const qty of [0, -1, 1.5, Number.NaN, 2 ** 60]) {
      expect(await cell.stub.receive({ ...base, opId: cell.op(), qty })).toMatchObject({
        ok: false,
        code: "invalid",
        field: "qty",
      })
    }
    expect(await cell.stub.adjust({ ...base, opId: cell.op(), delta: 0 })).toMatchObject({
      code: "invalid",
      field: "delta",
    })
    expect(await cell.stub.reserve({ ...base, opId: cell.op(), holdId: "", qty: 1, expiresAt: later() })).toMatchObject(
      {
        code: "invalid",
        field: "holdId",
      },
    )
    expect(await cell.stub.receive({ ...base, opId: "", qty: 1 })).toMatchObject({ code: "invalid", field: "opId" })
    expect(await cell.stub.receive({ ...base, opId: cell.op(), qty: 1, expiresOn: "2027-01-01" })).toMatchObject({
      code: "invalid",
      field: "expiresOn",
    })
    // Invalid input is not remembered: the same opId with good input is applied.
    expect(await cell.stub.receive({ ...base, opId: "fixme", qty: -1 })).toMatchObject({ code: "invalid" })
    expect(await cell.stub.receive({ ...base, opId: "fixme", qty: 1 })).toMatchObject({ ok: true, onHand: 1 })
  })

  it("knows which cell it is and throws when called as another", async () => {
    const { cell } = await setup()
    await stocked(cell, 1)
    // A programmer error (a stub for one cell used with another's ids): thrown, nothing written.
    const opId = cell.op()
    await runInDurableObject(cell.stub, (instance: StockCell) => {
      expect(() => instance.receive({ ...cell.key, skuId: "someone_else", opId, qty: 1, ref: ref() })).toThrow(
        /was called as/,
      )
    })
    expect(await cell.stub.snapshot()).toMatchObject({ skuId: cell.skuId, onHand: 1 })
  })
})

describe("holds lapse", () => {
  it("the alarm releases an expired hold and an expired hold can't be committed", async () => {
    const { cell, clock } = await setup()
    await stocked(cell, 5)
    const r = await cell.stub.reserve({
      ...cell.key,
      opId: cell.op(),
      holdId: "ord_late",
      qty: 3,
      expiresAt: clock.now + 900_000,
      ref: ref(),
    })
    expect(r).toMatchObject({ ok: true, available: 2 })
    clock.advance(900_000)
    expect(await runDurableObjectAlarm(cell.stub)).toBe(true)
    expect(await cell.stub.hold("ord_late")).toMatchObject({ status: "expired" })
    expect(await expectInvariants(cell)).toMatchObject({ reserved: 0, available: 5 })
    expect(await cell.stub.commit({ ...cell.key, opId: cell.op(), holdId: "ord_late" })).toEqual({
      ok: false,
      code: "hold_expired",
      holdId: "ord_late",
      expiresAt: r.ok ? r.expiresAt : 0,
    })
  })

  it("a hold past its time is not counted even before the alarm has run", async () => {
    const { cell, clock } = await setup()
    await stocked(cell, 2)
    await cell.stub.reserve({
      ...cell.key,
      opId: cell.op(),
      holdId: "ord_a",
      qty: 2,
      expiresAt: clock.now + 1000,
      ref: ref(),
    })
    clock.advance(1000)
    const r = await cell.stub.reserve({
      ...cell.key,
      opId: cell.op(),
      holdId: "ord_b",
      qty: 2,
      expiresAt: clock.now + 1000,
      ref: ref(),
    })
    expect(r).toMatchObject({ ok: true, available: 0 })
    expect(await cell.stub.commit({ ...cell.key, opId: cell.op(), holdId: "ord_a" })).toMatchObject({
      code: "hold_expired",
    })
    expect(await cell.stub.release({ ...cell.key, opId: cell.op(), holdId: "ord_a" })).toMatchObject({
      ok: true,
      released: 0,
    })
  })
})

describe("replenishment signal", () => {
  it("crossing the reorder point downward emits exactly one replenish event, re-armed after it rises", async () => {
    const { cell } = await setup()
    await stocked(cell, 10)
    await cell.stub.setPolicy({ ...cell.key, opId: cell.op(), reorderPoint: 5, max: 30, safetyStock: 2 })
    const sell = (qty: number) => cell.stub.sell({ ...cell.key, opId: cell.op(), qty, ref: ref() })
    const replenish = async () => (await outbox(cell)).filter((o) => o.event.kind === "replenish")
    await sell(3) // 7
    expect(await replenish()).toHaveLength(0)
    await sell(2) // 5: at the point
    await sell(1) // 4
    await cell.stub.reserve({ ...cell.key, opId: cell.op(), holdId: "ord_r", qty: 2, expiresAt: later(), ref: ref() })
    await sell(1) // 1 available
    const once = await replenish()
    expect(once).toHaveLength(1)
    expect(once[0]!.event).toMatchObject({
      availableAfter: 5,
      delta: 0,
      data: { reorderPoint: 5, max: 30, safetyStock: 2 },
    })
    await stocked(cell, 20) // back above
    await sell(18) // below again
    expect(await replenish()).toHaveLength(2)
    await expectInvariants(cell)
  })
})

describe("flash-sale limits (限购)", () => {
  it("caps what one customer can hold or buy within the window", async () => {
    const { cell, clock } = await setup()
    await stocked(cell, 100)
    await cell.stub.setLimit({ ...cell.key, opId: cell.op(), perCustomer: 2, windowMs: HOUR })
    const buy = (customerId: string | null, qty: number, holdId = uid("ord")) =>
      cell.stub.reserve({
        ...cell.key,
        opId: cell.op(),
        holdId,
        qty,
        customerId,
        expiresAt: clock.now + 600_000,
        ref: ref(),
      })
    expect(await buy("bot", 1)).toMatchObject({ ok: true })
    expect(await cell.stub.sell({ ...cell.key, opId: cell.op(), qty: 1, customerId: "bot", ref: ref() })).toMatchObject(
      { ok: true },
    )
    expect(await buy("bot", 1)).toEqual({
      ok: false,
      code: "limit_exceeded",
      perCustomer: 2,
      bought: 2,
      requested: 1,
      windowMs: HOUR,
    })
    expect(await buy(null, 1)).toEqual({ ok: false, code: "customer_required" })
    expect(await buy("alice", 2)).toMatchObject({ ok: true })
    // A released hold no longer counts; a new window starts afresh.
    const h = uid("ord")
    expect(await buy("carol", 2, h)).toMatchObject({ ok: true })
    await cell.stub.release({ ...cell.key, opId: cell.op(), holdId: h })
    expect(await buy("carol", 2)).toMatchObject({ ok: true })
    clock.advance(HOUR + 1)
    expect(await buy("bot", 2)).toMatchObject({ ok: true })
    // Offline sales are facts: never limited.
    expect(
      await cell.stub.recordOfflineSale({ ...cell.key, opId: cell.op(), qty: 5, occurredAt: clock.now, ref: ref() }),
    ).toMatchObject({
      ok: true,
    })
    await cell.stub.setLimit({ ...cell.key, opId: cell.op(), perCustomer: null, windowMs: HOUR })
    expect(await buy(null, 10)).toMatchObject({ ok: true })
  })
})

describe("durability", () => {
  it("keeps its state, holds and op results across eviction", async () => {
    const { cell } = await setup()
    await stocked(cell, 9, { lot: "L9", expiresOn: "2027-05-05", unitCostFen: 77 })
    await cell.stub.setPolicy({ ...cell.key, opId: "pol", reorderPoint: 2, max: null, safetyStock: null })
    const held = await cell.stub.reserve({
      ...cell.key,
      opId: "res",
      holdId: "ord_e",
      qty: 4,
      expiresAt: later(),
      ref: ref(),
    })
    const before = await cell.stub.snapshot()
    await evictDurableObject(cell.stub)
    const after = await cell.stub.snapshot()
    expect({ ...after, outboxPending: 0 }).toEqual({ ...before, outboxPending: 0 })
    expect(
      withoutReplay(
        await cell.stub.reserve({ ...cell.key, opId: "res", holdId: "ord_e", qty: 4, expiresAt: later(), ref: ref() }),
      ),
    ).toEqual(held)
    const c = await cell.stub.commit({ ...cell.key, opId: cell.op(), holdId: "ord_e" })
    expect(c).toMatchObject({ ok: true, costFen: 4 * 77, onHand: 5 })
    await expectInvariants(cell)
  })
})
