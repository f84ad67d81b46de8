// Model-based test: random sequences of calls (with replays, time passing and alarms) against a
// real StockCell and against a few lines of in-memory bookkeeping; after every step both must
// agree on on hand, reserved and available, and the cell's invariants must hold.
import { runDurableObjectAlarm } from "cloudflare:test"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { expectInvariants, fakeClock, newCell, ref, type TestCell, withoutReplay } from "./stock-cell-helpers"

type Hold = { qty: number; expiresAt: number; status: "active" | "committed" | "released" | "expired" }
type Model = { now: number; onHand: number; holds: Map<string, Hold>; facts: boolean }
type Call = { run: () => Promise<object>; first: object }
type Real = { cell: TestCell; clock: { now: number; advance: (ms: number) => number }; calls: Call[]; n: number }

const HOLD_IDS = ["h1", "h2", "h3", "h4"]
const expired = (h: Hold, now: number) => h.status === "expired" || (h.status === "active" && h.expiresAt <= now)
const reserved = (m: Model) =>
  [...m.holds.values()].filter((h) => h.status === "active" && h.expiresAt > m.now).reduce((s, h) => s + h.qty, 0)
const available = (m: Model) => m.onHand - reserved(m)

const codeOf = (r: object) => ("code" in r ? r.code : "ok")

/** Runs a fresh call on the cell, records it for later replays, checks the outcome code and the levels. */
async function act(m: Model, r: Real, expected: string, run: (opId: string) => Promise<object>) {
  const opId = `op_${++r.n}`
  const call = () => run(opId)
  const result = await call()
  // Only what changed the cell is remembered under its opId; a refusal is decided afresh when retried.
  if (codeOf(result) === "ok") r.calls.push({ run: call, first: result })
  expect(codeOf(result)).toBe(expected)
  await compare(m, r)
}

async function compare(m: Model, r: Real) {
  const snap = await expectInvariants(r.cell, { afterFact: m.facts })
  expect({ onHand: snap.onHand, reserved: snap.reserved, available: snap.available }).toEqual({
    onHand: m.onHand,
    reserved: reserved(m),
    available: available(m),
  })
}

class Receive implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly qty: number,
    readonly lot: string | null,
  ) {}
  check = () => true
  async run(m: Model, r: Real) {
    m.onHand += this.qty
    const lot = this.lot
    await act(m, r, "ok", (opId) =>
      r.cell.stub.receive({
        ...r.cell.key,
        opId,
        qty: this.qty,
        lot,
        expiresOn: lot ? `2027-0${lot.length}-01` : null,
        unitCostFen: 100,
        ref: ref(),
      }),
    )
  }
  toString = () => `receive(${this.qty}, ${this.lot})`
}

class Reserve implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly holdId: string,
    readonly qty: number,
    readonly ttl: number,
  ) {}
  check = () => true
  async run(m: Model, r: Real) {
    const h = m.holds.get(this.holdId)
    let expected = "ok"
    if (h) {
      if (!(h.status === "active" && !expired(h, m.now) && h.qty === this.qty)) expected = "hold_exists"
    } else if (this.qty > available(m)) expected = "insufficient_stock"
    else m.holds.set(this.holdId, { qty: this.qty, expiresAt: m.now + this.ttl, status: "active" })
    const expiresAt = m.now + this.ttl
    await act(m, r, expected, (opId) =>
      r.cell.stub.reserve({ ...r.cell.key, opId, holdId: this.holdId, qty: this.qty, expiresAt, ref: ref() }),
    )
  }
  toString = () => `reserve(${this.holdId}, ${this.qty}, ttl ${this.ttl})`
}

class Commit implements fc.AsyncCommand<Model, Real> {
  constructor(readonly holdId: string) {}
  check = () => true
  async run(m: Model, r: Real) {
    const h = m.holds.get(this.holdId)
    let expected = "ok"
    if (!h) expected = "hold_not_found"
    else if (h.status === "committed") expected = "hold_committed"
    else if (h.status === "released") expected = "hold_released"
    else if (expired(h, m.now)) {
      expected = "hold_expired"
      h.status = "expired"
    } else if (m.onHand < h.qty) expected = "hold_short"
    else {
      h.status = "committed"
      m.onHand -= h.qty
    }
    await act(m, r, expected, (opId) => r.cell.stub.commit({ ...r.cell.key, opId, holdId: this.holdId }))
  }
  toString = () => `commit(${this.holdId})`
}

class Release implements fc.AsyncCommand<Model, Real> {
  constructor(readonly holdId: string) {}
  check = () => true
  async run(m: Model, r: Real) {
    const h = m.holds.get(this.holdId)
    let expected = "ok"
    if (!h) expected = "hold_not_found"
    else if (h.status === "committed") expected = "hold_committed"
    else if (h.status === "active" && !expired(h, m.now)) h.status = "released"
    else if (h.status === "active") h.status = "expired"
    await act(m, r, expected, (opId) => r.cell.stub.release({ ...r.cell.key, opId, holdId: this.holdId }))
  }
  toString = () => `release(${this.holdId})`
}

class Sell implements fc.AsyncCommand<Model, Real> {
  constructor(readonly qty: number) {}
  check = () => true
  async run(m: Model, r: Real) {
    const expected = this.qty > available(m) ? "insufficient_stock" : "ok"
    if (expected === "ok") m.onHand -= this.qty
    await act(m, r, expected, (opId) => r.cell.stub.sell({ ...r.cell.key, opId, qty: this.qty, ref: ref() }))
  }
  toString = () => `sell(${this.qty})`
}

class OfflineSale implements fc.AsyncCommand<Model, Real> {
  constructor(readonly qty: number) {}
  check = () => true
  async run(m: Model, r: Real) {
    m.onHand -= this.qty
    m.facts = true
    const at = m.now - 1000
    await act(m, r, "ok", (opId) =>
      r.cell.stub.recordOfflineSale({ ...r.cell.key, opId, qty: this.qty, occurredAt: at, ref: ref() }),
    )
  }
  toString = () => `offline(${this.qty})`
}

class Adjust implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly delta: number,
    readonly fact: boolean,
  ) {}
  check = () => true
  async run(m: Model, r: Real) {
    let expected = "ok"
    if (this.delta < 0 && !this.fact && -this.delta > available(m)) expected = "insufficient_stock"
    else m.onHand += this.delta
    if (expected === "ok" && this.fact && this.delta < 0) m.facts = true
    await act(m, r, expected, (opId) =>
      r.cell.stub.adjust({ ...r.cell.key, opId, delta: this.delta, fact: this.fact, reason: "count", ref: ref() }),
    )
  }
  toString = () => `adjust(${this.delta}${this.fact ? ", fact" : ""})`
}

class Tick implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly ms: number,
    readonly alarm: boolean,
  ) {}
  check = () => true
  async run(m: Model, r: Real) {
    m.now += this.ms
    r.clock.advance(this.ms)
    if (this.alarm) {
      await runDurableObjectAlarm(r.cell.stub)
      for (const h of m.holds.values()) if (h.status === "active" && h.expiresAt <= m.now) h.status = "expired"
    }
    await compare(m, r)
  }
  toString = () => `tick(${this.ms}${this.alarm ? ", alarm" : ""})`
}

/** Sends an earlier call again, byte for byte: same answer, nothing changes. */
class Replay implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check = () => true
  async run(m: Model, r: Real) {
    if (r.calls.length === 0) return
    const call = r.calls[this.pick % r.calls.length]!
    const again = await call.run()
    expect(withoutReplay(again)).toEqual(call.first)
    await compare(m, r)
  }
  toString = () => `replay(#${this.pick})`
}

const holdId = fc.constantFrom(...HOLD_IDS)
const qty = fc.integer({ min: 1, max: 8 })
const commands = [
  fc.tuple(qty, fc.option(fc.constantFrom("A", "BB", "CCC"), { nil: null })).map(([q, l]) => new Receive(q, l)),
  fc.tuple(holdId, qty, fc.integer({ min: 1, max: 5000 })).map(([h, q, t]) => new Reserve(h, q, t)),
  holdId.map((h) => new Commit(h)),
  holdId.map((h) => new Release(h)),
  qty.map((q) => new Sell(q)),
  fc.integer({ min: 1, max: 4 }).map((q) => new OfflineSale(q)),
  fc
    .tuple(
      fc.integer({ min: -6, max: 6 }).filter((d) => d !== 0),
      fc.boolean(),
    )
    .map(([d, f]) => new Adjust(d, f)),
  fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.boolean()).map(([ms, a]) => new Tick(ms, a)),
  fc.nat().map((p) => new Replay(p)),
]

describe("StockCell against a model", () => {
  it("agrees with the model under random calls, replays, expiry and alarms", async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 30 }), async (cmds) => {
        const cell = newCell()
        const clock = await fakeClock(cell)
        const setup = async () => ({
          model: { now: clock.now, onHand: 0, holds: new Map<string, Hold>(), facts: false },
          real: { cell, clock, calls: [], n: 0 },
        })
        await fc.asyncModelRun(setup, cmds)
      }),
      { numRuns: 40 },
    )
    // Generous: the runs are many small RPCs, and CI machines are shared.
  }, 120_000)
})
