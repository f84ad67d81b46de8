import type { Browser, BrowserContext, Page } from "playwright-core"
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest"
import { withCheckDigit } from "../../core/barcode"
import {
  launchChromium,
  layoutProblems,
  newDevice,
  wedgeScan as scan,
  seriousViolations,
  serviceWorkerInControl,
  signIn,
} from "./browser"
import { storeNetwork } from "./store-network"

const baseUrl = inject("baseUrl")
const OWNER = { username: "owner", password: "puzi-demo-owner" }
const STORE_MANAGER = { username: "shopmgr1", password: "puzi-demo-store" }

// Two of the demo chain's groceries (barcode 6901234 + 5-digit index, see scripts/lib/seed-demo.mjs), not the
// ones the till story sells, so the two stories can share one server.
const grocery = (index: number) => withCheckDigit(`6901234${String(index).padStart(5, "0")}`)
const FIRST = grocery(2)
const SECOND = grocery(5)
const COUNTED = grocery(3)

let browser: Browser
const devices: BrowserContext[] = []
const uncaught: string[] = []

/** The server as the owner sees it, straight from the test. */
const asOwner = async () => {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(OWNER),
  })
  const { token } = (await login.json()) as { token: string }
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "idempotency-key": `e2e-stock-${method}-${path}-${Date.now()}`,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`)
    return JSON.parse(text) as T
  }
}

beforeAll(async () => {
  browser = await launchChromium()
})

afterEach(async () => {
  await Promise.all(devices.splice(0).map((context) => context.close()))
  expect(uncaught.splice(0)).toEqual([])
})

afterAll(async () => {
  await browser?.close()
})

describe("receiving at the store", () => {
  it("a store manager counts a shipped transfer in with a wedge scanner, and the server's stock follows", async () => {
    const owner = await asOwner()
    const places = (await owner<{ items: { id: string; name: string }[] }>("GET", "/locations")).items
    const store = places.find((l) => l.name === "南京路店")!
    const warehouse = places.find((l) => l.name === "华东中心仓")!
    const skuOf = async (barcode: string) =>
      (await owner<{ items: { id: string }[] }>("GET", `/skus?barcode=${barcode}`)).items[0]!.id
    const [first, second] = [await skuOf(FIRST), await skuOf(SECOND)]
    const onHand = async (skuId: string) =>
      (await owner<{ onHand: number }>("GET", `/stock/cells/${store.id}/${skuId}`)).onHand
    const before = { first: await onHand(first), second: await onHand(second) }

    // The warehouse sends three of one and two of the other, and ships them.
    const transfer = await owner<{ id: string; number: string }>("POST", "/transfers", {
      fromLocationId: warehouse.id,
      toLocationId: store.id,
      lines: [
        { skuId: first, qty: 3 },
        { skuId: second, qty: 2 },
      ],
    })
    await owner("POST", `/transfers/${transfer.id}/ship`)

    const context = await newDevice(browser, baseUrl)
    context.on("weberror", (error) => uncaught.push(error.error().message))
    devices.push(context)
    const page = await context.newPage()
    await signIn(page, STORE_MANAGER.username, STORE_MANAGER.password)
    // Scanning looks codes up in the device's catalog: wait until it is there.
    await page.goto("/tools/till")
    await page.locator("[data-testid=till][data-catalog=ready]").waitFor()

    await page.goto("/tools/receiving")
    const card = page.locator(`[data-testid=incoming-transfer][data-id="${transfer.id}"]`)
    await card.waitFor()
    await expect.poll(() => card.textContent(), { timeout: 15_000 }).toContain("来自 华东中心仓")
    await card.getByTestId("receive-transfer").click()
    await expect.poll(() => page.getByTestId("scan-line").count()).toBe(2)

    for (const code of [FIRST, SECOND, FIRST, FIRST]) await scan(page, code)
    await expect.poll(() => page.getByTestId("receive-summary").textContent()).toBe("1 行有差异")
    expect(await layoutProblems(page)).toEqual({ overflow: 0, small: [], tinyText: [] })
    await scan(page, SECOND)
    await expect.poll(() => page.getByTestId("receive-summary").textContent()).toBe("全部相符")
    await page.getByTestId("receive-post").click()
    await expect
      .poll(() => page.getByTestId("receiving-done").textContent(), { timeout: 30_000 })
      .toBe(`已收货：${transfer.number}`)

    // The cells are the truth: a 2xx means they have changed.
    expect(await onHand(first)).toBe(before.first + 3)
    expect(await onHand(second)).toBe(before.second + 2)
    expect((await owner<{ status: string }>("GET", `/transfers/${transfer.id}`)).status).toBe("received")

    // The stock screen at 360 px: nothing overflows, and axe finds nothing serious.
    await page.goto("/tools/stock")
    await page.getByTestId("stock-row").first().waitFor()
    expect(await layoutProblems(page)).toEqual({ overflow: 0, small: [], tinyText: [] })
    expect(await seriousViolations(page)).toEqual([])
    await page.getByTestId("stock-expiring").click()
    await page.getByTestId("expiring-row").first().waitFor()
    expect(await layoutProblems(page)).toEqual({ overflow: 0, small: [], tinyText: [] })
    expect(await seriousViolations(page)).toEqual([])
  })
})

/** The count this device keeps in IndexedDB for its open stocktake (what a reload starts from). */
const countOnDevice = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number | null>((resolve, reject) => {
        const open = indexedDB.open("puzi")
        open.onerror = () => reject(open.error)
        open.onsuccess = () => {
          const read = open.result.transaction("meta").objectStore("meta").getAll()
          read.onsuccess = () => {
            const draft = read.result.find((v) => v && typeof v === "object" && "counts" in v) as
              | { counts: Record<string, number> }
              | undefined
            open.result.close()
            resolve(draft ? (Object.values(draft.counts)[0] ?? null) : null)
          }
        }
      }),
  )

describe("a stocktake at the store", () => {
  it("is counted offline, survives a reload, and is submitted and posted once the network is back", async () => {
    const owner = await asOwner()
    const store = (await owner<{ items: { id: string; name: string }[] }>("GET", "/locations")).items.find(
      (l) => l.name === "南京路店",
    )!
    const skuId = (await owner<{ items: { id: string }[] }>("GET", `/skus?barcode=${COUNTED}`)).items[0]!.id
    const onHand = async () => (await owner<{ onHand: number }>("GET", `/stock/cells/${store.id}/${skuId}`)).onHand
    const book = await onHand()

    const network = await storeNetwork(baseUrl)
    try {
      const context = await newDevice(browser, network.url)
      context.on("weberror", (error) => uncaught.push(error.error().message))
      devices.push(context)
      const page = await context.newPage()
      await signIn(page, STORE_MANAGER.username, STORE_MANAGER.password)
      await serviceWorkerInControl(page)
      await page.goto("/tools/till")
      await page.locator("[data-testid=till][data-catalog=ready]").waitFor()
      await page.goto("/tools/stocktake")
      await page.getByTestId("count-start").click()

      // The uplink dies; counting goes on: two found on the shelf by scanning, the rest typed in.
      await context.setOffline(true)
      network.cut()
      await expect.poll(() => page.getByTestId("net-status").textContent()).toBe("离线")
      await scan(page, COUNTED)
      await scan(page, COUNTED)
      await expect.poll(() => page.getByTestId("line-qty").inputValue()).toBe("2")
      await page.getByTestId("line-qty").fill(String(book - 2))
      await page.getByTestId("line-qty").press("Tab")
      await expect.poll(() => page.getByTestId("count-waiting").textContent()).toContain("1 行待提交")
      await expect.poll(() => countOnDevice(page)).toBe(book - 2)

      // Reloaded while offline: the count is still on the device.
      await page.reload()
      await expect.poll(() => page.getByTestId("line-qty").inputValue()).toBe(String(book - 2))
      // Nothing of the count tried the network while it was down (the app's background data refresh may have).
      expect(network.reachedWhileCut.filter((r) => r.includes("/stocktakes"))).toEqual([])

      // The network is back: the counts go out once, the variance shows, the manager posts it.
      network.restore()
      await context.setOffline(false)
      await expect
        .poll(() => page.getByTestId("count-waiting").textContent(), { timeout: 30_000 })
        .toBe("盘点数已全部提交")
      await expect.poll(() => page.getByTestId("variance-qty").textContent()).toBe("-2")
      expect(await layoutProblems(page)).toEqual({ overflow: 0, small: [], tinyText: [] })
      await page.getByTestId("count-post").click()
      await expect.poll(() => page.getByTestId("count-posted").textContent(), { timeout: 30_000 }).toMatch(/^已过账：/)

      expect(await onHand()).toBe(book - 2)
    } finally {
      await network.stop()
    }
  })
})
