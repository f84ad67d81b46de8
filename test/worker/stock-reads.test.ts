// Reading stock: one cell, the levels and the ledger (D1), live availability across stores, and
// lots about to expire — each only for the locations the caller may see.
import { describe, expect, it } from "vitest"
import { call, createLocation, ownerToken, staffToken, uniq } from "./helpers"
import { dayFromToday, flush, newCategory, newSku, receive, stub } from "./stock-helpers"

type Item = { locationId: string; skuId: string }

describe("stock reads", () => {
  it("availability across stores shows every store the caller may see, and only those", async () => {
    const owner = await ownerToken()
    const [a, b, c] = [await createLocation(owner), await createLocation(owner), await createLocation(owner)]
    const sku = await newSku(owner)
    await receive(owner, a, [{ skuId: sku, qty: 5 }])
    await receive(owner, b, [{ skuId: sku, qty: 7 }])
    await receive(owner, c, [{ skuId: sku, qty: 9 }])
    const manager = await staffToken(owner, "store_manager", [a, b])

    const mine = await call("GET", `/skus/${sku}/availability`, { token: manager.token })
    expect(mine.status).toBe(200)
    expect(mine.body.skuId).toBe(sku)
    expect(mine.body.items).toEqual([
      expect.objectContaining({ locationId: b, onHand: 7, reserved: 0, available: 7, kind: "store" }),
      expect.objectContaining({ locationId: a, onHand: 5, available: 5 }),
    ])
    expect(typeof mine.body.items[0].locationName).toBe("string")

    const all = await call("GET", `/skus/${sku}/availability`, { token: owner })
    const held = all.body.items.filter((i: { available: number }) => i.available > 0)
    expect(held.map((i: Item) => i.locationId)).toEqual([c, b, a])
    expect((await call("GET", "/skus/sku_nope/availability", { token: owner })).status).toBe(404)
  })

  it("a cell of another store, or of an unknown SKU, answers 404", async () => {
    const owner = await ownerToken()
    const [a, b] = [await createLocation(owner), await createLocation(owner)]
    const sku = await newSku(owner)
    const cashier = await staffToken(owner, "cashier", [a])
    expect((await call("GET", `/stock/cells/${a}/${sku}`, { token: cashier.token })).body).toMatchObject({
      locationId: a,
      skuId: sku,
      onHand: 0,
      reserved: 0,
      available: 0,
      lots: [],
    })
    expect((await call("GET", `/stock/cells/${b}/${sku}`, { token: cashier.token })).status).toBe(404)
    expect((await call("GET", `/stock/cells/${a}/sku_nope`, { token: cashier.token })).status).toBe(404)
    expect((await call("GET", `/stock/levels?locationId=${b}`, { token: cashier.token })).status).toBe(404)
    expect((await call("GET", `/stock/moves?locationId=${b}`, { token: cashier.token })).status).toBe(404)
  })

  it("levels filter by category (with its subtree) and by low stock, scoped to the caller", async () => {
    const owner = await ownerToken()
    const [store, other] = [await createLocation(owner), await createLocation(owner)]
    const parent = await newCategory(owner)
    const child = await call<{ id: string }>("POST", "/categories", {
      token: owner,
      body: { name: uniq("子"), parentId: parent },
    })
    const [inChild, elsewhere, low] = [
      await newSku(owner, { categoryId: child.body.id }),
      await newSku(owner),
      await newSku(owner),
    ]
    await receive(owner, store, [
      { skuId: inChild, qty: 5 },
      { skuId: elsewhere, qty: 50 },
      { skuId: low, qty: 3 },
    ])
    await receive(owner, other, [{ skuId: inChild, qty: 1 }])
    const policy = await stub(store, low).setPolicy({
      locationId: store,
      skuId: low,
      opId: uniq("pol"),
      reorderPoint: 5,
      max: 20,
      safetyStock: 2,
    })
    expect(policy.ok).toBe(true)
    await flush(store, inChild, elsewhere, low)
    await flush(other, inChild)

    const byCategory = await call("GET", `/stock/levels?locationId=${store}&categoryId=${parent}`, { token: owner })
    expect(byCategory.body.items.map((i: Item) => i.skuId)).toEqual([inChild])
    const lows = await call("GET", `/stock/levels?locationId=${store}&lowStock=true`, { token: owner })
    expect(lows.body.items).toEqual([
      expect.objectContaining({ skuId: low, available: 3, reorderPoint: 5, lowStock: true }),
    ])

    const clerk = await staffToken(owner, "clerk", [other])
    const theirs = await call("GET", `/stock/levels?skuId=${inChild}`, { token: clerk.token })
    expect(theirs.body.items.map((i: Item) => i.locationId)).toEqual([other])
    expect((await call("GET", "/stock/levels?lowStock=maybe", { token: owner })).status).toBe(400)
  })

  it("pages through the ledger newest first, each move exactly once, with filters", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const [a, b] = [await newSku(owner), await newSku(owner)]
    const docs: string[] = []
    for (let i = 1; i <= 4; i++)
      docs.push(
        (
          await receive(owner, store, [
            { skuId: a, qty: i },
            { skuId: b, qty: 10 * i },
          ])
        ).id,
      )
    const wo = await call("POST", "/stock/adjustments", {
      token: owner,
      key: uniq("tz"),
      body: { locationId: store, lines: [{ skuId: a, delta: -1, reason: "sample" }] },
    })
    expect(wo.status).toBe(201)
    await flush(store, a, b)

    const seen: { cell: string; seq: number; occurredAt: string; delta: number }[] = []
    let cursor: string | null = null
    do {
      const q: string = `/stock/moves?locationId=${store}&limit=3${cursor ? `&cursor=${cursor}` : ""}`
      const page = await call("GET", q, { token: owner })
      expect(page.status).toBe(200)
      expect(page.body.items.length).toBeLessThanOrEqual(3)
      seen.push(...page.body.items)
      cursor = page.body.nextCursor
    } while (cursor)
    expect(seen).toHaveLength(9)
    expect(new Set(seen.map((m) => `${m.cell}#${m.seq}`)).size).toBe(9)
    const times = seen.map((m) => m.occurredAt)
    expect([...times].sort().reverse()).toEqual(times)
    expect(seen.reduce((s, m) => s + m.delta, 0)).toBe(1 + 2 + 3 + 4 - 1 + 100)

    const adjusts = await call("GET", `/stock/moves?locationId=${store}&kind=adjust`, { token: owner })
    expect(adjusts.body.items).toEqual([
      expect.objectContaining({ skuId: a, delta: -1, reason: "sample", refId: wo.body.id }),
    ])
    const ofDoc = await call("GET", `/stock/moves?refId=${docs[2]}`, { token: owner })
    expect(ofDoc.body.items.map((m: { delta: number }) => m.delta).sort((x: number, y: number) => x - y)).toEqual([
      3, 30,
    ])
    const future = await call("GET", `/stock/moves?locationId=${store}&from=2999-01-01T00:00:00Z`, { token: owner })
    expect(future.body.items).toEqual([])
    expect((await call("GET", "/stock/moves?from=yesterday", { token: owner })).status).toBe(400)

    // Someone else's store: scoped out of an unfiltered list.
    const outsider = await staffToken(owner, "clerk", [await createLocation(owner)])
    const theirs = await call("GET", `/stock/moves?skuId=${a}`, { token: outsider.token })
    expect(theirs.body.items).toEqual([])
  })

  it("lists lots expiring within the category's warning days (else 30), or within N days when asked", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner)
    const clerk = await staffToken(owner, "clerk", [store])
    const fresh = await newCategory(owner, 10)
    const [yoghurt, rice] = [await newSku(owner, { categoryId: fresh }), await newSku(owner)]
    await receive(owner, store, [
      { skuId: yoghurt, qty: 6, lot: "Y-OLD", expiresOn: dayFromToday(-1) },
      { skuId: yoghurt, qty: 8, lot: "Y-SOON", expiresOn: dayFromToday(5) },
      { skuId: yoghurt, qty: 9, lot: "Y-LATER", expiresOn: dayFromToday(20) },
      { skuId: rice, qty: 4, lot: "R-SOON", expiresOn: dayFromToday(25) },
      { skuId: rice, qty: 5, lot: "R-LATER", expiresOn: dayFromToday(45) },
      { skuId: rice, qty: 2 },
    ])
    await flush(store, yoghurt, rice)

    const res = await call("GET", `/stock/expiring?locationId=${store}`, { token: clerk.token })
    expect(res.status).toBe(200)
    expect(
      res.body.items.map((i: { lot: string; daysLeft: number; expired: boolean; warningDays: number }) => [
        i.lot,
        i.daysLeft,
        i.expired,
        i.warningDays,
      ]),
    ).toEqual([
      ["Y-OLD", -1, true, 10],
      ["Y-SOON", 5, false, 10],
      ["R-SOON", 25, false, 30],
    ])
    expect(res.body.items[1]).toMatchObject({ locationId: store, skuId: yoghurt, qty: 8, expiresOn: dayFromToday(5) })

    const wide = await call("GET", `/stock/expiring?locationId=${store}&withinDays=60`, { token: clerk.token })
    expect(wide.body.items.map((i: { lot: string }) => i.lot)).toEqual([
      "Y-OLD",
      "Y-SOON",
      "Y-LATER",
      "R-SOON",
      "R-LATER",
    ])

    const paged = await call("GET", `/stock/expiring?locationId=${store}&withinDays=60&limit=1`, { token: clerk.token })
    expect(paged.body.nextCursor).not.toBeNull()
    const rest = await call(
      "GET",
      `/stock/expiring?locationId=${store}&withinDays=60&limit=1&cursor=${paged.body.nextCursor}`,
      {
        token: clerk.token,
      },
    )
    expect(paged.body.items.length + rest.body.items.length).toBe(5)
    expect(rest.body.nextCursor).toBeNull()

    const elsewhere = await createLocation(owner)
    expect((await call("GET", `/stock/expiring?locationId=${elsewhere}`, { token: clerk.token })).status).toBe(404)
    expect((await call("GET", "/stock/expiring", { token: clerk.token })).status).toBe(400)
  })
})
