import { describe, expect, it } from "vitest"
import Admin from "../../pwa/src/screens/admin"
import { STORE } from "./fixtures"
import { byTestId, click, eventually, json, mount, problem, type StubCall, stubApi, text, type } from "./helpers"
import { DESTINATIONS, rows, signedInAs } from "./stock-helpers"

// HQ's staff and devices: a manager adds, changes, disables and deletes store accounts; the API's refusals show.

type User = {
  id: string
  username: string
  displayName: string
  role: string
  allLocations: boolean
  locationIds: string[]
  status: string
}

const person = (id: string, username: string, displayName: string, role: string, locationIds: string[]): User => ({
  id,
  username,
  displayName,
  role,
  allLocations: locationIds.length === 0,
  locationIds,
  status: "active",
})

/** A small staff API over a list: GET /users (deleted hidden), POST, PATCH and DELETE as the worker answers. */
const staffApi = (people: User[], extra: Parameters<typeof stubApi>[0] = {}) =>
  stubApi({
    "GET /api/v1/transfers/destinations": () => json(200, DESTINATIONS),
    "GET /api/v1/users": () => json(200, { items: people.filter((u) => u.status !== "deleted"), nextCursor: null }),
    "POST /api/v1/users": (call: StubCall) => {
      const body = call.body as { username: string; displayName?: string; role: string; locationIds?: string[] }
      if (people.some((u) => u.username === body.username))
        return problem(409, {
          code: "duplicate_username",
          title: "Conflict",
          detail: `The username "${body.username}" is taken.`,
        })
      const made = person(`usr_${body.username}`, body.username, body.displayName ?? body.username, body.role, [
        ...(body.locationIds ?? []),
      ])
      people.push(made)
      return json(201, made)
    },
    ...Object.fromEntries(
      people.flatMap((u) => [
        [
          `PATCH /api/v1/users/${u.id}`,
          (call: StubCall) => {
            Object.assign(u, call.body)
            return json(200, u)
          },
        ],
        [
          `DELETE /api/v1/users/${u.id}`,
          () => {
            u.status = "deleted"
            return json(200, { ...u, revokedApiKeys: [{ id: "key_1", name: "美团外卖对接" }] })
          },
        ],
      ]),
    ),
    ...extra,
  })

const staffCards = (screen: HTMLElement) =>
  rows(screen, "staff").map((card) => [
    text(card, "staff-card-name"),
    text(card, "staff-card-role"),
    text(card, "staff-card-stores"),
    card.dataset.status,
  ])

const choose = (select: HTMLSelectElement, value: string) => {
  select.value = value
  select.dispatchEvent(new Event("change", { bubbles: true }))
}

const open = async (screen: HTMLElement, name: string) => {
  const card = rows(screen, "staff").find((c) => text(c, "staff-card-name") === name)
  if (!card) throw new Error(`no card for ${name}`)
  await click(byTestId(card, "staff-open"))
}

const OWNER = person("usr_owner", "owner", "老板 陈总", "owner", [])
const STORE_MANAGER = () => person("usr_wang", "wangfang", "店长 王芳", "store_manager", [STORE])

describe("staff administration at HQ", () => {
  it("a manager adds a cashier to 南京路店 and sees them listed", async () => {
    signedInAs("manager")
    const calls = staffApi([OWNER, STORE_MANAGER()])
    const screen = await mount(<Admin />)
    await eventually(() =>
      expect(staffCards(screen)).toEqual([
        ["老板 陈总", "店主", "全部门店（总部账号）", "active"],
        ["店长 王芳", "店长", "南京路店", "active"],
      ]),
    )
    // Only an owner manages the owner.
    expect(rows(screen, "staff")[0]!.querySelector("[data-testid='staff-open']")).toBeNull()

    await click(byTestId(screen, "admin-new"))
    const roles = [...byTestId<HTMLSelectElement>(screen, "new-staff-role").options].map((o) => o.textContent)
    expect(roles).not.toContain("店主") // a manager can't make an owner
    expect(byTestId<HTMLSelectElement>(screen, "new-staff-role").value).toBe("cashier")
    await eventually(() => expect(byTestId<HTMLInputElement>(screen, `admin-store-${STORE}`).checked).toBe(true))
    await type(byTestId(screen, "new-staff-username"), "lina")
    await type(byTestId(screen, "new-staff-name"), "收银 李娜")
    const password = byTestId<HTMLInputElement>(screen, "new-staff-password")
    await type(password, "short")
    expect(password.type).toBe("password")
    await click(byTestId(screen, "new-staff-password-toggle"))
    expect(byTestId<HTMLInputElement>(screen, "new-staff-password").type).toBe("text")

    await click(byTestId(screen, "new-staff-create"))
    expect(text(screen, "new-staff-invalid")).toBe("密码太短：至少 8 位")
    expect(calls.some((c) => c.method === "POST")).toBe(false)

    await type(byTestId(screen, "new-staff-password"), "nanjing-2026")
    await click(byTestId(screen, "new-staff-create"))

    await eventually(() => expect(text(screen, "admin-notice")).toBe("已创建账号：收银 李娜"))
    expect(calls.find((c) => c.method === "POST" && c.path === "/api/v1/users")?.body).toEqual({
      username: "lina",
      password: "nanjing-2026",
      role: "cashier",
      locationIds: [STORE],
      displayName: "收银 李娜",
    })
    await eventually(() => expect(staffCards(screen)).toContainEqual(["收银 李娜", "收银员", "南京路店", "active"]))

    // 南京路店's cashiers: just the new one.
    choose(byTestId(screen, "admin-store-filter"), STORE)
    choose(byTestId(screen, "admin-role-filter"), "cashier")
    await eventually(() => expect(staffCards(screen).map((c) => c[0])).toEqual(["收银 李娜"]))
    choose(byTestId(screen, "admin-store-filter"), "loc_xihu")
    await eventually(() => expect(text(screen, "admin-empty")).toBe("没有符合条件的员工"))
  })

  it("refuses a username already in use, with the API's words, and keeps the form", async () => {
    signedInAs("manager")
    staffApi([OWNER, STORE_MANAGER()])
    const screen = await mount(<Admin />)
    await click(await eventually(() => byTestId(screen, "admin-new")))
    await type(byTestId(screen, "new-staff-username"), "wangfang")
    await type(byTestId(screen, "new-staff-password"), "another-one-1")

    await click(byTestId(screen, "new-staff-create"))

    await eventually(() =>
      expect(text(screen, "new-staff-problem")).toBe('登录名已被使用，请换一个（The username "wangfang" is taken.）'),
    )
    expect(byTestId<HTMLInputElement>(screen, "new-staff-username").value).toBe("wangfang")
  })

  it("disables a cashier, then deletes them for good and says which integrations need a new key", async () => {
    signedInAs("manager")
    const cashier = person("usr_lina", "lina", "收银 李娜", "cashier", [STORE])
    const calls = staffApi([OWNER, STORE_MANAGER(), cashier])
    const screen = await mount(<Admin />)
    await eventually(() => expect(staffCards(screen)).toHaveLength(3))

    await open(screen, "收银 李娜")
    await click(byTestId(screen, "staff-toggle"))

    await eventually(() => expect(text(screen, "admin-notice")).toBe("已停用：收银 李娜，其登录已全部退出"))
    expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ status: "disabled" })
    await eventually(() => expect(staffCards(screen)).toContainEqual(["收银 李娜", "收银员", "南京路店", "disabled"]))

    await open(screen, "收银 李娜")
    expect(byTestId(screen, "staff-toggle").textContent).toBe("启用账号")
    await click(byTestId(screen, "staff-delete"))
    expect(text(screen, "staff-delete-confirm")).toContain("确定永久删除 收银 李娜（lina）吗？")
    expect(calls.some((c) => c.method === "DELETE")).toBe(false) // asking is not deleting
    await click(byTestId(screen, "staff-delete-yes"))

    await eventually(() => expect(byTestId(screen, "admin-deleted").textContent).toContain("已删除 收银 李娜"))
    expect(text(screen, "admin-deleted")).toContain("以下集成的 API 密钥已随之作废，需要新的密钥：")
    expect(text(screen, "admin-revoked-keys")).toBe("美团外卖对接")
    expect(calls.filter((c) => c.method === "DELETE").map((c) => c.path)).toEqual(["/api/v1/users/usr_lina"])
    await eventually(() => expect(staffCards(screen).map((c) => c[0])).toEqual(["老板 陈总", "店长 王芳"]))
  })

  it("moves a store manager to another store and resets their password; a refusal shows the API's detail", async () => {
    signedInAs("manager")
    const manager = STORE_MANAGER()
    const calls = staffApi([OWNER, manager], {
      "POST /api/v1/users/usr_wang/password": () =>
        problem(409, { code: "user_deleted", title: "Conflict", detail: "This account was deleted." }),
    })
    const screen = await mount(<Admin />)
    await eventually(() => expect(staffCards(screen)).toHaveLength(2))
    await open(screen, "店长 王芳")
    await eventually(() => byTestId(screen, "admin-store-loc_xihu"))
    await click(byTestId(screen, `admin-store-${STORE}`))
    await click(byTestId(screen, "admin-store-loc_xihu"))
    await click(byTestId(screen, "staff-save"))

    await eventually(() => expect(text(screen, "admin-notice")).toBe("已保存：店长 王芳"))
    expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ locationIds: ["loc_xihu"] })
    await eventually(() => expect(staffCards(screen)).toContainEqual(["店长 王芳", "店长", "西湖店", "active"]))

    await open(screen, "店长 王芳")
    await type(byTestId(screen, "staff-password"), "xihu-2026-new")
    await click(byTestId(screen, "staff-password-reset"))
    await eventually(() =>
      expect(text(screen, "staff-problem")).toBe("该账号已删除，不能再修改；请新建账号（This account was deleted.）"),
    )
    expect(calls.find((c) => c.path === "/api/v1/users/usr_wang/password")?.body).toEqual({
      password: "xihu-2026-new",
    })
  })

  it("revokes a lost till and reinstates it when found", async () => {
    signedInAs("manager")
    const till = {
      id: "dev_1",
      locationId: STORE,
      name: "1号收银台",
      revoked: false,
      revokedAt: null,
      createdAt: "2026-11-01T00:00:00.000Z",
    }
    const calls = staffApi([OWNER], {
      "GET /api/v1/devices": () => json(200, { items: [till], nextCursor: null }),
      "POST /api/v1/devices/dev_1/revoke": () =>
        json(200, { ...till, revoked: true, revokedAt: "2026-11-25T09:00:00Z" }),
      "POST /api/v1/devices/dev_1/reinstate": () => json(200, till),
    })
    const screen = await mount(<Admin />)
    await click(byTestId(screen, "admin-tab-devices"))
    await eventually(() => expect(text(screen, "device-status")).toBe("使用中"))
    await eventually(() => expect(text(screen, "device")).toContain("南京路店"))

    await click(byTestId(screen, "device-revoke"))
    await eventually(() => expect(text(screen, "device-status")).toBe("已吊销"))
    await click(byTestId(screen, "device-reinstate"))
    await eventually(() => expect(text(screen, "device-status")).toBe("使用中"))
    expect(calls.filter((c) => c.method === "POST").map((c) => c.path)).toEqual([
      "/api/v1/devices/dev_1/revoke",
      "/api/v1/devices/dev_1/reinstate",
    ])
  })

  it("offers no way to disable, demote or delete oneself", async () => {
    signedInAs("owner")
    staffApi([OWNER])
    const screen = await mount(<Admin />)
    await eventually(() => expect(staffCards(screen)).toHaveLength(1))
    await open(screen, "老板 陈总") // an owner may change their own name and password
    for (const id of ["staff-role", "staff-toggle", "staff-delete"])
      expect(screen.querySelector(`[data-testid='${id}']`)).toBeNull()
    expect(byTestId(screen, "staff-password-reset")).toBeTruthy()
  })

  it("is not for store staff", async () => {
    signedInAs("cashier")
    const calls = staffApi([])
    const screen = await mount(<Admin />)
    expect(screen.textContent).toContain("你的角色不能管理员工")
    expect(calls.some((c) => c.path === "/api/v1/users")).toBe(false)
  })
})
