import { describe, expect, it } from "vitest"
import { memberPhoneKey } from "../../core/member-phone-key"
import Members from "../../pwa/src/screens/members"
import Settings from "../../pwa/src/screens/settings"
import { db } from "../../pwa/src/store/db"
import { rememberMember, spendCachedBalances, syncMembers } from "../../pwa/src/store/members"
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

describe("the store's members on the device", () => {
  const cached = (over: Record<string, unknown>) => ({
    ...AT_TILL,
    status: "active",
    updatedAt: "2026-11-25T01:00:00.000Z",
    ...over,
  })

  it("syncs incrementally, finds a member by phone offline, and drops one the chain erased", async () => {
    signedInCashier()
    const key = await memberPhoneKey("13800131234")
    const passes: string[] = []
    let erased = false
    stubApi({
      [`GET /api/v1/locations/${STORE}/members`]: (call) => {
        const token = call.query.get("syncToken")
        passes.push(token ?? "start")
        if (erased)
          return json(200, {
            items: [cached({ phoneKey: null, status: "erased", name: null, updatedAt: "2026-11-25T03:00:00.000Z" })],
            nextCursor: null,
            syncToken: "t3",
          })
        return token
          ? json(200, {
              items: [cached({ id: "mbr_2", code: "22222222", phoneKey: "other" })],
              nextCursor: null,
              syncToken: "t2",
            })
          : json(200, { items: [cached({ phoneKey: key })], nextCursor: "t1", syncToken: "t1" })
      },
    })
    expect(await syncMembers(STORE)).toBe(2)

    window.dispatchEvent(new Event("offline"))
    const screen = await mount(<Members />)
    await type(byTestId<HTMLInputElement>(screen, "members-phone"), "138 0013 1234")
    await click(byTestId(screen, "members-find"))
    await eventually(() => expect(text(screen, "member-card-name")).toBe("王小明"))
    expect(text(screen, "member-stored-value")).toBe("¥50.00")
    expect(JSON.stringify(await (await db()).getAll("members"))).not.toContain("13800131234")

    erased = true
    expect(await syncMembers(STORE)).toBe(1)
    // The second pass starts after the last page the first one stored.
    expect(passes).toEqual(["start", "t1", "t2"])
    await click(byTestId(screen, "members-find"))
    await eventually(() => expect(text(screen, "members-problem")).toBe("离线：本机没有这位会员的记录，联网后再查"))
    window.dispatchEvent(new Event("online"))
  })

  it("takes what an offline sale spent off the cached balances, so it can't be spent twice", async () => {
    await rememberMember(AT_TILL, "13800131234")
    await spendCachedBalances(AT_TILL.id, [
      { method: "stored_value", amountFen: 3000 },
      { method: "cash", amountFen: 100 },
    ])
    expect(await (await db()).get("members", AT_TILL.id)).toMatchObject({ storedValueFen: 2000, pointsBalance: 120 })
  })
})

describe("a member's card, online", () => {
  const findWangOnline = async (routes: Parameters<typeof stubApi>[0]) => {
    signedInCashier()
    const calls = stubApi({ "GET /api/v1/members/lookup": () => json(200, AT_TILL), ...routes })
    const screen = await mount(<Members />)
    await type(byTestId<HTMLInputElement>(screen, "members-phone"), "13800131234")
    await click(byTestId(screen, "members-find"))
    await eventually(() => byTestId(screen, "member-card"))
    return { screen, calls }
  }

  it("tops up stored value with a bonus, under one idempotency key per top-up", async () => {
    const { screen, calls } = await findWangOnline({
      "POST /api/v1/members/mbr_1/stored-value/top-ups": () => json(201, { balanceFen: 5000 + 10000 + 1000 }),
    })
    await type(byTestId<HTMLInputElement>(screen, "top-up-amount"), "100")
    await type(byTestId<HTMLInputElement>(screen, "top-up-bonus"), "10")
    await click(byTestId(screen, "top-up-wechat"))
    await click(byTestId(screen, "top-up-submit"))

    await eventually(() => expect(text(screen, "member-stored-value")).toBe("¥160.00"))
    const topUp = calls.find((c) => c.method === "POST")!
    expect(topUp.body).toEqual({
      amountFen: 10000,
      bonusFen: 1000,
      payments: [{ method: "wechat", amountFen: 10000 }],
      locationId: STORE,
    })
    expect(topUp.headers.get("Idempotency-Key")).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/)
    expect(await (await db()).get("members", "mbr_1")).toMatchObject({ storedValueFen: 16000 })
  })

  it("shows the points ledger and the member's purchases", async () => {
    const { screen, calls } = await findWangOnline({
      "GET /api/v1/members/mbr_1/points": () =>
        json(200, { items: [{ id: "mpt_1", delta: 16, kind: "earn", balanceAfter: 120, at: "2026-11-25T02:00:00Z" }] }),
      "GET /api/v1/sales": () =>
        json(200, {
          items: [
            {
              id: "s1",
              number: "XS20261125-0007",
              totalFen: 1690,
              pointsEarned: 16,
              occurredAt: "2026-11-25T02:00:00Z",
            },
          ],
          nextCursor: null,
        }),
    })
    await click(byTestId(screen, "member-ledger"))
    await eventually(() => expect(text(screen, "points-ledger")).toContain("+16"))
    await click(byTestId(screen, "member-sales"))
    await eventually(() => expect(text(screen, "member-purchase")).toContain("XS20261125-0007"))
    expect(text(screen, "member-purchase")).toContain("¥16.90")
    expect(calls.find((c) => c.path === "/api/v1/sales")?.query.get("memberId")).toBe("mbr_1")
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
