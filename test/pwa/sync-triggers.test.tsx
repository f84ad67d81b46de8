import { readFileSync } from "node:fs"
import { ulid } from "ulid"
import { describe, expect, it, vi } from "vitest"
import { SyncBadge } from "../../pwa/src/components/SyncBadge"
import { db } from "../../pwa/src/store/db"
import { listenForBackgroundSync, SYNC_MESSAGE, SYNC_TAG } from "../../pwa/src/sync/background"
import { outbox, recordSale, refreshOutbox, startSync, syncNow } from "../../pwa/src/sync/outbox"
import { STORE, signedInCashier } from "./fixtures"
import { byTestId, click, eventually, json, mount, stubApi } from "./helpers"

// Background Sync, where the browser has it: a sale made offline registers the outbox's tag; when the network is
// back the browser fires `sync` in the service worker, which wakes the open till to flush its outbox — the same
// exactly-once flush as every other trigger.

type Listener = (event: unknown) => void

/** The service worker's global scope, enough for public/sw-sync.js: its listeners and the open windows. */
const serviceWorkerWith = (windows: { postMessage: (m: unknown) => void }[]) => {
  const listeners: Record<string, Listener> = {}
  const self = {
    addEventListener: (type: string, fn: Listener) => {
      listeners[type] = fn
    },
    clients: { matchAll: vi.fn(async () => windows) },
  }
  new Function("self", readFileSync("pwa/public/sw-sync.js", "utf8"))(self)
  const fire = (tag: string) => {
    let done: Promise<unknown> | undefined
    listeners.sync?.({ tag, waitUntil: (p: Promise<unknown>) => (done = p) })
    return done
  }
  return { fire, self }
}

/** navigator.serviceWorker as a browser with Background Sync shows it. */
const browserWithBackgroundSync = () => {
  const page = new EventTarget()
  const register = vi.fn(async () => {})
  vi.stubGlobal("navigator", {
    ...navigator,
    onLine: false,
    serviceWorker: Object.assign(page, { getRegistration: async () => ({ sync: { register } }) }),
  })
  return { page, register }
}

const aSale = (id = ulid()) =>
  recordSale(
    {
      id,
      number: "20261125-0001",
      locationId: STORE,
      cashier: "收银 刘洋",
      occurredAt: new Date().toISOString(),
      day: "2026-11-25",
      lines: [],
      subtotalFen: 200,
      discountFen: 0,
      roundingFen: 0,
      totalFen: 200,
      appliedPromotions: [],
      payments: [{ method: "cash", amountFen: 200 }],
      changeFen: 0,
      couponCodes: [],
      returns: [],
    },
    {
      id,
      kind: "sale",
      createdAt: Date.now(),
      attempts: 0,
      body: {
        id,
        locationId: STORE,
        occurredAt: new Date().toISOString(),
        lines: [{ skuId: "sku_water", qty: 1 }],
        payments: [{ method: "cash", amountFen: 200 }],
        totalFen: 200,
      },
    },
  )

describe("when the till syncs", () => {
  it("on start, when the network returns, on the 30 s timer and from the badge, sending the same sale each time", async () => {
    signedInCashier()
    const id = ulid()
    await aSale(id)
    const calls = stubApi({
      "POST /api/v1/sales/sync": () =>
        json(200, { results: [{ id, status: "rejected", problem: { code: "retry_later", detail: "cell busy" } }] }),
    })
    const sent = () => calls.filter((c) => c.path === "/api/v1/sales/sync")
    const timers = vi.spyOn(window, "setInterval")

    startSync()
    await eventually(() => expect(sent()).toHaveLength(1))
    window.dispatchEvent(new Event("online"))
    await eventually(() => expect(sent()).toHaveLength(2))
    const [tick, every] = timers.mock.calls.find(([, ms]) => ms === 30_000) ?? []
    expect(every).toBe(30_000)
    ;(tick as () => void)()
    await eventually(() => expect(sent()).toHaveLength(3))
    const badge = await mount(<SyncBadge />)
    await eventually(() => expect(byTestId(badge, "sync-badge").hasAttribute("disabled")).toBe(false))
    await click(byTestId(badge, "sync-badge"))
    await eventually(() => expect(sent()).toHaveLength(4))

    expect(new Set(sent().map((c) => JSON.stringify(c.body))).size).toBe(1)
    expect(outbox.value.map((i) => i.id)).toEqual([id]) // retry_later: it stays until applied or duplicate
  })
})

describe("background sync", () => {
  it("registers the outbox's sync tag when a sale is written", async () => {
    const { register } = browserWithBackgroundSync()
    await aSale()
    await eventually(() => expect(register).toHaveBeenCalledWith(SYNC_TAG))
  })

  it("the service worker's sync event tells every open window to flush; with none open it fails so the browser retries", async () => {
    const posted: unknown[] = []
    const open = serviceWorkerWith([{ postMessage: (m) => posted.push(m) }, { postMessage: (m) => posted.push(m) }])
    await open.fire(SYNC_TAG)
    expect(posted).toEqual([{ type: SYNC_MESSAGE }, { type: SYNC_MESSAGE }])
    expect(open.fire("someone-else")).toBeUndefined()

    const none = serviceWorkerWith([])
    await expect(none.fire(SYNC_TAG)).rejects.toThrow(/retry later/)
  })

  it("the window flushes on the service worker's message, and a sale leaves only when the server applied it", async () => {
    signedInCashier()
    const { page } = browserWithBackgroundSync()
    listenForBackgroundSync(syncNow)
    const [applied, refused] = [ulid(), ulid()]
    await aSale(applied)
    await aSale(refused)
    const calls = stubApi({
      "POST /api/v1/sales/sync": () =>
        json(200, {
          results: [
            { id: applied, status: "applied" },
            { id: refused, status: "rejected", problem: { code: "validation_failed", detail: "bad line" } },
          ],
        }),
    })

    page.dispatchEvent(new MessageEvent("message", { data: { type: SYNC_MESSAGE } }))
    await eventually(() => expect(calls.filter((c) => c.path === "/api/v1/sales/sync")).toHaveLength(1))
    await eventually(() => expect(outbox.value.map((i) => i.id)).toEqual([refused]))
    expect(outbox.value[0]?.problem).toMatchObject({ code: "validation_failed", final: true })
    await refreshOutbox()
    expect(await (await db()).count("outbox")).toBe(1)
  })
})
