import { describe, expect, it } from "vitest"
import { device } from "../../pwa/src/auth/device"
import { startSession } from "../../pwa/src/auth/session"
import Settings from "../../pwa/src/screens/settings"
import { offlineStoredValueLimit } from "../../pwa/src/till/offline-limits"
import { STORE, signedInCashier } from "./fixtures"
import { byTestId, click, eventually, json, mount, stubApi, text, type } from "./helpers"

// Settings → what a shared till needs: my till PIN, this device's registration, the offline stored-value cap.

const signedInStoreManager = () =>
  startSession({
    token: "tok_mgr",
    user: { id: "usr_mgr", role: "store_manager", locationIds: [STORE], username: "shopmgr1", displayName: "店长 陈" },
  })

describe("setting up a shared till", () => {
  it("lets a cashier set a till PIN online, refusing an easy one before asking the server", async () => {
    signedInCashier()
    let pinSet = false
    const calls = stubApi({
      "GET /api/v1/me/pin": () => json(200, { set: pinSet }),
      "PUT /api/v1/me/pin": () => {
        pinSet = true
        return json(200, { set: true })
      },
    })
    const screen = await mount(<Settings />)
    await eventually(() => expect(text(screen, "pin-state")).toBe("未设置"))

    await type(byTestId<HTMLInputElement>(screen, "pin-input"), "123456")
    await click(byTestId(screen, "pin-save"))
    expect(text(screen, "pin-note")).toBe("PIN 太简单：不要用重复或连续的数字")
    expect(calls.filter((c) => c.method === "PUT")).toHaveLength(0)

    await type(byTestId<HTMLInputElement>(screen, "pin-input"), "482916")
    await click(byTestId(screen, "pin-save"))
    await eventually(() => expect(text(screen, "pin-state")).toBe("已设置"))
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({ pin: "482916" })
    expect(screen.querySelector("[data-testid='device-register']")).toBeNull() // registering is a manager's
    expect(screen.querySelector("[data-testid='offline-limit']")).toBeNull()
  })

  it("lets a store manager register this device as the store's till and cap stored value offline", async () => {
    signedInStoreManager()
    const calls = stubApi({
      "GET /api/v1/me/pin": () => json(200, { set: false }),
      "POST /api/v1/devices": (call) =>
        json(201, { id: "dev_till1", ...(call.body as object), revoked: false, revokedAt: null, createdAt: "" }),
    })
    const screen = await mount(<Settings />)
    expect(text(screen, "device-state")).toBe("本机未登记为收银机，不能离线换人")
    await type(byTestId<HTMLInputElement>(screen, "device-name"), "收银台 1")
    await click(byTestId(screen, "device-register"))

    await eventually(() => expect(text(screen, "device-state")).toBe("已登记：收银台 1"))
    expect(calls.find((c) => c.path === "/api/v1/devices")?.body).toEqual({ locationId: STORE, name: "收银台 1" })
    expect(device.value).toEqual({ id: "dev_till1", locationId: STORE, name: "收银台 1" })
    expect(text(screen, "device-note")).toContain("重新登录")

    await type(byTestId<HTMLInputElement>(screen, "offline-limit-input"), "50")
    await click(byTestId(screen, "offline-limit-save"))
    expect(offlineStoredValueLimit.value).toBe(5000)
    expect(localStorage.getItem("puzi.offlineStoredValueFen")).toBe("5000")
  })
})
