// The owner's dashboard (经营看板): a period's totals against the period before, each day charted
// (as a table where there is no canvas), the stores ranked with their share, one store on its own,
// and offline the last figures with their time. The summary API is stubbed: these are the screen's stories.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { addDays } from "../../core/business-day"
import type { Role } from "../../core/roles"
import { startSession } from "../../pwa/src/auth/session"
import Dashboard from "../../pwa/src/screens/dashboard"
import { resetDashboard } from "../../pwa/src/screens/dashboard/period"
import { byTestId, click, eventually, json, mount, problem, type StubCall, stubApi, text } from "./helpers"

const signedInAs = (role: Role, locationIds = ["loc_a", "loc_b"]) =>
  startSession({ token: `tok_${role}`, user: { id: `usr_${role}`, role, locationIds, username: `${role}1` } })

const fig = (orders: number, netSalesFen: number) => ({
  orders,
  units: orders,
  grossFen: netSalesFen,
  discountFen: 0,
  salesFen: netSalesFen,
  returns: 0,
  returnsFen: 0,
  netSalesFen,
  costFen: 0,
  marginFen: netSalesFen,
  averageTicketFen: orders ? Math.round(netSalesFen / orders) : 0,
})
type Fig = ReturnType<typeof fig>

const sum = (figs: Fig[]) =>
  fig(
    figs.reduce((n, f) => n + f.orders, 0),
    figs.reduce((n, f) => n + f.netSalesFen, 0),
  )

// 19–25 November 2026 (today is the 25th in Shanghai), two stores; the figures per day, both stores.
const WEEK = ["2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25"]
const NANJING_LU = [
  fig(4, 40_000),
  fig(5, 50_020),
  fig(4, 36_000),
  fig(5, 44_000),
  fig(6, 52_000),
  fig(7, 60_000),
  fig(9, 78_000),
]
const WEST_LAKE = [
  fig(6, 60_000),
  fig(7, 70_030),
  fig(5, 54_000),
  fig(6, 66_000),
  fig(7, 78_000),
  fig(8, 90_000),
  fig(11, 122_001),
]

/** What the server answers for a range: every day, each beside last week's (half the figures), stores ranked. */
function summary(from: string, to: string, locationId: string | null) {
  const days: string[] = []
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d)
  // Outside the stubbed week every day is a quiet one: one order of ¥100.00 per store.
  const at = (store: Fig[], day: string) => store[WEEK.indexOf(day)] ?? fig(1, 10_000)
  const stores = [
    { locationId: "loc_b", name: "西湖店", figs: days.map((d) => at(WEST_LAKE, d)) },
    { locationId: "loc_a", name: "南京路店", figs: days.map((d) => at(NANJING_LU, d)) },
  ].filter((s) => !locationId || s.locationId === locationId)
  const perDay = days.map((day, i) => ({
    day,
    ...sum(stores.map((s) => s.figs[i]!)),
    lastWeek: { day: addDays(day, -7), ...fig(3, 30_000) },
  }))
  const totals = sum(perDay)
  return {
    from,
    to,
    locationId,
    timeZone: "Asia/Shanghai",
    totals: { ...totals, lastWeek: { from: addDays(from, -7), to: addDays(to, -7), ...fig(75, 750_000) } },
    byChannel: [],
    days: perDay,
    stores: stores.map((s, i) => ({ rank: i + 1, locationId: s.locationId, name: s.name, ...sum(s.figs) })),
    asOf: "2026-11-25T06:00:00.000Z",
  }
}

const summaryApi = () =>
  stubApi({
    "GET /api/v1/reports/summary": (call: StubCall) =>
      json(200, summary(call.query.get("from")!, call.query.get("to")!, call.query.get("locationId"))),
  })

const asked = (calls: StubCall[]) =>
  calls.map((c) => [c.query.get("from"), c.query.get("to"), c.query.get("locationId")].filter(Boolean).join(" "))

const tableRows = (screen: HTMLElement, id: string) =>
  [...byTestId(screen, id).querySelectorAll("tbody tr")].map((tr) =>
    [...tr.querySelectorAll("th, td")].map((cell) => cell.textContent?.trim()),
  )

const choose = async (select: HTMLSelectElement, value: string) => {
  select.value = value
  select.dispatchEvent(new Event("change", { bubbles: true }))
  await eventually(() => expect(select.value).toBe(value))
}

beforeEach(() => {
  resetDashboard()
  // 14:00 in Shanghai on Wednesday 25 November 2026; the clock still runs, so waiting works.
  vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true })
  vi.setSystemTime(new Date("2026-11-25T06:00:00.000Z"))
})
afterEach(() => {
  vi.useRealTimers()
})

describe("the owner's dashboard", () => {
  it("shows the last 7 days of two stores: totals against the week before, each day, the stores ranked", async () => {
    const calls = summaryApi()
    signedInAs("owner")
    const screen = await mount(<Dashboard />)

    await eventually(() => expect(text(screen, "kpi-net-sales")).toBe("¥9000.51"))
    expect(asked(calls)).toEqual(["2026-11-19 2026-11-25"]) // seven days: last week is the prior period, one call
    expect(text(screen, "dashboard-range")).toBe("2026-11-19 至 2026-11-25")
    expect(byTestId(screen, "period-7d").getAttribute("aria-pressed")).toBe("true")
    expect(text(screen, "kpi-orders")).toBe("90")
    expect(text(screen, "kpi-avg-ticket")).toBe("¥100.01")
    expect(text(screen, "kpi-net-sales-change")).toBe("较前一期 +20.0%") // ¥9000.51 against ¥7500.00
    expect(text(screen, "kpi-orders-change")).toBe("较前一期 +20.0%")
    expect(text(screen, "dashboard-prior")).toBe("前一期：2026-11-12 至 2026-11-18")
    expect(text(screen, "figures-time")).toMatch(/^更新于 \d\d:\d\d$/)

    // No canvas here: each chart is its table, the same numbers, money to the fen.
    expect(byTestId(screen, "chart-net-sales").dataset.drawn).toBe("false")
    expect(tableRows(screen, "chart-net-sales")).toEqual([
      ["2026-11-19", "¥1000.00"],
      ["2026-11-20", "¥1200.50"],
      ["2026-11-21", "¥900.00"],
      ["2026-11-22", "¥1100.00"],
      ["2026-11-23", "¥1300.00"],
      ["2026-11-24", "¥1500.00"],
      ["2026-11-25", "¥2000.01"],
    ])
    expect(tableRows(screen, "chart-orders").map(([, orders]) => orders)).toEqual([
      "10",
      "12",
      "9",
      "11",
      "13",
      "15",
      "20",
    ])

    expect(tableRows(screen, "dashboard-ranking")).toEqual([
      ["1", "西湖店", "¥5400.31", "50", "60.0%"],
      ["2", "南京路店", "¥3600.20", "40", "40.0%"],
    ])
  })

  it("switches to 30 days: the range asked for changes, and the change is against the 30 days before", async () => {
    const calls = summaryApi()
    signedInAs("owner")
    const screen = await mount(<Dashboard />)
    await eventually(() => expect(text(screen, "kpi-net-sales")).toBe("¥9000.51"))

    await click(byTestId(screen, "period-30d"))

    await eventually(() => expect(text(screen, "dashboard-range")).toBe("2026-10-27 至 2026-11-25"))
    expect(asked(calls).slice(1)).toEqual(["2026-10-27 2026-11-25", "2026-09-27 2026-10-26"])
    expect(byTestId(screen, "period-30d").getAttribute("aria-pressed")).toBe("true")
    // The stubbed week plus 23 quiet days of ¥100.00 at each store; the 30 days before were all quiet.
    await eventually(() => expect(text(screen, "kpi-net-sales")).toBe("¥13600.51"))
    expect(text(screen, "kpi-orders")).toBe("136")
    expect(text(screen, "kpi-net-sales-change")).toBe("较前一期 +126.7%") // against 60 × ¥100.00
    expect(text(screen, "dashboard-prior")).toBe("前一期：2026-09-27 至 2026-10-26")
    expect(tableRows(screen, "chart-net-sales")).toHaveLength(30)
    expect(tableRows(screen, "chart-net-sales")[0]).toEqual(["2026-10-27", "¥200.00"])

    await click(byTestId(screen, "period-month"))
    await eventually(() => expect(text(screen, "dashboard-range")).toBe("2026-11-01 至 2026-11-25"))
    expect(asked(calls).slice(3)).toEqual(["2026-11-01 2026-11-25", "2026-10-07 2026-10-31"])
  })

  it("filters one store: its own figures, no ranking, and back to all stores", async () => {
    const calls = summaryApi()
    signedInAs("owner")
    const screen = await mount(<Dashboard />)
    await eventually(() => byTestId(screen, "dashboard-ranking"))

    await choose(byTestId<HTMLSelectElement>(screen, "dashboard-store"), "loc_a")

    await eventually(() => expect(text(screen, "kpi-net-sales")).toBe("¥3600.20"))
    expect(asked(calls).at(-1)).toBe("2026-11-19 2026-11-25 loc_a")
    expect(text(screen, "kpi-orders")).toBe("40")
    expect(tableRows(screen, "chart-net-sales")[1]).toEqual(["2026-11-20", "¥500.20"])
    expect(screen.querySelector('[data-testid="dashboard-ranking"]')).toBeNull()
    // The filter still offers every store though this answer holds only one.
    const options = [...byTestId<HTMLSelectElement>(screen, "dashboard-store").options].map((o) => o.textContent)
    expect(options).toEqual(["全部门店", "西湖店", "南京路店"])

    await choose(byTestId<HTMLSelectElement>(screen, "dashboard-store"), "")
    await eventually(() => expect(text(screen, "kpi-net-sales")).toBe("¥9000.51"))
    expect(asked(calls).at(-1)).toBe("2026-11-19 2026-11-25")
  })

  it("offline, shows the last figures this device loaded, with their time", async () => {
    summaryApi()
    signedInAs("owner")
    const first = await mount(<Dashboard />)
    await eventually(() => expect(text(first, "kpi-net-sales")).toBe("¥9000.51"))
    resetDashboard()

    window.dispatchEvent(new Event("offline"))
    const calls = stubApi({})
    const screen = await mount(<Dashboard />)

    await eventually(() => expect(text(screen, "figures-time")).toMatch(/^离线：显示 \d\d:\d\d 的数据$/))
    expect(text(screen, "kpi-net-sales")).toBe("¥9000.51")
    expect(tableRows(screen, "dashboard-ranking")[0]).toEqual(["1", "西湖店", "¥5400.31", "50", "60.0%"])
    expect(calls).toEqual([])
    window.dispatchEvent(new Event("online"))
  })

  it("says what the server refused, in its words", async () => {
    stubApi({
      "GET /api/v1/reports/summary": () =>
        problem(400, { code: "range_too_long", title: "Bad Request", detail: "At most 366 days at once." }),
    })
    signedInAs("owner")
    const screen = await mount(<Dashboard />)

    await eventually(() => expect(text(screen, "figures-error")).toBe("At most 366 days at once."))
  })

  it("a store manager with one store sees it without a store filter; a cashier is told the board is not theirs", async () => {
    stubApi({
      "GET /api/v1/reports/summary": (call: StubCall) =>
        json(200, summary(call.query.get("from")!, call.query.get("to")!, "loc_a")),
    })
    signedInAs("store_manager", ["loc_a"])
    const screen = await mount(<Dashboard />)
    await eventually(() => expect(text(screen, "kpi-net-sales")).toBe("¥3600.20"))
    expect(screen.querySelector('[data-testid="dashboard-store"]')).toBeNull()
    expect(tableRows(screen, "dashboard-ranking")).toEqual([["1", "南京路店", "¥3600.20", "40", "100.0%"]])

    signedInAs("cashier")
    await eventually(() => expect(text(screen, "dashboard-forbidden")).toBe("你的账号不能查看经营看板"))
  })
})
