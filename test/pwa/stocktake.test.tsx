import { act } from "preact/test-utils"
import { describe, expect, it } from "vitest"
import { withCheckDigit } from "../../core/barcode"
import Stocktake from "../../pwa/src/screens/stocktake"
import { closeDb } from "../../pwa/src/store/db"
import { type CountLine, forgetCountInMemory } from "../../pwa/src/store/stocktake"
import { APPLES, deviceHolds, NOODLES, STORE, WATER } from "./fixtures"
import { byTestId, click, eventually, json, mount, type StubCall, stubApi, text, unmountAll } from "./helpers"
import { goOffline, goOnline, rows, scanCode, scanLines, signedInAs } from "./stock-helpers"

/**
 * The server's side of one count, as the API behaves: it adds a batch once (by batchId), snapshots the book
 * when a SKU is first counted, and posts once. `loseAnswers` drops that many answers after the server acted,
 * as a dead uplink does.
 */
const countServer = (book: Record<string, { qty: number; costFen: number }>) => {
  const batches = new Map<string, CountLine[]>()
  let note: string | null = null
  let status = "open"
  const state = { loseAnswers: 0 }
  const view = () => {
    const counted = new Map<string, number>()
    for (const lines of batches.values())
      for (const l of lines) counted.set(l.skuId, (counted.get(l.skuId) ?? 0) + l.qty)
    const lines = [...counted].map(([skuId, qty]) => {
      const expected = book[skuId]?.qty ?? 0
      return {
        skuId,
        counted: qty,
        expected,
        variance: qty - expected,
        varianceCostFen: (qty - expected) * (book[skuId]?.costFen ?? 0),
        posted: status === "posted",
        overReserved: 0,
      }
    })
    return {
      id: "stk_1",
      number: "PD20261125-0001",
      locationId: STORE,
      status,
      note,
      lines,
      totals: {
        lines: lines.length,
        varianceQty: lines.reduce((a, l) => a + l.variance, 0),
        varianceCostFen: lines.reduce((a, l) => a + l.varianceCostFen, 0),
      },
      shortHolds: [],
    }
  }
  const answer = (body: unknown, statusCode = 200) => {
    if (state.loseAnswers > 0) {
      state.loseAnswers--
      throw new TypeError("Failed to fetch")
    }
    return json(statusCode, body)
  }
  const routes = {
    "GET /api/v1/stocktakes": () => json(200, { items: note ? [view()] : [], nextCursor: null }),
    "POST /api/v1/stocktakes": (call: StubCall) => {
      note = (call.body as { note: string }).note
      return json(201, view())
    },
    "POST /api/v1/stocktakes/stk_1/counts": (call: StubCall) => {
      const body = call.body as { batchId: string; lines: CountLine[] }
      if (!batches.has(body.batchId)) batches.set(body.batchId, body.lines)
      return answer(view())
    },
    "POST /api/v1/stocktakes/stk_1/post": () => {
      status = "posted"
      return answer(view())
    },
  }
  return { routes, state, view }
}

const counted = (calls: StubCall[]) =>
  calls
    .filter((c) => c.path === "/api/v1/stocktakes/stk_1/counts")
    .map((c) => c.body as { batchId: string; lines: CountLine[] })

describe("a stocktake at the store", () => {
  it("counts offline, survives a reload, and submits exactly once when the network is back", async () => {
    signedInAs("store_manager")
    await deviceHolds([WATER, NOODLES])
    const server = countServer({ sku_water: { qty: 5, costFen: 120 }, sku_noodles: { qty: 1, costFen: 900 } })
    const calls = stubApi(server.routes)
    await goOffline()
    let screen = await mount(<Stocktake />)
    await click(await eventually(() => byTestId(screen, "count-start")))

    for (const code of [WATER.barcode!, WATER.barcode!, NOODLES.barcode!, WATER.barcode!]) await scanCode(code)

    await eventually(() =>
      expect(scanLines(screen)).toEqual([
        { name: "方便面 五连包", qty: 1, expected: undefined, diff: undefined },
        { name: "矿泉水 550ml", qty: 3, expected: undefined, diff: undefined },
      ]),
    )
    expect(text(screen, "count-waiting")).toBe("离线：盘点数已保存在本机，联网后提交（2 行待提交）")
    expect(byTestId<HTMLButtonElement>(screen, "count-submit").disabled).toBe(true)

    // The tab is reloaded while still offline: the count is still on the device.
    await unmountAll()
    forgetCountInMemory()
    await closeDb()
    screen = await mount(<Stocktake />)
    await eventually(() => expect(scanLines(screen).map((l) => l.qty)).toEqual([1, 3]))
    expect(calls).toHaveLength(0)

    // Back online: the counts go out at once, but the answer is lost on the way back.
    server.state.loseAnswers = 1
    await goOnline()
    await eventually(() => expect(text(screen, "count-problem")).toBe("无法连接服务器，请检查网络后重试"))
    await click(byTestId(screen, "count-submit"))

    await eventually(() => expect(rows(screen, "variance-row")).toHaveLength(2))
    const sent = counted(calls)
    expect(sent).toHaveLength(2)
    expect(sent[1]).toEqual(sent[0])
    const keys = calls.filter((c) => c.path.endsWith("/counts")).map((c) => c.headers.get("Idempotency-Key"))
    expect(keys).toEqual([sent[0]!.batchId, sent[0]!.batchId])
    expect(server.view().lines.map((l) => [l.skuId, l.counted, l.variance])).toEqual([
      ["sku_water", 3, -2],
      ["sku_noodles", 1, 0],
    ])
    expect(text(screen, "count-waiting")).toBe("盘点数已全部提交")
    expect(text(screen, "variance-totals")).toBe("合计差异 -2 件，金额 -¥2.40")
    expect(calls.filter((c) => c.method === "POST" && c.path === "/api/v1/stocktakes")).toHaveLength(1)
  })

  it("sends counts as they are made while online, each batch only what is new, never lowering what was sent", async () => {
    signedInAs("store_manager")
    await deviceHolds([WATER, NOODLES])
    const server = countServer({ sku_water: { qty: 5, costFen: 120 } })
    const calls = stubApi(server.routes)
    const screen = await mount(<Stocktake />)
    await click(await eventually(() => byTestId(screen, "count-start")))

    for (let i = 0; i < 3; i++) await scanCode(WATER.barcode!)

    await eventually(() => expect(server.view().lines[0]?.counted).toBe(3))
    await eventually(() => expect(text(screen, "count-waiting")).toBe("盘点数已全部提交"))
    const batches = counted(calls)
    expect(new Set(batches.map((b) => b.batchId)).size).toBe(batches.length)
    expect(batches.flatMap((b) => b.lines).every((l) => l.skuId === "sku_water" && l.qty > 0)).toBe(true)
    expect(batches.flatMap((b) => b.lines).reduce((sum, l) => sum + l.qty, 0)).toBe(3)

    await click(byTestId(screen, "line-less"))
    await eventually(() => expect(text(screen, "count-problem")).toBe("已提交 3 件，不能再减少"))
    expect(scanLines(screen)[0]?.qty).toBe(3)
  })

  it("lets a store manager post the variances once, and leaves the device ready for the next count", async () => {
    signedInAs("store_manager")
    await deviceHolds([WATER])
    const server = countServer({ sku_water: { qty: 5, costFen: 120 } })
    const calls = stubApi(server.routes)
    const screen = await mount(<Stocktake />)
    await click(await eventually(() => byTestId(screen, "count-start")))
    await scanCode(WATER.barcode!)
    await eventually(() => byTestId(screen, "variances"))

    server.state.loseAnswers = 1
    await click(byTestId(screen, "count-post"))
    await eventually(() => byTestId(screen, "count-problem"))
    await click(byTestId(screen, "count-post"))

    await eventually(() => expect(text(screen, "count-posted")).toBe("已过账：PD20261125-0001"))
    const posts = calls.filter((c) => c.path.endsWith("/post"))
    expect(posts).toHaveLength(2)
    expect(posts[1]!.headers.get("Idempotency-Key")).toBe(posts[0]!.headers.get("Idempotency-Key"))
    expect(posts[0]!.headers.get("Idempotency-Key")).toBeTruthy()
    await click(byTestId(screen, "count-done"))
    expect(byTestId(screen, "count-start")).toBeTruthy()
  })

  it("counts weighed goods by the weight on their scale labels, and shows counts and variances as weights", async () => {
    signedInAs("clerk")
    await deviceHolds([WATER, APPLES])
    const server = countServer({ sku_apples: { qty: 2000, costFen: 2 }, sku_water: { qty: 1, costFen: 120 } })
    stubApi(server.routes)
    const screen = await mount(<Stocktake />)
    await click(await eventually(() => byTestId(screen, "count-start")))

    // A crate's label says 1.250 kg; a bag's says ¥7.99, which is 500 g at ¥15.98/kg; the water counts one.
    await scanCode(withCheckDigit("201000101250"))
    await eventually(() => expect(text(screen, "scan-notice")).toBe("已称：苹果 (称重) 1.25 kg"))
    await scanCode(withCheckDigit("251000100799"))
    await eventually(() => expect(text(screen, "scan-notice")).toBe("已称：苹果 (称重) 500 g"))
    await scanCode(WATER.barcode!)
    // The apples' own code carries no weight: nothing is added, and the counter is told how to count them.
    await scanCode(APPLES.barcode!)
    await eventually(() => expect(text(screen, "scan-notice")).toBe("苹果 (称重) 按重量盘点：请扫秤签，或输入克数"))

    await eventually(() =>
      expect(scanLines(screen)).toEqual([
        { name: "矿泉水 550ml", qty: 1, expected: undefined, diff: undefined },
        { name: "苹果 (称重)", qty: 1750, expected: undefined, diff: undefined },
      ]),
    )
    const apples = rows(screen, "scan-line").find((l) => l.dataset.sku === "sku_apples")!
    expect(text(apples, "line-weight")).toBe("1.75 kg")
    expect(byTestId(apples, "line-qty").getAttribute("aria-label")).toBe("苹果 (称重) 的重量（克）")

    // The server got grams, and the variance reads as a weight.
    await eventually(() => expect(text(screen, "count-waiting")).toBe("盘点数已全部提交"))
    expect(server.view().lines.map((l) => [l.skuId, l.counted])).toEqual([
      ["sku_apples", 1750],
      ["sku_water", 1],
    ])
    const applesRow = () => rows(screen, "variance-row").find((r) => r.dataset.sku === "sku_apples")!
    const cells = (row: HTMLElement) =>
      ["variance-counted", "variance-expected", "variance-qty"].map((c) => text(row, c))
    await eventually(() => expect(cells(applesRow())).toEqual(["1.75 kg", "2 kg", "-250 g"]))
    // Pieces and grams are totalled apart (the book values them at 2 fen a gram).
    expect(text(screen, "variance-totals")).toBe("合计差异 0 件、称重 -250 g，金额 -¥5.00")
    await click(byTestId(apples, "line-less"))
    await eventually(() => expect(text(screen, "count-problem")).toBe("已提交 1.75 kg，不能再减少"))
  })

  it("leaves posting to a manager when a clerk counts", async () => {
    signedInAs("clerk")
    await deviceHolds([WATER])
    stubApi(countServer({ sku_water: { qty: 5, costFen: 120 } }).routes)
    const screen = await mount(<Stocktake />)
    await click(await eventually(() => byTestId(screen, "count-start")))
    await scanCode(WATER.barcode!)

    await eventually(() => byTestId(screen, "variances"))
    expect(screen.querySelector("[data-testid='count-post']")).toBeNull()
    expect(screen.textContent).toContain("差异由店长审核过账")
  })

  it("counts a scan that lands in a quantity being typed, and never takes the barcode for a quantity", async () => {
    signedInAs("clerk")
    await deviceHolds([WATER])
    const server = countServer({ sku_water: { qty: 5, costFen: 120 } })
    stubApi(server.routes)
    const screen = await mount(<Stocktake />)
    await click(await eventually(() => byTestId(screen, "count-start")))
    await scanCode(WATER.barcode!)
    const qty = await eventually(() => byTestId<HTMLInputElement>(screen, "line-qty"))
    qty.focus()

    await scanCode(WATER.barcode!, qty)
    await eventually(() => expect(scanLines(screen)[0]?.qty).toBe(2))
    await act(() => {
      qty.value = `2${WATER.barcode}`
      qty.dispatchEvent(new Event("change", { bubbles: true }))
    })

    expect(scanLines(screen)[0]?.qty).toBe(2)
    await eventually(() => expect(text(screen, "count-waiting")).toBe("盘点数已全部提交"))
    expect(server.view().lines[0]?.counted).toBe(2)
  })
})
