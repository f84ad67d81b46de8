// HQ's and the store's newer tools in Debian's Chromium on a 360 px phone, against the demo chain: each screen
// loads real data, nothing overflows or is too small to tap, and axe finds nothing serious or critical.
import type { Browser, BrowserContext, Page } from "playwright-core"
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest"
import { launchChromium, layoutProblems, newDevice, seriousViolations, signIn } from "./browser"

const baseUrl = inject("baseUrl")

let browser: Browser
const devices: BrowserContext[] = []

beforeAll(async () => {
  browser = await launchChromium()
})

afterEach(async () => {
  await Promise.all(devices.splice(0).map((context) => context.close()))
})

afterAll(async () => {
  await browser?.close()
})

const deviceFor = async (username: string, password: string): Promise<Page> => {
  const context = await newDevice(browser, baseUrl)
  devices.push(context)
  const page = await context.newPage()
  await signIn(page, username, password)
  return page
}

/** The screen at `path`, once `ready` shows: sound at 360 px and for a screen reader. */
const expectSound = async (page: Page, path: string, ready: string) => {
  await page.goto(path)
  await page.locator(ready).first().waitFor()
  expect(await layoutProblems(page)).toEqual({ overflow: 0, small: [], tinyText: [] })
  expect(await seriousViolations(page)).toEqual([])
}

describe("HQ's tools on a phone", () => {
  it("staff, products and the dashboard load the demo chain and pass the 360 px and axe checks", async () => {
    const page = await deviceFor("owner", "puzi-demo-owner")
    await expectSound(page, "/tools/admin", "[data-testid='staff']")
    expect(await page.getByTestId("staff").count()).toBeGreaterThan(5)
    await expectSound(page, "/tools/catalog", "[data-testid='product']")
    await expectSound(page, "/tools/dashboard", "[data-testid='dashboard-range']")
  })

  it("a store manager's channel orders pass the same checks", async () => {
    const page = await deviceFor("shopmgr1", "puzi-demo-store")
    await expectSound(page, "/tools/orders", "[data-testid='orders-list'], [data-testid='orders-empty']")
  })
})
