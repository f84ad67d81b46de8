import { describe, expect, it } from "vitest"
import Transfers from "../../pwa/src/screens/transfers"
import { deviceHolds, NOODLES, STORE, WATER } from "./fixtures"
import { byTestId, click, eventually, json, mount, problem, type StubCall, stubApi, text } from "./helpers"
import { DESTINATIONS, rows, scanCode, scanLines, signedInAs, WAREHOUSE } from "./stock-helpers"

type Line = { skuId: string; qty: number }

const transfer = (id: string, from: string, to: string, status: string, lines: Line[]) => ({
  id,
  number: `DB-${id}`,
  status,
  fromLocationId: from,
  toLocationId: to,
  lines: lines.map((l) => ({ ...l, shippedQty: null, receivedQty: null, varianceQty: null })),
  createdAt: "2026-11-25T01:00:00.000Z",
  shippedAt: null,
})

const cards = (screen: HTMLElement, section: string) =>
  rows(byTestId(screen, section), "transfer").map((card) => [
    card.querySelector("strong")?.textContent,
    text(card, "transfer-status"),
  ])

describe("transfers at the store", () => {
  it("sends goods to the warehouse by scanning, then ships them; incoming ones show their status", async () => {
    signedInAs("store_manager")
    await deviceHolds([WATER, NOODLES])
    const list = [transfer("in1", WAREHOUSE, STORE, "in_transit", [{ skuId: "sku_noodles", qty: 6 }])]
    const calls = stubApi({
      "GET /api/v1/transfers/destinations": () => json(200, DESTINATIONS),
      "GET /api/v1/transfers": () => json(200, { items: list, nextCursor: null }),
      "POST /api/v1/transfers": (call: StubCall) => {
        const body = call.body as { fromLocationId: string; toLocationId: string; lines: Line[] }
        const made = transfer("out1", body.fromLocationId, body.toLocationId, "reserved", body.lines)
        list.unshift(made)
        return json(201, made)
      },
      "POST /api/v1/transfers/out1/ship": () => {
        list[0] = { ...list[0]!, status: "in_transit" }
        return json(200, list[0])
      },
    })
    const screen = await mount(<Transfers />)
    await eventually(() => expect(cards(screen, "transfers-incoming")).toEqual([["DB-in1", "在途"]]))
    expect(byTestId(screen, "transfers-incoming").textContent).toContain("华东中心仓 → 南京路店")
    expect(byTestId(screen, "transfer-receive").getAttribute("href")).toBe("/tools/receiving")

    await click(byTestId(screen, "transfer-new"))
    const to = byTestId<HTMLSelectElement>(screen, "transfer-to")
    await eventually(() => expect(to.options.length).toBe(3)) // 请选择 + the two other locations
    to.value = WAREHOUSE
    to.dispatchEvent(new Event("change", { bubbles: true }))
    for (const code of [WATER.barcode!, WATER.barcode!, NOODLES.barcode!]) await scanCode(code)
    await eventually(() =>
      expect(scanLines(screen).map((l) => [l.name, l.qty])).toEqual([
        ["方便面 五连包", 1],
        ["矿泉水 550ml", 2],
      ]),
    )
    await click(byTestId(screen, "transfer-create"))

    await eventually(() => expect(text(screen, "transfers-notice")).toBe("调拨单 DB-out1 已创建，待发货"))
    const created = calls.find((c) => c.method === "POST" && c.path === "/api/v1/transfers")!
    expect(created.body).toEqual({
      fromLocationId: STORE,
      toLocationId: WAREHOUSE,
      lines: [
        { skuId: "sku_noodles", qty: 1 },
        { skuId: "sku_water", qty: 2 },
      ],
    })
    expect(created.headers.get("Idempotency-Key")).toBeTruthy()
    await eventually(() => expect(cards(screen, "transfers-outgoing")).toEqual([["DB-out1", "待发货"]]))

    await click(byTestId(screen, "transfer-ship"))

    await eventually(() => expect(text(screen, "transfers-notice")).toBe("已发货：DB-out1"))
    await eventually(() => expect(cards(screen, "transfers-outgoing")).toEqual([["DB-out1", "在途"]]))
    expect(screen.querySelector("[data-testid='transfer-ship']")).toBeNull()
  })

  it("says which line is short when the store hasn't enough to send", async () => {
    signedInAs("clerk")
    await deviceHolds([WATER])
    stubApi({
      "GET /api/v1/transfers/destinations": () => json(200, DESTINATIONS),
      "GET /api/v1/transfers": () => json(200, { items: [], nextCursor: null }),
      "POST /api/v1/transfers": () =>
        new Response(
          JSON.stringify({
            type: "about:blank",
            status: 409,
            title: "Insufficient stock",
            code: "insufficient_stock",
            errors: [{ path: "lines.0.qty", skuId: "sku_water", requested: 3, available: 1 }],
          }),
          { status: 409, headers: { "Content-Type": "application/problem+json" } },
        ),
    })
    const screen = await mount(<Transfers />)
    await click(await eventually(() => byTestId(screen, "transfer-new")))
    const to = byTestId<HTMLSelectElement>(screen, "transfer-to")
    await eventually(() => expect(to.options.length).toBe(3))
    to.value = "loc_xihu"
    to.dispatchEvent(new Event("change", { bubbles: true }))
    for (let i = 0; i < 3; i++) await scanCode(WATER.barcode!)
    await eventually(() => expect(scanLines(screen)[0]?.qty).toBe(3))

    await click(byTestId(screen, "transfer-create"))

    await eventually(() => expect(text(screen, "transfer-problem")).toBe("库存不足：矿泉水 550ml 只有 1 件可用"))
    expect(byTestId(screen, "new-transfer")).toBeTruthy()
  })

  it("needs the network, and says so", async () => {
    signedInAs("store_manager")
    stubApi({ "GET /api/v1/transfers/destinations": () => problem(503, { code: "retry_later", title: "x" }) })
    window.dispatchEvent(new Event("offline"))
    const screen = await mount(<Transfers />)
    expect(screen.textContent).toContain("调拨需要联网")
    expect(byTestId<HTMLButtonElement>(screen, "transfer-new").disabled).toBe(true)
  })
})
