import { act } from "preact/test-utils"
import { describe, expect, it } from "vitest"
import { withCheckDigit } from "../../core/barcode"
import { formatCny } from "../../core/money"
import { DEFAULT_POINTS_RULES, earnPoints, pointsForFen } from "../../core/points"
import { priceCart } from "../../core/pricing"
import Till from "../../pwa/src/screens/till"
import { loadSettings, syncSettings } from "../../pwa/src/store/catalog"
import { db, type MemberRecord, type SyncSale } from "../../pwa/src/store/db"
import { chainPoints } from "../../pwa/src/store/location"
import { outbox } from "../../pwa/src/sync/outbox"
import { setMember } from "../../pwa/src/till/cart"
import { gramsForPrice, parseScaleBarcode } from "../../pwa/src/till/scale"
import {
  APPLES,
  deviceHolds,
  MEMBER_PRICE,
  NOODLES,
  SPEND_20_OFF_5,
  STORE,
  signedInCashier,
  TEE,
  WATER,
} from "./fixtures"
import { byTestId, click, eventually, json, mount, stubApi, text, type } from "./helpers"

/** A keyboard-wedge scanner: the code's characters as fast keystrokes, then Enter, at whatever has focus. */
const scanCode = async (code: string) => {
  await act(() => {
    for (const key of [...code, "Enter"])
      document.body.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }))
  })
}

const lines = (screen: HTMLElement) =>
  [...screen.querySelectorAll("[data-testid='cart-line']")].map((line) => ({
    name: line.querySelector("[data-testid='line-name']")?.textContent,
    qty: line.querySelector("[data-testid='line-qty']")?.textContent ?? null,
    total: line.querySelector("[data-testid='line-total']")?.textContent,
  }))

const REGULAR: MemberRecord = {
  id: "mbr_1",
  code: "12345674",
  name: "王小明",
  phoneKey: "key-of-13800131234",
  phoneMasked: "138****1234",
  tierId: null,
  tierName: null,
  birthdayMonth: null,
  pointsBalance: 120,
  storedValueFen: 0,
  cachedAt: 0,
}

const openTill = async () => {
  signedInCashier()
  const screen = await mount(<Till />)
  await eventually(() => byTestId(screen, "till"))
  return screen
}

describe("the till", () => {
  it("puts a scanned item in the cart, and a second scan of it raises the quantity", async () => {
    await deviceHolds([WATER, NOODLES])
    const screen = await openTill()

    await scanCode(WATER.barcode!)
    await eventually(() => expect(lines(screen)).toHaveLength(1))
    await scanCode(WATER.barcode!)
    await scanCode(NOODLES.barcode!)

    await eventually(() =>
      expect(lines(screen)).toEqual([
        { name: "矿泉水 550ml", qty: "2", total: "¥4.00" },
        { name: "方便面 五连包", qty: "1", total: "¥15.90" },
      ]),
    )
    expect(text(screen, "scan-notice")).toBe("已加入：方便面 五连包")
  })

  it("says so when a scanned code is not in the catalog", async () => {
    await deviceHolds([WATER])
    const screen = await openTill()

    await scanCode("6900000000000")

    await eventually(() => expect(text(screen, "scan-notice")).toBe("没有找到：6900000000000"))
    expect(screen.querySelector("[data-testid='cart-empty']")).toBeTruthy()
  })

  it("adds and takes away pieces with + and −, and removes a line", async () => {
    await deviceHolds([WATER, NOODLES])
    const screen = await openTill()
    await scanCode(WATER.barcode!)
    await scanCode(NOODLES.barcode!)
    await eventually(() => expect(lines(screen)).toHaveLength(2))

    await click(screen.querySelectorAll<HTMLElement>("[data-testid='line-more']")[0]!)
    await click(screen.querySelectorAll<HTMLElement>("[data-testid='line-more']")[0]!)
    expect(lines(screen)[0]).toEqual({ name: "矿泉水 550ml", qty: "3", total: "¥6.00" })
    await click(screen.querySelectorAll<HTMLElement>("[data-testid='line-less']")[0]!)
    expect(lines(screen)[0]?.qty).toBe("2")

    await click(screen.querySelectorAll<HTMLElement>("[data-testid='line-remove']")[1]!)
    expect(lines(screen).map((l) => l.name)).toEqual(["矿泉水 550ml"])
  })

  it("finds an item by name and adds it", async () => {
    await deviceHolds([WATER, NOODLES, TEE])
    const screen = await openTill()

    await type(byTestId<HTMLInputElement>(screen, "till-search"), "T恤")
    await eventually(() => expect(screen.querySelectorAll("[data-testid='search-result']")).toHaveLength(1))
    await click(byTestId(screen, "search-result"))

    expect(lines(screen)).toEqual([{ name: "纯棉圆领T恤", qty: "1", total: "¥59.90" }])
  })

  it("weighs fresh food from the scale's label: weight or price inside the code", async () => {
    await deviceHolds([APPLES])
    const screen = await openTill()

    // 1.250 kg of apples at ¥15.98/kg = ¥19.975 → ¥19.98
    await scanCode(withCheckDigit("201000101250"))
    await eventually(() => expect(lines(screen)).toEqual([{ name: "苹果 (称重)", qty: null, total: "¥19.98" }]))
    expect(screen.textContent).toContain("1.25 kg")

    // a price label of ¥7.99: 500 g at ¥15.98/kg
    await scanCode(withCheckDigit("251000100799"))
    await eventually(() => expect(lines(screen)[1]).toEqual({ name: "苹果 (称重)", qty: null, total: "¥7.99" }))
  })

  it("prices the cart exactly as core's priceCart does, each discount named", async () => {
    await deviceHolds([WATER, NOODLES, TEE], [SPEND_20_OFF_5, MEMBER_PRICE])
    const screen = await openTill()
    for (const code of [NOODLES.barcode!, WATER.barcode!, WATER.barcode!, TEE.barcode!]) await scanCode(code)
    await eventually(() => expect(lines(screen)).toHaveLength(3))

    const expected = priceCart({
      lines: [
        { lineId: "a", skuId: NOODLES.id, qty: 1, unit: "piece", unitPriceFen: 1590, categoryId: "cat_grocery" },
        { lineId: "b", skuId: WATER.id, qty: 2, unit: "piece", unitPriceFen: 200, categoryId: "cat_grocery" },
        {
          lineId: "c",
          skuId: TEE.id,
          qty: 1,
          unit: "piece",
          unitPriceFen: 5990,
          memberPriceFen: 5390,
          categoryId: "cat_tops",
        },
      ],
      member: null,
      promotions: [SPEND_20_OFF_5, MEMBER_PRICE],
      context: { at: Date.now(), timeZone: "Asia/Shanghai", storeId: STORE, channel: "pos" },
    })

    expect(text(screen, "cart-subtotal")).toBe(formatCny(expected.subtotalFen))
    expect(text(screen, "cart-total")).toBe(formatCny(expected.totalFen))
    expect(text(screen, "cart-total")).toBe("¥74.80")
    expect(lines(screen).map((l) => l.total)).toEqual(expected.lines.map((l) => formatCny(l.totalFen)))
    expect([...screen.querySelectorAll("[data-testid='applied-promotion']")].map((p) => p.textContent)).toEqual([
      "满20减5-¥5.00",
    ])
  })

  it("gives a member the member price once the member is found by phone", async () => {
    await deviceHolds([TEE], [MEMBER_PRICE])
    stubApi({
      "GET /api/v1/members/lookup": () =>
        json(200, {
          id: "mbr_1",
          code: "12345674",
          name: "王小明",
          phoneMasked: "138****1234",
          tierId: null,
          tierName: null,
          birthdayMonth: null,
          pointsBalance: 120,
          storedValueFen: 0,
        }),
    })
    const screen = await openTill()
    await scanCode(TEE.barcode!)
    await eventually(() => expect(text(screen, "cart-total")).toBe("¥59.90"))

    await type(byTestId<HTMLInputElement>(screen, "member-phone"), "138 0013 1234")
    await click(byTestId(screen, "member-find"))

    await eventually(() => expect(text(screen, "member-name")).toBe("王小明"))
    expect(text(screen, "cart-total")).toBe("¥53.90")
    expect(text(screen, "applied-promotion")).toContain("会员价")
  })

  it("takes mixed tenders, shows the change, and writes the sale to the outbox before the receipt", async () => {
    await deviceHolds([WATER, NOODLES], [SPEND_20_OFF_5])
    stubApi({}) // the server is unreachable for this story: every call answers 404
    const screen = await openTill()
    await scanCode(NOODLES.barcode!)
    await scanCode(WATER.barcode!)
    await scanCode(WATER.barcode!)
    await scanCode(WATER.barcode!)
    await eventually(() => expect(text(screen, "cart-total")).toBe("¥16.90"))

    await click(byTestId(screen, "pay"))
    expect(text(screen, "pay-due")).toBe("¥16.90")
    await click(byTestId(screen, "pay-mode-card"))
    await type(byTestId<HTMLInputElement>(screen, "pay-amount"), "10")
    await click(byTestId(screen, "pay-add"))
    expect(text(screen, "pay-remaining")).toBe("¥6.90")
    await click(byTestId(screen, "pay-mode-cash"))
    await click(byTestId(screen, "quick-1000"))

    await eventually(() => expect(text(screen, "done-change")).toBe("¥3.10"))
    expect(text(screen, "receipt-total")).toBe("¥16.90")
    expect(text(screen, "receipt-change")).toBe("¥3.10")
    const [item] = outbox.value
    expect(item?.kind).toBe("sale")
    const body = item?.body as SyncSale
    expect(body).toMatchObject({
      locationId: STORE,
      totalFen: 1690,
      payments: [
        { method: "card", amountFen: 1000 },
        { method: "cash", amountFen: 1000 },
      ],
      lines: [
        { skuId: NOODLES.id, qty: 1, unitPriceFen: 1590 },
        { skuId: WATER.id, qty: 3, unitPriceFen: 200 },
      ],
    })
    expect(body.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/)
    expect(await (await db()).get("journal", body.id)).toMatchObject({ totalFen: 1690, changeFen: 310 })
  })

  it("refuses a customer's payment code offline and offers cash instead", async () => {
    await deviceHolds([WATER])
    const screen = await openTill()
    await scanCode(WATER.barcode!)
    await eventually(() => byTestId(screen, "cart-line"))
    window.dispatchEvent(new Event("offline"))

    await click(byTestId(screen, "pay"))
    await click(byTestId(screen, "pay-mode-code"))

    expect(text(screen, "pay-code-offline")).toContain("付款码需要联网")
    await click(byTestId(screen, "pay-use-cash"))
    expect(byTestId(screen, "quick-amounts")).toBeTruthy()
    window.dispatchEvent(new Event("online"))
  })

  it("refuses stored value offline beyond the safe offline limit, and says how much it allows", async () => {
    await deviceHolds([TEE])
    const screen = await openTill()
    setMember({ ...REGULAR, storedValueFen: 500_00 })
    for (let i = 0; i < 4; i++) await scanCode(TEE.barcode!)
    await eventually(() => expect(text(screen, "cart-total")).toBe("¥239.60"))
    window.dispatchEvent(new Event("offline"))

    await click(byTestId(screen, "pay"))
    await click(byTestId(screen, "pay-mode-stored_value"))
    expect(text(screen, "pay-balance")).toBe("储值余额 ¥500.00（本机记录；离线每单最多 ¥200.00）")
    await type(byTestId<HTMLInputElement>(screen, "pay-amount"), "239.60")
    await click(byTestId(screen, "pay-add"))
    expect(text(screen, "pay-problem")).toBe("离线时每单储值支付最多 ¥200.00：请联网后再付，或改用其他方式")
    expect(text(screen, "pay-remaining")).toBe("¥239.60")

    await type(byTestId<HTMLInputElement>(screen, "pay-amount"), "200")
    await click(byTestId(screen, "pay-add"))
    expect(text(screen, "pay-remaining")).toBe("¥39.60")
    await type(byTestId<HTMLInputElement>(screen, "pay-amount"), "0.01")
    await click(byTestId(screen, "pay-add"))
    expect(byTestId(screen, "pay-problem")).toBeTruthy() // a second stored-value tender counts toward the limit
    expect(text(screen, "pay-remaining")).toBe("¥39.60")

    window.dispatchEvent(new Event("online"))
    await click(byTestId(screen, "pay-add"))
    expect(text(screen, "pay-remaining")).toBe("¥39.59") // online the server checks the real balance
  })

  it("prices a points tender at the chain's published rate offline, and takes off what the server will", async () => {
    const rules = { ...DEFAULT_POINTS_RULES, earnFenPerPoint: 50, redeemPointsPerYuan: 10 }
    const calls = stubApi({
      "GET /api/v1/settings": () => json(200, { timeZone: "Asia/Shanghai", rounding: "none", points: rules }),
    })
    try {
      await syncSettings()
      chainPoints.value = DEFAULT_POINTS_RULES
      await loadSettings() // a restart offline: the device still has the chain's rules
      expect(chainPoints.value).toEqual(rules)

      await deviceHolds([NOODLES])
      const who = { ...REGULAR, pointsBalance: 500 }
      await (await db()).put("members", who)
      const screen = await openTill()
      window.dispatchEvent(new Event("offline"))
      setMember(who)
      await scanCode(NOODLES.barcode!)
      await eventually(() => expect(text(screen, "cart-total")).toBe("¥15.90"))

      await click(byTestId(screen, "pay"))
      await click(byTestId(screen, "pay-mode-points"))
      // 500 points at 10 per ¥1 are worth ¥50, capped at what is due.
      expect(text(screen, "pay-balance")).toBe("积分 500，最多抵 ¥15.90")
      await type(byTestId<HTMLInputElement>(screen, "pay-amount"), "3")
      await click(byTestId(screen, "pay-add"))
      expect(text(screen, "tenders")).toContain("用 30 积分")
      await click(byTestId(screen, "pay-mode-cash"))
      await click(byTestId(screen, "quick-2000"))

      await eventually(() => expect(text(screen, "done-change")).toBe("¥7.10"))
      // ¥12.90 paid outside points at 1 point per ¥0.50: the receipt shows what the server will book.
      const earned = earnPoints({
        totalFen: 1590,
        lines: [{ lineId: "1", totalFen: 1590 }],
        tenders: [
          { method: "points", amountFen: 300 },
          { method: "cash", amountFen: 2000 },
        ],
        member: {},
        at: Date.now(),
        timeZone: "Asia/Shanghai",
        rules,
      })
      expect(earned.points).toBe(25)
      expect(text(screen, "receipt-points")).toBe("本单积分 +25")
      const body = outbox.value[0]?.body as SyncSale
      expect(body.payments).toEqual([
        { method: "points", amountFen: 300 },
        { method: "cash", amountFen: 2000 },
      ])
      // The server books pointsForFen with the same rules: 30 points, which the device took off already.
      expect(pointsForFen(300, rules)).toBe(30)
      expect(await (await db()).get("members", who.id)).toMatchObject({ pointsBalance: 470 })
      window.dispatchEvent(new Event("online"))
      // Back online the outbox syncs at once: let it reach the stubbed server, not the network.
      await eventually(() => expect(calls.some((c) => c.path === "/api/v1/sales/sync")).toBe(true))
    } finally {
      chainPoints.value = DEFAULT_POINTS_RULES
    }
  })

  it("takes stored value in two goes as one payment, the way the server books it", async () => {
    await deviceHolds([TEE])
    const who = { ...REGULAR, storedValueFen: 100_00 }
    const calls = stubApi({}) // the server is unreachable until the end
    await (await db()).put("members", who)
    const screen = await openTill()
    setMember(who)
    await scanCode(TEE.barcode!)
    await eventually(() => expect(text(screen, "cart-total")).toBe("¥59.90"))
    window.dispatchEvent(new Event("offline"))

    await click(byTestId(screen, "pay"))
    await click(byTestId(screen, "pay-mode-stored_value"))
    await type(byTestId<HTMLInputElement>(screen, "pay-amount"), "30")
    await click(byTestId(screen, "pay-add"))
    await type(byTestId<HTMLInputElement>(screen, "pay-amount"), "20")
    await click(byTestId(screen, "pay-add"))
    expect(screen.querySelectorAll("[data-testid='tenders'] li")).toHaveLength(1)
    expect(text(screen, "pay-remaining")).toBe("¥9.90")
    await click(byTestId(screen, "pay-mode-cash"))
    await click(byTestId(screen, "quick-1000"))

    await eventually(() => expect(text(screen, "done-change")).toBe("¥0.10"))
    expect((outbox.value[0]!.body as SyncSale).payments).toEqual([
      { method: "stored_value", amountFen: 5000 },
      { method: "cash", amountFen: 1000 },
    ])
    expect(await (await db()).get("members", who.id)).toMatchObject({ storedValueFen: 50_00 })
    window.dispatchEvent(new Event("online"))
    await eventually(() => expect(calls.some((c) => c.path === "/api/v1/sales/sync")).toBe(true))
  })

  it("parks a cart and recalls it later", async () => {
    await deviceHolds([WATER, NOODLES])
    const screen = await openTill()
    await scanCode(NOODLES.barcode!)
    await eventually(() => expect(lines(screen)).toHaveLength(1))

    await click(byTestId(screen, "park"))
    await eventually(() => byTestId(screen, "cart-empty"))
    await scanCode(WATER.barcode!)
    await eventually(() => expect(lines(screen).map((l) => l.name)).toEqual(["矿泉水 550ml"]))
    await click(byTestId(screen, "clear"))

    await click(byTestId(screen, "recall"))
    await eventually(() => byTestId(screen, "parked-cart"))
    await click(byTestId(screen, "parked-cart"))

    await eventually(() => expect(lines(screen).map((l) => l.name)).toEqual(["方便面 五连包"]))
  })
})

describe("scale labels", () => {
  it("reads weight labels (2[0-4]) and price labels (2[5-9]) and leaves other codes alone", () => {
    expect(parseScaleBarcode(withCheckDigit("201000101250"))).toEqual({
      itemBarcode: withCheckDigit("201000100000"),
      grams: 1250,
    })
    expect(parseScaleBarcode(withCheckDigit("251000100799"))).toEqual({
      itemBarcode: withCheckDigit("201000100000"),
      priceFen: 799,
    })
    expect(parseScaleBarcode(withCheckDigit("201000100000"))).toBeNull() // the item's own code
    expect(parseScaleBarcode(withCheckDigit("690123400001"))).toBeNull() // not in-store
    expect(parseScaleBarcode("2010001012509")).toBeNull() // wrong check digit
    expect(gramsForPrice(799, 1598)).toBe(500)
  })
})
