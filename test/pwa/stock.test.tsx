import { describe, expect, it } from "vitest"
import Stock from "../../pwa/src/screens/stock"
import { closeDb, db } from "../../pwa/src/store/db"
import { STORE } from "./fixtures"
import { byTestId, click, eventually, json, mount, type StubCall, stubApi, text, type, unmountAll } from "./helpers"
import { goOffline, rows, signedInAs } from "./stock-helpers"

const level = (skuId: string, name: string, available: number, lowStock = false) => ({
  locationId: STORE,
  skuId,
  skuCode: skuId.toUpperCase(),
  name,
  onHand: available,
  reserved: 0,
  available,
  inTransit: 0,
  reorderPoint: lowStock ? available + 1 : null,
  lowStock,
  avgCostFen: 100,
  updatedAt: "2026-11-25T00:00:00.000Z",
})

const LEVELS = [
  level("sku_water", "矿泉水 550ml", 40),
  level("sku_noodles", "方便面 五连包", 3, true),
  level("sku_chips", "原味薯片 70g", 8),
  level("sku_cola", "可乐 330ml", 0),
]

const lot = (skuId: string, name: string, lotNo: string, expiresOn: string, daysLeft: number) => ({
  locationId: STORE,
  skuId,
  skuCode: skuId.toUpperCase(),
  name,
  lot: lotNo,
  expiresOn,
  qty: 12,
  daysLeft,
  expired: daysLeft < 0,
  warningDays: 30,
})

const LOTS = [
  lot("sku_milk", "鲜牛奶 950ml", "M1120", "2026-11-24", -1),
  lot("sku_yogurt", "酸奶 200g", "Y1201", "2026-11-28", 3),
  lot("sku_bread", "吐司面包", "B1210", "2026-12-15", 20),
]

const shownSkus = (screen: HTMLElement, id = "stock-row") => rows(screen, id).map((r) => r.dataset.sku)

const stockServer = () =>
  stubApi({
    "GET /api/v1/stock/levels": () => json(200, { items: LEVELS, nextCursor: null }),
    "GET /api/v1/stock/expiring": (call: StubCall) => {
      // Paged over the store's cells: the first page's cells hold no lots near expiry, the next one's do.
      const within = Number(call.query.get("withinDays"))
      if (!call.query.get("cursor"))
        return json(200, { locationId: STORE, asOf: "2026-11-25", items: [], nextCursor: "c2" })
      const items = LOTS.filter((l) => call.query.get("locationId") === STORE && l.daysLeft <= within)
      return json(200, { locationId: STORE, asOf: "2026-11-25", items, nextCursor: null })
    },
    "GET /api/v1/skus/sku_yogurt/availability": () =>
      json(200, {
        skuId: "sku_yogurt",
        items: [
          { locationId: STORE, locationName: "南京路店", kind: "store", onHand: 12, reserved: 2, available: 10 },
          { locationId: "loc_xihu", locationName: "西湖店", kind: "store", onHand: 30, reserved: 0, available: 30 },
        ],
      }),
  })

describe("the stock screen", () => {
  it("brings the store's levels onto the device and filters low stock by reorder point or a threshold", async () => {
    signedInAs("store_manager")
    const calls = stockServer()
    const screen = await mount(<Stock />)
    await eventually(() => expect(shownSkus(screen)).toHaveLength(4))
    expect(calls[0]!.path).toBe("/api/v1/stock/levels")
    expect(await (await db()).count("stock")).toBe(4)
    expect(byTestId(screen, "stock-synced-at").textContent).toMatch(/^库存更新于 /)

    await click(byTestId(screen, "stock-low"))
    expect(shownSkus(screen)).toEqual(["sku_cola", "sku_noodles"])

    await type(byTestId<HTMLInputElement>(screen, "stock-threshold"), "10")
    expect(shownSkus(screen)).toEqual(["sku_chips", "sku_cola", "sku_noodles"])
    expect(byTestId(screen, "stock-low").getAttribute("aria-pressed")).toBe("true")
  })

  it("lists lots expiring within N days, and a lot tapped shows that SKU across the stores", async () => {
    signedInAs("store_manager")
    const calls = stockServer()
    const screen = await mount(<Stock />)
    await click(byTestId(screen, "stock-expiring"))

    await eventually(() => expect(shownSkus(screen, "expiring-row")).toEqual(["sku_milk", "sku_yogurt", "sku_bread"]))
    expect(rows(screen, "expiring-row").map((r) => text(r, "expiring-days"))).toEqual(["已过期", "剩 3 天", "剩 20 天"])
    await type(byTestId<HTMLInputElement>(screen, "stock-days"), "7")
    await eventually(() => expect(shownSkus(screen, "expiring-row")).toEqual(["sku_milk", "sku_yogurt"]))
    expect(
      calls
        .filter((c) => c.path === "/api/v1/stock/expiring")
        .map((c) => [c.query.get("withinDays"), c.query.get("cursor")]),
    ).toEqual([
      ["30", null],
      ["30", "c2"],
      ["7", null],
      ["7", "c2"],
    ])

    await click(rows(screen, "expiring-row")[1]!.querySelector("button")!)
    await eventually(() => expect(rows(screen, "availability-row")).toHaveLength(2))
    expect(
      rows(screen, "availability-row").map((r) => [r.dataset.location, text(r, "availability-available")]),
    ).toEqual([
      [STORE, "10"],
      ["loc_xihu", "30"],
    ])
  })

  it("opens offline from the device's snapshot and says that live stock needs the network", async () => {
    signedInAs("store_manager")
    const calls = stockServer()
    let screen = await mount(<Stock />)
    await click(byTestId(screen, "stock-expiring"))
    await eventually(() => expect(shownSkus(screen, "expiring-row")).toHaveLength(3))

    // Later, with no network, the app is opened again.
    await unmountAll()
    await closeDb()
    await goOffline()
    const before = calls.length
    screen = await mount(<Stock />)

    await eventually(() => expect(shownSkus(screen)).toHaveLength(4))
    expect(text(screen, "stock-offline")).toBe("离线：显示的是上次同步时的库存")
    await click(byTestId(screen, "stock-expiring"))
    await eventually(() => expect(shownSkus(screen, "expiring-row")).toHaveLength(3))
    expect(screen.textContent).toContain("离线：临期批次显示的是上次联网时的结果")

    await click(rows(screen, "expiring-row")[0]!.querySelector("button")!)
    expect(text(screen, "availability-offline")).toBe("各门店实时库存需联网查看")
    expect(calls.length).toBe(before)
  })
})
