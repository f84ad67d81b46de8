// The cell's projection to D1 (stock_moves, stock_levels) and to the REPLENISH queue, run by the
// alarm: at-least-once, harmless when repeated, and self-rescheduling when D1 or the queue fails.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { FLUSH_DELAY_MS, flushBackoffMs, type StockCell } from "../../worker/stock-cell/stock-cell"
import type { ReplenishMessage } from "../../worker/stock-cell/types"
import {
  alarmAt,
  expectInvariants,
  fakeClock,
  newCell,
  type OutboxRow,
  outbox,
  ref,
  type TestCell,
} from "./stock-cell-helpers"

const HOUR = 3600_000

async function setup() {
  const cell = newCell()
  const clock = await fakeClock(cell)
  return { cell, clock }
}

type MoveRow = {
  seq: number
  kind: string
  delta: number
  lot: string | null
  cost_fen: number | null
  ref_id: string | null
}
type LevelRow = {
  on_hand: number
  reserved: number
  available: number
  version: number
  in_transit: number
  last_seq: number
}

const moves = async (cell: TestCell) =>
  (
    await env.DB.prepare("SELECT seq, kind, delta, lot, cost_fen, ref_id FROM stock_moves WHERE cell = ? ORDER BY seq")
      .bind(cell.name)
      .all<MoveRow>()
  ).results
const level = (cell: TestCell) =>
  env.DB.prepare("SELECT on_hand, reserved, available, version, in_transit, last_seq FROM stock_levels WHERE cell = ?")
    .bind(cell.name)
    .first<LevelRow>()

/** Puts rows back into the outbox, as if the previous flush had died after D1 but before deleting them. */
const restore = (cell: TestCell, rows: OutboxRow[]) =>
  runInDurableObject(cell.stub, (_i: StockCell, state) => {
    for (const r of rows)
      state.storage.sql.exec("INSERT INTO outbox (seq, event) VALUES (?, ?)", r.seq, JSON.stringify(r.event))
  })

const flushState = (cell: TestCell) =>
  runInDurableObject(cell.stub, (_i: StockCell, state) =>
    state.storage.sql
      .exec<{ flush_attempts: number; flush_retry_at: number }>("SELECT flush_attempts, flush_retry_at FROM cell")
      .one(),
  )

/** Swaps a binding inside the running object (a test double for the queue); returns the undo. */
const swapBinding = async (cell: TestCell, patch: Partial<Env>) =>
  runInDurableObject(cell.stub, (instance: StockCell) => {
    const holder = instance as unknown as { env: Env }
    const original = holder.env
    holder.env = { ...original, ...patch }
    return () =>
      runInDurableObject(cell.stub, (i: StockCell) => {
        ;(i as unknown as { env: Env }).env = original
      })
  })

describe("projection to D1", () => {
  it("copies every outbox event to stock_moves and the level to stock_levels, then empties the outbox", async () => {
    const { cell, clock } = await setup()
    await cell.stub.receive({
      ...cell.key,
      opId: "r1",
      qty: 10,
      lot: "L1",
      expiresOn: "2027-01-01",
      unitCostFen: 40,
      ref: ref("rk1"),
    })
    await cell.stub.setPolicy({ ...cell.key, opId: "p1", reorderPoint: 6, max: 20, safetyStock: 1 })
    await cell.stub.sell({ ...cell.key, opId: "s1", qty: 3, ref: ref("sale_1") })
    await cell.stub.reserve({
      ...cell.key,
      opId: "h1",
      holdId: "ord_1",
      qty: 2,
      expiresAt: clock.now + HOUR,
      ref: ref("ord_1"),
    })
    await cell.stub.recordOfflineSale({
      ...cell.key,
      opId: "o1",
      qty: 9,
      occurredAt: clock.now - HOUR,
      ref: ref("sale_2"),
    })
    const pending = await outbox(cell)
    expect(pending.map((o) => o.event.kind)).toEqual([
      "receive",
      "sale",
      "replenish",
      "offline_sale",
      "offline_sale",
      "discrepancy",
    ])
    // The alarm is due one short delay after the first change.
    expect(await alarmAt(cell)).toBeLessThanOrEqual(clock.now + FLUSH_DELAY_MS)

    expect(await runDurableObjectAlarm(cell.stub)).toBe(true)
    expect(await outbox(cell)).toEqual([])
    const rows = await moves(cell)
    expect(rows.map((r) => [r.seq, r.kind, r.delta, r.lot])).toEqual(
      pending.map((o) => [o.seq, o.event.kind, o.event.delta, o.event.lot]),
    )
    expect(rows.find((r) => r.kind === "sale")).toMatchObject({ cost_fen: 120, ref_id: "sale_1" })
    const snap = await expectInvariants(cell, { afterFact: true })
    expect(await level(cell)).toEqual({
      on_hand: snap.onHand,
      reserved: 2,
      available: snap.available,
      version: snap.version,
      in_transit: 0,
      last_seq: pending.at(-1)!.seq,
    })
    // Nothing left to flush: the next alarm is the hold's expiry.
    expect(await alarmAt(cell)).toBe(clock.now + HOUR)

    // The hold lapses: the alarm releases it and the level follows.
    clock.advance(HOUR)
    expect(await runDurableObjectAlarm(cell.stub)).toBe(true)
    expect(await level(cell)).toMatchObject({ reserved: 0, available: snap.onHand })
  })

  it("a repeated copy of the same outbox rows changes nothing in D1", async () => {
    const { cell } = await setup()
    await cell.stub.receive({ ...cell.key, opId: "r1", qty: 5, ref: ref() })
    await cell.stub.sell({ ...cell.key, opId: "s1", qty: 2, ref: ref() })
    const pending = await outbox(cell)
    await runDurableObjectAlarm(cell.stub)
    const first = await moves(cell)
    await restore(cell, pending)
    await runInDurableObject(cell.stub, (i: StockCell) => i.alarm())
    expect(await moves(cell)).toEqual(first)
    expect(await outbox(cell)).toEqual([])
    await expectInvariants(cell)
  })

  it("an older level never overwrites a newer one", async () => {
    const { cell } = await setup()
    await cell.stub.receive({ ...cell.key, opId: "r1", qty: 5, ref: ref() })
    await runDurableObjectAlarm(cell.stub)
    // A newer level already landed (as if a later flush overtook this one).
    await env.DB.prepare("UPDATE stock_levels SET version = version + 1000, on_hand = 4242 WHERE cell = ?")
      .bind(cell.name)
      .run()
    await cell.stub.sell({ ...cell.key, opId: "s1", qty: 1, ref: ref() })
    await runDurableObjectAlarm(cell.stub)
    expect(await level(cell)).toMatchObject({ on_hand: 4242 })
    expect((await moves(cell)).map((m) => m.kind)).toEqual(["receive", "sale"])
  })
})

describe("failures", () => {
  it("when D1 is down the alarm keeps the outbox, re-arms itself with backoff, and catches up later", async () => {
    const { cell, clock } = await setup()
    await cell.stub.receive({ ...cell.key, opId: "r1", qty: 5, ref: ref() })
    await env.DB.exec("ALTER TABLE stock_moves RENAME TO stock_moves_away")
    try {
      expect(await runDurableObjectAlarm(cell.stub)).toBe(true)
      expect(await flushState(cell)).toEqual({ flush_attempts: 1, flush_retry_at: clock.now + flushBackoffMs(1) })
      expect(await alarmAt(cell)).toBe(clock.now + flushBackoffMs(1))
      // New changes keep coming in meanwhile, and don't pull the retry earlier.
      await cell.stub.sell({ ...cell.key, opId: "s1", qty: 1, ref: ref() })
      expect(await alarmAt(cell)).toBe(clock.now + flushBackoffMs(1))
      clock.advance(flushBackoffMs(1))
      expect(await runDurableObjectAlarm(cell.stub)).toBe(true)
      expect(await flushState(cell)).toEqual({ flush_attempts: 2, flush_retry_at: clock.now + flushBackoffMs(2) })
      expect(flushBackoffMs(2)).toBe(2 * flushBackoffMs(1))
      expect((await outbox(cell)).map((o) => o.event.kind)).toEqual(["receive", "sale"])
    } finally {
      await env.DB.exec("ALTER TABLE stock_moves_away RENAME TO stock_moves")
    }
    clock.advance(flushBackoffMs(2))
    expect(await runDurableObjectAlarm(cell.stub)).toBe(true)
    expect(await flushState(cell)).toEqual({ flush_attempts: 0, flush_retry_at: 0 })
    expect((await moves(cell)).map((m) => m.kind)).toEqual(["receive", "sale"])
    expect(await level(cell)).toMatchObject({ on_hand: 4, available: 4 })
    expect(await outbox(cell)).toEqual([])
    expect(await alarmAt(cell)).toBeNull()
  })

  it("sends replenish signals to the queue before forgetting them; a failed send is retried, D1 stays single", async () => {
    const { cell } = await setup()
    await cell.stub.receive({ ...cell.key, opId: "r1", qty: 5, ref: ref() })
    await cell.stub.setPolicy({ ...cell.key, opId: "p1", reorderPoint: 2, max: 10, safetyStock: null })
    await cell.stub.sell({ ...cell.key, opId: "s1", qty: 3, ref: ref() })
    const sent: ReplenishMessage[] = []
    let fail = true
    const queue = {
      send: async () => {},
      sendBatch: async (batch: Iterable<MessageSendRequest<ReplenishMessage>>) => {
        if (fail) throw new Error("queue unavailable")
        for (const m of batch) sent.push(m.body)
      },
    } as unknown as Queue
    const undo = await swapBinding(cell, { REPLENISH: queue })
    expect(await runDurableObjectAlarm(cell.stub)).toBe(true)
    expect(sent).toEqual([])
    expect((await outbox(cell)).map((o) => o.event.kind)).toEqual(["receive", "sale", "replenish"])
    expect(await moves(cell)).toHaveLength(3)
    fail = false
    expect(await runDurableObjectAlarm(cell.stub)).toBe(true)
    await undo()
    expect(await outbox(cell)).toEqual([])
    expect(await moves(cell)).toHaveLength(3)
    const seq = (await moves(cell)).find((m) => m.kind === "replenish")!.seq
    expect(sent).toEqual([
      {
        cell: cell.name,
        locationId: cell.locationId,
        skuId: cell.skuId,
        seq,
        available: 2,
        onHand: 2,
        reorderPoint: 2,
        max: 10,
        safetyStock: null,
        occurredAt: expect.any(Number),
      },
    ])
  })
})
