import { describe, expect, it } from "vitest"
import type { Role } from "../../core/roles"
import { App } from "../../pwa/src/app"
import { startSession } from "../../pwa/src/auth/session"
import Home from "../../pwa/src/screens/home"
import { byTestId, click, eventually, json, mount, problem, stubApi, text } from "./helpers"

const signedInAs = (role: Role, username = `${role}1`) =>
  startSession({ token: `tok_${role}`, user: { id: `usr_${role}`, role, locationIds: ["loc_1"], username } })

const tiles = (screen: HTMLElement) =>
  [...screen.querySelectorAll<HTMLElement>("[data-testid^='tool-']")].map((tile) => tile.dataset.tool)

describe("the home screen", () => {
  it("shows a cashier only the cashier's tools, in Chinese", async () => {
    stubApi({})
    signedInAs("cashier")

    const screen = await mount(<Home />)

    expect(tiles(screen)).toEqual(["till", "sales", "stock", "members", "orders"])
    expect(text(screen, "tool-till")).toContain("收银")
    expect(text(screen, "tool-members")).toContain("会员")
    expect(screen.textContent).not.toContain("管理")
  })

  it("shows an owner every tool", async () => {
    stubApi({})
    signedInAs("owner")

    const screen = await mount(<Home />)

    expect(tiles(screen)).toEqual([
      "till",
      "sales",
      "stock",
      "receiving",
      "transfers",
      "stocktake",
      "members",
      "orders",
      "replenishment",
      "dashboard",
      "catalog",
      "admin",
    ])
    expect(text(screen, "tool-dashboard")).toContain("经营看板")
    expect(text(screen, "user-role")).toBe("店主")
  })

  it("greets the user by the name the server knows, or by the username until it answers", async () => {
    let answer = () => problem(404, { code: "not_found", title: "Not Found" })
    stubApi({ "GET /api/v1/me": () => answer() })
    signedInAs("cashier", "cashier1")

    const before = await mount(<Home />)
    expect(text(before, "user-name")).toBe("cashier1")

    answer = () =>
      json(200, {
        id: "usr_cashier",
        username: "cashier1",
        displayName: "王小明",
        role: "cashier",
        locationIds: ["loc_1"],
        permissions: [],
      })
    const after = await mount(<Home />)
    await eventually(() => expect(text(after, "user-name")).toBe("王小明"))
    expect(text(after, "greeting")).toBe("你好，王小明")
  })

  it("relabels the tools when the user switches to English", async () => {
    stubApi({})
    signedInAs("owner")
    const screen = await mount(<Home />)

    await click(byTestId(screen, "lang-en"))

    expect(text(screen, "tool-till")).toContain("Till")
    expect(text(screen, "tool-orders")).toContain("Channel orders")
    expect(text(screen, "sign-out")).toBe("Sign out")
  })

  it("shows 离线 in the header when the network drops, and 在线 when it returns", async () => {
    stubApi({})
    signedInAs("cashier")
    const screen = await mount(<Home />)
    expect(text(screen, "net-status")).toBe("在线")

    window.dispatchEvent(new Event("offline"))
    await eventually(() => expect(text(screen, "net-status")).toBe("离线"))

    window.dispatchEvent(new Event("online"))
    await eventually(() => expect(text(screen, "net-status")).toBe("在线"))
  })

  it("signs out on this device even when the server cannot be reached", async () => {
    stubApi({ "POST /api/v1/auth/logout": () => Promise.reject(new TypeError("Failed to fetch")) })
    signedInAs("owner")
    const screen = await mount(<App />)
    await eventually(() => byTestId(screen, "sign-out"))

    await click(byTestId(screen, "sign-out"))

    await eventually(() => expect(byTestId(screen, "login-form")).toBeTruthy())
    expect(localStorage.getItem("puzi.session")).toBeNull()
    expect(location.pathname).toBe("/login")
  })
})

describe("the app shell", () => {
  it("sends someone who is not signed in to the login screen", async () => {
    stubApi({})

    const screen = await mount(<App />)

    await eventually(() => expect(text(screen, "login-submit")).toBe("登录"))
    expect(location.pathname).toBe("/login")
  })

  it("opens the till from its tile", async () => {
    stubApi({})
    signedInAs("cashier")
    const screen = await mount(<App />)
    await eventually(() => byTestId(screen, "tool-till"))

    await click(byTestId(screen, "tool-till"))

    await eventually(() => byTestId(screen, "till"))
    expect(location.pathname).toBe("/tools/till")
    expect(screen.querySelector("h1")?.textContent).toBe("收银")
  })

  it("opens a tool's tile to a page saying the tool is coming", async () => {
    stubApi({})
    signedInAs("clerk")
    const screen = await mount(<App />)
    await eventually(() => byTestId(screen, "tool-replenishment"))

    await click(byTestId(screen, "tool-replenishment"))

    await eventually(() => expect(text(screen, "coming-soon")).toBe("即将推出"))
    expect(location.pathname).toBe("/tools/replenishment")
    expect(screen.querySelector("h1")?.textContent).toBe("补货")
  })

  it("sends the user back to login when the server says the token is no longer valid", async () => {
    const calls = stubApi({ "GET /api/v1/me": () => problem(401, { code: "unauthorized", title: "Unauthorized" }) })
    signedInAs("owner")

    const screen = await mount(<App />)

    await eventually(() => expect(byTestId(screen, "login-form")).toBeTruthy())
    expect(calls.find((c) => c.path === "/api/v1/me")?.headers.get("Authorization")).toBe("Bearer tok_owner")
    expect(localStorage.getItem("puzi.session")).toBeNull()
  })

  it("answers an unknown address with a page-not-found screen", async () => {
    stubApi({})
    history.replaceState(null, "", "/no/such/page")

    const screen = await mount(<App />)

    await eventually(() => expect(byTestId(screen, "not-found").textContent).toContain("页面不存在"))
  })
})
