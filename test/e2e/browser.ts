import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core"
import { findChromium } from "../../scripts/chromium.mjs"

// Debian's Chromium, never a downloaded one. The flags keep it from phoning home during a test run.
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: findChromium(),
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
      "--disable-quic",
    ],
  })

/** A phone-sized store device with Chinese as its language. */
export const newDevice = (browser: Browser, baseURL: string): Promise<BrowserContext> =>
  browser.newContext({ baseURL, locale: "zh-CN", viewport: { width: 360, height: 740 }, hasTouch: true })

export const signIn = async (page: Page, username: string, password: string) => {
  await page.goto("/login")
  await page.getByTestId("login-username").fill(username)
  await page.getByTestId("login-password").fill(password)
  await page.getByTestId("login-submit").click()
  await page.getByTestId("user-name").waitFor()
}

/** The tool tiles on the home screen, in order, by tool id. */
export const toolTiles = (page: Page): Promise<string[]> =>
  page
    .locator("[data-testid^='tool-']")
    .evaluateAll((tiles) => tiles.map((tile) => (tile as HTMLElement).dataset.tool ?? ""))

/** Waits until a service worker controls the page: from then on the precache answers navigations. */
export const serviceWorkerInControl = (page: Page) =>
  page.waitForFunction(async () => {
    const registration = await navigator.serviceWorker.ready
    return registration.active?.state === "activated" && navigator.serviceWorker.controller !== null
  })

/**
 * What a keyboard-wedge scanner does: the code's keys in one burst, then Enter, at whatever has focus. The burst
 * is dispatched inside the page: typed key by key over the DevTools protocol on a loaded machine, the gaps
 * between keys can exceed the 60 ms by which the app tells a scanner from a person, and a scan splits in two.
 */
export const wedgeScan = (page: Page, code: string) =>
  page.evaluate((keys) => {
    const target = document.activeElement ?? document.body
    for (const key of [...keys, "Enter"])
      target.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }))
  }, code)

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8")

declare global {
  interface Window {
    axe: typeof import("axe-core")
  }
}

/** axe-core's serious and critical findings on the page as it is now, one line each. */
export const seriousViolations = async (page: Page) => {
  await page.addScriptTag({ content: axeSource })
  return page.evaluate(async () => {
    const { violations } = await window.axe.run(document, { resultTypes: ["violations"] })
    return violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)
  })
}

/**
 * What a 360 px phone must not show: horizontal overflow, text under 12 px, or a control smaller than 44 px
 * to tap (checkboxes sit inside a 44 px label). An empty result is a pass.
 */
export const layoutProblems = (page: Page) =>
  page.evaluate(() => {
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect()
      const style = getComputedStyle(el)
      return r.width > 1 && r.height > 1 && style.visibility !== "hidden" && style.display !== "none"
    }
    const small = [...document.querySelectorAll("button, a[href], input:not([type=checkbox]), select")]
      .filter(visible)
      .filter((el) => {
        const r = el.getBoundingClientRect()
        return r.width < 44 || r.height < 44
      })
      .map((el) => el.outerHTML.slice(0, 80))
    const tinyText = [...document.querySelectorAll("body *")]
      .filter(visible)
      .filter((el) => [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim()))
      .filter((el) => Number.parseFloat(getComputedStyle(el).fontSize) < 12)
      .map((el) => el.outerHTML.slice(0, 80))
    return {
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      small,
      tinyText,
    }
  })
