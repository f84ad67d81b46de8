// Members at the till and behind it: registration with consent, lookup, masked phones, the
// member's data on request (export, erasure), points and stored value.
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { makeDb } from "../../worker/db/client"
import {
  awardPoints,
  chargeStoredValue,
  getMemberForSale,
  refundStoredValue,
  reversePoints,
  spendPoints,
} from "../../worker/modules/members"
import { call, createLocation, ownerToken, staffToken, uniq } from "./helpers"

const db = () => makeDb(env.DB)

/** A mobile number no other test in this file uses. */
const newPhone = () => {
  const [a, b] = crypto.getRandomValues(new Uint32Array(2))
  return `1${3 + (a! % 7)}${String(b! % 1_000_000_000).padStart(9, "0")}`
}
const masked = (phone: string) => `${phone.slice(0, 3)}****${phone.slice(7)}`
const CONSENT = { version: "privacy-2026-01", accepted: true }

type Member = { id: string; code: string; phone: string; pointsBalance: number; storedValueFen: number }

async function register(token: string, homeLocationId: string, extra: Record<string, unknown> = {}) {
  const phone = newPhone()
  const res = await call<Member>("POST", "/members", {
    token,
    body: { phone, name: "王小明", birthday: "1990-05-17", homeLocationId, consent: CONSENT, ...extra },
  })
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`)
  return { ...res.body, phone }
}

async function shop() {
  const owner = await ownerToken()
  const store = await createLocation(owner)
  const cashier = await staffToken(owner, "cashier", [store])
  return { owner, store, cashier }
}

const ledgerRows = async (table: "member_points" | "member_stored_value", memberId: string) =>
  (
    await env.DB.prepare(
      `select delta, kind, balance_after as balanceAfter from ${table} where member_id = ? order by id`,
    )
      .bind(memberId)
      .all<{ delta: number; kind: string; balanceAfter: number }>()
  ).results

const cached = async (memberId: string) =>
  (await env.DB.prepare("select points_balance as points, stored_value_fen as fen from members where id = ?")
    .bind(memberId)
    .first<{ points: number; fen: number }>())!

describe("registering and finding members", () => {
  it("a cashier registers a member with consent and finds them by phone at the till; the list masks the phone", async () => {
    const { owner, store, cashier } = await shop()
    const phone = newPhone()
    const res = await call("POST", "/members", {
      token: cashier.token,
      body: {
        phone,
        name: "李华",
        birthday: "1988-02-29",
        gender: "female",
        tags: ["母婴"],
        homeLocationId: store,
        consent: CONSENT,
      },
    })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({
      phone,
      phoneMasked: masked(phone),
      name: "李华",
      status: "active",
      pointsBalance: 0,
      storedValueFen: 0,
      homeLocationId: store,
      consent: { version: "privacy-2026-01", by: cashier.id },
    })
    expect(res.body.id).toMatch(/^mbr_/)
    expect(res.body.code).toMatch(/^[1-9]\d{7}$/)

    const byPhone = await call("GET", `/members/lookup?phone=${phone}`, { token: cashier.token })
    expect(byPhone.status).toBe(200)
    expect(byPhone.body).toMatchObject({ id: res.body.id, phoneMasked: masked(phone), birthdayMonth: 2 })
    expect(JSON.stringify(byPhone.body)).not.toContain(phone)
    const byCode = await call("GET", `/members/lookup?code=${res.body.code}`, { token: cashier.token })
    expect(byCode.body.id).toBe(res.body.id)

    const manager = await staffToken(owner, "store_manager", [store])
    const list = await call("GET", `/members?q=${phone.slice(-4)}`, { token: manager.token })
    expect(list.status).toBe(200)
    const item = list.body.items.find((m: { id: string }) => m.id === res.body.id)
    expect(item).toMatchObject({ phoneMasked: masked(phone), name: "李华" })
    expect(JSON.stringify(list.body)).not.toContain(phone)
    // The list is a management view; the till looks one member up.
    expect((await call("GET", "/members", { token: cashier.token })).status).toBe(403)
  })

  it("refuses to register without the customer's consent: 422 consent_required", async () => {
    const { store, cashier } = await shop()
    const body = { phone: newPhone(), name: "张三", homeLocationId: store }
    const none = await call("POST", "/members", { token: cashier.token, body })
    expect(none.status).toBe(422)
    expect(none.body.code).toBe("consent_required")
    const declined = await call("POST", "/members", {
      token: cashier.token,
      body: { ...body, consent: { version: "privacy-2026-01", accepted: false } },
    })
    expect(declined.status).toBe(422)
    expect(declined.body.code).toBe("consent_required")
    const lookup = await call("GET", `/members/lookup?phone=${body.phone}`, { token: cashier.token })
    expect(lookup.status).toBe(404)
  })

  it("a phone already registered answers 409 duplicate_phone", async () => {
    const { store, cashier } = await shop()
    const first = await register(cashier.token, store)
    const again = await call("POST", "/members", {
      token: cashier.token,
      body: { phone: first.phone, name: "另一个人", homeLocationId: store, consent: CONSENT },
    })
    expect(again.status).toBe(409)
    expect(again.body.code).toBe("duplicate_phone")
    const other = await register(cashier.token, store)
    const patch = await call("PATCH", `/members/${other.id}`, { token: cashier.token, body: { phone: first.phone } })
    expect(patch.status).toBe(409)
    expect(patch.body.code).toBe("duplicate_phone")
  })

  it("a bad phone, birthday or code is 400 with the field's path", async () => {
    const { store, cashier } = await shop()
    const res = await call("POST", "/members", {
      token: cashier.token,
      body: { phone: "12812341234", name: "x", birthday: "1990-02-30", homeLocationId: store, consent: CONSENT },
    })
    expect(res.status).toBe(400)
    const paths = res.body.errors.map((e: { path: string }) => e.path)
    expect(paths).toEqual(expect.arrayContaining(["phone", "birthday"]))
    expect((await call("GET", "/members/lookup?phone=1381234123", { token: cashier.token })).status).toBe(400)
    expect((await call("GET", "/members/lookup?code=12345678", { token: cashier.token })).status).toBe(400)
    expect((await call("GET", "/members/lookup", { token: cashier.token })).status).toBe(400)
  })

  it("members belong to the chain: another store finds them at the till; the phone shows only to roles that edit members", async () => {
    const { owner, store, cashier } = await shop()
    const otherStore = await createLocation(owner)
    const member = await register(cashier.token, store)
    const otherCashier = await staffToken(owner, "cashier", [otherStore])
    const found = await call("GET", `/members/lookup?phone=${member.phone}`, { token: otherCashier.token })
    expect(found.status).toBe(200)
    expect((await call("GET", `/members/${member.id}`, { token: otherCashier.token })).body.phone).toBe(member.phone)
    const clerk = await staffToken(owner, "clerk", [otherStore])
    const seen = await call("GET", `/members/${member.id}`, { token: clerk.token })
    expect(seen.status).toBe(200)
    expect(seen.body.phone).toBe(masked(member.phone))
    // A store manager's list holds their own stores' members; registering into another store is 404.
    const otherManager = await staffToken(owner, "store_manager", [otherStore])
    const list = await call("GET", `/members?q=${member.phone.slice(-4)}`, { token: otherManager.token })
    expect(list.body.items.map((m: { id: string }) => m.id)).not.toContain(member.id)
    const elsewhere = await call("POST", "/members", {
      token: otherCashier.token,
      body: { phone: newPhone(), name: "x", homeLocationId: store, consent: CONSENT },
    })
    expect(elsewhere.status).toBe(404)
  })

  it("edits a member's details", async () => {
    const { store, cashier } = await shop()
    const member = await register(cashier.token, store)
    const res = await call("PATCH", `/members/${member.id}`, {
      token: cashier.token,
      body: { name: "王大明", tags: ["VIP"], birthday: null },
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ name: "王大明", tags: ["VIP"], birthday: null, phone: member.phone })
    expect((await call("PATCH", `/members/${member.id}`, { token: cashier.token, body: { code: "1" } })).status).toBe(
      400,
    )
  })
})

describe("the member's data on request (PIPL)", () => {
  it("exports everything stored about a member, for HQ only", async () => {
    const { owner, store, cashier } = await shop()
    const member = await register(cashier.token, store)
    await awardPoints(db(), { memberId: member.id, points: 120, refType: "sale", refId: uniq("sale"), at: Date.now() })
    const res = await call("GET", `/members/${member.id}/export`, { token: owner })
    expect(res.status).toBe(200)
    expect(res.headers.get("content-disposition")).toContain(`member-${member.id}.json`)
    expect(res.body.member).toMatchObject({ id: member.id, phone: member.phone, birthday: "1990-05-17" })
    expect(res.body.points).toEqual([expect.objectContaining({ delta: 120, kind: "earn" })])
    expect(res.body).toMatchObject({ storedValue: [], topUps: [], spend: [], coupons: [], promotionUsage: [] })
    const manager = await staffToken(owner, "store_manager", [store])
    expect((await call("GET", `/members/${member.id}/export`, { token: manager.token })).status).toBe(403)
    expect((await call("GET", `/members/${member.id}/export`, { token: cashier.token })).status).toBe(403)
  })

  it("erases personal data, keeps the record and its ledgers, forfeits points, and frees the phone", async () => {
    const { owner, store, cashier } = await shop()
    const member = await register(cashier.token, store)
    const saleId = uniq("sale")
    await awardPoints(db(), { memberId: member.id, points: 300, refType: "sale", refId: saleId, at: Date.now() })
    const res = await call("POST", `/members/${member.id}/erase`, {
      token: owner,
      body: { reason: "customer request #123" },
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      id: member.id,
      code: member.code,
      status: "erased",
      phone: null,
      phoneMasked: null,
      name: null,
      birthday: null,
      tags: [],
      pointsBalance: 0,
    })
    expect(res.body.erasedAt).toBeTruthy()
    const points = await ledgerRows("member_points", member.id)
    expect(points.map((p) => [p.delta, p.kind])).toEqual([
      [300, "earn"],
      [-300, "expire"],
    ])
    expect((await call("GET", `/members/lookup?phone=${member.phone}`, { token: cashier.token })).status).toBe(404)
    expect((await call("GET", `/members/lookup?code=${member.code}`, { token: cashier.token })).status).toBe(404)
    expect(await getMemberForSale(db(), member.id)).toMatchObject({
      status: "erased",
      phoneMasked: "",
      birthdayMonth: null,
    })
    // No more earning, and the same person may register again as a new member.
    await awardPoints(db(), { memberId: member.id, points: 5, refType: "sale", refId: uniq("sale"), at: Date.now() })
    expect((await cached(member.id)).points).toBe(0)
    const again = await call("POST", "/members", {
      token: cashier.token,
      body: { phone: member.phone, name: "王小明", homeLocationId: store, consent: CONSENT },
    })
    expect(again.status).toBe(201)
    expect(again.body.id).not.toBe(member.id)
    const twice = await call("POST", `/members/${member.id}/erase`, { token: owner, body: { reason: "again" } })
    expect(twice.status).toBe(409)
    expect(twice.body.code).toBe("member_erased")
  })

  it("a top-up racing an erasure: one of them wins, never both", async () => {
    const { owner, store, cashier } = await shop()
    const member = await register(cashier.token, store)
    const [top, erase] = await Promise.all([
      call("POST", `/members/${member.id}/stored-value/top-ups`, {
        token: cashier.token,
        key: uniq("topup"),
        body: { amountFen: 500, payments: [{ method: "cash", amountFen: 500 }], locationId: store },
      }),
      call("POST", `/members/${member.id}/erase`, { token: owner, body: { reason: "request" } }),
    ])
    const after = (await call("GET", `/members/${member.id}`, { token: owner })).body
    if (top.status === 201) {
      expect(erase.status).toBe(409)
      expect(after).toMatchObject({ status: "active", storedValueFen: 500 })
    } else {
      expect(top.status).toBe(409)
      expect(erase.status).toBe(200)
      expect(after).toMatchObject({ status: "erased", storedValueFen: 0 })
    }
    const rows = await ledgerRows("member_stored_value", member.id)
    expect(rows.reduce((s, r) => s + r.delta, 0)).toBe(after.storedValueFen)
  })

  it("refuses erasure while stored value remains, naming the balance", async () => {
    const { owner, store, cashier } = await shop()
    const member = await register(cashier.token, store)
    const top = await call("POST", `/members/${member.id}/stored-value/top-ups`, {
      token: cashier.token,
      key: uniq("k"),
      body: { amountFen: 1234, payments: [{ method: "cash", amountFen: 1234 }], locationId: store },
    })
    expect(top.status).toBe(201)
    const res = await call("POST", `/members/${member.id}/erase`, { token: owner, body: { reason: "request" } })
    expect(res.status).toBe(409)
    expect(res.body).toMatchObject({ code: "stored_value_remaining", storedValueFen: 1234 })
    expect(res.body.detail).toContain("12.34")
    expect((await call("GET", `/members/${member.id}`, { token: owner })).body.status).toBe("active")
    const cashierTry = await call("POST", `/members/${member.id}/erase`, {
      token: cashier.token,
      body: { reason: "x" },
    })
    expect(cashierTry.status).toBe(403)
  })
})

describe("points", () => {
  it("points earned twice for the same sale count once; redeeming needs the balance", async () => {
    const { store, cashier } = await shop()
    const member = await register(cashier.token, store)
    const saleId = uniq("sale")
    const earn = { memberId: member.id, points: 250, refType: "sale", refId: saleId, at: Date.now() }
    await awardPoints(db(), earn)
    await awardPoints(db(), earn)
    expect((await cached(member.id)).points).toBe(250)

    const spend = { memberId: member.id, refType: "sale", refId: uniq("sale"), at: Date.now() }
    expect(await spendPoints(db(), { ...spend, points: 251 })).toEqual({
      ok: false,
      code: "insufficient_points",
      balance: 250,
    })
    expect(await spendPoints(db(), { ...spend, points: 200 })).toEqual({ ok: true, balance: 50 })
    expect(await spendPoints(db(), { ...spend, points: 200 })).toEqual({ ok: true, balance: 50 })
    // A return takes back what the first sale earned, once.
    await reversePoints(db(), { memberId: member.id, points: 100, refType: "return", refId: saleId, at: Date.now() })
    await reversePoints(db(), { memberId: member.id, points: 100, refType: "return", refId: saleId, at: Date.now() })
    // The same sale id with another amount is a caller's bug, not a retry.
    await expect(awardPoints(db(), { ...earn, points: 999 })).rejects.toMatchObject({ code: "ref_reused" })

    const ledger = await call("GET", `/members/${member.id}/points`, { token: cashier.token })
    expect(ledger.status).toBe(200)
    expect(ledger.body.items.map((e: { delta: number; kind: string }) => [e.delta, e.kind])).toEqual([
      [-100, "reverse"],
      [-200, "redeem"],
      [250, "earn"],
    ])
    expect(ledger.body.items.map((e: { balanceAfter: number }) => e.balanceAfter)).toEqual([-50, 50, 250])
    const rows = await ledgerRows("member_points", member.id)
    expect(rows.reduce((s, r) => s + r.delta, 0)).toBe((await cached(member.id)).points)
    expect((await call("GET", `/members/${member.id}`, { token: cashier.token })).body.pointsBalance).toBe(-50)
  })

  it("HQ corrects points with a reason, never below zero; a cashier may not", async () => {
    const { owner, store, cashier } = await shop()
    const member = await register(cashier.token, store)
    const url = `/members/${member.id}/points/adjustments`
    const add = await call("POST", url, { token: owner, body: { delta: 80, reason: "补录小票" } })
    expect(add.status).toBe(201)
    expect(add.body).toMatchObject({ delta: 80, balance: 80 })
    const tooMuch = await call("POST", url, { token: owner, body: { delta: -81, reason: "x" } })
    expect(tooMuch.status).toBe(422)
    expect(tooMuch.body).toMatchObject({ code: "insufficient_points", balance: 80 })
    expect((await call("POST", url, { token: cashier.token, body: { delta: 5, reason: "x" } })).status).toBe(403)
    expect((await call("POST", url, { token: owner, body: { delta: 0, reason: "x" } })).status).toBe(400)
    const ledger = await call("GET", `/members/${member.id}/points`, { token: owner })
    expect(ledger.body.items).toEqual([expect.objectContaining({ delta: 80, kind: "adjust", note: "补录小票" })])
  })
})

describe("stored value (储值)", () => {
  it("a top-up with a bonus lands once, however often it is retried", async () => {
    const { store, cashier } = await shop()
    const member = await register(cashier.token, store)
    const key = uniq("topup")
    const body = {
      amountFen: 50000,
      bonusFen: 5000,
      payments: [
        { method: "wechat", amountFen: 30000 },
        { method: "cash", amountFen: 20000 },
      ],
      locationId: store,
    }
    const url = `/members/${member.id}/stored-value/top-ups`
    const res = await call("POST", url, { token: cashier.token, key, body })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ amountFen: 50000, bonusFen: 5000, balanceFen: 55000, locationId: store })
    const replay = await call("POST", url, { token: cashier.token, key, body })
    expect(replay.status).toBe(201)
    expect(replay.body.id).toBe(res.body.id)
    expect(replay.headers.get("idempotent-replayed")).toBe("true")

    const ledger = await call("GET", `/members/${member.id}/stored-value`, { token: cashier.token })
    expect(ledger.body.balanceFen).toBe(55000)
    expect(ledger.body.items.map((e: { delta: number; kind: string }) => [e.delta, e.kind])).toEqual([
      [5000, "bonus"],
      [50000, "top_up"],
    ])
    expect((await cached(member.id)).fen).toBe(55000)

    expect((await call("POST", url, { token: cashier.token, body })).status).toBe(400)
    const short = await call("POST", url, {
      token: cashier.token,
      key: uniq("topup"),
      body: { ...body, payments: [{ method: "cash", amountFen: 100 }] },
    })
    expect(short.status).toBe(422)
    expect(short.body.code).toBe("payment_short")
    const storedValueTender = await call("POST", url, {
      token: cashier.token,
      key: uniq("topup"),
      body: { ...body, payments: [{ method: "stored_value", amountFen: 50000 }] },
    })
    expect(storedValueTender.status).toBe(400)
  })

  it("a top-up at another store's till is 404 for a cashier scoped elsewhere", async () => {
    const { owner, store, cashier } = await shop()
    const member = await register(cashier.token, store)
    const other = await createLocation(owner)
    const res = await call("POST", `/members/${member.id}/stored-value/top-ups`, {
      token: cashier.token,
      key: uniq("topup"),
      body: { amountFen: 100, payments: [{ method: "cash", amountFen: 100 }], locationId: other },
    })
    expect(res.status).toBe(404)
  })

  // Invariant under any interleaving: the balance never goes below zero, the successful spends
  // add up to at most what was there, and the cached balance equals the sum of the ledger.
  it("20 concurrent spends racing for a balance that covers 7: exactly 7 succeed, never negative", async () => {
    const { store, cashier } = await shop()
    const member = await register(cashier.token, store)
    const top = await call("POST", `/members/${member.id}/stored-value/top-ups`, {
      token: cashier.token,
      key: uniq("topup"),
      body: { amountFen: 700, payments: [{ method: "cash", amountFen: 700 }], locationId: store },
    })
    expect(top.body.balanceFen).toBe(700)

    const sales = Array.from({ length: 20 }, () => uniq("sale"))
    const results = await Promise.all(
      sales.map((refId) =>
        chargeStoredValue(db(), { memberId: member.id, amountFen: 100, refType: "sale", refId, at: Date.now() }),
      ),
    )
    const won = results.filter((r) => r.ok)
    const lost = results.filter((r) => !r.ok)
    expect(won).toHaveLength(7)
    expect(lost).toHaveLength(13)
    for (const r of lost) expect(r).toMatchObject({ code: "insufficient_stored_value", balanceFen: 0 })
    for (const r of won) expect(r.balanceFen).toBeGreaterThanOrEqual(0)

    const rows = await ledgerRows("member_stored_value", member.id)
    expect(rows.every((r) => r.balanceAfter >= 0)).toBe(true)
    expect(rows.filter((r) => r.kind === "pay")).toHaveLength(7)
    expect(rows.reduce((s, r) => s + r.delta, 0)).toBe(0)
    expect((await cached(member.id)).fen).toBe(0)

    // A winner retried changes nothing; a loser retried is still refused.
    const winner = sales[results.findIndex((r) => r.ok)]!
    const retry = { memberId: member.id, amountFen: 100, refType: "sale", refId: winner, at: Date.now() }
    expect(await chargeStoredValue(db(), retry)).toEqual({ ok: true, balanceFen: 0 })
    const loser = sales[results.findIndex((r) => !r.ok)]!
    expect((await chargeStoredValue(db(), { ...retry, refId: loser })).ok).toBe(false)
    expect(await ledgerRows("member_stored_value", member.id)).toHaveLength(rows.length)
  })

  it("a refund puts a payment back once; an erased member can't be refunded to", async () => {
    const { owner, store, cashier } = await shop()
    const member = await register(cashier.token, store)
    await call("POST", `/members/${member.id}/stored-value/top-ups`, {
      token: cashier.token,
      key: uniq("topup"),
      body: { amountFen: 1000, payments: [{ method: "cash", amountFen: 1000 }], locationId: store },
    })
    const saleId = uniq("sale")
    const pay = { memberId: member.id, amountFen: 1000, refType: "sale", refId: saleId, at: Date.now() }
    expect(await chargeStoredValue(db(), pay)).toEqual({ ok: true, balanceFen: 0 })
    await refundStoredValue(db(), { ...pay, refType: "return" })
    await refundStoredValue(db(), { ...pay, refType: "return" })
    expect((await cached(member.id)).fen).toBe(1000)
    expect(await getMemberForSale(db(), member.id)).toMatchObject({
      id: member.id,
      status: "active",
      storedValueFen: 1000,
      birthdayMonth: 5,
      phoneMasked: masked(member.phone),
    })
    expect(await getMemberForSale(db(), "mbr_nobody")).toBeNull()

    // Spend it all, erase, then a late return can't put money into an erased account.
    await chargeStoredValue(db(), { ...pay, refId: uniq("sale") })
    expect((await call("POST", `/members/${member.id}/erase`, { token: owner, body: { reason: "r" } })).status).toBe(
      200,
    )
    await expect(refundStoredValue(db(), { ...pay, refType: "return", refId: uniq("ret") })).rejects.toMatchObject({
      code: "member_erased",
    })
  })
})
