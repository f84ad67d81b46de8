// Shared by the stock-cell test files: fresh cells with their own ids (storage is per test file,
// not per test), a controllable clock, and the invariants every story ends by checking.
import { runInDurableObject } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { expect } from "vitest"
import { cellName, cellStub } from "../../worker/stock-cell/client"
import type { StockCell } from "../../worker/stock-cell/stock-cell"
import type { CellEvent, CellSnapshot, StockRef } from "../../worker/stock-cell/types"

export const uid = (prefix: string) => `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`

export const ref = (id = uid("doc"), type = "test"): StockRef => ({ type, id, actorId: "usr_tester" })

export type TestCell = ReturnType<typeof newCell>

/** A new SKU at a new location, and an opId counter for it. */
export function newCell(locationId = uid("loc"), skuId = uid("sku")) {
  let n = 0
  const stub = cellStub(env, locationId, skuId)
  return {
    locationId,
    skuId,
    name: cellName(locationId, skuId),
    stub,
    key: { locationId, skuId },
    op: (label = "op") => `${label}_${++n}`,
  }
}

/** Replaces the cell's clock with a hand-moved one (lost on eviction: set it again after). */
export async function fakeClock(cell: TestCell, start = Date.now() + 365 * 24 * 3600 * 1000) {
  const clock = { now: start, advance: (ms: number) => (clock.now += ms) }
  await runInDurableObject(cell.stub, (instance: StockCell) => {
    instance.clock = () => clock.now
  })
  return clock
}

export type OutboxRow = { seq: number; event: CellEvent }

export async function outbox(cell: TestCell): Promise<OutboxRow[]> {
  return runInDurableObject(cell.stub, (_i: StockCell, state) =>
    state.storage.sql
      .exec<{ seq: number; event: string }>("SELECT seq, event FROM outbox ORDER BY seq")
      .toArray()
      .map((r) => ({ seq: r.seq, event: JSON.parse(r.event) as CellEvent })),
  )
}

export async function alarmAt(cell: TestCell): Promise<number | null> {
  return runInDurableObject(cell.stub, (_i: StockCell, state) => state.storage.getAlarm())
}

type MoveRow = { seq: number; kind: string; delta: number }

/** Every event the cell ever emitted: the outbox (read atomically with a snapshot) plus what reached D1. */
export async function ledger(cell: TestCell): Promise<{ snap: CellSnapshot; moves: MoveRow[] }> {
  const { snap, pending } = await runInDurableObject(cell.stub, (instance: StockCell, state) => ({
    snap: instance.snapshot(),
    pending: state.storage.sql
      .exec<{ seq: number; event: string }>("SELECT seq, event FROM outbox ORDER BY seq")
      .toArray()
      .map((r) => {
        const e = JSON.parse(r.event) as CellEvent
        return { seq: r.seq, kind: e.kind, delta: e.delta }
      }),
  }))
  const flushed = await env.DB.prepare("SELECT seq, kind, delta FROM stock_moves WHERE cell = ? ORDER BY seq")
    .bind(cell.name)
    .all<MoveRow>()
  const bySeq = new Map<number, MoveRow>()
  for (const m of [...flushed.results, ...pending]) bySeq.set(m.seq, m)
  return { snap, moves: [...bySeq.values()].sort((a, b) => a.seq - b.seq) }
}

/**
 * The cell's invariants: on hand = Σ lots + lot-less; lots never negative; available = on hand −
 * reserved; reserved ≤ on hand unless `afterFact`; the ledger's deltas add up to on hand and its
 * seqs are unique and increasing.
 */
export async function expectInvariants(cell: TestCell, opts: { afterFact?: boolean } = {}) {
  const { snap, moves } = await ledger(cell)
  expect(snap.onHand).toBe(snap.lots.reduce((s, l) => s + l.qty, 0) + snap.lotless)
  for (const l of snap.lots) expect(l.qty).toBeGreaterThan(0)
  expect(snap.available).toBe(snap.onHand - snap.reserved)
  expect(snap.reserved).toBeGreaterThanOrEqual(0)
  if (!opts.afterFact) expect(snap.reserved).toBeLessThanOrEqual(snap.onHand)
  expect(moves.reduce((s, m) => s + m.delta, 0)).toBe(snap.onHand)
  for (const m of moves) if (m.kind === "replenish" || m.kind === "discrepancy") expect(m.delta).toBe(0)
  for (const m of moves) if (m.kind !== "replenish" && m.kind !== "discrepancy") expect(m.delta).not.toBe(0)
  return snap
}

/** Drops the `replayed` marker so a replay can be compared with the first answer. */
export const withoutReplay = <T extends object>(r: T) => {
  const { replayed: _ignored, ...rest } = r as T & { replayed?: true }
  return rest
}
