// The D1 projection of lots (stock_lots): what each cell flushed, summed per lot by a trigger on
// stock_moves, must equal the cell's own lots — after receipts, FEFO sales, a transfer, a
// stocktake and a flush repeated after a crash — and GET /stock/expiring reads it without
// asking a single cell.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { cellName } from "../../worker/stock-cell/client"
import type { StockCell } from "../../worker/stock-cell/stock-cell"
import { call, createLocation, ownerToken, staffToken, uniq } from "./helpers"
import { cash, sell } from "./sales-helpers"
import { dayFromToday, flush, newSku, receive, snapshot, stub } from "./stock-helpers"

type Lot = { lot: string; expiresOn: string | null; qty: number }

async function projected(locationId: string, skuId: string): Promise<Lot[]> {
  const { results } = await env.DB.prepare(
    `SELECT lot, expires_on AS expiresOn, qty FROM stock_lots WHERE cell = ?
     ORDER BY COALESCE(expires_on, '9999-12-31'), lot`,
  )
    .bind(cellName(locationId, skuId))
    .all<Lot>()
  return results
}

/** The cell's own lots, in the same order as `projected`. */
async function cellLots(locationId: string, skuId: string): Promise<Lot[]> {
  const s = await snapshot(locationId, skuId)
  return s.lots.map((l) => ({ lot: l.lot, expiresOn: l.expiresOn, qty: l.qty }))
}

async function expectProjectionOf(locationId: string, ...skuIds: string[]) {
  await flush(locationId, ...skuIds)
  for (const skuId of skuIds) expect(await projected(locationId, skuId)).toEqual(await cellLots(locationId, skuId))
}

/** Flushes the cell, then puts the flushed rows back and flushes again: a flush that died after D1 had its batch. */
async function flushTwice(locationId: string, skuId: string) {
  const s = stub(locationId, skuId)
  const rows = await runInDurableObject(s, (_i: StockCell, state) =>
    state.storage.sql.exec<{ seq: number; event: string }>("SELECT seq, event FROM outbox ORDER BY seq").toArray(),
  )
  await flush(locationId, skuId)
  await runInDurableObject(s, (_i: StockCell, state) => {
    for (const r of rows) state.storage.sql.exec("INSERT INTO outbox (seq, event) VALUES (?, ?)", r.seq, r.event)
  })
  await runDurableObjectAlarm(s)
  return rows.length
}

async function stocktake(token: string, locationId: string, lines: { skuId: string; qty: number }[]) {
  const opened = await call<{ id: string }>("POST", "/stocktakes", { token, body: { locationId } })
  expect(opened.status).toBe(201)
  const id = opened.body.id
  expect((await call("POST", `/stocktakes/${id}/counts`, { token, body: { batchId: uniq("b"), lines } })).status).toBe(
    200,
  )
  expect((await call("POST", `/stocktakes/${id}/post`, { token, key: uniq("k") })).status).toBe(200)
}

describe("the lots read model (stock_lots)", () => {
  it("equals every cell's own lots through receipts, FEFO sales, a transfer, a stocktake and a repeated flush", async () => {
    const owner = await ownerToken()
    const warehouse = await createLocation(owner, "warehouse")
    const store = await createLocation(owner, "store")
    const [milk, bread] = [await newSku(owner, { name: "牛奶" }), await newSku(owner, { name: "面包" })]

    // The warehouse receives two lots of milk (and some without a lot), the store a lot of bread.
    await receive(owner, warehouse, [
      { skuId: milk, qty: 10, lot: "M-0301", expiresOn: dayFromToday(3) },
      { skuId: milk, qty: 10, lot: "M-0320", expiresOn: dayFromToday(20) },
      { skuId: milk, qty: 3 },
    ])
    await receive(owner, store, [{ skuId: bread, qty: 6, lot: "B-0305", expiresOn: dayFromToday(5) }])
    await expectProjectionOf(warehouse, milk)
    expect(await projected(warehouse, milk)).toEqual([
      { lot: "M-0301", expiresOn: dayFromToday(3), qty: 10 },
      { lot: "M-0320", expiresOn: dayFromToday(20), qty: 10 },
    ])

    // 12 milk go to the store: FEFO ships all of M-0301 and 2 of M-0320; the emptied lot leaves D1 too.
    const made = await call<{ id: string }>("POST", "/transfers", {
      token: owner,
      key: uniq("k"),
      body: { fromLocationId: warehouse, toLocationId: store, lines: [{ skuId: milk, qty: 12 }] },
    })
    expect(made.status).toBe(201)
    expect((await call("POST", `/transfers/${made.body.id}/ship`, { token: owner, key: uniq("k") })).status).toBe(200)
    const counted = await call("POST", `/transfers/${made.body.id}/receive`, {
      token: owner,
      key: uniq("k"),
      body: { lines: [{ skuId: milk, qty: 12 }] },
    })
    expect(counted.status).toBe(200)
    await expectProjectionOf(warehouse, milk)
    expect(await projected(warehouse, milk)).toEqual([{ lot: "M-0320", expiresOn: dayFromToday(20), qty: 8 }])

    // The till sells 5 milk and 2 bread: first expiry first out.
    const cashier = await staffToken(owner, "cashier", [store])
    const sale = await sell(cashier.token, {
      locationId: store,
      lines: [
        { skuId: milk, qty: 5 },
        { skuId: bread, qty: 2 },
      ],
      payments: [cash(100_000)],
    })
    expect(sale.status, JSON.stringify(sale.body)).toBe(201)

    // The store counts 4 milk where the book says 7: the variance leaves FEFO as well.
    await stocktake(owner, store, [{ skuId: milk, qty: 4 }])

    // The store cell's flush dies after D1 took its batch and runs again: nothing counts twice.
    expect(await flushTwice(store, milk)).toBeGreaterThan(0)
    await expectProjectionOf(store, milk, bread)
    expect(await projected(store, milk)).toEqual([
      { lot: "M-0301", expiresOn: dayFromToday(3), qty: 2 },
      { lot: "M-0320", expiresOn: dayFromToday(20), qty: 2 },
    ])
    expect(await projected(store, bread)).toEqual([{ lot: "B-0305", expiresOn: dayFromToday(5), qty: 4 }])
    // The cell says the same, and the ledger's moves now carry their lot's date.
    expect((await snapshot(store, milk)).onHand).toBe(4)
    const dated = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM stock_moves WHERE cell = ? AND lot IS NOT NULL AND expires_on IS NULL",
    )
      .bind(cellName(store, milk))
      .first<{ n: number }>()
    expect(dated?.n).toBe(0)

    // The expiring list is the projection's, by date: milk's 3-day lot, bread's 5-day lot, milk's 20-day lot.
    const expiring = await call("GET", `/stock/expiring?locationId=${store}`, { token: cashier.token })
    expect(expiring.status).toBe(200)
    expect(expiring.body.items.map((i: Lot & { skuId: string }) => [i.skuId, i.lot, i.qty])).toEqual([
      [milk, "M-0301", 2],
      [bread, "B-0305", 4],
      [milk, "M-0320", 2],
    ])
  })

  it("a lot emptied and received again comes back with its new date", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const tofu = await newSku(owner, { name: "豆腐" })
    await receive(owner, store, [{ skuId: tofu, qty: 2, lot: "T-1", expiresOn: dayFromToday(1) }])
    await expectProjectionOf(store, tofu)
    const adjusted = await call("POST", "/stock/adjustments", {
      token: owner,
      key: uniq("k"),
      body: { locationId: store, lines: [{ skuId: tofu, delta: -2, reason: "expired" }] },
    })
    expect(adjusted.status).toBe(201)
    await expectProjectionOf(store, tofu)
    expect(await projected(store, tofu)).toEqual([])

    await receive(owner, store, [{ skuId: tofu, qty: 3, lot: "T-1", expiresOn: dayFromToday(9) }])
    await expectProjectionOf(store, tofu)
    expect(await projected(store, tofu)).toEqual([{ lot: "T-1", expiresOn: dayFromToday(9), qty: 3 }])
  })

  it("pages the expiring list by SKU, the soonest lot first, without repeating or skipping one", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const skus = [await newSku(owner), await newSku(owner), await newSku(owner)]
    await receive(owner, store, [
      { skuId: skus[0]!, qty: 1, lot: "A-9", expiresOn: dayFromToday(9) },
      { skuId: skus[0]!, qty: 1, lot: "A-2", expiresOn: dayFromToday(2) },
      { skuId: skus[1]!, qty: 1, lot: "B-1", expiresOn: dayFromToday(1) },
      { skuId: skus[2]!, qty: 1, lot: "C-2", expiresOn: dayFromToday(2) },
      { skuId: skus[2]!, qty: 1, lot: "C-40", expiresOn: dayFromToday(40) },
    ])
    await flush(store, ...skus)
    const lots: string[] = []
    let cursor: string | null = null
    for (let page = 0; page < 5; page++) {
      const url: string = `/stock/expiring?locationId=${store}&limit=1${cursor ? `&cursor=${cursor}` : ""}`
      const res = await call<{ items: Lot[]; nextCursor: string | null }>("GET", url, { token: owner })
      expect(res.status).toBe(200)
      lots.push(...res.body.items.map((i) => i.lot))
      cursor = res.body.nextCursor
      if (!cursor) break
    }
    // B (soonest lot in 1 day), then A and C (both 2 days; by cell name) — C-40 is beyond the 30 days.
    const [a, c] = [["A-2", "A-9"], ["C-2"]]
    const byCell = [skus[0]!, skus[2]!].map((s) => cellName(store, s))
    expect(lots).toEqual(["B-1", ...(byCell[0]! < byCell[1]! ? [...a, ...c] : [...c, ...a])])
  })

  it("the audit reports a lot that differs from its cell, and gives D1 a date it never learnt", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const [eggs, juice] = [await newSku(owner, { name: "鸡蛋" }), await newSku(owner, { name: "果汁" })]
    await receive(owner, store, [
      { skuId: eggs, qty: 30, lot: "E-1", expiresOn: dayFromToday(4) },
      { skuId: juice, qty: 8, lot: "J-1", expiresOn: dayFromToday(6) },
      { skuId: juice, qty: 4, lot: "J-2", expiresOn: dayFromToday(60) },
    ])
    await flush(store, eggs, juice)
    expect((await call("GET", `/stock/audit?locationId=${store}`, { token: owner })).body.drift).toEqual([])

    // Eggs as a lot flushed before moves carried dates (the backfill found no document for it);
    // juice with two units moved between its lots in D1 only: the totals still agree.
    const lots = (sql: string, skuId: string) => env.DB.prepare(sql).bind(cellName(store, skuId)).run()
    await lots("UPDATE stock_lots SET expires_on = NULL WHERE cell = ?", eggs)
    await lots("UPDATE stock_lots SET qty = qty + CASE lot WHEN 'J-1' THEN -2 ELSE 2 END WHERE cell = ?", juice)
    const hidden = await call("GET", `/stock/expiring?locationId=${store}`, { token: owner })
    expect(hidden.body.items.map((i: Lot) => i.lot)).toEqual(["J-1"])

    const audit = await call("GET", `/stock/audit?locationId=${store}`, { token: owner })
    expect(audit.status).toBe(200)
    expect(audit.body.drift).toEqual([
      {
        locationId: store,
        skuId: juice,
        cell: 12,
        ledger: 12,
        lots: [
          { lot: "J-1", cell: 8, projected: 6 },
          { lot: "J-2", cell: 4, projected: 6 },
        ],
      },
    ])
    expect(await projected(store, eggs)).toEqual([{ lot: "E-1", expiresOn: dayFromToday(4), qty: 30 }])
    const shown = await call("GET", `/stock/expiring?locationId=${store}`, { token: owner })
    expect(shown.body.items.map((i: Lot) => i.lot)).toEqual(["E-1", "J-1"])
  })
})
