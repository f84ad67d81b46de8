// The owner's deep health check: one call that says whether anything is quietly going wrong —
// replenishment signals nobody acts on, dead letters, cells whose ledger stopped syncing, drift
// found by the last audit, offline sales charged otherwise than the server would, and documents a
// dead worker left half-way. (Storage is shared in this file: the stories run in order and build on
// one chain, as an owner's morning would.)
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { ulid } from "ulid"
import { beforeAll, describe, expect, it } from "vitest"
import worker from "../../worker/index"
import type { DeepHealth } from "../../worker/modules/ops/service"
import { continueAuditRuns } from "../../worker/modules/stock"
import { cellName } from "../../worker/stock-cell/client"
import { call, createLocation, staffToken, uniq } from "./helpers"
import { cash, sell, shop } from "./sales-helpers"
import { db, flush, newSku } from "./stock-helpers"

let owner = ""
let store = ""
let skuIds: string[] = []
let cashier = ""

const deep = async () => {
  const res = await call<DeepHealth>("GET", "/ops/health/deep", { token: owner })
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body
}
const HOUR = 3600_000
const audit = async () => {
  expect((await call("POST", "/stock/audit/run", { token: owner })).status).toBe(202)
  await continueAuditRuns(env, db())
}

beforeAll(async () => {
  const s = await shop({ skus: 2, priceFen: 1000, qty: 20 })
  ;({ owner, store, skuIds } = s)
  cashier = s.cashier.token
  await flush(store, ...skuIds)
})

describe("GET /api/v1/ops/health/deep", () => {
  it("is for owners: a manager and a cashier are refused (403), no token is 401", async () => {
    const manager = await staffToken(owner, "manager", [store])
    expect((await call("GET", "/ops/health/deep", { token: manager.token })).status).toBe(403)
    expect((await call("GET", "/ops/health/deep", { token: cashier })).status).toBe(403)
    expect((await call("GET", "/ops/health/deep")).status).toBe(401)
    const doc = await call("GET", "/openapi.json")
    expect(doc.body.paths["/api/v1/ops/health/deep"].get["x-permission"]).toBe("stock:audit")
  })

  it("warns that no audit has run yet; after a clean audit every part is ok", async () => {
    const before = await deep()
    expect(before.lastAudit).toMatchObject({ status: "warn", lastRunAt: null })
    await audit()
    const after = await deep()
    expect(after.status).toBe("ok")
    expect(after.lastAudit).toMatchObject({ status: "ok", driftCount: 0, cellsChecked: 2 })
    expect(Date.parse(after.lastAudit.lastRunAt!)).not.toBeNaN()
    const parts = [
      "queueBacklog",
      "deadLetters",
      "unsyncedOutbox",
      "priceExceptions",
      "awaitingRepair",
      "imports",
    ] as const
    for (const part of parts) expect(after[part].status, part).toBe("ok")
  })

  it("shows an offline sale charged below the server's price as the latest price exception", async () => {
    const sale = {
      id: ulid(),
      locationId: store,
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      lines: [{ skuId: skuIds[0], qty: 2, unitPriceFen: 900 }],
      payments: [cash(1800)],
      totalFen: 1800,
    }
    const synced = await call("POST", "/sales/sync", { token: cashier, body: { sales: [sale] } })
    expect(synced.body.results[0].status).toBe("applied")
    const h = await deep()
    expect(h.status).toBe("warn")
    expect(h.priceExceptions).toMatchObject({
      status: "warn",
      total: 1,
      lastDay: 1,
      latest: { kind: "price_mismatch", refId: sale.id, locationId: store, expectedFen: 2000, actualFen: 1800 },
    })
    expect(h.priceExceptions.latest?.differenceFen).toBe(-200)
  })

  it("records a dead-lettered message once, however often it is delivered, and warns", async () => {
    const body = { cell: cellName(store, skuIds[0]!), seq: 3, locationId: store, skuId: skuIds[0] }
    const deliver = async () => {
      const batch = createMessageBatch("puzi-replenish-dlq", [
        { id: "dlq-1", timestamp: new Date(), attempts: 6, body },
      ])
      const ctx = createExecutionContext()
      await worker.queue(batch, env)
      return getQueueResult(batch, ctx)
    }
    expect((await deliver()).ackAll).toBe(true)
    expect((await deliver()).ackAll).toBe(true)
    const rows = await env.DB.prepare("select queue, attempts from dead_letters").all()
    expect(rows.results).toEqual([{ queue: "puzi-replenish-dlq", attempts: 6 }])
    expect((await deep()).deadLetters).toMatchObject({ status: "warn", total: 1, lastWeek: 1 })
  })

  it("counts a reorder-point signal nobody acted on for a day as backlog", async () => {
    const fresh = await deep()
    expect(fresh.queueBacklog).toMatchObject({ status: "ok", openSignals: 0 })
    const old = Date.now() - 25 * HOUR
    await env.DB.prepare(
      `insert into replenish_signals (cell, seq, location_id, sku_id, available, on_hand, reorder_point, status, occurred_at, created_at)
       values (?, 1, ?, ?, 2, 2, 5, 'open', ?, ?)`,
    )
      .bind(cellName(store, skuIds[1]!), store, skuIds[1], old, old)
      .run()
    expect((await deep()).queueBacklog).toMatchObject({
      status: "warn",
      openSignals: 1,
      oldestAt: new Date(old).toISOString(),
    })
  })

  it("names a cell whose ledger reached D1 but whose flush never came back for the rest", async () => {
    const cell = cellName(store, skuIds[1]!)
    const level = await env.DB.prepare("select last_seq as lastSeq from stock_levels where cell = ?")
      .bind(cell)
      .first<{ lastSeq: number }>()
    // What a flush that died between two batches of a busy cell leaves: moves past the level's last seq.
    const since = Date.now() - 5 * 60_000
    await env.DB.prepare(
      `insert into stock_moves (cell, seq, location_id, sku_id, kind, delta, on_hand_after, available_after, occurred_at, created_at)
       values (?, ?, ?, ?, 'adjust', -1, 19, 19, ?, ?)`,
    )
      .bind(cell, level!.lastSeq + 1, store, skuIds[1], since, since)
      .run()
    expect((await deep()).unsyncedOutbox).toMatchObject({
      status: "warn",
      cellsBehind: 1,
      cellsStuck: 1,
      stuck: [{ cell, since: new Date(since).toISOString() }],
    })
    await env.DB.prepare("delete from stock_moves where cell = ? and seq = ?")
      .bind(cell, level!.lastSeq + 1)
      .run()
  })

  it("lists a till sale whose worker died before its follow-ups as awaiting repair, overdue after 20 minutes", async () => {
    const sale = await sell(cashier, {
      locationId: store,
      lines: [{ skuId: skuIds[1], qty: 1 }],
      payments: [cash(1000)],
    })
    expect(sale.status).toBe(201)
    const unposted = (ageMs: number) =>
      env.DB.prepare("update sales set posted_at = null, created_at = ? where id = ?")
        .bind(Date.now() - ageMs, sale.body.id)
        .run()
    await unposted(2 * 60_000)
    expect((await deep()).awaitingRepair).toMatchObject({ status: "ok", sales: { awaiting: 1, overdue: 0 } })
    await unposted(HOUR)
    expect((await deep()).awaitingRepair).toMatchObject({ status: "warn", sales: { awaiting: 1, overdue: 1 } })
  })

  it("lists a till sale that died between its holds and its write, overdue 20 minutes past its lease", async () => {
    const key = `k-${crypto.randomUUID()}`
    const sale = await sell(
      cashier,
      { locationId: store, lines: [{ skuId: skuIds[1], qty: 1 }], payments: [cash(1000)] },
      key,
    )
    expect(sale.status).toBe(201)
    // As if the request had died after its holds: the intent still open, its lease run out.
    const died = (leaseAgoMs: number) =>
      env.DB.prepare("update sale_intents set state = 'open', lease_until = ? where idempotency_key = ?")
        .bind(Date.now() - leaseAgoMs, key)
        .run()
    await died(60_000)
    expect((await deep()).awaitingRepair).toMatchObject({ saleIntents: { awaiting: 1, overdue: 0 } })
    await died(HOUR)
    expect((await deep()).awaitingRepair).toMatchObject({ status: "warn", saleIntents: { awaiting: 1, overdue: 1 } })
    await env.DB.prepare("update sale_intents set state = 'done' where idempotency_key = ?").bind(key).run()
  })

  it("reports the drift the last audit found, and when it ran", async () => {
    await flush(store, ...skuIds)
    await env.DB.prepare("delete from stock_moves where cell = ?").bind(cellName(store, skuIds[0]!)).run()
    await audit()
    const h = await deep()
    expect(h.lastAudit).toMatchObject({
      status: "warn",
      driftCount: 1,
      drift: [{ locationId: store, skuId: skuIds[0], cell: 18, ledger: 0 }],
    })
    expect(h.status).toBe("warn")
  })

  it("shows an opening-stock import left half-way once it has had no chunk for an hour, until it is finished", async () => {
    // The chain's migration script sent chunk 0 of its opening balances, then its laptop went home.
    const warehouse = await createLocation(owner, "warehouse")
    const sku = await call("GET", `/skus/${await newSku(owner)}`, { token: owner })
    const key = uniq("switch-2026-11:stock")
    const job = await call("POST", "/imports", {
      token: owner,
      body: { key, kind: "opening_balances", note: "库存底数" },
    })
    expect(job.status).toBe(201)
    const rows = [{ locationId: warehouse, skuCode: sku.body.skuCode, qty: 40, unitCostFen: 1200 }]
    const chunk = await call("POST", `/imports/${job.body.id}/opening-balances/0`, { token: owner, body: { rows } })
    expect(chunk.status, JSON.stringify(chunk.body)).toBe(200)

    // Still busy a moment later: open, not stalled.
    expect((await deep()).imports).toEqual({ status: "ok", open: 1, stalled: 0, stalledJobs: [] })

    const lastChunkAt = Date.now() - HOUR - 60_000
    await env.DB.prepare("update import_jobs set updated_at = ? where id = ?").bind(lastChunkAt, job.body.id).run()
    const h = await deep()
    expect(h.status).toBe("warn")
    expect(h.imports).toEqual({
      status: "warn",
      open: 1,
      stalled: 1,
      stalledJobs: [
        {
          id: job.body.id,
          kind: "opening_balances",
          key,
          note: "库存底数",
          chunksDone: 1,
          lastChunk: 0,
          rows: 1,
          startedAt: job.body.createdAt,
          lastActivityAt: new Date(lastChunkAt).toISOString(),
        },
      ],
    })

    // The script is run again, resumes after chunk 0 and finishes: nothing is left open.
    const done = await call("POST", `/imports/${job.body.id}/finish`, { token: owner, body: { chunks: 1 } })
    expect(done.body.status).toBe("done")
    expect((await deep()).imports).toEqual({ status: "ok", open: 0, stalled: 0, stalledJobs: [] })
  })

  it("stops warning about a stalled import once the owner gives it up", async () => {
    const job = await call("POST", "/imports", { token: owner, body: { key: uniq("wrong-file"), kind: "products" } })
    await env.DB.prepare("update import_jobs set updated_at = ? where id = ?")
      .bind(Date.now() - 2 * HOUR, job.body.id)
      .run()
    expect((await deep()).imports.stalledJobs.map((j: { id: string }) => j.id)).toContain(job.body.id)
    expect((await call("POST", `/imports/${job.body.id}/abandon`, { token: owner })).status).toBe(200)
    expect((await deep()).imports.stalledJobs.map((j: { id: string }) => j.id)).not.toContain(job.body.id)
  })
})
