// Stocktakes (盘点) while the store keeps selling: counters' scans add up, the variance is taken
// against the cell at count time, and posting applies it as a fact, once.
import { env } from "cloudflare:workers"
import { eq } from "drizzle-orm"
import { describe, expect, it } from "vitest"
import { makeDb } from "../../worker/db/client"
import { stocktakes } from "../../worker/db/schema"
import { scheduledJobs } from "../../worker/jobs/scheduled"
import { repairStocktakes } from "../../worker/modules/stocktake"
import { call, createLocation, ownerToken, staffToken, uniq } from "./helpers"
import { cell, flush, moves, newCategory, newSku, snapshot, stockIn } from "./transfers-helpers"

type Line = {
  skuId: string
  counted: number
  expected: number
  variance: number
  varianceCostFen: number
  posted: boolean
  overReserved: number
}
type Stocktake = {
  id: string
  number: string
  status: string
  lines: Line[]
  totals: { lines: number; varianceQty: number; varianceCostFen: number }
  shortHolds: { skuId: string; overReserved: number }[]
}

async function store() {
  const owner = await ownerToken()
  const locationId = await createLocation(owner, "store")
  const clerk = (await staffToken(owner, "clerk", [locationId])).token
  // Clerks count; the store manager posts the variances (stocktake:post).
  const manager = (await staffToken(owner, "store_manager", [locationId])).token
  return { owner, locationId, clerk, manager }
}

const open = (token: string, body: unknown) => call<Stocktake>("POST", "/stocktakes", { token, body })
const count = (token: string, id: string, body: unknown) =>
  call<Stocktake>("POST", `/stocktakes/${id}/counts`, { token, body })
const post = (token: string, id: string, key = uniq("k")) =>
  call<Stocktake>("POST", `/stocktakes/${id}/post`, { token, key })

async function sell(locationId: string, skuId: string, qty: number) {
  const r = await cell(locationId, skuId).sell({
    locationId,
    skuId,
    opId: uniq("xs"),
    qty,
    ref: { type: "sale", id: uniq("xs"), actorId: "usr_cashier" },
  })
  expect(r.ok).toBe(true)
}

describe("a stocktake while the store keeps selling", () => {
  it("adds up two counters' scans, and a resubmitted batch only once", async () => {
    const s = await store()
    const sku = await newSku()
    await stockIn(s.locationId, sku, 15, { unitCostFen: 800 })
    const opened = await open(s.clerk, { locationId: s.locationId, note: "月末盘点" })
    expect(opened.status).toBe(201)
    expect(opened.body).toMatchObject({ status: "open", lines: [] })
    expect(opened.body.number).toMatch(/^PD\d{8}-\d{4}$/)
    const id = opened.body.id

    const batchA = { batchId: uniq("b"), counterId: "counter-a", lines: [{ skuId: sku, qty: 7 }] }
    const batchB = {
      batchId: uniq("b"),
      counterId: "counter-b",
      lines: [
        { skuId: sku, qty: 4 },
        { skuId: sku, qty: 1 },
      ],
    }
    expect((await count(s.clerk, id, batchA)).status).toBe(200)
    const second = await count(s.owner, id, batchB)
    expect(second.body.lines).toEqual([
      expect.objectContaining({ skuId: sku, counted: 12, expected: 15, variance: -3, varianceCostFen: -2400 }),
    ])
    const resent = await count(s.clerk, id, batchA)
    expect(resent.status).toBe(200)
    expect(resent.body.lines[0]!.counted).toBe(12)
    const reused = await count(s.clerk, id, { ...batchA, lines: [{ skuId: sku, qty: 9 }] })
    expect(reused.status).toBe(422)
    expect(reused.body).toMatchObject({ code: "batch_id_reused" })
    const got = await call<Stocktake>("GET", `/stocktakes/${id}`, { token: s.clerk })
    expect(got.body.lines[0]).toMatchObject({ counted: 12, expected: 15, variance: -3, posted: false })
    expect(got.body.totals).toEqual({ lines: 1, varianceQty: -3, varianceCostFen: -2400 })
    // Counting changed no stock.
    expect(await snapshot(s.locationId, sku)).toMatchObject({ onHand: 15 })
  })

  it("keeps the variance of the count when sales happen between counting and posting", async () => {
    const s = await store()
    const sku = await newSku()
    await stockIn(s.locationId, sku, 20, { unitCostFen: 1500 })
    const { body: st } = await open(s.clerk, { locationId: s.locationId })
    // The shelf holds 18: two went missing before the count.
    await count(s.clerk, st.id, { batchId: uniq("b"), lines: [{ skuId: sku, qty: 18 }] })
    // The till sells 3 while the count is still open, and another counter finds 0 more later.
    await sell(s.locationId, sku, 3)
    await count(s.clerk, st.id, { batchId: uniq("b"), lines: [{ skuId: sku, qty: 0 }] })

    const during = await call<Stocktake>("GET", `/stocktakes/${st.id}`, { token: s.clerk })
    expect(during.body.lines[0]).toMatchObject({ counted: 18, expected: 20, variance: -2, varianceCostFen: -3000 })
    const posted = await post(s.manager, st.id)
    expect(posted.status).toBe(200)
    expect(posted.body.status).toBe("posted")
    expect(posted.body.lines[0]).toMatchObject({ variance: -2, posted: true, varianceCostFen: -3000 })
    // 20 − 3 sold − 2 missing: the 3 sold during the count are not brought back.
    expect(await snapshot(s.locationId, sku)).toMatchObject({ onHand: 15, reserved: 0 })
    await flush(s.locationId, sku)
    expect((await moves(s.locationId, sku)).filter((m) => m.kind === "adjust")).toEqual([
      { kind: "adjust", delta: -2, lot: null, unit_cost_fen: 1500, reason: "count" },
    ])
  })

  it("posts variances as facts even below what is reserved, reports the short holds, and posts once", async () => {
    const s = await store()
    const [held, found, even] = [await newSku(), await newSku(), await newSku()]
    await stockIn(s.locationId, held, 10, { unitCostFen: 100 })
    await stockIn(s.locationId, found, 2, { unitCostFen: 300 })
    await stockIn(s.locationId, even, 4)
    const hold = await cell(s.locationId, held).reserve({
      locationId: s.locationId,
      skuId: held,
      opId: uniq("dd"),
      holdId: uniq("ord_"),
      qty: 8,
      expiresAt: Date.now() + 3600_000,
      ref: { type: "order", id: uniq("ord_"), actorId: "usr_web" },
    })
    expect(hold.ok).toBe(true)

    const { body: st } = await open(s.clerk, { locationId: s.locationId })
    await count(s.clerk, st.id, {
      batchId: uniq("b"),
      lines: [
        { skuId: held, qty: 5 },
        { skuId: found, qty: 3 },
        { skuId: even, qty: 4 },
      ],
    })
    const key = uniq("k")
    const posted = await post(s.manager, st.id, key)
    expect(posted.status).toBe(200)
    expect(posted.body.status).toBe("posted")
    expect(posted.body.shortHolds).toEqual([{ skuId: held, overReserved: 3 }])
    const byId = Object.fromEntries(posted.body.lines.map((l) => [l.skuId, l]))
    expect(byId[held]).toMatchObject({ variance: -5, varianceCostFen: -500, overReserved: 3, posted: true })
    expect(byId[found]).toMatchObject({ variance: 1, varianceCostFen: 300 })
    expect(byId[even]).toMatchObject({ variance: 0, varianceCostFen: 0 })
    expect(await snapshot(s.locationId, held)).toMatchObject({ onHand: 5, reserved: 8, available: -3 })
    expect(await snapshot(s.locationId, found)).toMatchObject({ onHand: 3 })

    // Posting again — the same key, a new key, or after the repair job — changes nothing.
    const replay = await post(s.manager, st.id, key)
    expect(replay.headers.get("idempotent-replayed")).toBe("true")
    expect(replay.body).toEqual(posted.body)
    expect((await post(s.manager, st.id)).body).toEqual(posted.body)
    expect(await snapshot(s.locationId, held)).toMatchObject({ onHand: 5 })
    expect(await snapshot(s.locationId, found)).toMatchObject({ onHand: 3 })
    await flush(s.locationId, held)
    expect((await moves(s.locationId, held)).filter((m) => m.kind === "adjust")).toHaveLength(1)
    // A posted count takes no more scans.
    const late = await count(s.clerk, st.id, { batchId: uniq("b"), lines: [{ skuId: held, qty: 1 }] })
    expect(late.status).toBe(409)
    expect(late.body).toMatchObject({ code: "stocktake_closed" })
  })

  it("leaves posting to the store manager: a clerk's post is refused and changes nothing", async () => {
    const s = await store()
    const sku = await newSku()
    await stockIn(s.locationId, sku, 12, { unitCostFen: 700 })
    const { body: st } = await open(s.clerk, { locationId: s.locationId })
    await count(s.clerk, st.id, { batchId: uniq("b"), lines: [{ skuId: sku, qty: 10 }] })

    const refused = await post(s.clerk, st.id)
    expect(refused.status).toBe(403)
    expect(refused.headers.get("content-type")).toContain("application/problem+json")
    expect(refused.body).toMatchObject({ status: 403, code: "forbidden" })
    const after = await call<Stocktake>("GET", `/stocktakes/${st.id}`, { token: s.clerk })
    expect(after.body.status).toBe("open")
    expect(after.body.lines[0]).toMatchObject({ counted: 10, expected: 12, variance: -2, posted: false })
    expect(await snapshot(s.locationId, sku)).toMatchObject({ onHand: 12 })

    const posted = await post(s.manager, st.id)
    expect(posted.status).toBe(200)
    expect(posted.body.status).toBe("posted")
    expect(posted.body.lines[0]).toMatchObject({ variance: -2, varianceCostFen: -1400, posted: true })
    expect(await snapshot(s.locationId, sku)).toMatchObject({ onHand: 10 })
    await flush(s.locationId, sku)
    expect((await moves(s.locationId, sku)).filter((m) => m.kind === "adjust")).toEqual([
      { kind: "adjust", delta: -2, lot: null, unit_cost_fen: 700, reason: "count" },
    ])
  })

  it("finishes a posting whose request died half-way, from the repair job", async () => {
    const s = await store()
    const [a, b] = [await newSku(), await newSku()]
    await stockIn(s.locationId, a, 10)
    await stockIn(s.locationId, b, 10)
    const { body: st } = await open(s.owner, { locationId: s.locationId })
    await count(s.owner, st.id, {
      batchId: uniq("b"),
      lines: [
        { skuId: a, qty: 9 },
        { skuId: b, qty: 12 },
      ],
    })
    // What a dead request leaves: the posting claimed, one adjustment applied.
    const longAgo = Date.now() - 3600_000
    const db = makeDb(env.DB)
    await db
      .update(stocktakes)
      .set({ status: "posting", postedBy: "usr_gone", updatedAt: longAgo })
      .where(eq(stocktakes.id, st.id))
    const first = await cell(s.locationId, a).adjust({
      locationId: s.locationId,
      skuId: a,
      opId: `${st.id}:${a}`,
      delta: -1,
      reason: "count",
      fact: true,
      ref: { type: "stocktake", id: st.id, actorId: "usr_gone" },
    })
    expect(first.ok).toBe(true)

    expect(scheduledJobs.frequent.map((j) => j.name)).toContain("repair-stocktakes")
    expect(await repairStocktakes(env, db)).toContainEqual({ id: st.id, status: "posted" })
    expect(await repairStocktakes(env, db)).not.toContainEqual(expect.objectContaining({ id: st.id }))
    expect(await snapshot(s.locationId, a)).toMatchObject({ onHand: 9 })
    expect(await snapshot(s.locationId, b)).toMatchObject({ onHand: 12 })
  })

  it("cancels an open count, after which it takes no scans and can't post", async () => {
    const s = await store()
    const sku = await newSku()
    await stockIn(s.locationId, sku, 5)
    const { body: st } = await open(s.clerk, { locationId: s.locationId })
    await count(s.clerk, st.id, { batchId: uniq("b"), lines: [{ skuId: sku, qty: 1 }] })
    const cancelled = await call<Stocktake>("POST", `/stocktakes/${st.id}/cancel`, { token: s.clerk })
    expect(cancelled.body.status).toBe("cancelled")
    expect((await count(s.clerk, st.id, { batchId: uniq("b"), lines: [{ skuId: sku, qty: 1 }] })).status).toBe(409)
    expect((await post(s.manager, st.id)).status).toBe(409)
    expect(await snapshot(s.locationId, sku)).toMatchObject({ onHand: 5 })
  })

  it("counts only the category it was opened for, and only SKUs that exist", async () => {
    const s = await store()
    const clothes = await newCategory()
    const shirts = await newCategory(clothes.path)
    const food = await newCategory()
    const shirt = await newSku("衬衫", shirts.id)
    const rice = await newSku("大米", food.id)
    const { body: st } = await open(s.clerk, { locationId: s.locationId, categoryId: clothes.id })
    const ok = await count(s.clerk, st.id, { batchId: uniq("b"), lines: [{ skuId: shirt, qty: 2 }] })
    expect(ok.status).toBe(200)
    const wrong = await count(s.clerk, st.id, {
      batchId: uniq("b"),
      lines: [
        { skuId: rice, qty: 1 },
        { skuId: "sku_nope", qty: 1 },
      ],
    })
    expect(wrong.status).toBe(422)
    expect(wrong.body).toMatchObject({ code: "invalid_count" })
    const unknown = await open(s.clerk, { locationId: s.locationId, categoryId: "cat_nope" })
    expect(unknown.status).toBe(422)
  })

  it("answers 404 to a clerk of another store", async () => {
    const s = await store()
    const other = await createLocation(s.owner, "store")
    const outsider = (await staffToken(s.owner, "clerk", [other])).token
    const outsideManager = (await staffToken(s.owner, "store_manager", [other])).token
    const sku = await newSku()
    expect((await open(outsider, { locationId: s.locationId })).status).toBe(404)
    const { body: st } = await open(s.clerk, { locationId: s.locationId })
    expect((await call("GET", `/stocktakes/${st.id}`, { token: outsider })).status).toBe(404)
    expect((await count(outsider, st.id, { batchId: uniq("b"), lines: [{ skuId: sku, qty: 1 }] })).status).toBe(404)
    expect((await post(outsideManager, st.id)).status).toBe(404)
    expect((await call("POST", `/stocktakes/${st.id}/cancel`, { token: outsider })).status).toBe(404)
    const list = await call<{ items: Stocktake[] }>("GET", "/stocktakes", { token: outsider })
    expect(list.body.items.map((x) => x.id)).not.toContain(st.id)
    const mine = await call<{ items: Stocktake[] }>("GET", `/stocktakes?locationId=${s.locationId}`, { token: s.clerk })
    expect(mine.body.items.map((x) => x.id)).toEqual([st.id])
  })
})
