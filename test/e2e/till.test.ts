import type { Browser, BrowserContext, Page } from "playwright-core"
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest"
import { withCheckDigit } from "../../core/barcode"
import {
  launchChromium,
  layoutProblems,
  newDevice,
  seriousViolations,
  serviceWorkerInControl,
  signIn,
  wedgeScan,
} from "./browser"
import { storeNetwork } from "./store-network"

const baseUrl = inject("baseUrl")
const CASHIER = { username: "cashier1", password: "puzi-demo-cashier" }
const OWNER = { username: "owner", password: "puzi-demo-owner" }

// The demo chain's groceries: barcode 6901234 + 5-digit index (see scripts/lib/seed-demo.mjs).
const grocery = (index: number) => withCheckDigit(`6901234${String(index).padStart(5, "0")}`)
const WATER = grocery(1) // 矿泉水 550ml ¥2.00
const CHIPS = grocery(4) // 原味薯片 70g ¥8.00
const NOODLES = grocery(7) // 方便面 五连包 ¥15.90

let browser: Browser
const devices: BrowserContext[] = []
const uncaught: string[] = []

/** The server as the owner sees it, straight (not through the store's network). */
const asOwner = async () => {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(OWNER),
  })
  const { token } = (await login.json()) as { token: string }
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`)
    return JSON.parse(text) as T
  }
  return {
    get: <T>(path: string) => call<T>("GET", path),
    post: <T>(path: string, body: unknown) => call<T>("POST", path, body),
  }
}

type Owner = Awaited<ReturnType<typeof asOwner>>

const skuId = async (owner: Owner, barcode: string) =>
  (await owner.get<{ items: { id: string }[] }>(`/skus?barcode=${barcode}`)).items[0]!.id

const onHand = async (owner: Owner, locationId: string, id: string) =>
  (await owner.get<{ onHand: number }>(`/stock/cells/${locationId}/${id}`)).onHand

const scan = wedgeScan

const unsynced = (page: Page) => page.getByTestId("sync-badge").getAttribute("data-count")

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

describe("the till", () => {
  it("sells online and offline, and every sale reaches the server exactly once", async () => {
    const owner = await asOwner()
    const store = (await owner.get<{ items: { id: string; name: string }[] }>("/locations")).items.find(
      (l) => l.name === "南京路店",
    )!
    const promotionName = `满20减5 ${Date.now()}`
    await owner.post("/promotions", {
      name: promotionName,
      class: "order",
      rule: { kind: "spend_tiers", tiers: [{ minFen: 2000, offFen: 500 }] },
      storeIds: [store.id],
      channels: ["pos"],
    })
    const [water, chips, noodles] = await Promise.all([WATER, CHIPS, NOODLES].map((b) => skuId(owner, b)))
    const before = {
      water: await onHand(owner, store.id, water!),
      chips: await onHand(owner, store.id, chips!),
      noodles: await onHand(owner, store.id, noodles!),
    }
    const startedAt = new Date().toISOString()
    const phone = `139${String(Date.now()).slice(-8)}`

    const network = await storeNetwork(baseUrl)
    try {
      const context = await newDevice(browser, network.url)
      context.on("weberror", (error) => uncaught.push(error.error().message))
      devices.push(context)
      const page = await context.newPage()
      await signIn(page, CASHIER.username, CASHIER.password)
      await serviceWorkerInControl(page)

      // The camera scanner's ZXing wasm is precached from our own origin, for scanning offline
      const precachedWasm = await page.evaluate(async () => {
        const urls: string[] = []
        for (const name of await caches.keys())
          for (const request of await (await caches.open(name)).keys()) urls.push(request.url)
        return urls.filter((url) => url.includes(".wasm"))
      })
      expect(precachedWasm).toEqual([
        expect.stringMatching(new RegExp(`^${network.url}/assets/zxing_reader-.*\\.wasm`)),
      ])

      // A new customer joins at the members screen (with consent)
      await page.goto("/tools/members")
      await page.getByTestId("members-new").click()
      await page.getByTestId("register-phone").fill(phone)
      await page.getByTestId("register-name").fill("测试顾客")
      await page.getByTestId("register-consent").check()
      await page.getByTestId("register-submit").click()
      expect(await page.getByTestId("member-card-name").textContent()).toBe("测试顾客")
      expect(await seriousViolations(page)).toEqual([])

      // The till: the catalog is on the device, the scanner listens
      await page.goto("/tools/till")
      await page.locator("[data-testid=till][data-catalog=ready]").waitFor()
      await scan(page, NOODLES)
      await scan(page, CHIPS)
      await expect.poll(() => page.getByTestId("cart-line").count()).toBe(2)
      await scan(page, CHIPS)
      await expect.poll(() => page.getByTestId("line-qty").nth(1).textContent()).toBe("2")
      await page.getByTestId("line-less").nth(1).click()
      await expect.poll(() => page.getByTestId("line-qty").nth(1).textContent()).toBe("1")

      await page.getByTestId("member-phone").fill(phone)
      await page.getByTestId("member-find").click()
      expect(await page.getByTestId("member-name").textContent()).toBe("测试顾客")

      // ¥15.90 + ¥8.00 = ¥23.90, 满20减5 → ¥18.90, the discount named
      await expect.poll(() => page.getByTestId("cart-subtotal").textContent()).toBe("¥23.90")
      expect(await page.getByTestId("applied-promotion").textContent()).toContain(promotionName)
      await expect.poll(() => page.getByTestId("cart-total").textContent()).toBe("¥18.90")

      // 360 px: nothing overflows, text is legible, every control is big enough to tap
      const layout = await layoutProblems(page)
      expect(layout).toEqual({ overflow: 0, small: [], tinyText: [] })
      expect(await seriousViolations(page)).toEqual([])

      // Mixed tenders: ¥10 by card, the rest in cash with a quick amount of ¥10 → ¥1.10 change
      await page.getByTestId("pay").click()
      expect(await page.getByTestId("pay-due").textContent()).toBe("¥18.90")
      await page.getByTestId("pay-mode-card").click()
      await page.getByTestId("pay-amount").fill("10")
      await page.getByTestId("pay-add").click()
      expect(await page.getByTestId("pay-remaining").textContent()).toBe("¥8.90")
      await page.getByTestId("pay-mode-cash").click()
      await page.getByTestId("quick-1000").click()
      expect(await page.getByTestId("done-change").textContent()).toBe("¥1.10")
      expect(await page.getByTestId("receipt-total").textContent()).toBe("¥18.90")
      expect(await page.getByTestId("receipt").textContent()).toContain(promotionName)
      await expect.poll(() => unsynced(page)).toBe("0")
      await page.getByTestId("next-sale").click()

      // The store's network goes down
      // The browser first, then the uplink: a request the page had just queued fails in the browser,
      // and only what bypasses setOffline (a service worker's own fetches) could still reach the cut proxy.
      await context.setOffline(true)
      network.cut()
      await expect.poll(() => page.getByTestId("net-status").textContent()).toBe("离线")

      // Offline sale 1: three bottles of water, cash; the customer's code is refused offline, cash offered
      for (let i = 0; i < 3; i++) await scan(page, WATER)
      await expect.poll(() => page.getByTestId("cart-total").textContent()).toBe("¥6.00")
      await page.getByTestId("pay").click()
      await page.getByTestId("pay-mode-code").click()
      expect(await page.getByTestId("pay-code-offline").textContent()).toContain("付款码需要联网")
      await page.getByTestId("pay-use-cash").click()
      await page.getByTestId("quick-600").click()
      expect(await page.getByTestId("done-change").textContent()).toBe("¥0.00")
      await page.getByTestId("next-sale").click()

      // Offline sale 2: noodles and water, ¥20 note
      await scan(page, NOODLES)
      await scan(page, WATER)
      await expect.poll(() => page.getByTestId("cart-total").textContent()).toBe("¥17.90")
      await page.getByTestId("pay").click()
      await page.getByTestId("quick-2000").click()
      expect(await page.getByTestId("done-change").textContent()).toBe("¥2.10")
      expect(await unsynced(page)).toBe("2")

      // Offline return: one bottle of water from the first offline sale
      await page.goto("/tools/sales")
      const rows = page.getByTestId("sale-row")
      await expect.poll(() => rows.count()).toBe(3)
      expect(await page.getByTestId("unsynced-mark").count()).toBe(2)
      await rows.nth(1).click()
      await page.getByTestId("return-more").first().click()
      expect(await page.getByTestId("return-refund").textContent()).toBe("¥2.00")
      await page.getByTestId("return-submit").click()
      await expect.poll(() => page.getByTestId("sales-message").textContent()).toContain("¥2.00")
      expect(await unsynced(page)).toBe("3")

      // The page reloads while offline: the outbox is still there
      await page.reload()
      await page.getByTestId("sync-badge").waitFor()
      await expect.poll(() => unsynced(page)).toBe("3")
      expect(await page.getByTestId("unsynced-count").textContent()).toBe("未同步 3")
      expect(await seriousViolationsAfter(page, "/tools/stock")).toEqual([])
      expect(network.reachedWhileCut).toEqual([])

      // The network returns: everything syncs, once
      network.restore()
      await context.setOffline(false)
      await expect.poll(() => unsynced(page), { timeout: 30_000 }).toBe("0")
      await page.getByTestId("sync-badge").click() // a second sync changes nothing
      await expect.poll(() => unsynced(page)).toBe("0")

      const sales = await owner.get<{ items: { id: string; totalFen: number; source: string }[] }>(
        `/sales?locationId=${store.id}&from=${encodeURIComponent(startedAt)}`,
      )
      expect(sales.items.map((s) => s.totalFen).sort((a, b) => a - b)).toEqual([600, 1790, 1890])
      expect(await onHand(owner, store.id, water!)).toBe(before.water - 3 - 1 + 1)
      expect(await onHand(owner, store.id, chips!)).toBe(before.chips - 1)
      expect(await onHand(owner, store.id, noodles!)).toBe(before.noodles - 2)
      const member = await owner.get<{ pointsBalance: number }>(`/members/lookup?phone=${phone}`)
      expect(member.pointsBalance).toBe(18)
    } finally {
      await network.stop()
    }
  })
})

const seriousViolationsAfter = async (page: Page, path: string) => {
  await page.goto(path)
  await page.locator("main").waitFor()
  return seriousViolations(page)
}
