// Channel orders through the public API: reserve, pay, read, list, cancel — and the answers a
// mini-program or a platform integration relies on (ARCHITECTURE.md §4, API-CONTRACT.md).
import { describe, expect, it } from "vitest"
import { call, createLocation, staffToken, uniq } from "./helpers"
import { expectBalanced, holdOf, newSkus, order, pay, shop, snapshot, stock, stub } from "./orders-fixtures"

describe("POST /orders", () => {
  it("holds every line until expiresAt and answers the total at the SKUs' prices", async () => {
    const { owner, locationId, skuIds } = await shop({ skus: 2, qty: 10, priceFen: 1990 })
    const [a, b] = skuIds as [string, string]
    const before = Date.now()
    const res = await order(owner, {
      locationId,
      lines: [
        { skuId: a, qty: 2 },
        { skuId: b, qty: 1 },
        { skuId: a, qty: 1 },
      ],
      holdSeconds: 600,
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toMatchObject({ status: "reserved", totalFen: 4 * 1990 })
    expect(res.body.id).toMatch(/^ord_/)
    expect(res.body.number).toMatch(/^DD\d{8}-\d{4}$/)
    // Lines of the same SKU are summed: one hold per cell.
    expect(res.body.lines).toEqual([
      { skuId: a, qty: 3, unitPriceFen: 1990, amountFen: 5970 },
      { skuId: b, qty: 1, unitPriceFen: 1990, amountFen: 1990 },
    ])
    const expiresAt = Date.parse(res.body.expiresAt)
    expect(expiresAt).toBeGreaterThanOrEqual(before + 600_000)
    expect(await holdOf(locationId, a, res.body.id)).toMatchObject({ qty: 3, status: "active", expiresAt })
    expect(await snapshot(locationId, a)).toMatchObject({ onHand: 10, reserved: 3, available: 7 })
    expect(await snapshot(locationId, b)).toMatchObject({ onHand: 10, reserved: 1, available: 9 })
  })

  it("holds for 900 seconds by default", async () => {
    const { owner, locationId, skuIds } = await shop({ qty: 5 })
    const before = Date.now()
    const res = await order(owner, { locationId, lines: [{ skuId: skuIds[0], qty: 1 }] })
    expect(res.status).toBe(201)
    const ms = Date.parse(res.body.expiresAt) - before
    expect(ms).toBeGreaterThanOrEqual(900_000)
    expect(ms).toBeLessThan(960_000)
  })

  it("prices weighed goods per kilogram", async () => {
    const { owner, locationId } = await shop()
    const [apple] = await newSkus(owner, 1, 1598, "gram")
    await stock(locationId, apple!, 5000)
    const res = await order(owner, { locationId, lines: [{ skuId: apple, qty: 750 }] })
    expect(res.status).toBe(201)
    expect(res.body.totalFen).toBe(Math.round((750 * 1598) / 1000))
  })

  it("answers 409 insufficient_stock with every short line and holds nothing", async () => {
    const { owner, locationId, skuIds } = await shop({ skus: 3, qty: 2 })
    const [a, b, c] = skuIds as [string, string, string]
    const res = await order(owner, {
      locationId,
      lines: [
        { skuId: a, qty: 1 },
        { skuId: b, qty: 3 },
        { skuId: c, qty: 5 },
      ],
    })
    expect(res.status).toBe(409)
    expect(res.headers.get("content-type")).toContain("application/problem+json")
    expect(res.body.code).toBe("insufficient_stock")
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "lines.1.qty", skuId: b, requested: 3, available: 2 }),
        expect.objectContaining({ path: "lines.2.qty", skuId: c, requested: 5, available: 2 }),
      ]),
    )
    expect(res.body.errors).toHaveLength(2)
    for (const s of skuIds) expect(await snapshot(locationId, s)).toMatchObject({ reserved: 0, available: 2 })
  })

  it("checks who, then role, then body, then scope (401 → 403 → 400 → 404)", async () => {
    const { owner, locationId, skuIds } = await shop({ qty: 5 })
    const body = { channel: "web", locationId, lines: [{ skuId: skuIds[0], qty: 1 }] }
    expect((await call("POST", "/orders", { key: uniq(), body })).status).toBe(401)
    const cashier = await staffToken(owner, "cashier", [locationId])
    expect((await call("POST", "/orders", { token: cashier.token, key: uniq(), body: { bad: 1 } })).status).toBe(403)
    const bad = await call("POST", "/orders", { token: owner, key: uniq(), body: { ...body, holdSeconds: 2 } })
    expect(bad.status).toBe(400)
    expect(bad.body.errors[0].path).toBe("holdSeconds")
    expect(
      (await call("POST", "/orders", { token: owner, key: uniq(), body: { ...body, channel: "taobao" } })).status,
    ).toBe(400)
    expect((await call("POST", "/orders", { token: owner, body })).body.code).toBe("idempotency_key_missing")
    const otherStore = await createLocation(owner)
    const manager = await staffToken(owner, "store_manager", [otherStore])
    const res = await call("POST", "/orders", { token: manager.token, key: uniq(), body })
    expect(res.status).toBe(404)
    expect(await snapshot(locationId, skuIds[0]!)).toMatchObject({ reserved: 0 })
  })

  it("answers 404 for a location that doesn't exist and 422 for an unknown SKU", async () => {
    const { owner, locationId, skuIds } = await shop({ qty: 5 })
    expect((await order(owner, { locationId: "loc_nowhere", lines: [{ skuId: skuIds[0], qty: 1 }] })).status).toBe(404)
    const res = await order(owner, {
      locationId,
      lines: [
        { skuId: skuIds[0], qty: 1 },
        { skuId: "sku_nope", qty: 1 },
      ],
    })
    expect(res.status).toBe(422)
    expect(res.body).toMatchObject({ code: "unknown_sku", errors: [{ path: "lines.1.skuId", skuId: "sku_nope" }] })
    expect(await snapshot(locationId, skuIds[0]!)).toMatchObject({ reserved: 0 })
  })

  it("takes one order per channel and externalRef; the second gets 409 and holds nothing", async () => {
    const { owner, locationId, skuIds } = await shop({ qty: 5 })
    const externalRef = uniq("TM")
    const body = { channel: "tmall", locationId, externalRef, lines: [{ skuId: skuIds[0], qty: 1 }] }
    expect((await order(owner, body)).status).toBe(201)
    const again = await order(owner, body)
    expect(again.status).toBe(409)
    expect(again.body.code).toBe("duplicate_external_ref")
    expect(await snapshot(locationId, skuIds[0]!)).toMatchObject({ reserved: 1, available: 4 })
    expect((await order(owner, { ...body, channel: "jd" })).status).toBe(201)
  })

  it("enforces a flash-sale limit per customer inside the cell", async () => {
    const { owner, locationId, skuIds } = await shop({ qty: 50 })
    const skuId = skuIds[0]!
    const limit = await stub(locationId, skuId).setLimit({
      locationId,
      skuId,
      opId: uniq("lim"),
      perCustomer: 2,
      windowMs: 3_600_000,
    })
    expect(limit.ok).toBe(true)
    const line = [{ skuId, qty: 2 }]
    expect((await order(owner, { locationId, lines: line, customerId: "cust_1" })).status).toBe(201)
    const over = await order(owner, { locationId, lines: [{ skuId, qty: 1 }], customerId: "cust_1" })
    expect(over.status).toBe(409)
    expect(over.body.code).toBe("limit_exceeded")
    expect(over.body.errors?.[0]).toMatchObject({ skuId, perCustomer: 2 })
    const anonymous = await order(owner, { locationId, lines: line })
    expect(anonymous.status).toBe(422)
    expect(anonymous.body.code).toBe("customer_required")
    expect((await order(owner, { locationId, lines: line, customerId: "cust_2" })).status).toBe(201)
    expect(await snapshot(locationId, skuId)).toMatchObject({ reserved: 4, available: 46 })
  })
})

describe("POST /orders/{id}/pay", () => {
  it("commits every hold and answers paid; the goods leave the cells", async () => {
    const { owner, locationId, skuIds } = await shop({ skus: 2, qty: 10, priceFen: 500 })
    const placed = await order(owner, {
      locationId,
      lines: skuIds.map((skuId) => ({ skuId, qty: 2 })),
    })
    const res = await pay(owner, placed.body.id, [
      { method: "wechat", amountFen: 1500 },
      { method: "cash", amountFen: 1000 },
    ])
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toEqual({ id: placed.body.id, status: "paid" })
    for (const s of skuIds) {
      expect(await snapshot(locationId, s)).toMatchObject({ onHand: 8, reserved: 0, available: 8 })
      expect(await holdOf(locationId, s, placed.body.id)).toMatchObject({ status: "committed" })
    }
    const got = await call("GET", `/orders/${placed.body.id}`, { token: owner })
    expect(got.body).toMatchObject({
      status: "paid",
      totalFen: 2000,
      payments: [
        { method: "wechat", amountFen: 1500, status: "confirmed" },
        { method: "cash", amountFen: 1000, status: "confirmed" },
      ],
    })
    expect(got.body.paidAt).toEqual(expect.any(String))
  })

  it("answers 422 payment_short and keeps the order reserved", async () => {
    const { owner, locationId, skuIds } = await shop({ qty: 5, priceFen: 1000 })
    const placed = await order(owner, { locationId, lines: [{ skuId: skuIds[0], qty: 2 }] })
    const res = await pay(owner, placed.body.id, [{ method: "alipay", amountFen: 1999 }])
    expect(res.status).toBe(422)
    expect(res.body.code).toBe("payment_short")
    const over = await pay(owner, placed.body.id, [{ method: "card", amountFen: 2500 }])
    expect(over.body.code).toBe("payment_over")
    expect((await call("GET", `/orders/${placed.body.id}`, { token: owner })).body).toMatchObject({
      status: "reserved",
      payments: [],
    })
    // Cash may exceed: the change is the cashier's.
    expect((await pay(owner, placed.body.id, [{ method: "cash", amountFen: 5000 }])).status).toBe(200)
  })

  it("a customer's payment code goes through the provider (manual: confirmed at once)", async () => {
    const { owner, locationId, skuIds } = await shop({ qty: 5, priceFen: 300 })
    const placed = await order(owner, { locationId, lines: [{ skuId: skuIds[0], qty: 1 }] })
    const bad = await pay(owner, placed.body.id, [{ method: "cash", amountFen: 300, authCode: "134567890123456789" }])
    expect(bad.status).toBe(400)
    const res = await pay(owner, placed.body.id, [{ method: "wechat", amountFen: 300, authCode: "134567890123456789" }])
    expect(res.status).toBe(200)
    const got = await call("GET", `/orders/${placed.body.id}`, { token: owner })
    expect(got.body.payments).toEqual([expect.objectContaining({ status: "confirmed", provider: "manual" })])
    expect(JSON.stringify(got.body)).not.toContain("134567890123456789")
  })

  it("refuses a second payment (409) and a paid order's cancel (409)", async () => {
    const { owner, locationId, skuIds } = await shop({ qty: 5, priceFen: 300 })
    const placed = await order(owner, { locationId, lines: [{ skuId: skuIds[0], qty: 1 }] })
    expect((await pay(owner, placed.body.id, [{ method: "cash", amountFen: 300 }])).status).toBe(200)
    const twice = await pay(owner, placed.body.id, [{ method: "cash", amountFen: 300 }])
    expect(twice.status).toBe(409)
    expect(twice.body.code).toBe("order_paid")
    const cancel = await call("POST", `/orders/${placed.body.id}/cancel`, { token: owner })
    expect(cancel.status).toBe(409)
    expect(cancel.body.code).toBe("order_paid")
    expect(await snapshot(locationId, skuIds[0]!)).toMatchObject({ onHand: 4, reserved: 0 })
  })

  it("answers 404 for an order at another store, before looking at its state", async () => {
    const { owner, locationId, skuIds } = await shop({ qty: 5, priceFen: 300 })
    const placed = await order(owner, { locationId, lines: [{ skuId: skuIds[0], qty: 1 }] })
    const elsewhere = await staffToken(owner, "store_manager", [await createLocation(owner)])
    expect((await pay(elsewhere.token, placed.body.id, [{ method: "cash", amountFen: 1 }])).status).toBe(404)
    expect((await call("GET", `/orders/${placed.body.id}`, { token: elsewhere.token })).status).toBe(404)
    expect((await call("POST", `/orders/${placed.body.id}/cancel`, { token: elsewhere.token })).status).toBe(404)
    expect((await call("GET", "/orders/ord_nothing", { token: owner })).status).toBe(404)
  })
})

describe("cancel, read and list", () => {
  it("cancel releases every hold; cancelling again is harmless", async () => {
    const { owner, locationId, skuIds } = await shop({ skus: 2, qty: 4 })
    const placed = await order(owner, { locationId, lines: skuIds.map((skuId) => ({ skuId, qty: 3 })) })
    const res = await call("POST", `/orders/${placed.body.id}/cancel`, { token: owner })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ id: placed.body.id, status: "cancelled" })
    for (const s of skuIds) {
      const snap = await snapshot(locationId, s)
      expect(snap).toMatchObject({ onHand: 4, reserved: 0, available: 4 })
      expectBalanced(snap)
      expect(await holdOf(locationId, s, placed.body.id)).toMatchObject({ status: "released" })
    }
    expect((await call("POST", `/orders/${placed.body.id}/cancel`, { token: owner })).status).toBe(200)
    const paid = await pay(owner, placed.body.id, [{ method: "cash", amountFen: 100_000 }])
    expect(paid.body.code).toBe("order_cancelled")
  })

  it("lists only the caller's locations, filtered by location, status and channel, newest first", async () => {
    const { owner, locationId, skuIds } = await shop({ qty: 20, priceFen: 100 })
    const skuId = skuIds[0]!
    const other = await createLocation(owner)
    await stock(other, skuId, 5)
    const a = await order(owner, { locationId, channel: "jd", lines: [{ skuId, qty: 1 }] })
    const b = await order(owner, { locationId, channel: "web", lines: [{ skuId, qty: 1 }] })
    const c = await order(owner, { locationId: other, channel: "web", lines: [{ skuId, qty: 1 }] })
    await pay(owner, b.body.id, [{ method: "cash", amountFen: 100 }])

    const manager = await staffToken(owner, "store_manager", [locationId])
    const mine = await call("GET", "/orders?limit=100", { token: manager.token })
    expect(mine.status).toBe(200)
    const ids = mine.body.items.map((o: { id: string }) => o.id)
    expect(ids).toEqual(expect.arrayContaining([a.body.id, b.body.id]))
    expect(ids).not.toContain(c.body.id)
    expect(ids.indexOf(b.body.id)).toBeLessThan(ids.indexOf(a.body.id))

    const paid = await call("GET", `/orders?locationId=${locationId}&status=paid`, { token: owner })
    expect(paid.body.items.map((o: { id: string }) => o.id)).toEqual([b.body.id])
    const jd = await call("GET", `/orders?locationId=${locationId}&channel=jd&status=reserved`, { token: owner })
    expect(jd.body.items.map((o: { id: string }) => o.id)).toEqual([a.body.id])
    expect((await call("GET", `/orders?locationId=${other}`, { token: manager.token })).status).toBe(404)

    const page1 = await call("GET", `/orders?locationId=${locationId}&limit=1`, { token: owner })
    expect(page1.body.items).toHaveLength(1)
    const page2 = await call("GET", `/orders?locationId=${locationId}&limit=1&cursor=${page1.body.nextCursor}`, {
      token: owner,
    })
    expect(page2.body.items[0].id).toBe(a.body.id)
  })

  it("a dealer orders for its own location only", async () => {
    const { owner, skuIds } = await shop()
    const dealerLoc = await createLocation(owner, "dealer")
    await stock(dealerLoc, skuIds[0]!, 3)
    const dealer = await staffToken(owner, "dealer", [dealerLoc])
    const res = await order(dealer.token, {
      channel: "wholesale",
      locationId: dealerLoc,
      lines: [{ skuId: skuIds[0], qty: 3 }],
    })
    expect(res.status).toBe(201)
    expect((await call("GET", `/orders/${res.body.id}`, { token: dealer.token })).body.status).toBe("reserved")
  })
})
