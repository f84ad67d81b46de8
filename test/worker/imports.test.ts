// A chain switching to puzi: its product master, its opening balances (库存底数) and its sales
// history arrive as numbered chunks of an import job. Every story makes its own stores and SKUs
// (storage is shared within this file).
import { env } from "cloudflare:workers"
import { beforeAll, describe, expect, it } from "vitest"
import { call, createLocation, ownerToken, staffToken, uniq } from "./helpers"
import { flush, movesOf, newSku, snapshot, stub } from "./stock-helpers"

let owner: string
beforeAll(async () => {
  owner = await ownerToken()
})

type Job = {
  id: string
  status: string
  lastChunk: number
  chunksDone: number
  rows: number
  applied: number
  unchanged: number
}
type Chunk = { chunk: number; rows: number; applied: number; unchanged: number; replayed: boolean }
type RowError = { row: number; path: string; code: string }

async function openJob(kind: string, key = uniq("job")) {
  const res = await call<Job>("POST", "/imports", { token: owner, body: { key, kind } })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}
const sendChunk = (job: Job, path: string, n: number, body: unknown) =>
  call<Chunk & { code: string; errors: RowError[] }>("POST", `/imports/${job.id}/${path}/${n}`, { token: owner, body })
const getJob = async (job: Job) => (await call<Job>("GET", `/imports/${job.id}`, { token: owner })).body

async function skuCodeOf(skuId: string) {
  const res = await call<{ skuCode: string }>("GET", `/skus/${skuId}`, { token: owner })
  return res.body.skuCode
}

describe("products in bulk", () => {
  const csv = (code: string) =>
    `商品名称,货号,条码,售价,成本,分类,颜色,尺码\n迁移T恤${code},${code}-1,,59.90,21.00,服装/上装,黑,M\n迁移T恤${code},${code}-2,,59.90,21.00,服装/上装,白,M\n`
  const sendCsv = (job: Job, n: number, body: string) =>
    call<Chunk & { code: string; errors: RowError[] }>("POST", `/imports/${job.id}/products/${n}`, {
      token: owner,
      rawBody: body,
      headers: { "content-type": "text/csv" },
    })

  it("imports a CSV chunk, answers a resent chunk from its record, and a re-run finds every SKU unchanged", async () => {
    const code = uniq("MIG")
    const job = await openJob("products")
    const first = await sendCsv(job, 0, csv(code))
    expect(first.body).toMatchObject({ chunk: 0, rows: 2, applied: 2, unchanged: 0, replayed: false })
    expect((await sendCsv(job, 0, csv(code))).body).toMatchObject({ applied: 2, replayed: true })

    const rerun = await openJob("products")
    expect((await sendCsv(rerun, 0, csv(code))).body).toMatchObject({ rows: 2, applied: 0, unchanged: 2 })
    const found = await call<{ items: unknown[] }>("GET", `/skus?q=${code}`, { token: owner })
    expect(found.body.items).toHaveLength(2)
  })

  it("refuses a chunk with a bad row and imports nothing of it", async () => {
    const code = uniq("BAD")
    const job = await openJob("products")
    const bad = `商品名称,货号,售价\n好商品${code},${code}-1,9.90\n坏商品${code},${code}-2,九块九\n`
    const res = await sendCsv(job, 0, bad)
    expect(res.status).toBe(422)
    expect(res.body.errors.map((e) => e.code)).toEqual(["invalid_amount"])
    expect((await call<{ items: unknown[] }>("GET", `/skus?q=${code}`, { token: owner })).body.items).toHaveLength(0)
    expect((await getJob(job)).chunksDone).toBe(0)
  })
})

describe("opening balances through the stock cells", () => {
  it("lists every bad row and applies none of the rows", async () => {
    const store = await createLocation(owner)
    const good = await skuCodeOf(await newSku(owner))
    const job = await openJob("opening_balances")
    const res = await sendChunk(job, "opening-balances", 0, {
      rows: [
        { locationId: store, skuCode: good, qty: 10, unitCostFen: 500 },
        { locationId: store, skuCode: "NO-SUCH-SKU", qty: 1, unitCostFen: 1 },
        { locationId: "loc_nowhere", skuCode: good, qty: 1, unitCostFen: 1 },
        { locationId: store, skuCode: good, qty: 3, unitCostFen: 500, expiresOn: "2030-01-01" },
        { locationId: store, skuCode: good, qty: 10, unitCostFen: 500 },
      ],
    })
    expect(res.status).toBe(422)
    expect(res.body.code).toBe("import_rejected")
    expect(res.body.errors.map((e) => [e.row, e.code])).toEqual([
      [1, "unknown_sku"],
      [2, "unknown_location"],
      [3, "expiry_without_lot"],
      [4, "duplicate_row"],
    ])
    const skuId = (await call<{ items: { id: string }[] }>("GET", `/skus?q=${good}`, { token: owner })).body.items[0]!
      .id
    expect((await snapshot(store, skuId)).onHand).toBe(0)
  })

  it("receives lots with expiry and cost into each cell; the same chunk again changes nothing", async () => {
    const [store, warehouse] = [await createLocation(owner), await createLocation(owner, "warehouse")]
    const milkId = await newSku(owner)
    const milk = await skuCodeOf(milkId)
    const storeName = uniq("迁移门店")
    const named = await createLocation(owner, "store", storeName)
    const rows = [
      { locationId: store, skuCode: milk, qty: 12, unitCostFen: 260, lot: "L1", expiresOn: "2030-01-05" },
      { locationId: store, skuCode: milk, qty: 24, unitCostFen: 280, lot: "L2", expiresOn: "2030-03-01" },
      { locationId: warehouse, skuCode: milk, qty: 300, unitCostFen: 250 },
      { locationName: storeName, skuCode: milk, qty: 5, unitCostFen: 270 },
    ]
    const job = await openJob("opening_balances")
    const first = await sendChunk(job, "opening-balances", 0, { rows })
    expect(first.body).toMatchObject({ rows: 4, applied: 4, unchanged: 0, replayed: false })

    const cell = await snapshot(store, milkId)
    expect(cell.onHand).toBe(36)
    expect(cell.lots.map((l) => [l.lot, l.expiresOn, l.qty])).toEqual([
      ["L1", "2030-01-05", 12],
      ["L2", "2030-03-01", 24],
    ])
    expect(cell.avgCostFen).toBe(Math.round((12 * 260 + 24 * 280) / 36))
    expect((await snapshot(warehouse, milkId)).onHand).toBe(300)
    expect((await snapshot(named, milkId)).onHand).toBe(5)

    expect((await sendChunk(job, "opening-balances", 0, { rows })).body).toMatchObject({ replayed: true })
    expect((await snapshot(store, milkId)).onHand).toBe(36)
    await flush(store, milkId)
    expect((await movesOf(store, milkId)).map((m) => [m.kind, m.delta, m.lot, m.ref_id])).toEqual([
      ["receive", 12, "L1", job.id],
      ["receive", 24, "L2", job.id],
    ])
  })

  it("resumes after an interruption: rows applied before it are not applied twice, and the job says where to go on", async () => {
    const store = await createLocation(owner)
    const ids = [await newSku(owner), await newSku(owner), await newSku(owner)]
    const codes = await Promise.all(ids.map(skuCodeOf))
    const chunk = (i: number) => ({ rows: [{ locationId: store, skuCode: codes[i]!, qty: 10 + i, unitCostFen: 100 }] })
    const job = await openJob("opening_balances")
    // The first run died after its cell took row 0 of chunk 0, before the chunk was recorded.
    const ref = { type: "import", id: job.id, actorId: "usr_owner" }
    await stub(store, ids[0]!).receive({
      locationId: store,
      skuId: ids[0]!,
      opId: `${job.id}:0:0`,
      qty: 10,
      unitCostFen: 100,
      ref,
    })
    expect(await getJob(job)).toMatchObject({ lastChunk: -1, chunksDone: 0 })

    expect((await sendChunk(job, "opening-balances", 0, chunk(0))).body).toMatchObject({ applied: 0, unchanged: 1 })
    expect((await snapshot(store, ids[0]!)).onHand).toBe(10)
    // A parallel client finished chunk 2 before chunk 1: the job resumes after the first gap.
    await sendChunk(job, "opening-balances", 2, chunk(2))
    expect(await getJob(job)).toMatchObject({ lastChunk: 0, chunksDone: 2 })
    const early = await call<{ code: string; errors: { chunk: number }[] }>("POST", `/imports/${job.id}/finish`, {
      token: owner,
      body: { chunks: 3 },
    })
    expect(early.status).toBe(409)
    expect(early.body.errors.map((e) => e.chunk)).toEqual([1])

    await sendChunk(job, "opening-balances", 1, chunk(1))
    expect(await getJob(job)).toMatchObject({ lastChunk: 2, chunksDone: 3, rows: 3, applied: 2, unchanged: 1 })
    const done = await call<Job>("POST", `/imports/${job.id}/finish`, { token: owner, body: { chunks: 3 } })
    expect(done.body.status).toBe("done")
    expect((await sendChunk(job, "opening-balances", 3, chunk(0))).body.code).toBe("import_finished")
    expect(await Promise.all(ids.map(async (id) => (await snapshot(store, id)).onHand))).toEqual([10, 11, 12])
  })

  it("an import given up (the wrong file) takes no more chunks; what it applied stays, and a new job carries on", async () => {
    const store = await createLocation(owner)
    const [a, b] = [await newSku(owner), await newSku(owner)]
    const [codeA, codeB] = await Promise.all([skuCodeOf(a), skuCodeOf(b)])
    const job = await openJob("opening_balances")
    await sendChunk(job, "opening-balances", 0, {
      rows: [{ locationId: store, skuCode: codeA, qty: 7, unitCostFen: 100 }],
    })

    const abandon = () => call<Job & { code: string }>("POST", `/imports/${job.id}/abandon`, { token: owner })
    const given = await abandon()
    expect(given.status, JSON.stringify(given.body)).toBe(200)
    expect(given.body).toMatchObject({ status: "abandoned", chunksDone: 1 })
    expect((await abandon()).body).toEqual(given.body)
    const late = await sendChunk(job, "opening-balances", 1, {
      rows: [{ locationId: store, skuCode: codeB, qty: 5, unitCostFen: 100 }],
    })
    expect([late.status, late.body.code]).toEqual([409, "import_abandoned"])
    const finish = await call<{ code: string }>("POST", `/imports/${job.id}/finish`, {
      token: owner,
      body: { chunks: 1 },
    })
    expect([finish.status, finish.body.code]).toEqual([409, "import_abandoned"])
    expect([(await snapshot(store, a)).onHand, (await snapshot(store, b)).onHand]).toEqual([7, 0])

    const next = await openJob("opening_balances")
    await sendChunk(next, "opening-balances", 0, {
      rows: [{ locationId: store, skuCode: codeB, qty: 5, unitCostFen: 100 }],
    })
    expect((await snapshot(store, b)).onHand).toBe(5)
    // A finished import has nothing to give up.
    const done = await call("POST", `/imports/${next.id}/finish`, { token: owner, body: { chunks: 1 } })
    expect(done.status).toBe(200)
    const refused = await call<{ code: string }>("POST", `/imports/${next.id}/abandon`, { token: owner })
    expect([refused.status, refused.body.code]).toEqual([409, "import_finished"])
  })

  it("refuses the same chunk number with other content, and a key reused for another kind", async () => {
    const store = await createLocation(owner)
    const code = await skuCodeOf(await newSku(owner))
    const key = uniq("key")
    const job = await openJob("opening_balances", key)
    await sendChunk(job, "opening-balances", 0, {
      rows: [{ locationId: store, skuCode: code, qty: 1, unitCostFen: 1 }],
    })
    const other = await sendChunk(job, "opening-balances", 0, {
      rows: [{ locationId: store, skuCode: code, qty: 2, unitCostFen: 1 }],
    })
    expect([other.status, other.body.code]).toEqual([409, "chunk_conflict"])
    const again = await call<Job>("POST", "/imports", { token: owner, body: { key, kind: "opening_balances" } })
    expect([again.status, again.body.id]).toEqual([200, job.id])
    const reused = await call<{ code: string }>("POST", "/imports", {
      token: owner,
      body: { key, kind: "sales_history" },
    })
    expect([reused.status, reused.body.code]).toEqual([409, "import_key_reused"])
  })

  it("is for HQ: a store manager may not import", async () => {
    const store = await createLocation(owner)
    const manager = await staffToken(owner, "store_manager", [store])
    const res = await call("POST", "/imports", {
      token: manager.token,
      body: { key: uniq("k"), kind: "opening_balances" },
    })
    expect(res.status).toBe(403)
  })
})

describe("sales history", () => {
  const order = (externalId: string, locationId: string, skuCode: string, at = "2026-10-03T10:15:00+08:00") => ({
    externalId,
    locationId,
    occurredAt: at,
    lines: [{ skuCode, qty: 2, unitPriceFen: 1990, totalFen: 3580 }],
    payments: [
      { method: "wechat", amountFen: 3000 },
      { method: "cash", amountFen: 580 },
    ],
  })
  const salesOf = async (ids: string[]) => {
    const { results } = await env.DB.prepare(
      "select id, number, source, total_fen, discount_fen, business_day, posted_at, points_earned from sales where id in (select 'hs_' || value from json_each(?)) order by id",
    )
      .bind(JSON.stringify(ids))
      .all<{
        id: string
        number: string
        source: string
        total_fen: number
        discount_fen: number
        business_day: string
      }>()
    return results
  }

  it("lists every bad order and writes none of them", async () => {
    const store = await createLocation(owner)
    const code = await skuCodeOf(await newSku(owner))
    const ids = [uniq("OK"), uniq("NOSKU"), uniq("DUP"), uniq("PAY"), uniq("FUT"), uniq("HUGE")]
    const job = await openJob("sales_history")
    const res = await sendChunk(job, "sales", 0, {
      orders: [
        order(ids[0]!, store, code),
        order(ids[1]!, store, "NO-SUCH-SKU"),
        order(ids[0]!, store, code),
        { ...order(ids[3]!, store, code), payments: [{ method: "cash", amountFen: 1 }] },
        order(ids[4]!, store, code, "2099-01-01T00:00:00Z"),
        { ...order(ids[5]!, store, code), lines: [{ skuCode: code, qty: 1_000_000_000, unitPriceFen: 1_000_000_000 }] },
      ],
    })
    expect(res.status).toBe(422)
    expect(res.body.errors.map((e) => [e.row, e.code])).toEqual([
      [1, "unknown_sku"],
      [1, "payments_mismatch"],
      [2, "duplicate_row"],
      [3, "payments_mismatch"],
      [4, "not_in_past"],
      [5, "amount_too_large"],
      [5, "payments_mismatch"],
    ])
    expect(await salesOf(ids)).toEqual([])
  })

  it("writes past orders as imported sales that move no stock, and rebuilds the store-days' report", async () => {
    const store = await createLocation(owner)
    const skuId = await newSku(owner)
    const code = await skuCodeOf(skuId)
    const opening = await openJob("opening_balances")
    await sendChunk(opening, "opening-balances", 0, {
      rows: [{ locationId: store, skuCode: code, qty: 50, unitCostFen: 900 }],
    })
    await flush(store, skuId)
    const movesBefore = await movesOf(store, skuId)

    const ids = [uniq("A"), uniq("B"), uniq("C")]
    const orders = [
      order(ids[0]!, store, code),
      order(ids[1]!, store, code),
      // 23:30 UTC is the next morning in Shanghai: booked on the store's own business day.
      order(ids[2]!, store, code, "2026-10-03T23:30:00Z"),
    ]
    const job = await openJob("sales_history")
    expect((await sendChunk(job, "sales", 0, { orders })).body).toMatchObject({ rows: 3, applied: 3, unchanged: 0 })

    const sales = await salesOf(ids)
    expect(sales.map((s) => [s.source, s.total_fen, s.discount_fen, s.business_day])).toEqual([
      ["import", 3580, 400, "2026-10-03"],
      ["import", 3580, 400, "2026-10-03"],
      ["import", 3580, 400, "2026-10-04"],
    ])
    expect(sales[0]!.number).toBe(`IMP-${ids[0]}`)
    const sale = await call<{ lines: { skuId: string; qty: number }[]; payments: { method: string }[] }>(
      "GET",
      `/sales/hs_${ids[0]}`,
      { token: owner },
    )
    expect(sale.body.lines.map((l) => [l.skuId, l.qty])).toEqual([[skuId, 2]])
    expect(sale.body.payments.map((p) => p.method)).toEqual(["wechat", "cash"])

    await flush(store, skuId)
    expect((await snapshot(store, skuId)).onHand).toBe(50)
    expect(await movesOf(store, skuId)).toEqual(movesBefore)

    const report = await env.DB.prepare(
      "select day, orders, sales_fen from report_daily where location_id = ? and channel = 'import' order by day",
    )
      .bind(store)
      .all<{ day: string; orders: number; sales_fen: number }>()
    expect(report.results).toEqual([
      { day: "2026-10-03", orders: 2, sales_fen: 7160 },
      { day: "2026-10-04", orders: 1, sales_fen: 3580 },
    ])

    // The whole history again, as a new job: nothing is written twice, the report is unchanged.
    const rerun = await openJob("sales_history")
    expect((await sendChunk(rerun, "sales", 0, { orders })).body).toMatchObject({ applied: 0, unchanged: 3 })
    expect(await salesOf(ids)).toHaveLength(3)
    const again = await env.DB.prepare("select sum(orders) as n from report_daily where location_id = ?")
      .bind(store)
      .first<{ n: number }>()
    expect(again?.n).toBe(3)
  })
})
