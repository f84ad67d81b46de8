// Adjustments (报损/报溢): every line or none, with a reason, and never below what is available.
import { env } from "cloudflare:workers"
import { eq } from "drizzle-orm"
import { describe, expect, it } from "vitest"
import { adjustmentLines, adjustments } from "../../worker/db/schema"
import { ProblemError } from "../../worker/lib/problem"
import { finishAdjustment, finishStuckDocuments } from "../../worker/modules/stock"
import { call, createLocation, ownerToken, staffToken, uniq } from "./helpers"
import { db, flush, movesOf, newSku, receive, snapshot } from "./stock-helpers"

const adjustmentsAt = async (locationId: string) =>
  (await db().select().from(adjustments).where(eq(adjustments.locationId, locationId))).length

const adjust = (token: string, body: unknown, key = uniq("tz")) =>
  call("POST", "/stock/adjustments", { token, key, body })

describe("stock adjustments", () => {
  it("a store manager writes off damaged goods, first-expiry-first-out, at their cost", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const manager = await staffToken(owner, "store_manager", [store])
    const sku = await newSku(owner)
    await receive(owner, store, [
      { skuId: sku, qty: 4, lot: "OLD", expiresOn: "2027-01-31", unitCostFen: 300 },
      { skuId: sku, qty: 6, lot: "NEW", expiresOn: "2027-06-30", unitCostFen: 500 },
    ])
    const res = await adjust(manager.token, {
      locationId: store,
      note: "叉车撞了货架",
      lines: [{ skuId: sku, delta: -5, reason: "damage" }],
    })
    expect(res.status).toBe(201)
    expect(res.body.number).toMatch(/^TZ\d{8}-\d{4}$/)
    expect(res.body).toMatchObject({ status: "posted", locationId: store, note: "叉车撞了货架" })
    expect(res.body.lines).toEqual([
      { skuId: sku, delta: -5, reason: "damage", lot: null, expiresOn: null, costFen: -(4 * 300 + 500) },
    ])
    expect(res.body.totalCostFen).toBe(-(4 * 300 + 500))
    const cell = await snapshot(store, sku)
    expect(cell.onHand).toBe(5)
    expect(cell.lots.map((l) => [l.lot, l.qty])).toEqual([["NEW", 5]])

    await flush(store, sku)
    const moves = (await movesOf(store, sku)).filter((m) => m.kind === "adjust")
    expect(moves.map((m) => [m.delta, m.lot, m.reason, m.ref_id])).toEqual([
      [-4, "OLD", "damage", res.body.id],
      [-1, "NEW", "damage", res.body.id],
    ])
  })

  it("adds found goods into a lot, and writes off a named lot", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const sku = await newSku(owner)
    await receive(owner, store, [{ skuId: sku, qty: 3, lot: "A", expiresOn: "2027-02-01", unitCostFen: 100 }])
    const res = await adjust(owner, {
      locationId: store,
      lines: [
        { skuId: sku, delta: 2, reason: "found", lot: "B", expiresOn: "2027-09-01" },
        { skuId: sku, delta: -1, reason: "expired", lot: "A" },
      ],
    })
    expect(res.status).toBe(201)
    const cell = await snapshot(store, sku)
    expect(cell.onHand).toBe(4)
    expect(cell.lots.map((l) => [l.lot, l.expiresOn, l.qty])).toEqual([
      ["A", "2027-02-01", 2],
      ["B", "2027-09-01", 2],
    ])
  })

  it("an adjustment larger than available answers 409 with what is available, and applies nothing", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const clerk = await staffToken(owner, "clerk", [store])
    const [a, b] = [await newSku(owner), await newSku(owner)]
    await receive(owner, store, [
      { skuId: a, qty: 10 },
      { skuId: b, qty: 5 },
    ])
    await flush(store, a, b)
    const res = await adjust(clerk.token, {
      locationId: store,
      lines: [
        { skuId: a, delta: -2, reason: "loss" },
        { skuId: b, delta: -50, reason: "loss" },
      ],
    })
    expect(res.status).toBe(409)
    expect(res.body.code).toBe("insufficient_stock")
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: "lines.1.delta", skuId: b, requested: 50, available: 5 }),
    ])
    expect((await snapshot(store, a)).onHand).toBe(10)
    expect((await snapshot(store, b)).onHand).toBe(5)
    expect(await adjustmentsAt(store)).toBe(0)
    await flush(store, a, b)
    expect((await movesOf(store, a)).filter((m) => m.kind === "adjust")).toEqual([])
  })

  it("when a cell refuses after the check (a lost race), the lines already applied are put back, exactly once", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const [a, b] = [await newSku(owner), await newSku(owner)]
    await receive(owner, store, [
      { skuId: a, qty: 3, lot: "A1", expiresOn: "2027-01-01", unitCostFen: 100 },
      { skuId: a, qty: 5, lot: "A2", expiresOn: "2027-03-01", unitCostFen: 200 },
      { skuId: b, qty: 1 },
    ])
    // The document as postAdjustment writes it after its check passed; since then b was sold out.
    const id = uniq("adj_")
    await db().batch([
      db().insert(adjustments).values({ id, locationId: store, status: "posting", createdBy: "usr_x" }),
      db()
        .insert(adjustmentLines)
        .values([
          { adjustmentId: id, lineNo: 0, skuId: a, delta: -4, reason: "damage" },
          { adjustmentId: id, lineNo: 1, skuId: b, delta: -2, reason: "damage" },
          { adjustmentId: id, lineNo: 2, skuId: a, delta: 1, reason: "found" },
        ]),
    ])
    const refusal = await finishAdjustment(env, db(), id).catch((e: unknown) => e)
    expect(refusal).toBeInstanceOf(ProblemError)
    expect(refusal).toMatchObject({ status: 409, code: "insufficient_stock" })
    const after = await snapshot(store, a)
    expect(after.onHand).toBe(8)
    // Back into the very lots they left, with their expiry.
    expect(after.lots.map((l) => [l.lot, l.expiresOn, l.qty])).toEqual([
      ["A1", "2027-01-01", 3],
      ["A2", "2027-03-01", 5],
    ])
    expect((await snapshot(store, b)).onHand).toBe(1)
    const [doc] = await db().select().from(adjustments).where(eq(adjustments.id, id))
    expect(doc).toMatchObject({ status: "refused", number: null })

    // Again (a retry or the repair job): the same answer, no new moves.
    await flush(store, a)
    const before = await movesOf(store, a)
    expect(await finishAdjustment(env, db(), id).catch((e: unknown) => e)).toMatchObject({ status: 409 })
    expect((await finishStuckDocuments(env, db(), { olderThanMs: 0 })).adjustments).toBe(0)
    await flush(store, a)
    const moves = await movesOf(store, a)
    expect(moves).toEqual(before)
    expect(moves.filter((m) => m.ref_id === id).reduce((s, m) => s + m.delta, 0)).toBe(0)
  })

  it("refuses bad input and other roles; nothing changes", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const sku = await newSku(owner)
    await receive(owner, store, [{ skuId: sku, qty: 4 }])
    const cashier = await staffToken(owner, "cashier", [store])
    const denied = await adjust(cashier.token, {
      locationId: store,
      lines: [{ skuId: sku, delta: -1, reason: "loss" }],
    })
    expect(denied.status).toBe(403)

    const bad = await adjust(owner, {
      locationId: store,
      lines: [
        { skuId: sku, delta: 0, reason: "loss" },
        { skuId: sku, delta: -1, reason: "stolen" },
        { skuId: sku, delta: -1, reason: "loss", lot: "L", expiresOn: "2027-01-01" },
        { skuId: sku, delta: 1.5, reason: "found" },
      ],
    })
    expect(bad.status).toBe(400)
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(["lines.0.delta", "lines.1.reason", "lines.2.expiresOn", "lines.3.delta"]),
    )
    const unknown = await adjust(owner, {
      locationId: store,
      lines: [{ skuId: "sku_nope", delta: 1, reason: "found" }],
    })
    expect(unknown.status).toBe(422)
    expect(unknown.body.errors[0].path).toBe("lines.0.skuId")
    expect((await snapshot(store, sku)).onHand).toBe(4)
    expect(await adjustmentsAt(store)).toBe(0)
  })

  it("replaying with the same Idempotency-Key applies once; after a 409 the same key may try again", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const sku = await newSku(owner)
    await receive(owner, store, [{ skuId: sku, qty: 2 }])
    const key = uniq("tz")
    const body = { locationId: store, lines: [{ skuId: sku, delta: -3, reason: "sample" }] }
    expect((await adjust(owner, body, key)).status).toBe(409)
    await receive(owner, store, [{ skuId: sku, qty: 2 }])
    const ok = await adjust(owner, body, key)
    expect(ok.status).toBe(201)
    expect((await adjust(owner, body, key)).body).toEqual(ok.body)
    expect((await snapshot(store, sku)).onHand).toBe(1)
  })
})
