// A store's tills keep its members for offline use: GET /locations/{id}/members hands them out
// incrementally (updatedSince + cursor), phones only as keys, erasures included; and a member's
// purchase history is GET /sales?memberId=, within what the caller may see.
import { describe, expect, it } from "vitest"
import { memberPhoneKey } from "../../core/member-phone-key"
import { call, createLocation, staffToken, uniq } from "./helpers"
import { cash, member, sell, shop } from "./sales-helpers"

type Cached = { id: string; phoneKey: string | null; status: string; storedValueFen: number; updatedAt: string }
type Page = { items: Cached[]; nextCursor: string | null }

/** Every page of one pass, as the till walks it. */
async function pass(token: string, store: string, updatedSince?: string) {
  const seen: Cached[] = []
  let cursor: string | null = null
  do {
    const q = new URLSearchParams({ limit: "2" })
    if (updatedSince) q.set("updatedSince", updatedSince)
    if (cursor) q.set("cursor", cursor)
    const res = await call<Page>("GET", `/locations/${store}/members?${q}`, { token })
    expect(res.status).toBe(200)
    seen.push(...res.body.items)
    cursor = res.body.nextCursor
  } while (cursor)
  return seen
}

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

    const newest = first
      .map((m) => m.updatedAt)
      .sort()
      .at(-1)!
    await new Promise((r) => setTimeout(r, 5)) // the top-up lands in a later millisecond than the pass saw
    const top = await call("POST", `/members/${ids[1]}/stored-value/top-ups`, {
      token: cashier.token,
      key: uniq("top"),
      body: { amountFen: 10000, bonusFen: 1000, payments: [cash(10000)], locationId: store },
    })
    expect(top.status).toBe(201)
    const next = await pass(cashier.token, store, newest)
    const changed = next.filter((m) => m.updatedAt > newest)
    expect(changed.map((m) => [m.id, m.storedValueFen])).toEqual([[ids[1], 11000]])
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
