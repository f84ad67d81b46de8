// Transfers (调拨) as a warehouse and its stores live them: goods held at the source, shipped with
// their lots and cost, counted in at the destination; every step safe to repeat and to resume.
import { env } from "cloudflare:workers"
import { eq } from "drizzle-orm"
import { describe, expect, it } from "vitest"
import { makeDb } from "../../worker/db/client"
import { transfers } from "../../worker/db/schema"
import { scheduledJobs } from "../../worker/jobs/scheduled"
import { repairTransfers } from "../../worker/modules/transfers"
import { cellOpId } from "../../worker/stock-cell/client"
import { call, createLocation, ownerToken, staffToken, uniq } from "./helpers"
import { cell, flush, level, moves, newSku, snapshot, stockIn } from "./transfers-helpers"

type Line = {
  skuId: string
  qty: number
  shippedQty: number | null
  shippedCostFen: number | null
  lots: { lot: string | null; expiresOn: string | null; qty: number; unitCostFen: number; costFen: number }[]
  receivedQty: number | null
  varianceQty: number | null
  varianceReason: string | null
  varianceCostFen: number | null
}
type Transfer = {
  id: string
  number: string
  status: string
  lines: Line[]
  fromLocationId: string
  toLocationId: string
}

async function chain() {
  const owner = await ownerToken()
  const warehouse = await createLocation(owner, "warehouse")
  const store = await createLocation(owner, "store")
  const warehouseClerk = await staffToken(owner, "clerk", [warehouse])
  const storeClerk = await staffToken(owner, "clerk", [store])
  return { owner, warehouse, store, warehouseClerk: warehouseClerk.token, storeClerk: storeClerk.token }
}

const send = (token: string, body: unknown, key = uniq("k")) =>
  call<Transfer>("POST", "/transfers", { token, body, key })
const ship = (token: string, id: string, key = uniq("k")) =>
  call<Transfer>("POST", `/transfers/${id}/ship`, { token, key })
const receive = (token: string, id: string, lines: unknown[], key = uniq("k")) =>
  call<Transfer>("POST", `/transfers/${id}/receive`, { token, key, body: { lines } })

describe("a transfer from the warehouse to a store", () => {
  it("holds at the source, ships with lots and cost, and is counted in two short", async () => {
    const c = await chain()
    const shirt = await newSku("衬衫")
    await stockIn(c.warehouse, shirt, 12, { lot: "L-A", expiresOn: "2027-01-31", unitCostFen: 3000 })
    await stockIn(c.warehouse, shirt, 30, { lot: "L-B", expiresOn: "2027-06-30", unitCostFen: 3200 })

    const made = await send(c.warehouseClerk, {
      fromLocationId: c.warehouse,
      toLocationId: c.store,
      lines: [{ skuId: shirt, qty: 20 }],
      note: "周末补货",
    })
    expect(made.status).toBe(201)
    expect(made.body).toMatchObject({ status: "reserved", fromLocationId: c.warehouse, toLocationId: c.store })
    expect(made.body.number).toMatch(/^DB\d{8}-\d{4}$/)
    expect(await snapshot(c.warehouse, shirt)).toMatchObject({ onHand: 42, reserved: 20, available: 22 })

    const shipped = await ship(c.warehouseClerk, made.body.id)
    expect(shipped.status).toBe(200)
    expect(shipped.body.status).toBe("in_transit")
    const line = shipped.body.lines[0]!
    expect(line.shippedQty).toBe(20)
    // FEFO: the whole earlier lot, then 8 of the later one, each at its own cost.
    expect(line.lots).toEqual([
      { lot: "L-A", expiresOn: "2027-01-31", qty: 12, unitCostFen: 3000, costFen: 36_000 },
      { lot: "L-B", expiresOn: "2027-06-30", qty: 8, unitCostFen: 3200, costFen: 25_600 },
    ])
    expect(line.shippedCostFen).toBe(61_600)
    expect(await snapshot(c.warehouse, shirt)).toMatchObject({ onHand: 22, reserved: 0, available: 22 })
    await flush(c.warehouse, shirt)
    expect(await level(c.warehouse, shirt)).toMatchObject({ on_hand: 22, reserved: 0, in_transit: 0 })
    // The store never held this SKU: its level row is made to carry the goods in transit.
    expect(await level(c.store, shirt)).toMatchObject({ on_hand: 0, in_transit: 20 })

    const counted = await receive(c.storeClerk, made.body.id, [{ skuId: shirt, qty: 18 }])
    expect(counted.status).toBe(200)
    expect(counted.body.status).toBe("received")
    expect(counted.body.lines[0]).toMatchObject({
      receivedQty: 18,
      varianceQty: -2,
      varianceReason: "loss",
      varianceCostFen: -6400, // charged to the slice that left last (L-B at 32.00)
    })

    const dest = await snapshot(c.store, shirt)
    expect(dest).toMatchObject({ onHand: 18, reserved: 0 })
    expect(dest.lots).toEqual([
      { lot: "L-A", expiresOn: "2027-01-31", qty: 12, unitCostFen: 3000 },
      { lot: "L-B", expiresOn: "2027-06-30", qty: 6, unitCostFen: 3200 },
    ])
    await flush(c.store, shirt)
    expect(await level(c.store, shirt)).toMatchObject({ on_hand: 18, in_transit: 0 })
    // The ledger says where every unit went: received as it left, the loss booked with its reason.
    expect(await moves(c.store, shirt)).toEqual([
      { kind: "receive", delta: 12, lot: "L-A", unit_cost_fen: 3000, reason: null },
      { kind: "receive", delta: 8, lot: "L-B", unit_cost_fen: 3200, reason: null },
      { kind: "adjust", delta: -2, lot: "L-B", unit_cost_fen: 3200, reason: "loss" },
    ])
    expect((await moves(c.warehouse, shirt)).filter((m) => m.kind === "shipment")).toEqual([
      { kind: "shipment", delta: -12, lot: "L-A", unit_cost_fen: 3000, reason: null },
      { kind: "shipment", delta: -8, lot: "L-B", unit_cost_fen: 3200, reason: null },
    ])

    const got = await call<Transfer>("GET", `/transfers/${made.body.id}`, { token: c.storeClerk })
    expect(got.body).toEqual(counted.body)
    const listed = await call<{ items: Transfer[] }>("GET", `/transfers?locationId=${c.store}&status=received`, {
      token: c.storeClerk,
    })
    expect(listed.body.items.map((t) => t.id)).toEqual([made.body.id])
  })

  it("books an over-receipt as found goods on the last lot, with a reason the receiver gives", async () => {
    const c = await chain()
    const sku = await newSku()
    await stockIn(c.warehouse, sku, 10, { unitCostFen: 500 })
    const made = await send(c.owner, {
      fromLocationId: c.warehouse,
      toLocationId: c.store,
      lines: [{ skuId: sku, qty: 10 }],
    })
    await ship(c.owner, made.body.id)
    const counted = await receive(c.owner, made.body.id, [{ skuId: sku, qty: 11, reason: "found" }])
    expect(counted.body.lines[0]).toMatchObject({
      receivedQty: 11,
      varianceQty: 1,
      varianceReason: "found",
      varianceCostFen: 500,
    })
    expect(await snapshot(c.store, sku)).toMatchObject({ onHand: 11 })
  })

  it("refuses a transfer beyond what is available with 409, every short line listed and nothing held", async () => {
    const c = await chain()
    const [a, b, d] = [await newSku(), await newSku(), await newSku()]
    await stockIn(c.warehouse, a, 10)
    await stockIn(c.warehouse, b, 3)
    await stockIn(c.warehouse, d, 1)
    const res = await send(c.warehouseClerk, {
      fromLocationId: c.warehouse,
      toLocationId: c.store,
      lines: [
        { skuId: a, qty: 5 },
        { skuId: b, qty: 4 },
        { skuId: d, qty: 2 },
      ],
    })
    expect(res.status).toBe(409)
    expect(res.body).toMatchObject({ code: "insufficient_stock" })
    const errors = (
      res.body as unknown as { errors: { path: string; skuId: string; requested: number; available: number }[] }
    ).errors
    expect(errors.map(({ path, skuId, requested, available }) => ({ path, skuId, requested, available }))).toEqual(
      expect.arrayContaining([
        { path: "lines.1.qty", skuId: b, requested: 4, available: 3 },
        { path: "lines.2.qty", skuId: d, requested: 2, available: 1 },
      ]),
    )
    expect(errors).toHaveLength(2)
    for (const [sku, qty] of [
      [a, 10],
      [b, 3],
      [d, 1],
    ] as const)
      expect(await snapshot(c.warehouse, sku)).toMatchObject({ onHand: qty, reserved: 0, available: qty })
    const listed = await call<{ items: Transfer[] }>("GET", `/transfers?locationId=${c.warehouse}`, { token: c.owner })
    expect(listed.body.items).toEqual([])
  })

  it("cancel gives the holds back, and a cancelled transfer can't ship", async () => {
    const c = await chain()
    const sku = await newSku()
    await stockIn(c.warehouse, sku, 10)
    const made = await send(c.warehouseClerk, {
      fromLocationId: c.warehouse,
      toLocationId: c.store,
      lines: [{ skuId: sku, qty: 7 }],
    })
    expect(await snapshot(c.warehouse, sku)).toMatchObject({ reserved: 7, available: 3 })
    const cancelled = await call<Transfer>("POST", `/transfers/${made.body.id}/cancel`, { token: c.warehouseClerk })
    expect(cancelled.status).toBe(200)
    expect(cancelled.body.status).toBe("cancelled")
    expect(await snapshot(c.warehouse, sku)).toMatchObject({ onHand: 10, reserved: 0, available: 10 })
    const again = await call<Transfer>("POST", `/transfers/${made.body.id}/cancel`, { token: c.warehouseClerk })
    expect(again.body.status).toBe("cancelled")
    const late = await ship(c.warehouseClerk, made.body.id)
    expect(late.status).toBe(409)
    expect(late.body).toMatchObject({ code: "invalid_transfer_state" })
    expect(await snapshot(c.warehouse, sku)).toMatchObject({ onHand: 10, reserved: 0 })
  })

  it("a shipped transfer can't be cancelled, and goods can't be counted in before they ship", async () => {
    const c = await chain()
    const sku = await newSku()
    await stockIn(c.warehouse, sku, 5)
    const made = await send(c.owner, {
      fromLocationId: c.warehouse,
      toLocationId: c.store,
      lines: [{ skuId: sku, qty: 5 }],
    })
    const early = await receive(c.owner, made.body.id, [{ skuId: sku, qty: 5 }])
    expect(early.status).toBe(409)
    await ship(c.owner, made.body.id)
    const cancel = await call("POST", `/transfers/${made.body.id}/cancel`, { token: c.owner })
    expect(cancel.status).toBe(409)
    const partial = await receive(c.owner, made.body.id, [{ skuId: uniq("sku_"), qty: 5 }])
    expect(partial.status).toBe(422)
    expect(partial.body).toMatchObject({ code: "invalid_receipt" })
  })

  it("replays with the same Idempotency-Key change nothing", async () => {
    const c = await chain()
    const sku = await newSku()
    await stockIn(c.warehouse, sku, 10, { unitCostFen: 700 })
    const body = { fromLocationId: c.warehouse, toLocationId: c.store, lines: [{ skuId: sku, qty: 4 }] }
    const key = uniq("k")
    const first = await send(c.warehouseClerk, body, key)
    const replay = await send(c.warehouseClerk, body, key)
    expect(replay.status).toBe(201)
    expect(replay.headers.get("idempotent-replayed")).toBe("true")
    expect(replay.body).toEqual(first.body)
    expect(await snapshot(c.warehouse, sku)).toMatchObject({ reserved: 4, available: 6 })
    const reused = await send(c.warehouseClerk, { ...body, lines: [{ skuId: sku, qty: 5 }] }, key)
    expect(reused.status).toBe(422)
    expect(reused.body).toMatchObject({ code: "idempotency_key_reused" })

    const shipKey = uniq("k")
    const shipped = await ship(c.warehouseClerk, first.body.id, shipKey)
    expect((await ship(c.warehouseClerk, first.body.id, shipKey)).body).toEqual(shipped.body)
    // A new key for a step already done answers the transfer as it is.
    expect((await ship(c.warehouseClerk, first.body.id)).body.status).toBe("in_transit")
    expect(await snapshot(c.warehouse, sku)).toMatchObject({ onHand: 6, reserved: 0 })

    const recvKey = uniq("k")
    const got = await receive(c.storeClerk, first.body.id, [{ skuId: sku, qty: 4 }], recvKey)
    expect((await receive(c.storeClerk, first.body.id, [{ skuId: sku, qty: 4 }], recvKey)).body).toEqual(got.body)
    expect((await receive(c.storeClerk, first.body.id, [{ skuId: sku, qty: 4 }])).body).toEqual(got.body)
    const differently = await receive(c.storeClerk, first.body.id, [{ skuId: sku, qty: 3 }])
    expect(differently.status).toBe(409)
    expect(differently.body).toMatchObject({ code: "already_received" })
    expect(await snapshot(c.store, sku)).toMatchObject({ onHand: 4 })
    await flush(c.store, sku)
    expect(await level(c.store, sku)).toMatchObject({ on_hand: 4, in_transit: 0 })
  })

  it("answers 404 to a clerk of another store, and lets only the destination count goods in", async () => {
    const c = await chain()
    const other = await createLocation(c.owner, "store")
    const outsider = (await staffToken(c.owner, "clerk", [other])).token
    const sku = await newSku()
    await stockIn(c.warehouse, sku, 5)

    const foreign = await send(outsider, {
      fromLocationId: c.warehouse,
      toLocationId: other,
      lines: [{ skuId: sku, qty: 1 }],
    })
    expect(foreign.status).toBe(404)
    // Sending doesn't require seeing the destination, only that it exists.
    const made = await send(c.warehouseClerk, {
      fromLocationId: c.warehouse,
      toLocationId: c.store,
      lines: [{ skuId: sku, qty: 2 }],
    })
    expect(made.status).toBe(201)
    const nowhere = await send(c.warehouseClerk, {
      fromLocationId: c.warehouse,
      toLocationId: "loc_nowhere",
      lines: [{ skuId: sku, qty: 1 }],
    })
    expect(nowhere.status).toBe(422)
    expect(nowhere.body).toMatchObject({ code: "unknown_location" })

    const id = made.body.id
    expect((await call("GET", `/transfers/${id}`, { token: outsider })).status).toBe(404)
    expect((await ship(outsider, id)).status).toBe(404)
    expect((await call("POST", `/transfers/${id}/cancel`, { token: outsider })).status).toBe(404)
    const list = await call<{ items: Transfer[] }>("GET", "/transfers", { token: outsider })
    expect(list.body.items.map((t) => t.id)).not.toContain(id)
    expect((await call("GET", `/transfers?locationId=${c.warehouse}`, { token: outsider })).status).toBe(404)

    // The store sees the transfer coming but may not ship it; the warehouse may not count it in.
    expect((await call("GET", `/transfers/${id}`, { token: c.storeClerk })).status).toBe(200)
    expect((await ship(c.storeClerk, id)).status).toBe(404)
    await ship(c.warehouseClerk, id)
    expect((await receive(c.warehouseClerk, id, [{ skuId: sku, qty: 2 }])).status).toBe(404)
    expect((await receive(outsider, id, [{ skuId: sku, qty: 2 }])).status).toBe(404)
    expect((await receive(c.storeClerk, id, [{ skuId: sku, qty: 2 }])).status).toBe(200)
  })

  it("finishes a ship that died half-way, exactly once, from the repair job", async () => {
    const c = await chain()
    const [a, b] = [await newSku(), await newSku()]
    await stockIn(c.warehouse, a, 10, { unitCostFen: 100 })
    await stockIn(c.warehouse, b, 10, { unitCostFen: 200 })
    const made = await send(c.warehouseClerk, {
      fromLocationId: c.warehouse,
      toLocationId: c.store,
      lines: [
        { skuId: a, qty: 3 },
        { skuId: b, qty: 4 },
      ],
    })
    const id = made.body.id
    // What a worker that died half-way leaves: the step claimed, one of the two holds committed.
    const db = makeDb(env.DB)
    const longAgo = Date.now() - 60 * 60 * 1000
    await db
      .update(transfers)
      .set({ status: "shipping", shippedBy: "usr_gone", shippedAt: longAgo, updatedAt: longAgo })
      .where(eq(transfers.id, id))
    const half = await cell(c.warehouse, a).commit({
      locationId: c.warehouse,
      skuId: a,
      opId: cellOpId(id, a, "commit"),
      holdId: id,
      ref: { type: "transfer", id, actorId: "usr_gone" },
    })
    expect(half.ok).toBe(true)
    expect((await call<Transfer>("GET", `/transfers/${id}`, { token: c.owner })).body.status).toBe("shipping")

    expect(scheduledJobs.frequent.map((j) => j.name)).toContain("repair-transfers")
    const repaired = await repairTransfers(env, db)
    expect(repaired).toContainEqual({ id, from: "shipping", to: "in_transit" })
    expect(await repairTransfers(env, db)).not.toContainEqual(expect.objectContaining({ id }))
    // A late retry of the original request changes nothing either.
    expect((await ship(c.warehouseClerk, id)).body.status).toBe("in_transit")

    expect(await snapshot(c.warehouse, a)).toMatchObject({ onHand: 7, reserved: 0 })
    expect(await snapshot(c.warehouse, b)).toMatchObject({ onHand: 6, reserved: 0 })
    const got = await call<Transfer>("GET", `/transfers/${id}`, { token: c.owner })
    expect(got.body.lines.map((l) => [l.skuId, l.shippedCostFen])).toEqual(
      expect.arrayContaining([
        [a, 300],
        [b, 800],
      ]),
    )
    expect(await level(c.store, a)).toMatchObject({ in_transit: 3 })
    expect(await level(c.store, b)).toMatchObject({ in_transit: 4 })
    await flush(c.warehouse, a)
    expect((await moves(c.warehouse, a)).filter((m) => m.kind === "shipment")).toHaveLength(1)
  })

  it("undoes a transfer whose request died while reserving", async () => {
    const c = await chain()
    const sku = await newSku()
    await stockIn(c.warehouse, sku, 10)
    const made = await send(c.owner, {
      fromLocationId: c.warehouse,
      toLocationId: c.store,
      lines: [{ skuId: sku, qty: 6 }],
    })
    // Back to what a dead request leaves: the row still "reserving", the hold taken.
    const db = makeDb(env.DB)
    const longAgo = Date.now() - 60 * 60 * 1000
    await db.update(transfers).set({ status: "reserving", updatedAt: longAgo }).where(eq(transfers.id, made.body.id))
    const repaired = await repairTransfers(env, db)
    expect(repaired).toContainEqual({ id: made.body.id, from: "reserving", to: "forgotten" })
    expect(await snapshot(c.warehouse, sku)).toMatchObject({ onHand: 10, reserved: 0 })
    expect((await call("GET", `/transfers/${made.body.id}`, { token: c.owner })).status).toBe(404)
  })
})
