// Receipts (入库): goods in with lots and cost, exactly once — through retries, replays and a
// worker that died half-way.
import { env } from "cloudflare:workers"
import { eq } from "drizzle-orm"
import { describe, expect, it } from "vitest"
import { receiptLines, receipts } from "../../worker/db/schema"
import { finishReceipt, finishStuckDocuments } from "../../worker/modules/stock"
import { call, createLocation, ownerToken, staffToken, uniq } from "./helpers"
import { db, flush, movesOf, newSku, receive, snapshot, stub } from "./stock-helpers"

const receiptsAt = async (locationId: string) =>
  (await db().select().from(receipts).where(eq(receipts.locationId, locationId))).length

describe("stock receipts", () => {
  it("a clerk receives a delivery with lots and cost: the cell shows it at once, the levels after the flush", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const clerk = await staffToken(owner, "clerk", [store])
    const [milk, cups] = [await newSku(owner), await newSku(owner)]

    const res = await call("POST", "/stock/receipts", {
      token: clerk.token,
      key: uniq("rk"),
      body: {
        locationId: store,
        supplierRef: "PO-778",
        lines: [
          { skuId: milk, qty: 24, lot: "L20261101", expiresOn: "2027-05-31", unitCostFen: 350 },
          { skuId: milk, qty: 6, unitCostFen: 400 },
          { skuId: cups, qty: 100 },
        ],
      },
    })
    expect(res.status).toBe(201)
    expect(res.body.number).toMatch(/^RK\d{8}-\d{4}$/)
    expect(res.body).toMatchObject({ status: "posted", locationId: store, supplierRef: "PO-778" })
    expect(res.body.lines[0]).toMatchObject({ skuId: milk, qty: 24, lot: "L20261101", unitCostFen: 350, costFen: 8400 })
    // A line without a cost is valued at the cell's moving average (nothing yet: 0).
    expect(res.body.totalCostFen).toBe(24 * 350 + 6 * 400)

    const cell = await call("GET", `/stock/cells/${store}/${milk}`, { token: clerk.token })
    expect(cell.status).toBe(200)
    expect(cell.body).toMatchObject({
      locationId: store,
      skuId: milk,
      onHand: 30,
      reserved: 0,
      available: 30,
      lotless: 6,
    })
    expect(cell.body.lots).toEqual([{ lot: "L20261101", expiresOn: "2027-05-31", qty: 24, unitCostFen: 350 }])

    await flush(store, milk, cups)
    const levels = await call("GET", `/stock/levels?locationId=${store}`, { token: clerk.token })
    expect(levels.status).toBe(200)
    const bySku = Object.fromEntries(levels.body.items.map((l: { skuId: string }) => [l.skuId, l]))
    expect(bySku[milk]).toMatchObject({ locationId: store, onHand: 30, reserved: 0, available: 30, inTransit: 0 })
    expect(bySku[cups]).toMatchObject({ onHand: 100, available: 100 })
    expect((await movesOf(store, milk)).map((m) => [m.kind, m.delta, m.ref_id])).toEqual([
      ["receive", 24, res.body.id],
      ["receive", 6, res.body.id],
    ])
    expect((await call("GET", `/stock/receipts/${res.body.id}`, { token: clerk.token })).body).toEqual(res.body)
  })

  it("replaying a receipt with the same Idempotency-Key changes nothing", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const sku = await newSku(owner)
    const key = uniq("rk")
    const body = { locationId: store, lines: [{ skuId: sku, qty: 10, unitCostFen: 100 }] }
    const first = await call("POST", "/stock/receipts", { token: owner, key, body })
    const again = await call("POST", "/stock/receipts", { token: owner, key, body })
    expect(first.status).toBe(201)
    expect(again.status).toBe(201)
    expect(again.body).toEqual(first.body)
    expect(again.headers.get("idempotent-replayed")).toBe("true")
    expect((await snapshot(store, sku)).onHand).toBe(10)
    expect(await receiptsAt(store)).toBe(1)
    await flush(store, sku)
    expect(await movesOf(store, sku)).toHaveLength(1)
    // The same key with another body is a client bug, not a second delivery.
    const other = await call("POST", "/stock/receipts", { token: owner, key, body: { ...body, note: "x" } })
    expect(other.status).toBe(422)
    expect(other.body.code).toBe("idempotency_key_reused")
  })

  it("a cashier can't receive (403); a clerk of store A receiving into store B gets 404; nothing changes", async () => {
    const owner = await ownerToken()
    const [a, b] = [await createLocation(owner), await createLocation(owner)]
    const sku = await newSku(owner)
    const cashier = await staffToken(owner, "cashier", [a])
    const clerk = await staffToken(owner, "clerk", [a])
    const lines = [{ skuId: sku, qty: 5 }]
    const refused = await call("POST", "/stock/receipts", {
      token: cashier.token,
      key: uniq("k"),
      body: { locationId: a, lines },
    })
    expect(refused.status).toBe(403)
    expect(refused.body.code).toBe("forbidden")
    const foreign = await call("POST", "/stock/receipts", {
      token: clerk.token,
      key: uniq("k"),
      body: { locationId: b, lines },
    })
    expect(foreign.status).toBe(404)
    expect(foreign.headers.get("content-type")).toContain("application/problem+json")
    expect((await call("GET", `/stock/cells/${b}/${sku}`, { token: clerk.token })).status).toBe(404)
    expect((await snapshot(a, sku)).onHand).toBe(0)
    expect((await snapshot(b, sku)).onHand).toBe(0)
    expect(await receiptsAt(a)).toBe(0)
    expect(await receiptsAt(b)).toBe(0)
  })

  it("refuses bad input with problem+json and the field paths, and unknown SKUs with 422; nothing changes", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const sku = await newSku(owner)
    const post = (body: unknown) => call("POST", "/stock/receipts", { token: owner, key: uniq("k"), body })

    const bad = await post({
      locationId: store,
      lines: [
        { skuId: sku, qty: 0 },
        { skuId: sku, qty: 1.5 },
        { skuId: sku, qty: 1, expiresOn: "2027-01-01" },
        { skuId: sku, qty: 1, lot: "L1", expiresOn: "2027-02-30" },
        { skuId: sku, qty: 1, unitCostFen: -1 },
        { skuId: sku, qty: 1, colour: "red" },
      ],
    })
    expect(bad.status).toBe(400)
    expect(bad.headers.get("content-type")).toContain("application/problem+json")
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining([
        "lines.0.qty",
        "lines.1.qty",
        "lines.2.expiresOn",
        "lines.3.expiresOn",
        "lines.4.unitCostFen",
        "lines.5.colour",
      ]),
    )
    expect((await post({ locationId: store, lines: [] })).status).toBe(400)
    const twoExpiries = await post({
      locationId: store,
      lines: [
        { skuId: sku, qty: 1, lot: "L1", expiresOn: "2027-01-01" },
        { skuId: sku, qty: 1, lot: "L1", expiresOn: "2027-02-01" },
      ],
    })
    expect(twoExpiries.status).toBe(400)
    expect(twoExpiries.body.errors[0].path).toBe("lines.1.expiresOn")
    const noKey = await call("POST", "/stock/receipts", {
      token: owner,
      body: { locationId: store, lines: [{ skuId: sku, qty: 1 }] },
    })
    expect(noKey.status).toBe(400)
    expect(noKey.body.code).toBe("idempotency_key_missing")

    const unknown = await post({
      locationId: store,
      lines: [
        { skuId: sku, qty: 3 },
        { skuId: "sku_nope", qty: 1 },
      ],
    })
    expect(unknown.status).toBe(422)
    expect(unknown.body.code).toBe("unknown_sku")
    expect(unknown.body.errors).toEqual([expect.objectContaining({ path: "lines.1.skuId", skuId: "sku_nope" })])
    expect((await post({ locationId: "loc_nope", lines: [{ skuId: sku, qty: 1 }] })).status).toBe(404)

    expect((await snapshot(store, sku)).onHand).toBe(0)
    expect(await receiptsAt(store)).toBe(0)
  })

  it("a lot already on hand with another expiry date is refused whole (409 lot_conflict)", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const [a, b] = [await newSku(owner), await newSku(owner)]
    await receive(owner, store, [{ skuId: a, qty: 5, lot: "L7", expiresOn: "2027-03-01" }])
    const res = await call("POST", "/stock/receipts", {
      token: owner,
      key: uniq("k"),
      body: {
        locationId: store,
        lines: [
          { skuId: b, qty: 9 },
          { skuId: a, qty: 5, lot: "L7", expiresOn: "2027-04-01" },
        ],
      },
    })
    expect(res.status).toBe(409)
    expect(res.body.code).toBe("lot_conflict")
    expect(res.body.errors[0]).toMatchObject({ path: "lines.1.expiresOn", lot: "L7", expiresOn: "2027-03-01" })
    expect((await snapshot(store, a)).onHand).toBe(5)
    expect((await snapshot(store, b)).onHand).toBe(0)
    // The same lot with its own date (or none) is simply more of it.
    await receive(owner, store, [{ skuId: a, qty: 2, lot: "L7" }])
    expect((await snapshot(store, a)).lots).toEqual([expect.objectContaining({ lot: "L7", qty: 7 })])
  })

  it("a lot clash that raced the check refuses the whole receipt and takes back the lines already received", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const [a, b] = [await newSku(owner), await newSku(owner)]
    await receive(owner, store, [{ skuId: a, qty: 1, lot: "X", expiresOn: "2027-01-01" }])
    // Written as if our check passed just before another receipt brought lot X with its own date.
    const id = uniq("rct_")
    await db().batch([
      db().insert(receipts).values({ id, locationId: store, status: "posting", createdBy: "usr_clerk" }),
      db()
        .insert(receiptLines)
        .values([
          { receiptId: id, lineNo: 0, skuId: b, qty: 4, lot: "B1" },
          { receiptId: id, lineNo: 1, skuId: a, qty: 2, lot: "X", expiresOn: "2027-09-09" },
        ]),
    ])
    const refusal = await finishReceipt(env, db(), id).catch((e: unknown) => e)
    expect(refusal).toMatchObject({ status: 409, code: "lot_conflict" })
    expect((await snapshot(store, b)).onHand).toBe(0)
    expect((await snapshot(store, a)).onHand).toBe(1)
    const [doc] = await db().select().from(receipts).where(eq(receipts.id, id))
    expect(doc).toMatchObject({ status: "refused", number: null })
    expect(await finishReceipt(env, db(), id).catch((e: unknown) => e)).toMatchObject({ status: 409 })
    await flush(store, b)
    expect((await movesOf(store, b)).map((m) => m.delta)).toEqual([4, -4])
  })

  it("a receipt interrupted after its document was written is finished by the job, exactly once", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const [a, b] = [await newSku(owner), await newSku(owner)]
    // What postReceipt's first step writes, then a crash after the first line reached its cell.
    const id = uniq("rct_")
    await db().batch([
      db()
        .insert(receipts)
        .values({ id, locationId: store, status: "posting", createdBy: "usr_clerk", updatedAt: Date.now() - 600_000 }),
      db()
        .insert(receiptLines)
        .values([
          { receiptId: id, lineNo: 0, skuId: a, qty: 12, lot: "L1", expiresOn: "2027-01-31", unitCostFen: 200 },
          { receiptId: id, lineNo: 1, skuId: b, qty: 3, unitCostFen: 900 },
        ]),
    ])
    const ref = { type: "receipt", id, actorId: "usr_clerk" }
    const applied = await stub(store, a).receive({
      locationId: store,
      skuId: a,
      opId: `${id}:0`,
      qty: 12,
      lot: "L1",
      expiresOn: "2027-01-31",
      unitCostFen: 200,
      ref,
    })
    expect(applied.ok).toBe(true)

    const outcome = await finishStuckDocuments(env, db(), { olderThanMs: 60_000 })
    expect(outcome.receipts).toBe(1)
    expect((await snapshot(store, a)).onHand).toBe(12)
    expect((await snapshot(store, b)).onHand).toBe(3)
    const [doc] = await db().select().from(receipts).where(eq(receipts.id, id))
    expect(doc).toMatchObject({ status: "posted", totalCostFen: 12 * 200 + 3 * 900 })
    expect(doc!.number).toMatch(/^RK/)

    // Running the job again finds nothing to do; the ledger holds one move per line.
    expect((await finishStuckDocuments(env, db(), { olderThanMs: 0 })).receipts).toBe(0)
    await flush(store, a, b)
    expect(await movesOf(store, a)).toHaveLength(1)
    expect(await movesOf(store, b)).toHaveLength(1)
  })

  it("a retry with the same key after the first worker died resumes that receipt instead of receiving twice", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const clerk = await staffToken(owner, "clerk", [store])
    const sku = await newSku(owner)
    const key = uniq("rk")
    const id = uniq("rct_")
    await db().batch([
      db()
        .insert(receipts)
        .values({ id, locationId: store, status: "posting", createdBy: clerk.id, requestKey: `${clerk.id}:${key}` }),
      db().insert(receiptLines).values({ receiptId: id, lineNo: 0, skuId: sku, qty: 8 }),
    ])
    await stub(store, sku).receive({
      locationId: store,
      skuId: sku,
      opId: `${id}:0`,
      qty: 8,
      ref: { type: "receipt", id, actorId: clerk.id },
    })
    const retry = await call("POST", "/stock/receipts", {
      token: clerk.token,
      key,
      body: { locationId: store, lines: [{ skuId: sku, qty: 8 }] },
    })
    expect(retry.status).toBe(201)
    expect(retry.body).toMatchObject({ id, status: "posted" })
    expect((await snapshot(store, sku)).onHand).toBe(8)
    expect(await receiptsAt(store)).toBe(1)
  })
})
