// The audit with a location: each cell's on hand against the sum of its ledger moves, now —
// clean once the outboxes have reached D1, loud when the ledger has been tampered with, and never
// mistaking a cell that is still copying its outbox for drift.
import { runInDurableObject } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { checkCells } from "../../worker/modules/stock"
import { cellName } from "../../worker/stock-cell/client"
import type { StockCell } from "../../worker/stock-cell/stock-cell"
import { call, createLocation, ownerToken, staffToken, uniq } from "./helpers"
import { db, flush, newSku, receive, stub } from "./stock-helpers"

describe("stock audit of one location", () => {
  it("is clean after the flush, and reports drift when a ledger row is tampered with", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const [a, b] = [await newSku(owner), await newSku(owner)]
    await receive(owner, store, [
      { skuId: a, qty: 10, lot: "L1", expiresOn: "2027-01-01" },
      { skuId: a, qty: 4 },
      { skuId: b, qty: 3 },
    ])
    const wo = await call("POST", "/stock/adjustments", {
      token: owner,
      key: uniq("tz"),
      body: { locationId: store, lines: [{ skuId: a, delta: -12, reason: "damage" }] },
    })
    expect(wo.status).toBe(201)
    await flush(store, a, b)

    const clean = await call("GET", `/stock/audit?locationId=${store}`, { token: owner })
    expect(clean.status).toBe(200)
    expect(clean.body).toMatchObject({ locationId: store, cellsChecked: 2, drift: [], pending: [] })
    expect(Date.parse(clean.body.checkedAt)).not.toBeNaN()

    await env.DB.prepare("update stock_moves set delta = delta + 1 where cell = ? and kind = 'receive' and lot = 'L1'")
      .bind(cellName(store, a))
      .run()
    const tampered = await call("GET", `/stock/audit?locationId=${store}`, { token: owner })
    expect(tampered.body.cellsChecked).toBe(2)
    expect(tampered.body.drift).toEqual([{ locationId: store, skuId: a, cell: 2, ledger: 3 }])
    const one = await call("GET", `/stock/audit?locationId=${store}&skuId=${b}`, { token: owner })
    expect(one.body).toMatchObject({ cellsChecked: 1, drift: [] })
  })

  it("a cell still copying its outbox is pending, never drift", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const sku = await newSku(owner)
    await receive(owner, store, [{ skuId: sku, qty: 5 }])
    await flush(store, sku)
    // The cell's clock a year ahead, so its next flush is a year away: D1 now trails it for sure.
    await runInDurableObject(stub(store, sku), (cell: StockCell) => {
      cell.clock = () => Date.now() + 365 * 24 * 3600 * 1000
    })
    await receive(owner, store, [{ skuId: sku, qty: 2 }])
    const [check] = await checkCells(env, db(), [{ cell: cellName(store, sku), locationId: store, skuId: sku }])
    expect(check).toMatchObject({ status: "pending", outboxPending: 1 })
    // Once the outbox has reached D1 the same cell compares clean.
    await flush(store, sku)
    const [settled] = await checkCells(env, db(), [{ cell: cellName(store, sku), locationId: store, skuId: sku }])
    expect(settled).toMatchObject({ status: "ok", cellOnHand: 7, ledgerOnHand: 7 })
  })

  it("is for the owner alone, and for real locations", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const manager = await staffToken(owner, "manager", [store])
    expect((await call("GET", `/stock/audit?locationId=${store}`, { token: manager.token })).status).toBe(403)
    expect((await call("POST", "/stock/audit/run", { token: manager.token })).status).toBe(403)
    expect((await call("GET", "/stock/audit?locationId=loc_nope", { token: owner })).status).toBe(404)
  })
})
