import { describe, expect, it } from "vitest"
import Orders from "../../pwa/src/screens/orders"
import { deviceHolds, NOODLES, STORE, WATER } from "./fixtures"
import { byTestId, click, eventually, json, mount, problem, type StubCall, stubApi, text } from "./helpers"
import { goOffline, rows, signedInAs } from "./stock-helpers"

// 渠道订单: the staff who pick and hand over mini-program and platform orders see their store's orders by state,
// open one to pick it, and (a manager) cancel one the customer never paid.

const NOW = Date.now()

const order = (id: string, status: string, over: Record<string, unknown> = {}) => ({
  id,
  number: `DD-${id}`,
  channel: "miniprogram",
  locationId: STORE,
  status,
  customerId: null,
  externalRef: null,
  totalFen: 1990,
  expiresAt: new Date(NOW + 9 * 60_000 + 50_000).toISOString(),
  paidAt: null,
  createdAt: new Date(NOW).toISOString(),
  updatedAt: new Date(NOW).toISOString(),
  ...over,
})

const PAID = order("o_paid", "paid", {
  channel: "tmall",
  externalRef: "TB-7788",
  customerId: "cus_42",
  paidAt: new Date(NOW).toISOString(),
})
const UNPAID = order("o_unpaid", "reserved", { totalFen: 3380 })
const OLD = order("o_old", "expired", { createdAt: "2026-11-20T02:05:00.000Z" })

const withLines = (summary: ReturnType<typeof order>, payments: unknown[] = []) => ({
  ...summary,
  lines: [
    { skuId: "sku_water", qty: 2, unitPriceFen: 200, amountFen: 400 },
    { skuId: "sku_noodles", qty: 1, unitPriceFen: 1590, amountFen: 1590 },
  ],
  payments,
})

const cards = (screen: HTMLElement) =>
  rows(screen, "order").map((card) => [
    text(card, "order-number"),
    text(card, "order-channel"),
    text(card, "order-status"),
    text(card, "order-total"),
    card.querySelector("[data-testid='order-hold']")?.textContent ?? null,
  ])

const listCalls = (calls: StubCall[]) =>
  calls.filter((c) => c.method === "GET" && c.path === "/api/v1/orders").map((c) => Object.fromEntries(c.query))

const buttonNamed = (root: HTMLElement, name: string) => {
  const found = [...root.querySelectorAll("button")].find((b) => b.textContent?.trim() === name)
  if (!found) throw new Error(`no button "${name}"`)
  return found
}

const open = async (screen: HTMLElement, id: string) => {
  const card = await eventually(() => {
    const found = rows(screen, "order").find((c) => c.dataset.id === id)
    if (!found) throw new Error(`no order ${id} on the list`)
    return found
  })
  await click(byTestId(card, "order-open"))
  return eventually(() => byTestId(screen, "order-lines"))
}

describe("channel orders at the store", () => {
  it("a clerk sees the store's paid and unpaid orders, by state, and picks a paid one: no cancel for it", async () => {
    signedInAs("clerk")
    await deviceHolds([WATER, NOODLES])
    const calls = stubApi({
      "GET /api/v1/orders": (call) =>
        json(200, {
          items: call.query.get("status") === "paid" ? [PAID] : [PAID, UNPAID, OLD],
          nextCursor: null,
        }),
      "GET /api/v1/orders/o_paid": () =>
        json(
          200,
          withLines(PAID, [
            {
              id: "pay1",
              method: "wechat",
              amountFen: 1990,
              status: "confirmed",
              provider: "wechat",
              createdAt: PAID.paidAt,
            },
          ]),
        ),
    })
    const screen = await mount(<Orders />)

    await eventually(() =>
      expect(cards(screen)).toEqual([
        ["DD-o_paid", "天猫", "已付款", "¥19.90", null],
        ["DD-o_unpaid", "微信小程序", "待付款", "¥33.80", "10 分钟后过期"],
        ["DD-o_old", "微信小程序", "已过期", "¥19.90", null],
      ]),
    )
    const times = rows(screen, "order").map((c) => text(c, "order-time"))
    expect(times[0]).toMatch(/^\d{2}:\d{2}$/) // today's: the time alone
    expect(times[2]).toBe("11-20 10:05") // an older one: its day too, in the chain's zone
    expect(listCalls(calls)).toEqual([{ locationId: STORE, limit: "20" }])

    await click(byTestId(screen, "orders-tab-paid"))
    await eventually(() => expect(cards(screen).map((c) => c[0])).toEqual(["DD-o_paid"]))
    expect(listCalls(calls).at(-1)).toEqual({ locationId: STORE, limit: "20", status: "paid" })

    const lines = await open(screen, "o_paid")
    expect(
      rows(lines, "order-line").map((l) => [
        text(l, "order-line-name"),
        text(l, "order-line-qty"),
        text(l, "order-line-amount"),
      ]),
    ).toEqual([
      ["矿泉水 550ml", "2 件 × ¥2.00", "¥4.00"],
      ["方便面 五连包", "1 件 × ¥15.90", "¥15.90"],
    ])
    expect(text(screen, "order-total")).toBe("¥19.90")
    expect(text(screen, "order-customer")).toBe("cus_42")
    expect(text(screen, "order-ref")).toBe("TB-7788")
    expect(text(screen, "order-payment")).toContain("微信")
    expect(text(screen, "order-payment")).toContain("已到账")
    expect(screen.querySelector("[data-testid='order-cancel']")).toBeNull()
    expect(calls.some((c) => c.method === "POST")).toBe(false)
  })

  it("a clerk may look at an unpaid order but not cancel it (that takes orders:write)", async () => {
    signedInAs("clerk")
    const heldLong = order("o_long", "reserved", { expiresAt: new Date(NOW + 125 * 60_000 - 10_000).toISOString() })
    stubApi({
      "GET /api/v1/orders": () => json(200, { items: [UNPAID, heldLong], nextCursor: null }),
      "GET /api/v1/orders/o_unpaid": () => json(200, withLines(UNPAID)),
    })
    const screen = await mount(<Orders />)
    await eventually(() => expect(cards(screen)[1]?.[4]).toBe("2 小时 5 分钟后过期"))
    await open(screen, "o_unpaid")
    expect(text(screen, "order-hold")).toBe("10 分钟后过期")
    expect(screen.textContent).toContain("尚未付款")
    expect(screen.querySelector("[data-testid='order-cancel']")).toBeNull()
  })

  it("a store manager cancels an unpaid order after confirming, and the list shows it cancelled", async () => {
    signedInAs("store_manager")
    await deviceHolds([WATER, NOODLES])
    let current = UNPAID
    const calls = stubApi({
      "GET /api/v1/orders": () => json(200, { items: [current, PAID], nextCursor: null }),
      "GET /api/v1/orders/o_unpaid": () => json(200, withLines(current)),
      "POST /api/v1/orders/o_unpaid/cancel": () => {
        current = { ...UNPAID, status: "cancelled" }
        return json(200, { id: "o_unpaid", status: "cancelled" })
      },
    })
    const screen = await mount(<Orders />)
    await open(screen, "o_unpaid")

    await click(byTestId(screen, "order-cancel"))
    expect(text(screen, "order-confirm")).toContain("确定取消订单 DD-o_unpaid？")
    expect(calls.some((c) => c.method === "POST")).toBe(false) // asking is not doing
    await click(byTestId(screen, "order-cancel-yes"))

    await eventually(() => expect(text(screen, "order-notice")).toBe("订单 DD-o_unpaid 已取消"))
    await eventually(() => expect(text(screen, "order-status")).toBe("已取消"))
    expect(screen.querySelector("[data-testid='order-cancel']")).toBeNull()
    const posts = calls.filter((c) => c.method === "POST")
    expect(posts.map((c) => c.path)).toEqual(["/api/v1/orders/o_unpaid/cancel"])
    expect(posts[0]!.headers.get("Idempotency-Key")).toBeNull() // the cancel route takes none: repeating it is safe

    await click(buttonNamed(byTestId(screen, "order-detail"), "返回"))
    await eventually(() =>
      expect(cards(screen).map((c) => [c[0], c[2]])).toEqual([
        ["DD-o_unpaid", "已取消"],
        ["DD-o_paid", "已付款"],
      ]),
    )
  })

  it("an order paid while the list was open cannot be cancelled: the server's refusal is shown", async () => {
    signedInAs("store_manager")
    stubApi({
      "GET /api/v1/orders": () => json(200, { items: [UNPAID], nextCursor: null }),
      "GET /api/v1/orders/o_unpaid": () => json(200, withLines(UNPAID)),
      "POST /api/v1/orders/o_unpaid/cancel": () =>
        problem(409, { code: "order_paid", title: "Conflict", detail: "This order is paid: refund it instead." }),
    })
    const screen = await mount(<Orders />)
    await open(screen, "o_unpaid")
    await click(byTestId(screen, "order-cancel"))
    await click(byTestId(screen, "order-cancel-yes"))

    await eventually(() => expect(text(screen, "order-problem")).toContain("订单已付款，不能取消，请走退款"))
    expect(text(screen, "order-problem-detail")).toBe("This order is paid: refund it instead.")
    expect(byTestId(screen, "order-cancel-yes")).toBeTruthy() // still asking: the user may go back
  })

  it("loads the next page on request", async () => {
    signedInAs("clerk")
    const calls = stubApi({
      "GET /api/v1/orders": (call) =>
        call.query.get("cursor") === "c2"
          ? json(200, { items: [OLD], nextCursor: null })
          : json(200, { items: [PAID, UNPAID], nextCursor: "c2" }),
    })
    const screen = await mount(<Orders />)
    await click(await eventually(() => byTestId(screen, "orders-more")))

    await eventually(() => expect(cards(screen).map((c) => c[0])).toEqual(["DD-o_paid", "DD-o_unpaid", "DD-o_old"]))
    expect(listCalls(calls).at(-1)).toEqual({ locationId: STORE, limit: "20", cursor: "c2" })
    expect(screen.querySelector("[data-testid='orders-more']")).toBeNull()
  })

  it("says orders need the network when there is none", async () => {
    signedInAs("clerk")
    const calls = stubApi({})
    await goOffline()
    const screen = await mount(<Orders />)
    expect(text(screen, "orders-offline")).toBe("渠道订单需要联网，请连接网络后查看")
    expect(listCalls(calls)).toEqual([])
  })
})
