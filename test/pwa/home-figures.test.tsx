// The owner's home: today's figures against last week, a remembered store switcher, the stores
// ranked, and offline the last figures this device loaded, with their time.
import { describe, expect, it, vi } from "vitest"
import type { Role } from "../../core/roles"
import { startSession } from "../../pwa/src/auth/session"
import Home from "../../pwa/src/screens/home"
import { byTestId, eventually, json, mount, stubApi, text } from "./helpers"

const signedInAs = (role: Role, locationIds = ["loc_a", "loc_b"]) =>
  startSession({ token: `tok_${role}`, user: { id: `usr_${role}`, role, locationIds, username: `${role}1` } })

const fig = (orders: number, netSalesFen: number, averageTicketFen: number) => ({
  orders,
  netSalesFen,
  averageTicketFen,
  returnsFen: 0,
})

const chain = {
  from: "2026-11-25",
  to: "2026-11-25",
  locationId: null,
  totals: { ...fig(40, 500_000, 12_500), lastWeek: fig(32, 400_000, 12_500) },
  stores: [
    { rank: 1, locationId: "loc_b", name: "西湖店", ...fig(25, 320_000, 12_800) },
    { rank: 2, locationId: "loc_a", name: "南京路店", ...fig(15, 180_000, 12_000) },
  ],
  asOf: "2026-11-25T06:00:00.000Z",
}
const nanjingLu = {
  ...chain,
  locationId: "loc_a",
  totals: { ...fig(15, 180_000, 12_000), lastWeek: fig(20, 200_000, 10_000) },
  stores: [chain.stores[1]],
}

const summaryApi = () =>
  stubApi({
    "GET /api/v1/reports/summary": () => json(200, chain),
  })

// stubApi routes by path alone; the store's own summary is told apart by its query string.
const withStores = () => {
  const calls: string[] = []
  vi.stubGlobal("fetch", async (input: RequestInfo | URL) => {
    const url = new URL(String(input), "http://localhost")
    calls.push(url.pathname + url.search)
    if (url.pathname !== "/api/v1/reports/summary") return json(404, { code: "not_found" })
    return json(200, url.searchParams.get("locationId") === "loc_a" ? nanjingLu : chain)
  })
  return calls
}

const goOffline = () => window.dispatchEvent(new Event("offline"))
const goOnline = () => window.dispatchEvent(new Event("online"))

describe("the owner's figures on the home screen", () => {
  it("shows today's net sales, orders and average ticket against the same weekday last week", async () => {
    summaryApi()
    signedInAs("owner")
    const screen = await mount(<Home />)

    await eventually(() => expect(text(screen, "kpi-net-sales")).toBe("¥5000.00"))
    expect(text(screen, "kpi-orders")).toBe("40")
    expect(text(screen, "kpi-avg-ticket")).toBe("¥125.00")
    expect(text(screen, "kpi-net-sales-change")).toBe("较上周同日 +25.0%")
    expect(text(screen, "kpi-orders-change")).toBe("较上周同日 +25.0%")
    expect(text(screen, "kpi-avg-ticket-change")).toBe("较上周同日 0.0%")
    expect(text(screen, "figures-time")).toMatch(/^更新于 \d\d:\d\d$/)
    // The owner still has every tool below the figures.
    expect(byTestId(screen, "tool-till")).toBeTruthy()
  })

  it("ranks the stores, best first", async () => {
    summaryApi()
    signedInAs("owner")
    const screen = await mount(<Home />)

    await eventually(() => byTestId(screen, "store-ranking"))
    const rows = [...byTestId(screen, "store-ranking").querySelectorAll("li")].map((li) => li.textContent)
    expect(rows).toEqual(["1西湖店25 单¥3200.00", "2南京路店15 单¥1800.00"])
  })

  it("switches to one store, shows that store's own comparison, and remembers the choice", async () => {
    const calls = withStores()
    signedInAs("owner")
    const screen = await mount(<Home />)
    await eventually(() => byTestId(screen, "store-switch"))

    const select = byTestId<HTMLSelectElement>(screen, "store-switch")
    select.value = "loc_a"
    select.dispatchEvent(new Event("change", { bubbles: true }))

    await eventually(() => expect(text(screen, "kpi-net-sales")).toBe("¥1800.00"))
    expect(text(screen, "kpi-net-sales-change")).toBe("较上周同日 -10.0%")
    expect(text(screen, "kpi-avg-ticket-change")).toBe("较上周同日 +20.0%")
    expect(calls).toContain("/api/v1/reports/summary?locationId=loc_a")
    expect(screen.querySelector("[data-testid='store-ranking']")).toBeNull()

    const again = await mount(<Home />)
    await eventually(() => expect(text(again, "kpi-net-sales")).toBe("¥1800.00"))
    expect(byTestId<HTMLSelectElement>(again, "store-switch").value).toBe("loc_a")
  })

  it("offline, shows the last figures it loaded and when, without asking the server", async () => {
    const calls = summaryApi()
    signedInAs("owner")
    const first = await mount(<Home />)
    await eventually(() => expect(text(first, "kpi-net-sales")).toBe("¥5000.00"))
    const asked = calls.filter((c) => c.path === "/api/v1/reports/summary").length

    goOffline()
    try {
      const screen = await mount(<Home />)
      await eventually(() => expect(text(screen, "figures-time")).toMatch(/^离线：显示 \d\d:\d\d 的数据$/))
      expect(text(screen, "kpi-net-sales")).toBe("¥5000.00")
      expect(calls.filter((c) => c.path === "/api/v1/reports/summary")).toHaveLength(asked)
    } finally {
      goOnline()
    }
  })

  it("says the figures are unavailable when it has none saved and the server cannot be reached", async () => {
    stubApi({ "GET /api/v1/reports/summary": () => Promise.reject(new TypeError("Failed to fetch")) })
    signedInAs("owner")
    const screen = await mount(<Home />)

    await eventually(() => expect(text(screen, "figures-error")).toBe("暂时无法获取经营数据"))
  })

  it("leaves a cashier's home to the tools, without asking for figures", async () => {
    const calls = stubApi({})
    signedInAs("cashier", ["loc_a"])
    const screen = await mount(<Home />)

    await eventually(() => byTestId(screen, "tool-till"))
    expect(screen.querySelector("[data-testid='dashboard']")).toBeNull()
    expect(calls.some((c) => c.path.startsWith("/api/v1/reports"))).toBe(false)
  })
})
