import { describe, expect, it, vi } from "vitest"
import Login from "../../pwa/src/screens/login"
import { byTestId, click, eventually, json, mount, problem, stubApi, text, type } from "./helpers"

const fillIn = async (screen: HTMLElement, username: string, password: string) => {
  await type(byTestId<HTMLInputElement>(screen, "login-username"), username)
  await type(byTestId<HTMLInputElement>(screen, "login-password"), password)
  await click(byTestId(screen, "login-submit"))
}

describe("the login screen", () => {
  it("speaks Chinese to a new device", async () => {
    const screen = await mount(<Login />)

    expect(screen.textContent).toContain("用户名")
    expect(screen.textContent).toContain("密码")
    expect(text(screen, "login-submit")).toBe("登录")
    expect(document.documentElement.lang).toBe("zh-CN")
  })

  it("switches to English when the user picks English, and remembers the choice", async () => {
    const screen = await mount(<Login />)

    await click(byTestId(screen, "lang-en"))

    expect(screen.textContent).toContain("Username")
    expect(screen.textContent).toContain("Password")
    expect(text(screen, "login-submit")).toBe("Sign in")
    expect(screen.textContent).not.toContain("用户名")
    expect(localStorage.getItem("puzi.lang")).toBe("en")
    expect(byTestId(screen, "lang-en").getAttribute("aria-pressed")).toBe("true")
  })

  it("tells the user 用户名或密码错误 when the server refuses the password", async () => {
    stubApi({
      "POST /api/v1/auth/login": () =>
        problem(401, { code: "invalid_credentials", title: "Unauthorized", detail: "bad username or password" }),
    })
    const screen = await mount(<Login />)

    await fillIn(screen, "owner", "wrong")

    await eventually(() => expect(text(screen, "login-error")).toBe("用户名或密码错误"))
    expect(localStorage.getItem("puzi.session")).toBeNull()
    expect(byTestId<HTMLInputElement>(screen, "login-password").value).toBe("")
  })

  it("tells the user how many seconds to wait after too many attempts", async () => {
    stubApi({
      "POST /api/v1/auth/login": () =>
        problem(429, { code: "rate_limited", title: "Too Many Requests" }, { "Retry-After": "30" }),
    })
    const screen = await mount(<Login />)

    await fillIn(screen, "owner", "guess")

    await eventually(() => expect(text(screen, "login-error")).toBe("尝试次数过多，请 30 秒后再试"))
  })

  it("says the server cannot be reached when the network is down", async () => {
    vi.stubGlobal("fetch", vi.fn().mockRejectedValue(new TypeError("Failed to fetch")))
    const screen = await mount(<Login />)

    await fillIn(screen, "owner", "puzi-demo-owner")

    await eventually(() => expect(text(screen, "login-error")).toBe("无法连接服务器，请检查网络后重试"))
  })

  it("asks for both fields before calling the server", async () => {
    const calls = stubApi({})
    const screen = await mount(<Login />)

    await fillIn(screen, "owner", "")

    expect(text(screen, "login-error")).toBe("请输入用户名和密码")
    expect(calls).toHaveLength(0)
  })

  it("signs in: keeps the token on the device, asks to keep storage, and opens home", async () => {
    const persist = vi.fn().mockResolvedValue(true)
    Object.defineProperty(navigator, "storage", { value: { persist }, configurable: true })
    const calls = stubApi({
      "POST /api/v1/auth/login": () =>
        json(200, { token: "tok_owner", user: { id: "usr_1", role: "owner", locationIds: [] } }),
    })
    history.replaceState(null, "", "/login")
    const screen = await mount(<Login />)

    await fillIn(screen, " owner ", "puzi-demo-owner")

    await eventually(() => expect(location.pathname).toBe("/"))
    expect(calls[0]?.body).toEqual({ username: "owner", password: "puzi-demo-owner" })
    expect(calls[0]?.headers.get("Authorization")).toBeNull()
    expect(JSON.parse(localStorage.getItem("puzi.session") ?? "null")).toEqual({
      token: "tok_owner",
      user: { id: "usr_1", role: "owner", locationIds: [], username: "owner" },
    })
    expect(persist).toHaveBeenCalled()
  })
})
