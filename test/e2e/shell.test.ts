import type { Browser, BrowserContext } from "playwright-core"
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest"
import { toolsFor } from "../../core/roles"
import { launchChromium, newDevice, serviceWorkerInControl, signIn, toolTiles } from "./browser"
import { storeNetwork } from "./store-network"

const baseUrl = inject("baseUrl")
const OWNER = { username: "owner", password: "puzi-demo-owner" }
const CASHIER = { username: "cashier1", password: "puzi-demo-cashier" }

interface ManifestIcon {
  src: string
  sizes: string
  type?: string
  purpose?: string
}

let browser: Browser
const devices: BrowserContext[] = []
const uncaught: string[] = []

const device = async (origin = baseUrl) => {
  const context = await newDevice(browser, origin)
  context.on("weberror", (error) => uncaught.push(error.error().message))
  devices.push(context)
  return context
}

beforeAll(async () => {
  browser = await launchChromium()
})

afterEach(async () => {
  await Promise.all(devices.splice(0).map((context) => context.close()))
  // whatever a test did, the app never threw at the user
  expect(uncaught.splice(0)).toEqual([])
})

afterAll(async () => {
  await browser?.close()
})

describe("the store app shell", () => {
  it("opens on the login screen in Chinese, with an installable manifest and its icons", async () => {
    const page = await (await device()).newPage()

    await page.goto("/")

    await expect.poll(() => new URL(page.url()).pathname).toBe("/login")
    expect(await page.getByTestId("login-submit").textContent()).toBe("登录")
    expect(await page.locator("html").getAttribute("lang")).toBe("zh-CN")

    const href = await page.locator("link[rel=manifest]").getAttribute("href")
    expect(href).toBeTruthy()
    const manifestResponse = await page.request.get(new URL(href!, page.url()).href)
    expect(manifestResponse.ok()).toBe(true)
    const manifest = (await manifestResponse.json()) as {
      name: string
      short_name: string
      lang: string
      display: string
      start_url: string
      icons: ManifestIcon[]
    }
    expect(manifest).toMatchObject({ short_name: "铺子", lang: "zh-CN", display: "standalone", start_url: "/" })
    expect(manifest.icons.map((icon) => `${icon.sizes} ${icon.purpose ?? "any"}`)).toEqual(
      expect.arrayContaining(["192x192 any", "512x512 any", "512x512 maskable"]),
    )
    for (const icon of manifest.icons) {
      const image = await page.request.get(new URL(icon.src, page.url()).href)
      expect(image.headers()["content-type"]).toContain("image/png")
      expect((await image.body()).subarray(1, 4).toString("latin1")).toBe("PNG")
    }
  })

  it("installs a service worker that becomes active", async () => {
    const page = await (await device()).newPage()
    await page.goto("/")

    const state = await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state)

    expect(["activating", "activated"]).toContain(state)
    await serviceWorkerInControl(page)
  })

  it("greets the owner in Chinese with every owner tool", async () => {
    const page = await (await device()).newPage()

    await signIn(page, OWNER.username, OWNER.password)

    expect(new URL(page.url()).pathname).toBe("/")
    expect(await page.getByTestId("user-name").textContent()).not.toBe("")
    expect(await page.getByTestId("user-role").textContent()).toBe("店主")
    expect(await toolTiles(page)).toEqual(toolsFor("owner"))
    expect(await page.getByTestId("tool-till").textContent()).toContain("收银")
    expect(await page.getByTestId("tool-dashboard").textContent()).toContain("经营看板")
    expect(await page.getByTestId("sign-out").textContent()).toBe("退出登录")
    expect(await page.getByTestId("net-status").textContent()).toBe("在线")
  })

  it("switches to English, and the choice survives a reload", async () => {
    const page = await (await device()).newPage()
    await signIn(page, OWNER.username, OWNER.password)

    await page.getByTestId("lang-en").click()

    await expect.poll(() => page.getByTestId("tool-till").textContent()).toContain("Till")
    expect(await page.getByTestId("tool-orders").textContent()).toContain("Channel orders")

    await page.reload()

    await page.getByTestId("tool-till").waitFor()
    expect(await page.getByTestId("tool-till").textContent()).toContain("Till")
    expect(await page.getByTestId("sign-out").textContent()).toBe("Sign out")
    expect(await page.locator("html").getAttribute("lang")).toBe("en")
  })

  it("shows a cashier only the cashier's tools", async () => {
    const page = await (await device()).newPage()

    await signIn(page, CASHIER.username, CASHIER.password)

    expect(await toolTiles(page)).toEqual(toolsFor("cashier"))
    expect(await page.getByTestId("tool-admin").count()).toBe(0)
    expect(await page.getByTestId("tool-dashboard").count()).toBe(0)
  })

  it("tells a user with a wrong password so, in Chinese", async () => {
    const page = await (await device()).newPage()
    await page.goto("/login")

    await page.getByTestId("login-username").fill(OWNER.username)
    await page.getByTestId("login-password").fill("not-the-password")
    await page.getByTestId("login-submit").click()

    expect(await page.getByTestId("login-error").textContent()).toBe("用户名或密码错误")
  })

  it("keeps opening from the precache when the store's network is gone", async () => {
    const network = await storeNetwork(baseUrl)
    try {
      const context = await device(network.url)
      const page = await context.newPage()
      await signIn(page, CASHIER.username, CASHIER.password)
      await serviceWorkerInControl(page)
      const name = await page.getByTestId("user-name").textContent()

      // The browser first, then the uplink: a request the page had just queued fails in the browser,
      // and only what bypasses setOffline (a service worker's own fetches) could still reach the cut proxy.
      await context.setOffline(true)
      network.cut()
      const reloaded = await page.reload()

      expect(reloaded?.fromServiceWorker()).toBe(true)
      await page.getByTestId("user-name").waitFor()
      expect(await page.getByTestId("user-name").textContent()).toBe(name)
      expect(await toolTiles(page)).toEqual(toolsFor("cashier"))
      expect(await page.getByTestId("net-status").textContent()).toBe("离线")

      // a tool's address typed or bookmarked while offline still opens (navigation fallback + lazy chunk)
      await page.goto("/tools/stock")
      expect(await page.getByTestId("screen-stock").locator("h1").textContent()).toBe("库存")
      await page.goto("/tools/orders")
      expect(await page.getByTestId("orders-offline").textContent()).toBe("渠道订单需要联网，请连接网络后查看")

      // signing out offline still works and shows the login screen from the precache
      await page.goto("/")
      await page.getByTestId("sign-out").click()
      expect(await page.getByTestId("login-submit").textContent()).toBe("登录")

      expect(network.reachedWhileCut).toEqual([])
    } finally {
      await network.stop()
    }
  })
})
