// A till sale whose worker dies half-way, at each step, with real cells: the repair job (or the
// till's own retry with the same Idempotency-Key) rolls it forward when the money was taken and
// the goods are committed or still held, and back otherwise — goods, stored value, points and
// customer-code payments exactly right, the sale written once with its own id, or not at all.
// A death is a createSale that stops at a step and never resumes; a slow request resumes later.
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { makeDb } from "../../worker/db/client"
import { manualGateway, type PaymentGateway } from "../../worker/modules/sales/payments"
import { repairSaleIntents } from "../../worker/modules/sales/repair"
import { createSale, type SaleInput, type SaleStep, type SalesCtx } from "../../worker/modules/sales/service"
import { call } from "./helpers"
import { cell, member, memberBalances, shop, tillActor, wechatCode } from "./sales-helpers"
import { flush, movesOf } from "./stock-helpers"

const db = () => makeDb(env.DB)

/** A WeChat gateway that remembers what it was paid and reversed, as a real one would. */
function wechat() {
  const state = new Map<string, "paid" | "reversed">()
  const gateway: PaymentGateway = {
    name: "wechat-test",
    pay: async (r) => {
      state.set(r.paymentId, "paid")
      return { status: "paid", providerRef: `wx:${r.paymentId}` }
    },
    query: async (id) =>
      state.get(id) === "paid"
        ? { status: "paid", providerRef: `wx:${id}` }
        : { status: "failed", reason: "not_found" },
    reverse: async (id) => {
      if (state.has(id)) state.set(id, "reversed")
    },
    refund: async () => {},
  }
  return { gateway, state }
}

/** A store, two SKUs at ¥10 with 10 each, a member with ¥50 stored value, and a 3-tender sale of ¥30. */
async function scene() {
  const { store, skuIds, cashier } = await shop({ skus: 2, priceFen: 1000, qty: 10 })
  const m = await member(cashier.token, store, 5000)
  const { gateway, state } = wechat()
  const input: SaleInput = {
    locationId: store,
    memberId: m,
    lines: [
      { skuId: skuIds[0]!, qty: 2 },
      { skuId: skuIds[1]!, qty: 1 },
    ],
    payments: [
      { method: "stored_value", amountFen: 1000 },
      { method: "wechat", amountFen: 1500, authCode: wechatCode() },
      { method: "cash", amountFen: 500 },
    ],
  }
  const actor = tillActor(cashier.id, store)
  return { store, skuIds, cashier, m, gateway, state, input, actor }
}

type Scene = Awaited<ReturnType<typeof scene>>

/**
 * Starts the sale and lets it run until `step`, where it stops: forever (a dead worker), or until
 * `resume()` (a slow one). Resolves once it stands there, with the sale's id.
 */
async function stopAt(s: Scene, step: SaleStep, key: string | null = null) {
  let release = () => {}
  const gate = new Promise<void>((r) => {
    release = r
  })
  let reached: (id: string) => void = () => {}
  const at = new Promise<string>((r) => {
    reached = r
  })
  const ctx: SalesCtx = {
    db: db(),
    env,
    gateway: s.gateway,
    pause: async (now, saleId) => {
      if (now !== step) return
      reached(saleId)
      await gate
    },
  }
  const outcome = createSale(ctx, s.actor, s.input, { idempotencyKey: key }).then(
    (sale) => ({ sale, error: null }),
    (error: unknown) => ({ sale: null, error }),
  )
  const saleId = await Promise.race([at, outcome.then((o) => Promise.reject(o.error ?? new Error("finished")))])
  const resume = () => {
    release()
    return outcome
  }
  return { saleId, resume }
}

/** Time passes for the lease only: the intent's owner is now overdue (the cells' holds are not). */
const leaseRunsOut = (saleId: string) =>
  env.DB.prepare("update sale_intents set lease_until = ? where id = ?")
    .bind(Date.now() - 1, saleId)
    .run()

const repair = (s: Pick<Scene, "gateway">) => repairSaleIntents({ db: db(), env, gateway: s.gateway })

const intent = (id: string) =>
  env.DB.prepare("select state, outcome, idempotency_key as key from sale_intents where id = ?")
    .bind(id)
    .first<{ state: string; outcome: string | null; key: string | null }>()
const saleRow = (id: string) =>
  env.DB.prepare("select number, total_fen as total, cost_fen as cost, points_earned as points from sales where id = ?")
    .bind(id)
    .first<{ number: string; total: number; cost: number; points: number }>()
const payments = async (id: string) =>
  (
    await env.DB.prepare(
      "select method, amount_fen as amount, provider from sale_payments where sale_id = ? order by id",
    )
      .bind(id)
      .all()
  ).results
const salesOfSku = async (store: string, skuId: string) =>
  (await env.DB.prepare(
    "select count(*) as n from sale_lines l join sales s on s.id = l.sale_id where s.location_id = ? and l.sku_id = ?",
  )
    .bind(store, skuId)
    .first<{ n: number }>())!.n
const levels = async (store: string, skuId: string) => {
  const s = await cell(store, skuId).snapshot({ locationId: store, skuId })
  return { onHand: s.onHand, reserved: s.reserved }
}

describe("a till sale whose worker dies", () => {
  it("after the money and the goods, before the sale is written: the repair writes it, once, with its own id", async () => {
    const s = await scene()
    const { saleId } = await stopAt(s, "committed")
    expect(await saleRow(saleId)).toBeNull()
    await leaseRunsOut(saleId)

    const first = await repair(s)
    const again = await repair(s)
    expect(first.rolledForward).toBeGreaterThanOrEqual(1)
    expect(again).toEqual({ rolledForward: 0, rolledBack: 0, busy: 0, failed: 0 })

    const sale = await saleRow(saleId)
    expect(sale?.number).toMatch(/^XS\d{8}-\d{4}$/)
    expect(sale).toMatchObject({ total: 3000, cost: 3 * 600, points: 20 })
    expect(await payments(saleId)).toEqual([
      { method: "stored_value", amount: 1000, provider: "stored_value" },
      { method: "wechat", amount: 1500, provider: "wechat-test" },
      { method: "cash", amount: 500, provider: "cash" },
    ])
    expect(await intent(saleId)).toMatchObject({ state: "done" })
    // Stored value charged once; the points the sale earned (¥20 not paid by stored value) posted.
    expect(await memberBalances(s.cashier.token, s.m)).toEqual({ points: 20, storedValueFen: 4000 })
    expect(s.state.get(`${saleId}:2`)).toBe("paid")
    expect(await levels(s.store, s.skuIds[0]!)).toEqual({ onHand: 8, reserved: 0 })
    expect(await levels(s.store, s.skuIds[1]!)).toEqual({ onHand: 9, reserved: 0 })
    await flush(s.store, ...s.skuIds)
    const moves = (await movesOf(s.store, s.skuIds[0]!)).filter((m) => m.ref_id === saleId)
    expect(moves.map((m) => [m.kind, m.delta])).toEqual([["sale", -2]])
  })

  it("after the money, before the goods are committed: a retry with the same key commits the held goods and gets the sale", async () => {
    const s = await scene()
    const key = `k-${crypto.randomUUID()}`
    const { saleId } = await stopAt(s, "paid:2", key)
    await leaseRunsOut(saleId)

    // The till retries over HTTP with the same key: no second sale, the first one finished.
    const body = { ...s.input, payments: s.input.payments }
    const retry = await call("POST", "/sales", { token: s.cashier.token, key, body })
    expect(retry.status, JSON.stringify(retry.body)).toBe(201)
    expect(retry.body.id).toBe(saleId)
    expect(retry.body.totalFen).toBe(3000)
    expect(await levels(s.store, s.skuIds[0]!)).toEqual({ onHand: 8, reserved: 0 })
    expect(await salesOfSku(s.store, s.skuIds[0]!)).toBe(1)
    expect(await memberBalances(s.cashier.token, s.m)).toEqual({ points: 20, storedValueFen: 4000 })

    // And again: the stored answer, still one sale.
    const replay = await call("POST", "/sales", { token: s.cashier.token, key, body })
    expect(replay.body.id).toBe(saleId)
    expect(await salesOfSku(s.store, s.skuIds[0]!)).toBe(1)
  })

  it("after the stored value, before the customer's code: the repair gives the stored value back and frees the goods", async () => {
    const s = await scene()
    const { saleId } = await stopAt(s, "paid:0")
    expect((await memberBalances(s.cashier.token, s.m)).storedValueFen).toBe(4000)
    expect(await levels(s.store, s.skuIds[0]!)).toEqual({ onHand: 10, reserved: 2 })
    await leaseRunsOut(saleId)

    expect((await repair(s)).rolledBack).toBeGreaterThanOrEqual(1)
    expect(await repair(s)).toEqual({ rolledForward: 0, rolledBack: 0, busy: 0, failed: 0 })
    expect(await saleRow(saleId)).toBeNull()
    expect(await intent(saleId)).toEqual({ state: "rolled_back", outcome: "money_not_taken", key: null })
    expect(await memberBalances(s.cashier.token, s.m)).toEqual({ points: 0, storedValueFen: 5000 })
    expect(await levels(s.store, s.skuIds[0]!)).toEqual({ onHand: 10, reserved: 0 })
    expect(await levels(s.store, s.skuIds[1]!)).toEqual({ onHand: 10, reserved: 0 })
  })

  it("with the goods committed but no trace of the code payment (unrecorded, unknown to the gateway): goods received back lot by lot, money refunded", async () => {
    const s = await scene()
    const { saleId } = await stopAt(s, "committed")
    // As if the worker had died between the gateway's answer and recording it, and the gateway gave up.
    s.state.delete(`${saleId}:2`)
    await env.DB.prepare("update sale_intents set plan = json_set(plan, '$.settled', json('{}')) where id = ?")
      .bind(saleId)
      .run()
    await leaseRunsOut(saleId)

    expect((await repair(s)).rolledBack).toBeGreaterThanOrEqual(1)
    expect(await saleRow(saleId)).toBeNull()
    expect(await memberBalances(s.cashier.token, s.m)).toEqual({ points: 0, storedValueFen: 5000 })
    expect(await levels(s.store, s.skuIds[0]!)).toEqual({ onHand: 10, reserved: 0 })
    await flush(s.store, s.skuIds[0]!)
    const moves = (await movesOf(s.store, s.skuIds[0]!)).filter((m) => m.ref_id === saleId)
    expect(moves.map((m) => [m.kind, m.delta])).toEqual([
      ["sale", -2],
      ["receive", 2],
    ])
  })

  it("after holding the goods, before any money: rolled back, and the same key then sells afresh, once", async () => {
    const s = await scene()
    const key = `k-${crypto.randomUUID()}`
    const { saleId } = await stopAt(s, "held", key)
    await leaseRunsOut(saleId)
    await repair(s)
    expect(await intent(saleId)).toMatchObject({ state: "rolled_back", key: null })
    expect(await levels(s.store, s.skuIds[0]!)).toEqual({ onHand: 10, reserved: 0 })

    const sold = await createSale({ db: db(), env, gateway: s.gateway }, s.actor, s.input, { idempotencyKey: key })
    expect(sold.id).not.toBe(saleId)
    expect(await levels(s.store, s.skuIds[0]!)).toEqual({ onHand: 8, reserved: 0 })
    expect(await memberBalances(s.cashier.token, s.m)).toEqual({ points: 20, storedValueFen: 4000 })
  })
})

describe("a till sale paid on the store's own terminal (the manual gateway, which keeps no record)", () => {
  it("dies after the confirmed code payment: the intent's record of it rolls the sale forward", async () => {
    const s = { ...(await scene()), gateway: manualGateway }
    const { saleId } = await stopAt(s, "committed")
    await leaseRunsOut(saleId)
    expect((await repair(s)).rolledForward).toBeGreaterThanOrEqual(1)
    expect(await payments(saleId)).toContainEqual({ method: "wechat", amount: 1500, provider: "manual" })
    expect(await levels(s.store, s.skuIds[0]!)).toEqual({ onHand: 8, reserved: 0 })
  })

  it("dies before the code payment was confirmed: rolled back, not booked as paid", async () => {
    const s = { ...(await scene()), gateway: manualGateway }
    const { saleId } = await stopAt(s, "paid:0")
    await leaseRunsOut(saleId)
    expect((await repair(s)).rolledBack).toBeGreaterThanOrEqual(1)
    expect(await saleRow(saleId)).toBeNull()
    expect(await memberBalances(s.cashier.token, s.m)).toEqual({ points: 0, storedValueFen: 5000 })
    expect(await levels(s.store, s.skuIds[0]!)).toEqual({ onHand: 10, reserved: 0 })
  })
})

describe("a till sale that is slow, not dead", () => {
  it("rolled forward by the repair meanwhile: when it wakes it writes nothing more and answers the same sale", async () => {
    const s = await scene()
    const slow = await stopAt(s, "committed")
    await leaseRunsOut(slow.saleId)
    expect((await repair(s)).rolledForward).toBeGreaterThanOrEqual(1)

    const woke = await slow.resume()
    expect(woke.error).toBeNull()
    expect(woke.sale?.id).toBe(slow.saleId)
    expect(await salesOfSku(s.store, s.skuIds[0]!)).toBe(1)
    expect(await levels(s.store, s.skuIds[0]!)).toEqual({ onHand: 8, reserved: 0 })
    expect(await memberBalances(s.cashier.token, s.m)).toEqual({ points: 20, storedValueFen: 4000 })
  })

  it("rolled back by the repair meanwhile: what it takes on waking is given back, and it sells nothing", async () => {
    const s = await scene()
    const slow = await stopAt(s, "held")
    await leaseRunsOut(slow.saleId)
    expect((await repair(s)).rolledBack).toBeGreaterThanOrEqual(1)

    // It wakes and charges the stored value and the code before finding its goods released.
    const woke = await slow.resume()
    expect(woke.error).toMatchObject({ status: 409, code: "hold_expired" })
    expect(await saleRow(slow.saleId)).toBeNull()
    expect(await memberBalances(s.cashier.token, s.m)).toEqual({ points: 0, storedValueFen: 5000 })
    expect(s.state.get(`${slow.saleId}:2`)).toBe("reversed")
    expect(await levels(s.store, s.skuIds[0]!)).toEqual({ onHand: 10, reserved: 0 })
  })

  it("two repair runs at once: one claims the sale, the other leaves it alone", async () => {
    const s = await scene()
    const { saleId } = await stopAt(s, "committed")
    await leaseRunsOut(saleId)
    const [a, b] = await Promise.all([repair(s), repair(s)])
    expect(a.rolledForward + b.rolledForward).toBe(1)
    expect(await salesOfSku(s.store, s.skuIds[0]!)).toBe(1)
    expect(await memberBalances(s.cashier.token, s.m)).toEqual({ points: 20, storedValueFen: 4000 })
  })
})

describe("a retry with the same Idempotency-Key after a crash", () => {
  it("after the first attempt died with the goods taken, the retry finishes that sale: one sale, never two", async () => {
    const s = await scene()
    const key = `k-${crypto.randomUUID()}`
    // The first attempt dies once the money is taken and the goods committed; it never answers.
    const dead = await stopAt(s, "committed", key)
    await leaseRunsOut(dead.saleId)
    const retry = await call("POST", "/sales", { token: s.cashier.token, key, body: s.input })
    expect(retry.status, JSON.stringify(retry.body)).toBeLessThan(300)
    expect(retry.body.id).toBe(dead.saleId)
    const replay = await call("POST", "/sales", { token: s.cashier.token, key, body: s.input })
    expect(replay.body.id).toBe(dead.saleId)
    expect(await salesOfSku(s.store, s.skuIds[0]!)).toBe(1)
    expect(await levels(s.store, s.skuIds[0]!)).toEqual({ onHand: 8, reserved: 0 })
    expect(await memberBalances(s.cashier.token, s.m)).toEqual({ points: 20, storedValueFen: 4000 })
  })

  it("while the first attempt still holds its lease: 409 in flight with Retry-After, nothing sold twice", async () => {
    const s = await scene()
    const key = `k-${crypto.randomUUID()}`
    const slow = await stopAt(s, "held", key)
    const retry = await createSale({ db: db(), env, gateway: s.gateway }, s.actor, s.input, {
      idempotencyKey: key,
    }).catch((e: unknown) => e)
    expect(retry).toMatchObject({ status: 409, code: "idempotency_in_flight" })
    expect(
      Number((retry as { extra: { headers: Record<string, string> } }).extra.headers["Retry-After"]),
    ).toBeGreaterThan(0)
    const done = await slow.resume()
    expect(done.sale?.id).toBe(slow.saleId)
    expect(await levels(s.store, s.skuIds[0]!)).toEqual({ onHand: 8, reserved: 0 })
  })
})

/** The same sale without a customer code: nothing can keep the customer waiting, so each line sells in one call. */
async function cashScene() {
  const s = await scene()
  const input: SaleInput = {
    ...s.input,
    payments: [
      { method: "stored_value", amountFen: 1000 },
      { method: "cash", amountFen: 2000 },
    ],
  }
  return { ...s, input }
}

const sellOne = (s: Scene, saleId: string, skuId: string, qty: number) =>
  cell(s.store, skuId).sell({
    locationId: s.store,
    skuId,
    opId: `${saleId}:${skuId}:sell`,
    holdId: saleId,
    qty,
    customerId: s.m,
    ref: { type: "sale", id: saleId, actorId: s.cashier.id },
  })

describe("a till sale paid without a customer code (its goods sold at once) whose worker dies", () => {
  it("after the goods and the money, before the sale is written: the repair writes it once, the goods leave once", async () => {
    const s = await cashScene()
    const { saleId } = await stopAt(s, "committed")
    expect(await levels(s.store, s.skuIds[0]!)).toEqual({ onHand: 8, reserved: 0 })
    await leaseRunsOut(saleId)

    expect((await repair(s)).rolledForward).toBeGreaterThanOrEqual(1)
    expect(await saleRow(saleId)).toMatchObject({ total: 3000, cost: 3 * 600, points: 20 })
    expect(await memberBalances(s.cashier.token, s.m)).toEqual({ points: 20, storedValueFen: 4000 })
    expect(await levels(s.store, s.skuIds[0]!)).toEqual({ onHand: 8, reserved: 0 })
    await flush(s.store, s.skuIds[0]!)
    const moves = (await movesOf(s.store, s.skuIds[0]!)).filter((m) => m.ref_id === saleId)
    expect(moves.map((m) => [m.kind, m.delta])).toEqual([["sale", -2]])
  })

  it("half-way through selling (one line sold, the other not reached), paid in cash: rolled back — the cashier saw it fail — and the sold line is back on sale", async () => {
    const s = await cashScene()
    const cashOnly = { ...s, input: { ...s.input, payments: [{ method: "cash" as const, amountFen: 3000 }] } }
    const { saleId } = await stopAt(cashOnly, "intent")
    expect((await sellOne(s, saleId, s.skuIds[0]!, 2)).ok).toBe(true)
    await leaseRunsOut(saleId)

    expect(await repair(s)).toMatchObject({ rolledForward: 0, rolledBack: 1 })
    expect(await saleRow(saleId)).toBeNull()
    expect(await levels(s.store, s.skuIds[0]!)).toEqual({ onHand: 10, reserved: 0 })
    expect(await levels(s.store, s.skuIds[1]!)).toEqual({ onHand: 10, reserved: 0 })
  })

  it("before any cell was touched, paid in cash: the repair gives it up; nothing is sold behind the cashier's back", async () => {
    const s = await cashScene()
    const cashOnly = { ...s, input: { ...s.input, payments: [{ method: "cash" as const, amountFen: 3000 }] } }
    const { saleId } = await stopAt(cashOnly, "intent")
    await leaseRunsOut(saleId)

    expect(await repair(s)).toMatchObject({ rolledForward: 0, rolledBack: 1 })
    expect(await saleRow(saleId)).toBeNull()
    expect(await levels(s.store, s.skuIds[0]!)).toEqual({ onHand: 10, reserved: 0 })
  })

  it("after selling, before the stored value was charged: goods received back lot by lot, the member charged nothing", async () => {
    const s = await cashScene()
    const { saleId } = await stopAt(s, "held")
    expect(await levels(s.store, s.skuIds[0]!)).toEqual({ onHand: 8, reserved: 0 })
    await leaseRunsOut(saleId)

    expect((await repair(s)).rolledBack).toBeGreaterThanOrEqual(1)
    expect(await intent(saleId)).toEqual({ state: "rolled_back", outcome: "money_not_taken", key: null })
    expect(await saleRow(saleId)).toBeNull()
    expect(await memberBalances(s.cashier.token, s.m)).toEqual({ points: 0, storedValueFen: 5000 })
    expect(await levels(s.store, s.skuIds[0]!)).toEqual({ onHand: 10, reserved: 0 })
    expect(await levels(s.store, s.skuIds[1]!)).toEqual({ onHand: 10, reserved: 0 })
    await flush(s.store, s.skuIds[0]!)
    const moves = (await movesOf(s.store, s.skuIds[0]!)).filter((m) => m.ref_id === saleId)
    expect(moves.map((m) => [m.kind, m.delta])).toEqual([
      ["sale", -2],
      ["receive", 2],
    ])
  })

  it("slow, not dead: given up by the repair before it sold, it wakes and can sell nothing (the rollback fenced its cells)", async () => {
    const s = await cashScene()
    const slow = await stopAt(s, "intent")
    await leaseRunsOut(slow.saleId)
    expect((await repair(s)).rolledBack).toBeGreaterThanOrEqual(1)

    const woke = await slow.resume()
    expect(woke.error).toMatchObject({ status: 409, code: "hold_expired" })
    expect(await saleRow(slow.saleId)).toBeNull()
    expect(await levels(s.store, s.skuIds[0]!)).toEqual({ onHand: 10, reserved: 0 })
    expect(await memberBalances(s.cashier.token, s.m)).toEqual({ points: 0, storedValueFen: 5000 })
  })
})

describe("a till sale paid without a customer code that is refused", () => {
  it("one line short: 409 naming it, the line that sold is given back, the stored value untouched", async () => {
    const s = await cashScene()
    const input = { ...s.input, lines: [s.input.lines[0]!, { skuId: s.skuIds[1]!, qty: 11 }] }
    const res = await call("POST", "/sales", {
      token: s.cashier.token,
      key: `k-${crypto.randomUUID()}`,
      body: {
        ...input,
        payments: [
          { method: "stored_value", amountFen: 1000 },
          { method: "cash", amountFen: 12_000 },
        ],
      },
    })
    expect(res.status, JSON.stringify(res.body)).toBe(409)
    expect(res.body).toMatchObject({ code: "insufficient_stock", errors: [{ path: "lines.1.qty", available: 10 }] })
    expect(await levels(s.store, s.skuIds[0]!)).toEqual({ onHand: 10, reserved: 0 })
    expect(await levels(s.store, s.skuIds[1]!)).toEqual({ onHand: 10, reserved: 0 })
    expect(await memberBalances(s.cashier.token, s.m)).toEqual({ points: 0, storedValueFen: 5000 })
  })

  it("a flash-sale line plus a short line: 409; the member's allowance is untouched, so the flash line alone then sells", async () => {
    const s = await cashScene()
    const flash = s.skuIds[0]!
    await cell(s.store, flash).setLimit({
      locationId: s.store,
      skuId: flash,
      opId: `limit-${flash}`,
      perCustomer: 2,
      windowMs: 3_600_000,
    })
    const sale = (lines: SaleInput["lines"], amountFen: number) =>
      call("POST", "/sales", {
        token: s.cashier.token,
        key: `k-${crypto.randomUUID()}`,
        body: { locationId: s.store, memberId: s.m, lines, payments: [{ method: "cash", amountFen }] },
      })
    const refused = await sale(
      [
        { skuId: flash, qty: 2 },
        { skuId: s.skuIds[1]!, qty: 11 },
      ],
      13_000,
    )
    expect(refused.status, JSON.stringify(refused.body)).toBe(409)
    const alone = await sale([{ skuId: flash, qty: 2 }], 2000)
    expect(alone.status, JSON.stringify(alone.body)).toBe(201)
    expect(await levels(s.store, flash)).toEqual({ onHand: 8, reserved: 0 })
  })

  it("a refusal writes nothing to the cell that refused (a flash sale's hot path stays read-only)", async () => {
    const s = await cashScene()
    const sku = s.skuIds[1]!
    const before = await cell(s.store, sku).snapshot({ locationId: s.store, skuId: sku })
    const res = await call("POST", "/sales", {
      token: s.cashier.token,
      key: `k-${crypto.randomUUID()}`,
      body: {
        locationId: s.store,
        lines: [{ skuId: sku, qty: 11 }],
        payments: [{ method: "cash", amountFen: 11_000 }],
      },
    })
    expect(res.status).toBe(409)
    expect((await cell(s.store, sku).snapshot({ locationId: s.store, skuId: sku })).version).toBe(before.version)
  })

  it("the member's stored value ran out meanwhile (another till): 422, the goods that sold are given back", async () => {
    const s = await cashScene()
    const drain = {
      ...s.input,
      lines: [{ skuId: s.skuIds[1]!, qty: 5 }],
      payments: [{ method: "stored_value" as const, amountFen: 5000 }],
    }
    expect(
      (await call("POST", "/sales", { token: s.cashier.token, key: `k-${crypto.randomUUID()}`, body: drain })).status,
    ).toBe(201)
    const res = await call("POST", "/sales", { token: s.cashier.token, key: `k-${crypto.randomUUID()}`, body: s.input })
    expect(res.status, JSON.stringify(res.body)).toBe(422)
    expect(res.body.code).toBe("insufficient_stored_value")
    expect(await levels(s.store, s.skuIds[0]!)).toEqual({ onHand: 10, reserved: 0 })
    expect(await levels(s.store, s.skuIds[1]!)).toEqual({ onHand: 5, reserved: 0 })
  })
})
