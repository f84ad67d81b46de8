import { describe, expect, it } from "vitest"
import Home from "../../pwa/src/screens/home"
import Sales from "../../pwa/src/screens/sales"
import Stock from "../../pwa/src/screens/stock"
import { db, type SyncReturn } from "../../pwa/src/store/db"
import { outbox, refreshOutbox } from "../../pwa/src/sync/outbox"
import { addSku, checkout, loadPromotions } from "../../pwa/src/till/cart"
import { deviceHolds, NOODLES, STORE, signedInCashier, WATER } from "./fixtures"
import { byTestId, click, eventually, json, mount, stubApi, text, type } from "./helpers"

/** A cash sale made at this till: 3 bottles of water and a pack of noodles, ¥21.90. */
const sellWaterAndNoodles = async () => {
  await deviceHolds([WATER, NOODLES])
  await loadPromotions()
  addSku(WATER, 3)
  addSku(NOODLES)
  return checkout({ tenders: [{ method: "cash", amountFen: 2190 }], changeFen: 0, online: false })
}

describe("today's sales", () => {
  it("shows the sale as unsynced, finds it by number, and returns a bottle through the outbox", async () => {
    signedInCashier()
    const sale = await sellWaterAndNoodles()
    const screen = await mount(<Sales />)

    await eventually(() => expect(screen.querySelectorAll("[data-testid='sale-row']")).toHaveLength(1))
    expect(text(screen, "unsynced-mark")).toBe("未同步")

    await type(byTestId<HTMLInputElement>(screen, "sale-number"), sale.number)
    await click(byTestId(screen, "sale-find"))
    await eventually(() => byTestId(screen, "sale-detail"))
    expect(text(screen, "receipt-number")).toBe(sale.number)

    await click(byTestId(screen, "return-more"))
    expect(text(screen, "return-refund")).toBe("¥2.00")
    await click(byTestId(screen, "return-submit"))

    await eventually(() => expect(text(screen, "sales-message")).toBe("已退货，退款 ¥2.00"))
    const ret = outbox.value.find((i) => i.kind === "return")
    expect(ret?.body as SyncReturn).toMatchObject({
      saleId: sale.id,
      locationId: STORE,
      lines: [{ lineId: `${sale.id}:1`, qty: 1, restock: true }],
      refunds: [{ method: "cash", amountFen: 200 }],
    })
    expect((await (await db()).get("journal", sale.id))?.lines[0]?.returnedQty).toBe(1)
  })

  it("refunds a line's paid total exactly over several partial returns", async () => {
    const { refundFor } = await import("../../pwa/src/sales/returns")
    const line = { totalFen: 1000, qty: 3 } // ¥10 for 3: 3.33 + 3.33 + 3.34
    expect([refundFor(line, 0, 1), refundFor(line, 1, 1), refundFor(line, 2, 1)]).toEqual([333, 333, 334])
    expect(refundFor(line, 0, 3)).toBe(1000)
  })
})

describe("signing out", () => {
  it("is blocked while sales wait to sync", async () => {
    signedInCashier()
    stubApi({})
    await sellWaterAndNoodles()
    await refreshOutbox()
    const screen = await mount(<Home />)

    await click(byTestId(screen, "sign-out"))

    await eventually(() => expect(text(screen, "sign-out-blocked")).toBe("还有 1 笔销售未同步，同步完成后才能退出登录"))
    expect(localStorage.getItem("puzi.session")).not.toBeNull()
  })
})

describe("the stock screen", () => {
  it("lists the store's snapshot, filters low stock, and says live availability needs the network", async () => {
    signedInCashier()
    stubApi({})
    const database = await db()
    for (const [sku, name, available, low] of [
      ["sku_water", "矿泉水 550ml", 30, false],
      ["sku_noodles", "方便面 五连包", 2, true],
    ] as const)
      await database.put("stock", {
        key: `${STORE}:${sku}`,
        locationId: STORE,
        skuId: sku,
        skuCode: sku.toUpperCase(),
        name,
        onHand: available,
        available,
        lowStock: low,
        updatedAt: "2026-11-25T00:00:00.000Z",
      })
    const screen = await mount(<Stock />)
    await eventually(() => expect(screen.querySelectorAll("[data-testid='stock-row']")).toHaveLength(2))

    await click(byTestId(screen, "stock-low"))
    const rows = [...screen.querySelectorAll<HTMLElement>("[data-testid='stock-row']")]
    expect(rows.map((r) => r.dataset.sku)).toEqual(["sku_noodles"])

    window.dispatchEvent(new Event("offline"))
    await click(rows[0]!.querySelector("button")!)
    await eventually(() => expect(text(screen, "availability-offline")).toBe("各门店实时库存需联网查看"))
    window.dispatchEvent(new Event("online"))
  })

  it("shows one SKU across the stores when online", async () => {
    signedInCashier()
    stubApi({
      "GET /api/v1/skus/sku_water/availability": () =>
        json(200, {
          skuId: "sku_water",
          items: [
            { locationId: STORE, locationName: "南京路店", kind: "store", onHand: 30, reserved: 0, available: 30 },
            { locationId: "loc_2", locationName: "西湖店", kind: "store", onHand: 12, reserved: 0, available: 12 },
          ],
        }),
    })
    await (await db()).put("stock", {
      key: `${STORE}:sku_water`,
      locationId: STORE,
      skuId: "sku_water",
      skuCode: "GR001",
      name: "矿泉水 550ml",
      onHand: 30,
      available: 30,
      lowStock: false,
      updatedAt: "2026-11-25T00:00:00.000Z",
    })
    const screen = await mount(<Stock />)
    await eventually(() => byTestId(screen, "stock-row"))

    await click(byTestId(screen, "stock-row").querySelector("button")!)

    await eventually(() => expect(screen.querySelectorAll("[data-testid='availability-row']")).toHaveLength(2))
    expect(byTestId(screen, "availability").textContent).toContain("西湖店")
  })
})
