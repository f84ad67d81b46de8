import { describe, expect, it } from "vitest"
import Members from "../../pwa/src/screens/members"
import Settings from "../../pwa/src/screens/settings"
import { db } from "../../pwa/src/store/db"
import { refreshOutbox } from "../../pwa/src/sync/outbox"
import { STORE, signedInCashier } from "./fixtures"
import { byTestId, click, eventually, json, mount, problem, stubApi, text, type } from "./helpers"

const AT_TILL = {
  id: "mbr_1",
  code: "12345674",
  name: "王小明",
  phoneMasked: "138****1234",
  tierId: null,
  tierName: null,
  birthdayMonth: null,
  pointsBalance: 120,
  storedValueFen: 5000,
}

describe("the members screen", () => {
  it("registers a customer only with their consent, then shows their card", async () => {
    signedInCashier()
    const calls = stubApi({
      "POST /api/v1/members": () => json(201, { id: "mbr_1" }),
      "GET /api/v1/members/lookup": () => json(200, AT_TILL),
    })
    const screen = await mount(<Members />)
    await click(byTestId(screen, "members-new"))
    await type(byTestId<HTMLInputElement>(screen, "register-phone"), "13800131234")
    await type(byTestId<HTMLInputElement>(screen, "register-name"), "王小明")

    await click(byTestId(screen, "register-submit"))
    expect(text(screen, "register-problem")).toBe("需顾客同意隐私政策")
    expect(calls).toHaveLength(0)

    await click(byTestId(screen, "register-consent"))
    await click(byTestId(screen, "register-submit"))

    await eventually(() => expect(text(screen, "member-card-name")).toBe("王小明"))
    expect(calls[0]?.body).toMatchObject({
      phone: "13800131234",
      name: "王小明",
      homeLocationId: STORE,
      consent: { accepted: true },
    })
    expect(text(screen, "member-points")).toBe("120")
  })

  it("finds a member seen before on this device when the network is gone", async () => {
    signedInCashier()
    stubApi({ "GET /api/v1/members/lookup": () => json(200, AT_TILL) })
    const online = await mount(<Members />)
    await type(byTestId<HTMLInputElement>(online, "members-phone"), "13800131234")
    await click(byTestId(online, "members-find"))
    await eventually(() => byTestId(online, "member-card"))

    stubApi({ "GET /api/v1/members/lookup": () => Promise.reject(new TypeError("Failed to fetch")) })
    const offline = await mount(<Members />)
    await type(byTestId<HTMLInputElement>(offline, "members-phone"), "138-0013-1234")
    await click(byTestId(offline, "members-find"))

    await eventually(() => expect(text(offline, "member-card-name")).toBe("王小明"))
  })

  it("says so when nobody has that phone", async () => {
    signedInCashier()
    stubApi({ "GET /api/v1/members/lookup": () => problem(404, { code: "not_found", title: "Not Found" }) })
    const screen = await mount(<Members />)
    await type(byTestId<HTMLInputElement>(screen, "members-phone"), "13900000000")
    await click(byTestId(screen, "members-find"))
    await eventually(() => expect(text(screen, "members-problem")).toBe("没有这位会员"))
  })
})

describe("the settings screen", () => {
  it("shows the outbox and what the server refused, for a manager to see", async () => {
    signedInCashier()
    stubApi({})
    await (await db()).put("outbox", {
      id: "01JDZ0000000000000000000C1",
      kind: "sale",
      createdAt: 1,
      attempts: 1,
      body: {
        id: "01JDZ0000000000000000000C1",
        locationId: STORE,
        occurredAt: "2026-11-25T02:00:00.000Z",
        lines: [{ skuId: "sku_water", qty: 1 }],
        payments: [{ method: "cash", amountFen: 200 }],
        totalFen: 200,
      },
      problem: { code: "id_reused", detail: "already synced with another body", final: true },
    })
    await refreshOutbox()

    const screen = await mount(<Settings />)

    expect(text(screen, "outbox-size")).toBe("1")
    expect(text(screen, "rejected-list")).toContain("id_reused")
    await click(byTestId(screen, "paper-58"))
    expect(localStorage.getItem("puzi.paper")).toBe("58")
  })
})
