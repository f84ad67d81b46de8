// The till keeps the catalog on the device: the first sync fetches it all in large pages, later syncs only what
// changed after the token of the last page stored, and a sync cut short by the network resumes where it stopped.
// The fake server below numbers every write as the real one does (commit order) and hands out syncTokens.
import { describe, expect, it, vi } from "vitest"
import { findByBarcode, getSku, syncCatalog } from "../../pwa/src/store/catalog"
import { db, getMeta, type SkuRecord, setMeta } from "../../pwa/src/store/db"
import { signedInCashier } from "./fixtures"
import { json, problem, type StubCall, stubApi } from "./helpers"

type ApiSku = Omit<SkuRecord, "search">

function fakeCatalog() {
  let seq = 0
  const rows = new Map<string, { sku: ApiSku; seq: number }>()
  const asked: URLSearchParams[] = []
  const write = (sku: ApiSku) => rows.set(sku.id, { sku, seq: ++seq })
  const add = (n: number, prefix: string, updatedAt = "2026-11-25T02:00:00.000Z") => {
    for (let i = 0; i < n; i++) {
      const id = `sku_${prefix}${String(i).padStart(5, "0")}`
      write({
        id,
        productId: `prd_${prefix}`,
        productName: `压测款 ${prefix}`,
        skuCode: id.toUpperCase(),
        barcode: `${prefix}${String(i).padStart(5, "0")}`,
        attributes: { 尺码: "M" },
        priceFen: 12900,
        memberPriceFen: null,
        unit: "piece",
        categoryId: null,
        status: "active",
        updatedAt, // a CSV import stamps all its rows with one instant
      })
    }
  }
  const route = (call: StubCall) => {
    asked.push(call.query)
    const limit = Number(call.query.get("limit"))
    const token = call.query.get("syncToken")
    const since = call.query.get("updatedSince")
    if (!token && !since) return problem(400, { code: "validation_failed", title: "Bad Request" })
    const from = Number(token ?? 0)
    const after = [...rows.values()]
      .filter((r) => r.seq > from && (!since || r.sku.updatedAt >= since))
      .sort((a, b) => a.seq - b.seq)
    const page = after.slice(0, limit)
    const next = String(page.at(-1)?.seq ?? from)
    return json(200, { items: page.map((r) => r.sku), nextCursor: after.length > limit ? next : null, syncToken: next })
  }
  return { add, write, route, asked, get: (id: string) => rows.get(id)!.sku }
}

describe("the catalog on the device", () => {
  it("syncs 2,500 SKUs in pages of 1,000, then only the SKUs added or changed since", async () => {
    signedInCashier()
    const server = fakeCatalog()
    server.add(2_500, "68")
    stubApi({ "GET /api/v1/skus": server.route })

    expect(await syncCatalog()).toBe(2_500)
    expect(server.asked.map((q) => q.get("limit"))).toEqual(["1000", "1000", "1000"])
    expect(await (await db()).count("skus")).toBe(2_500)
    expect(await getMeta("catalog.syncedAt")).toEqual(expect.any(Number))

    // 50 new SKUs of one import (one updatedAt, like the last pass's), and a price change.
    server.add(50, "67")
    server.write({ ...server.get("sku_6800007"), priceFen: 9900, updatedAt: "2026-11-25T03:00:00.000Z" })
    server.asked.length = 0
    expect(await syncCatalog()).toBe(51)
    expect(server.asked).toHaveLength(1)
    expect((await findByBarcode("6700049"))?.productName).toBe("压测款 67")
    expect((await getSku("sku_6800007"))?.priceFen).toBe(9900)

    server.asked.length = 0
    expect(await syncCatalog()).toBe(0)
    expect(await (await db()).count("skus")).toBe(2_550)
  })

  it("asks for the next page while it writes this one, one transaction a page", async () => {
    signedInCashier()
    const server = fakeCatalog()
    server.add(2_100, "68")
    stubApi({ "GET /api/v1/skus": server.route })
    const fetched = vi.mocked(fetch).mock.invocationCallOrder
    const database = await db()
    const transaction = vi.spyOn(database, "transaction")
    const put = vi.spyOn(IDBObjectStore.prototype, "put")

    expect(await syncCatalog()).toBe(2_100)
    const skuPuts = put.mock.invocationCallOrder.filter(
      (_, i) => (put.mock.contexts[i] as IDBObjectStore | undefined)?.name === "skus",
    )
    expect(skuPuts).toHaveLength(2_100)
    // Page 2 was asked for before page 1 was written, page 3 before page 2.
    expect(fetched).toHaveLength(3)
    expect(fetched[1]!).toBeLessThan(skuPuts[0]!)
    expect(fetched[2]!).toBeLessThan(skuPuts[1_000]!)
    expect(transaction.mock.calls.filter(([scope]) => String(scope).includes("skus"))).toHaveLength(3)
  })

  it("resumes a sync cut short by the network after the last page it stored", async () => {
    signedInCashier()
    const server = fakeCatalog()
    server.add(1_500, "68")
    let offline = false
    stubApi({
      "GET /api/v1/skus": (call) => {
        if (offline && call.query.get("syncToken")) throw new TypeError("Failed to fetch")
        return server.route(call)
      },
    })
    offline = true
    await expect(syncCatalog()).rejects.toBeTruthy()
    expect(await (await db()).count("skus")).toBe(1_000)
    expect(await getMeta("catalog.syncedAt")).toBeUndefined()

    offline = false
    server.asked.length = 0
    expect(await syncCatalog()).toBe(500)
    expect(server.asked.map((q) => q.get("syncToken"))).toEqual(["1000"])
    expect(await (await db()).count("skus")).toBe(1_500)
    expect(await getMeta("catalog.syncedAt")).toEqual(expect.any(Number))
  })

  it("on a device synced before tokens existed, starts once from its last instant, then by token", async () => {
    signedInCashier()
    const server = fakeCatalog()
    server.add(3, "68", "2026-11-25T01:00:00.000Z")
    server.add(2, "67", "2026-11-25T05:00:00.000Z")
    await setMeta("catalog.since", "2026-11-25T05:00:00.000Z")
    stubApi({ "GET /api/v1/skus": server.route })

    expect(await syncCatalog()).toBe(2)
    expect(server.asked[0]?.get("updatedSince")).toBe("2026-11-25T05:00:00.000Z")
    expect(await getMeta("catalog.since")).toBeUndefined()
    server.add(1, "66")
    expect(await syncCatalog()).toBe(1)
    expect(server.asked.at(-1)?.get("updatedSince")).toBeNull()
    expect(server.asked.at(-1)?.get("syncToken")).toBe("5")
  })
})
