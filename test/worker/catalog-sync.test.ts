// A till keeps the catalog on the device and asks only for what changed since its last pass: it keeps the
// syncToken of the last page it stored. These stories check that nothing is fetched twice without a reason
// (thousands of SKUs of one import share an updatedAt) and nothing is ever skipped (a SKU changed while the
// till pages, a write that committed after the till's pass though it stamped an older updatedAt).
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { encodeCursor } from "../../worker/lib/pagination"
import { call, createLocation, ownerToken, staffToken, uniq } from "./helpers"

type Sku = { id: string; skuCode: string; priceFen: number; status: string; updatedAt: string }
type SyncPage = { items: Sku[]; nextCursor: string | null; syncToken: string }
type Product = { id: string; skus: Sku[] }

async function cashierOf(owner: string) {
  return (await staffToken(owner, "cashier", [await createLocation(owner)])).token
}

async function style(owner: string, sizes: string[], tag = uniq("SY")) {
  const res = await call<Product>("POST", "/products", {
    token: owner,
    body: { name: `同步款${tag}`, options: { 尺码: sizes }, skuCodePrefix: tag, priceFen: 9900 },
  })
  expect(res.status).toBe(201)
  return res.body
}

const page = (token: string, query: Record<string, string>) =>
  call<SyncPage>("GET", `/skus?${new URLSearchParams(query)}`, { token })

/**
 * One pass as the app makes it: from the token it kept (or from the epoch), page after page, keeping each
 * page's syncToken. `between` runs after the first page, as if someone changed the catalog meanwhile.
 */
async function pass(
  token: string,
  from: string | undefined,
  limit = 1000,
  between?: (firstPage: Sku[]) => Promise<void>,
) {
  const seen: Sku[] = []
  let at = from
  let pages = 0
  for (;;) {
    const res = await page(token, {
      ...(at ? { syncToken: at } : { updatedSince: new Date(0).toISOString() }),
      limit: String(limit),
    })
    expect(res.status).toBe(200)
    expect(res.body.items.length).toBeLessThanOrEqual(limit)
    seen.push(...res.body.items)
    at = res.body.syncToken
    if (++pages === 1) await between?.(res.body.items)
    if (!res.body.nextCursor) return { seen, token: at, pages }
  }
}

describe("the till's incremental catalog sync", () => {
  it("after a full pass, fetches only the SKUs added since, though a whole style shares one updatedAt", async () => {
    const owner = await ownerToken()
    const cashier = await cashierOf(owner)
    const first = await pass(cashier, undefined)
    const big = await style(owner, ["XS", "S", "M", "L", "XL", "XXL", "3XL"])
    expect(new Set(big.skus.map((s) => s.updatedAt)).size).toBe(1)

    const second = await pass(cashier, first.token, 3)
    expect(second.seen.map((s) => s.id)).toEqual(big.skus.map((s) => s.id))
    expect(second.pages).toBe(3)

    const added = await call<Product>("POST", `/products/${big.id}/variants`, {
      token: owner,
      body: { variants: [{ skuCode: uniq("SYN"), priceFen: 9900 }] },
    })
    expect(added.status).toBe(201)
    const third = await pass(cashier, second.token, 3)
    expect(third.seen.map((s) => s.skuCode)).toEqual([added.body.skus.at(-1)!.skuCode])

    const idle = await pass(cashier, third.token)
    expect(idle).toMatchObject({ seen: [], token: third.token })
  })

  it("brings a SKU changed while the till pages again, later in the same pass, with its new price", async () => {
    const owner = await ownerToken()
    const cashier = await cashierOf(owner)
    const { token } = await pass(cashier, undefined)
    const skus = (await style(owner, ["S", "M", "L", "XL", "XXL", "3XL"])).skus

    let firstPage: Sku[] = []
    const changePrices = async (items: Sku[]) => {
      firstPage = items
      for (const sku of [firstPage[0]!, skus.at(-1)!])
        expect((await call("POST", `/skus/${sku.id}/prices`, { token: owner, body: { priceFen: 7900 } })).status).toBe(
          201,
        )
    }
    const walked = await pass(cashier, token, 2, changePrices)
    const last = new Map(walked.seen.map((s) => [s.id, s])) // what the device holds after the pass
    expect([...last.keys()].sort()).toEqual(skus.map((s) => s.id).sort())
    expect(last.get(firstPage[0]!.id)?.priceFen).toBe(7900)
    expect(last.get(skus.at(-1)!.id)?.priceFen).toBe(7900)
    expect(walked.seen.filter((s) => s.id === firstPage[0]!.id)).toHaveLength(2)
  })

  it("never skips a write that committed after the till's pass though it stamped an older updatedAt", async () => {
    const owner = await ownerToken()
    const cashier = await cashierOf(owner)
    const [late, fresh] = (await style(owner, ["S", "M"])).skus
    await call("POST", `/skus/${fresh!.id}/prices`, { token: owner, body: { priceFen: 8800 } })
    const { seen, token } = await pass(cashier, undefined)
    const newest = seen
      .map((s) => s.updatedAt)
      .sort()
      .at(-1)!

    // A slow writer took its clock an hour ago and commits only now (a long import, a retried batch).
    const anHourAgo = Date.now() - 3_600_000
    await env.DB.prepare("update skus set price_fen = 5500, updated_at = ? where id = ?")
      .bind(anHourAgo, late!.id)
      .run()
    expect(new Date(anHourAgo).toISOString() < newest).toBe(true) // an updatedSince cursor would skip it

    const next = await pass(cashier, token)
    expect(next.seen.map((s) => [s.id, s.priceFen])).toEqual([[late!.id, 5500]])
  })

  it("takes up to 1,000 SKUs a page when syncing, lists stay at 100", async () => {
    const owner = await ownerToken()
    const cashier = await cashierOf(owner)
    await style(owner, ["S"])
    expect((await page(cashier, { updatedSince: new Date(0).toISOString(), limit: "1000" })).status).toBe(200)
    const big = await call("GET", "/skus?limit=1000", { token: cashier })
    expect(big.status).toBe(400)
    expect(big.body).toMatchObject({ code: "validation_failed", errors: [{ path: "limit" }] })
    expect((await call("GET", "/skus?limit=100", { token: cashier })).status).toBe(200)
    const tooBig = await page(cashier, { updatedSince: new Date(0).toISOString(), limit: "1001" })
    expect(tooBig.status).toBe(400)
  })

  it("answers a token or cursor it did not give out with a 400 problem", async () => {
    const owner = await ownerToken()
    const cashier = await cashierOf(owner)
    const listCursor = encodeCursor(["sku_01J"]) // a list's cursor is no sync position
    for (const [query, code] of [
      [{ syncToken: "not-a-token" }, "invalid_sync_token"],
      [{ syncToken: encodeCursor(["sync", -1]) }, "invalid_sync_token"],
      [{ syncToken: encodeCursor(["sync", 1.5]) }, "invalid_sync_token"],
      [{ syncToken: listCursor }, "invalid_sync_token"],
      [{ updatedSince: new Date(0).toISOString(), cursor: listCursor }, "invalid_cursor"],
      [{ updatedSince: "yesterday" }, "validation_failed"],
    ] as const) {
      const res = await page(cashier, query)
      expect(res.status, JSON.stringify(query)).toBe(400)
      expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/)
      expect(res.body).toMatchObject({ code })
    }
  })
})
