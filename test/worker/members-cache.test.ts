// A store's tills keep its members for offline use: GET /locations/{id}/members hands them out
// incrementally (each page's syncToken, kept for the next pass), phones only as keys, erasures included; and a member's
// purchase history is GET /sales?memberId=, within what the caller may see.
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { memberPhoneKey } from "../../core/member-phone-key"
import { call, createLocation, staffToken, uniq } from "./helpers"
import { cash, member, sell, shop } from "./sales-helpers"

type Cached = { id: string; phoneKey: string | null; status: string; storedValueFen: number; updatedAt: string }
type Page = { items: Cached[]; nextCursor: string | null; syncToken: string }

/** Every page of one pass, as the till walks it: from the token it kept, keeping each page's token. */
async function walk(token: string, store: string, syncToken?: string) {
  const seen: Cached[] = []
  let at = syncToken
  for (;;) {
    const q = new URLSearchParams({ limit: "2" })
    if (at) q.set("syncToken", at)
    const res = await call<Page>("GET", `/locations/${store}/members?${q}`, { token })
    expect(res.status).toBe(200)
    seen.push(...res.body.items)
    at = res.body.syncToken
    if (!res.body.nextCursor) return { seen, syncToken: at }
  }
}
const pass = async (token: string, store: string) => (await walk(token, store)).seen

describe("a till's member cache", () => {
  it("gets its store's members page by page, with phones only as keys, then only what changed", async () => {
    const { owner, store, cashier } = await shop({ skus: 1 })
    const ids = [await member(owner, store), await member(owner, store), await member(owner, store)]
    const elsewhere = await member(owner, await createLocation(owner))

    const first = await pass(cashier.token, store)
    expect(first.map((m) => m.id).sort()).toEqual([...ids].sort())
    expect(first.map((m) => m.id)).not.toContain(elsewhere)
    expect(JSON.stringify(first)).not.toMatch(/"phone"/)
    const detail = await call("GET", `/members/${ids[0]}`, { token: owner })
    expect(first.find((m) => m.id === ids[0])?.phoneKey).toBe(await memberPhoneKey(detail.body.phone))

    const { syncToken } = await walk(cashier.token, store)
    const top = await call("POST", `/members/${ids[1]}/stored-value/top-ups`, {
      token: cashier.token,
      key: uniq("top"),
      body: { amountFen: 10000, bonusFen: 1000, payments: [cash(10000)], locationId: store },
    })
    expect(top.status).toBe(201)
    const next = await walk(cashier.token, store, syncToken)
    expect(next.seen.map((m) => [m.id, m.storedValueFen])).toEqual([[ids[1], 11000]])
  })

  it("never skips a balance that committed after the till's pass though it stamped an older updatedAt", async () => {
    const { owner, store, cashier } = await shop({ skus: 1 })
    const [late, other] = [await member(owner, store), await member(owner, store)]
    const first = await walk(cashier.token, store)
    // A slow ledger write took its clock a minute ago and commits only now.
    await env.DB.prepare("update members set points_balance = 321, updated_at = ? where id = ?")
      .bind(Date.now() - 60_000, late)
      .run()
    const next = await walk(cashier.token, store, first.syncToken)
    expect(next.seen.map((m) => m.id)).toEqual([late])
    expect(next.seen.map((m) => m.id)).not.toContain(other)
    const again = await walk(cashier.token, store, next.syncToken)
    expect(again).toEqual({ seen: [], syncToken: next.syncToken })
  })

  it("answers a sync token it did not give out with a 400 problem", async () => {
    const { store, cashier } = await shop({ skus: 1 })
    const res = await call("GET", `/locations/${store}/members?syncToken=W10`, { token: cashier.token })
    expect(res.status).toBe(400)
    expect(res.body).toMatchObject({ code: "invalid_sync_token", errors: [{ path: "syncToken" }] })
  })

  it("carries an erasure to the tills, with nothing personal left", async () => {
    const { owner, store, cashier } = await shop({ skus: 1 })
    const id = await member(owner, store)
    expect((await call("POST", `/members/${id}/erase`, { token: owner, body: { reason: "request" } })).status).toBe(200)
    const [erased] = (await pass(cashier.token, store)).filter((m) => m.id === id)
    expect(erased).toMatchObject({ id, status: "erased", phoneKey: null, name: null, phoneMasked: "" })
  })

  it("answers 404 for another store's members", async () => {
    const { owner, cashier } = await shop({ skus: 1 })
    const other = await createLocation(owner)
    expect((await call("GET", `/locations/${other}/members`, { token: cashier.token })).status).toBe(404)
  })
})

describe("a member's purchase history", () => {
  it("lists the member's sales only, and only at stores the caller may see", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, priceFen: 1000, qty: 10 })
    const id = await member(owner, store)
    const line = [{ skuId: skuIds[0], qty: 1 }]
    const theirs = await sell(cashier.token, { locationId: store, lines: line, memberId: id, payments: [cash(1000)] })
    await sell(cashier.token, { locationId: store, lines: line, payments: [cash(1000)] })
    expect(theirs.status).toBe(201)

    const mine = await call("GET", `/sales?memberId=${id}`, { token: cashier.token })
    expect(mine.body.items.map((s: { id: string }) => s.id)).toEqual([theirs.body.id])
    const outsider = await staffToken(owner, "cashier", [await createLocation(owner)])
    expect((await call("GET", `/sales?memberId=${id}`, { token: outsider.token })).body.items).toEqual([])
  })
})
