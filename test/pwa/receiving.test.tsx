import { describe, expect, it } from "vitest"
import { withCheckDigit } from "../../core/barcode"
import Receiving from "../../pwa/src/screens/receiving"
import { closeDb, type SkuRecord } from "../../pwa/src/store/db"
import { readDraft } from "../../pwa/src/store/drafts"
import { deviceHolds, NOODLES, STORE, TEE, WATER } from "./fixtures"
import { byTestId, click, eventually, json, mount, type StubCall, stubApi, text, type, unmountAll } from "./helpers"
import { DESTINATIONS, rows, scanCode, scanLines, signedInAs, WAREHOUSE } from "./stock-helpers"

const MILK: SkuRecord = {
  ...WATER,
  id: "sku_milk",
  productId: "prd_milk",
  productName: "鲜牛奶 950ml",
  skuCode: "SKU_MILK",
  barcode: withCheckDigit("690123400021"),
  categoryId: "cat_dairy",
  search: "鲜牛奶 950ml",
}

const inTransit = {
  id: "trf_1",
  number: "DB20261125-0001",
  status: "in_transit",
  fromLocationId: WAREHOUSE,
  toLocationId: STORE,
  lines: [
    { skuId: "sku_water", qty: 3, shippedQty: 3, receivedQty: null, varianceQty: null },
    { skuId: "sku_noodles", qty: 2, shippedQty: 2, receivedQty: null, varianceQty: null },
  ],
  createdAt: "2026-11-25T01:00:00.000Z",
  shippedAt: "2026-11-25T02:00:00.000Z",
}

/** What a supplier delivery's screen reads: no transfer on the way, the categories (dairy tracks expiry). */
const deliveryRoutes = {
  "GET /api/v1/transfers/destinations": () => json(200, DESTINATIONS),
  "GET /api/v1/transfers": () => json(200, { items: [], nextCursor: null }),
  "GET /api/v1/categories": () =>
    json(200, {
      items: [
        { id: "cat_grocery", expiryWarningDays: null },
        { id: "cat_dairy", expiryWarningDays: 5 },
      ],
      nextCursor: null,
    }),
}

describe("receiving at the store", () => {
  it("counts a shipped transfer in by scanning, flags what differs, and receives it once confirmed", async () => {
    signedInAs("store_manager")
    await deviceHolds([WATER, NOODLES, TEE])
    const calls = stubApi({
      "GET /api/v1/transfers/destinations": () => json(200, DESTINATIONS),
      "GET /api/v1/transfers": () => json(200, { items: [inTransit], nextCursor: null }),
      "POST /api/v1/transfers/trf_1/receive": () => json(200, { ...inTransit, status: "received" }),
    })
    const screen = await mount(<Receiving />)
    const card = await eventually(() => byTestId(screen, "incoming-transfer"))
    await eventually(() => expect(card.textContent).toContain("来自 华东中心仓"))
    expect(card.textContent).toContain("2 种，共 5 件")
    await click(byTestId(card, "receive-transfer"))
    await eventually(() => expect(scanLines(screen).map((l) => l.name)).toEqual(["矿泉水 550ml", "方便面 五连包"]))

    for (const code of [WATER.barcode!, NOODLES.barcode!, WATER.barcode!, WATER.barcode!]) await scanCode(code)
    await scanCode(TEE.barcode!)

    await eventually(() => expect(text(screen, "scan-notice")).toBe("不在这张调拨单上：纯棉圆领T恤 黑 S"))
    expect(scanLines(screen)).toEqual([
      { name: "矿泉水 550ml", qty: 3, expected: "3", diff: undefined },
      { name: "方便面 五连包", qty: 1, expected: "2", diff: "差 -1" },
    ])
    expect(text(screen, "receive-summary")).toBe("1 行有差异")
    expect(byTestId<HTMLButtonElement>(screen, "receive-post").disabled).toBe(true)

    await click(byTestId(screen, "accept-diff"))
    await click(byTestId(screen, "receive-post"))

    await eventually(() => expect(text(screen, "receiving-done")).toBe("已收货：DB20261125-0001"))
    const received = calls.filter((c) => c.path === "/api/v1/transfers/trf_1/receive")
    expect(received).toHaveLength(1)
    expect(received[0]!.body).toEqual({
      lines: [
        { skuId: "sku_water", qty: 3 },
        { skuId: "sku_noodles", qty: 1 },
      ],
    })
    expect(received[0]!.headers.get("Idempotency-Key")).toBeTruthy()
  })

  it("keeps the scans of a transfer through a reload, and retries a lost answer with the same key", async () => {
    signedInAs("clerk")
    await deviceHolds([WATER, NOODLES])
    let lose = true
    const calls = stubApi({
      "GET /api/v1/transfers/destinations": () => json(200, DESTINATIONS),
      "GET /api/v1/transfers": () => json(200, { items: [inTransit], nextCursor: null }),
      "POST /api/v1/transfers/trf_1/receive": () => {
        if (lose) {
          lose = false
          throw new TypeError("Failed to fetch")
        }
        return json(200, { ...inTransit, status: "received" })
      },
    })
    let screen = await mount(<Receiving />)
    await click(await eventually(() => byTestId(screen, "receive-transfer")))
    await eventually(() => byTestId(screen, "transfer-receive"))
    for (const code of [WATER.barcode!, WATER.barcode!, WATER.barcode!, NOODLES.barcode!, NOODLES.barcode!])
      await scanCode(code)
    await eventually(() => expect(text(screen, "receive-summary")).toBe("全部相符"))

    // The tab is reloaded mid-count.
    await unmountAll()
    await closeDb()
    screen = await mount(<Receiving />)
    await click(await eventually(() => byTestId(screen, "receive-transfer")))
    await eventually(() => expect(scanLines(screen).map((l) => l.qty)).toEqual([3, 2]))
    await click(byTestId(screen, "receive-post"))
    await eventually(() => expect(text(screen, "receive-problem")).toBe("无法连接服务器，请检查网络后重试"))
    await click(byTestId(screen, "receive-post"))

    await eventually(() => byTestId(screen, "receiving-done"))
    const keys = calls.filter((c) => c.path.endsWith("/receive")).map((c) => c.headers.get("Idempotency-Key"))
    expect(keys).toHaveLength(2)
    expect(keys[1]).toBe(keys[0])
  })

  it("posts a supplier delivery with its cost, and asks for lot and expiry where the category tracks expiry", async () => {
    signedInAs("store_manager")
    await deviceHolds([WATER, MILK])
    const calls = stubApi({
      ...deliveryRoutes,
      "POST /api/v1/stock/receipts": (call: StubCall) =>
        json(201, {
          id: "rcp_1",
          number: "RK20261125-0001",
          status: "posted",
          lines: (call.body as { lines: [] }).lines,
        }),
    })
    const screen = await mount(<Receiving />)
    await eventually(() => byTestId(screen, "incoming-none"))
    await click(await eventually(() => byTestId(screen, "direct-open")))
    await eventually(() => expect(calls.some((c) => c.path === "/api/v1/categories")).toBe(true))

    for (const code of [WATER.barcode!, WATER.barcode!, MILK.barcode!]) await scanCode(code)
    await eventually(() =>
      expect(scanLines(screen).map((l) => [l.name, l.qty])).toEqual([
        ["鲜牛奶 950ml", 1],
        ["矿泉水 550ml", 2],
      ]),
    )
    const [milk, water] = rows(screen, "scan-line")
    expect(milk!.textContent).toContain("该商品需填写批次号和到期日")
    await type(byTestId(water!, "line-cost"), "1.2")

    await click(byTestId(screen, "receipt-post"))
    expect(text(screen, "receipt-problem")).toBe("该商品需填写批次号和到期日")
    expect(calls.some((c) => c.method === "POST")).toBe(false)

    await type(byTestId(milk!, "line-lot"), "M20261120")
    await type(byTestId(milk!, "line-expiresOn"), "2026-12-02")
    await type(byTestId(screen, "supplier-ref"), "光明-8812")
    await click(byTestId(screen, "receipt-post"))

    await eventually(() => expect(text(screen, "receiving-done")).toBe("已入库：RK20261125-0001"))
    const posted = calls.find((c) => c.path === "/api/v1/stock/receipts")!
    expect(posted.body).toEqual({
      locationId: STORE,
      supplierRef: "光明-8812",
      lines: [
        { skuId: "sku_milk", qty: 1, lot: "M20261120", expiresOn: "2026-12-02" },
        { skuId: "sku_water", qty: 2, unitCostFen: 120 },
      ],
    })
    expect(posted.headers.get("Idempotency-Key")).toBeTruthy()
  })

  it("keeps a supplier delivery through a reload, offers to resume it, and posts it once", async () => {
    signedInAs("clerk")
    await deviceHolds([WATER, MILK])
    let lose = true
    const calls = stubApi({
      ...deliveryRoutes,
      "POST /api/v1/stock/receipts": (call: StubCall) => {
        if (lose) {
          lose = false
          throw new TypeError("Failed to fetch")
        }
        return json(201, { id: "rcp_1", number: "RK20261125-0002", lines: (call.body as { lines: [] }).lines })
      },
    })
    let screen = await mount(<Receiving />)
    await click(await eventually(() => byTestId(screen, "direct-open")))
    await eventually(() => expect(calls.some((c) => c.path === "/api/v1/categories")).toBe(true))
    for (const code of [WATER.barcode!, WATER.barcode!, MILK.barcode!]) await scanCode(code)
    await eventually(() => expect(rows(screen, "scan-line")).toHaveLength(2))
    let [milk, water] = rows(screen, "scan-line")
    await type(byTestId(water!, "line-cost"), "1.20")
    await type(byTestId(milk!, "line-cost"), "6.5")
    await type(byTestId(milk!, "line-lot"), "M20261120")
    await type(byTestId(milk!, "line-expiresOn"), "2026-12-02")
    await type(byTestId(screen, "supplier-ref"), "光明-8812")

    // The tab is reloaded (or the phone died): the delivery is offered back, nothing new can start over it.
    await unmountAll()
    await closeDb()
    screen = await mount(<Receiving />)
    const offer = await eventually(() => byTestId(screen, "delivery-draft"))
    expect(offer.textContent).toContain("上次的供应商收货还没入库（2 种商品，")
    expect(screen.querySelector("[data-testid='direct-open']")).toBeNull()
    await click(byTestId(screen, "delivery-resume"))

    await eventually(() =>
      expect(scanLines(screen).map((l) => [l.name, l.qty])).toEqual([
        ["鲜牛奶 950ml", 1],
        ["矿泉水 550ml", 2],
      ]),
    )
    ;[milk, water] = rows(screen, "scan-line")
    const value = (root: HTMLElement, id: string) => byTestId<HTMLInputElement>(root, id).value
    expect([value(milk!, "line-cost"), value(milk!, "line-lot"), value(milk!, "line-expiresOn")]).toEqual([
      "6.5",
      "M20261120",
      "2026-12-02",
    ])
    expect(value(water!, "line-cost")).toBe("1.20")
    expect(value(screen, "supplier-ref")).toBe("光明-8812")
    await scanCode(WATER.barcode!)
    await eventually(() => expect(scanLines(screen)[1]?.qty).toBe(3))

    // The first answer is lost; the retry carries the same key, so the server posts the delivery once.
    await click(byTestId(screen, "receipt-post"))
    await eventually(() => expect(text(screen, "receipt-problem")).toBe("无法连接服务器，请检查网络后重试"))
    await click(byTestId(screen, "receipt-post"))
    await eventually(() => expect(text(screen, "receiving-done")).toBe("已入库：RK20261125-0002"))
    const posts = calls.filter((c) => c.path === "/api/v1/stock/receipts")
    expect(posts.map((c) => c.headers.get("Idempotency-Key"))).toEqual([
      posts[0]!.headers.get("Idempotency-Key"),
      posts[0]!.headers.get("Idempotency-Key"),
    ])
    expect(posts[1]!.body).toEqual({
      locationId: STORE,
      supplierRef: "光明-8812",
      lines: [
        { skuId: "sku_milk", qty: 1, unitCostFen: 650, lot: "M20261120", expiresOn: "2026-12-02" },
        { skuId: "sku_water", qty: 3, unitCostFen: 120 },
      ],
    })

    // Posted: the device keeps nothing, and the next delivery starts empty.
    expect(await readDraft("delivery", STORE)).toBeUndefined()
    await click(await eventually(() => byTestId(screen, "direct-open")))
    await eventually(() => byTestId(screen, "lines-empty"))
  })

  it("lets a clerk discard a delivery left from last time", async () => {
    signedInAs("clerk")
    await deviceHolds([WATER])
    stubApi(deliveryRoutes)
    let screen = await mount(<Receiving />)
    await click(await eventually(() => byTestId(screen, "direct-open")))
    await scanCode(WATER.barcode!)
    await eventually(() => expect(scanLines(screen)).toHaveLength(1))
    await unmountAll()
    await closeDb()

    screen = await mount(<Receiving />)
    await click(await eventually(() => byTestId(screen, "delivery-discard")))
    await click(await eventually(() => byTestId(screen, "direct-open")))
    await eventually(() => byTestId(screen, "lines-empty"))
    expect(await readDraft("delivery", STORE)).toBeUndefined()
  })
})
