// The catalog as the people of a chain use it: an owner sets up styles and prices, a cashier
// scans and searches, the store app syncs every change since it last looked.
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { withCheckDigit } from "../../core/barcode"
import { makeDb } from "../../worker/db/client"
import { scheduledJobs } from "../../worker/jobs/scheduled"
import { applyDuePrices, getSkusByIds } from "../../worker/modules/catalog"
import { call, createLocation, ownerToken, staffToken, uniq } from "./helpers"

type Sku = {
  id: string
  productId: string
  productName: string
  skuCode: string
  barcode: string | null
  attributes: Record<string, string>
  priceFen: number
  memberPriceFen: number | null
  costFen?: number | null
  status: string
  updatedAt: string
}
type Product = { id: string; name: string; status: string; skus: Sku[] }
type Page<T> = { items: T[]; nextCursor: string | null }

const randomDigits = (n: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => String(b % 10)).join("")
/** A fresh EAN-13 with a valid check digit (69 = China). */
const ean13 = () => withCheckDigit(`69${randomDigits(10)}`)

async function cashierOf(owner: string) {
  const store = await createLocation(owner)
  return (await staffToken(owner, "cashier", [store])).token
}

async function createProduct(token: string, body: Record<string, unknown>) {
  const res = await call<Product>("POST", "/products", { token, body })
  if (res.status !== 201) throw new Error(`product failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

describe("products and SKUs", () => {
  it("an owner creates a style in colour × size and a cashier finds a SKU by scanning its barcode", async () => {
    const owner = await ownerToken()
    const style = uniq("QS")
    const res = await call<Product>("POST", "/products", {
      token: owner,
      body: {
        name: "女士羊毛衫",
        options: { 颜色: ["黑", "白"], 尺码: ["S", "M", "L"] },
        skuCodePrefix: style,
        priceFen: 29900,
        memberPriceFen: 26900,
        costFen: 12000,
      },
    })
    expect(res.status).toBe(201)
    expect(res.body.id).toMatch(/^prd_/)
    expect(res.body.skus.map((s) => s.skuCode)).toEqual(
      ["黑-S", "黑-M", "黑-L", "白-S", "白-M", "白-L"].map((v) => `${style}-${v}`),
    )
    expect(res.body.skus[4]).toMatchObject({ attributes: { 颜色: "白", 尺码: "M" }, priceFen: 29900, costFen: 12000 })

    // The labels arrive: the white M gets its barcode.
    const whiteM = res.body.skus[4]!
    const barcode = ean13()
    const patched = await call<Sku>("PATCH", `/skus/${whiteM.id}`, { token: owner, body: { barcode } })
    expect(patched.status).toBe(200)
    expect(patched.body.barcode).toBe(barcode)

    const cashier = await cashierOf(owner)
    const scan = await call<Page<Sku>>("GET", `/skus?barcode=${barcode}`, { token: cashier })
    expect(scan.status).toBe(200)
    expect(scan.body.items).toHaveLength(1)
    expect(scan.body.items[0]).toMatchObject({
      id: whiteM.id,
      productName: "女士羊毛衫",
      skuCode: `${style}-白-M`,
      priceFen: 29900,
      memberPriceFen: 26900,
      unit: "piece",
      status: "active",
    })
    expect(scan.body.items[0]).not.toHaveProperty("costFen")
    const none = await call<Page<Sku>>("GET", `/skus?barcode=${ean13()}`, { token: cashier })
    expect(none.body.items).toEqual([])
  })

  it("lists products with how many variants each has and their price range, so HQ's list needs one call", async () => {
    const owner = await ownerToken()
    const name = uniq("连帽卫衣")
    const made = await createProduct(owner, {
      name,
      variants: [
        { skuCode: uniq("HD"), priceFen: 15900 },
        { skuCode: uniq("HD"), priceFen: 16900 },
        { skuCode: uniq("HD"), priceFen: 15900 },
      ],
    })
    const res = await call<Page<Product & { variants: number; minPriceFen: number; maxPriceFen: number }>>(
      "GET",
      `/products?q=${encodeURIComponent(name)}`,
      { token: owner },
    )
    expect(res.status).toBe(200)
    expect(res.body.items).toEqual([
      expect.objectContaining({ id: made.id, name, variants: 3, minPriceFen: 15900, maxPriceFen: 16900 }),
    ])
  })

  it("finds a UPC-A whether the scanner reads 12 digits or the EAN-13 form", async () => {
    const owner = await ownerToken()
    const upc = withCheckDigit(`0${randomDigits(10)}`)
    await createProduct(owner, {
      name: "进口薯片",
      variants: [{ skuCode: uniq("UPC"), barcode: upc, priceFen: 1290 }],
    })
    for (const form of [upc, `0${upc}`]) {
      const res = await call<Page<Sku>>("GET", `/skus?barcode=${form}`, { token: owner })
      expect(res.body.items.map((s) => s.barcode)).toEqual([upc])
    }
    // …and the EAN-13 form of the same code is a duplicate.
    const dup = await call("POST", "/products", {
      token: owner,
      body: { name: "同码", variants: [{ skuCode: uniq("UPC"), barcode: `0${upc}`, priceFen: 100 }] },
    })
    expect(dup.status).toBe(409)
    expect(dup.body.code).toBe("duplicate_barcode")
  })

  it("answers 409 with the offending path for a taken SKU code or barcode, in the catalog or the same request", async () => {
    const owner = await ownerToken()
    const code = uniq("DUP")
    const barcode = ean13()
    await createProduct(owner, { name: "矿泉水", variants: [{ skuCode: code, barcode, priceFen: 200 }] })

    const takenCode = await call("POST", "/products", {
      token: owner,
      body: {
        name: "矿泉水二",
        variants: [
          { skuCode: uniq("OK"), priceFen: 200 },
          { skuCode: code, priceFen: 200 },
        ],
      },
    })
    expect(takenCode.status).toBe(409)
    expect(takenCode.headers.get("content-type")).toContain("application/problem+json")
    expect(takenCode.body.code).toBe("duplicate_sku_code")
    expect(takenCode.body.errors.map((e: { path: string }) => e.path)).toEqual(["variants.1.skuCode"])

    const takenBarcode = await call("POST", "/products", {
      token: owner,
      body: { name: "矿泉水三", variants: [{ skuCode: uniq("OK"), barcode, priceFen: 200 }] },
    })
    expect(takenBarcode.status).toBe(409)
    expect(takenBarcode.body.code).toBe("duplicate_barcode")
    expect(takenBarcode.body.errors[0].path).toBe("variants.0.barcode")

    const twice = uniq("TWICE")
    const sameRequest = await call("POST", "/products", {
      token: owner,
      body: {
        name: "重复",
        variants: [
          { skuCode: twice, priceFen: 1 },
          { skuCode: twice, priceFen: 1 },
        ],
      },
    })
    expect(sameRequest.status).toBe(409)
    expect(sameRequest.body.code).toBe("duplicate_sku_code")
    expect(sameRequest.body.errors[0].path).toBe("variants.1.skuCode")
    const fresh = ean13()
    const sameBarcode = await call("POST", "/products", {
      token: owner,
      body: {
        name: "重复条码",
        variants: [
          { skuCode: uniq("B"), barcode: fresh, priceFen: 1 },
          { skuCode: uniq("B"), barcode: fresh, priceFen: 1 },
        ],
      },
    })
    expect(sameBarcode.status).toBe(409)
    expect(sameBarcode.body.errors[0].path).toBe("variants.1.barcode")

    // None of the refused products left a trace.
    const search = await call<Page<Sku>>("GET", `/skus?q=${twice.toLowerCase()}`, { token: owner })
    expect(search.body.items).toEqual([])
    const taken = await call(
      "PATCH",
      `/skus/${(await createProduct(owner, { name: "x", variants: [{ skuCode: uniq("P"), priceFen: 1 }] })).skus[0]!.id}`,
      {
        token: owner,
        body: { barcode },
      },
    )
    expect(taken.status).toBe(409)
    expect(taken.body.code).toBe("duplicate_barcode")
  })

  it("refuses a bad check digit with the field's path, and accepts in-store codes starting with 2", async () => {
    const owner = await ownerToken()
    const good = ean13()
    const bad = good.slice(0, 12) + String((Number(good[12]) + 1) % 10)
    const res = await call("POST", "/products", {
      token: owner,
      body: { name: "坏条码", variants: [{ skuCode: uniq("BAD"), barcode: bad, priceFen: 100 }] },
    })
    expect(res.status).toBe(400)
    expect(res.body.code).toBe("validation_failed")
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "variants.0.barcode" })])
    expect(res.body.errors[0].message).toMatch(/check digit/)

    const inStore = withCheckDigit(`2${randomDigits(11)}`)
    const weighed = await createProduct(owner, {
      name: "散装苹果",
      unit: "gram",
      vatRateBp: 900,
      variants: [{ skuCode: uniq("FR"), barcode: inStore, priceFen: 1280 }],
    })
    expect(weighed.skus[0]).toMatchObject({ barcode: inStore, unit: "gram" })
    const ean8 = withCheckDigit(randomDigits(7))
    const short = await createProduct(owner, {
      name: "口香糖",
      variants: [{ skuCode: uniq("E8"), barcode: ean8, priceFen: 250 }],
    })
    expect(short.skus[0]!.barcode).toBe(ean8)
  })

  it("a cashier may not create a product (403) and never sees cost", async () => {
    const owner = await ownerToken()
    const cashier = await cashierOf(owner)
    const denied = await call("POST", "/products", {
      token: cashier,
      body: { name: "收银员的商品", variants: [{ skuCode: uniq("C"), priceFen: 100 }] },
    })
    expect(denied.status).toBe(403)
    expect(denied.body.code).toBe("forbidden")
    const p = await createProduct(owner, {
      name: "保温杯",
      variants: [{ skuCode: uniq("BW"), priceFen: 8900, costFen: 3500 }],
    })
    const asCashier = await call<Product>("GET", `/products/${p.id}`, { token: cashier })
    expect(asCashier.status).toBe(200)
    expect(asCashier.body.skus[0]).not.toHaveProperty("costFen")
    const sku = await call<Sku>("GET", `/skus/${p.skus[0]!.id}`, { token: cashier })
    expect(sku.body).not.toHaveProperty("costFen")
    expect(sku.body.priceFen).toBe(8900)
    expect((await call<Sku>("GET", `/skus/${p.skus[0]!.id}`, { token: owner })).body.costFen).toBe(3500)
    expect(
      (await call("PATCH", `/skus/${p.skus[0]!.id}`, { token: cashier, body: { status: "archived" } })).status,
    ).toBe(403)
    expect(
      (await call("POST", `/skus/${p.skus[0]!.id}/prices`, { token: cashier, body: { priceFen: 1 } })).status,
    ).toBe(403)
  })

  it("answers unknown fields, wrong types, malformed JSON and a huge body with problem+json and creates nothing", async () => {
    const owner = await ownerToken()
    const code = uniq("NOPE")
    const variant = { skuCode: code, priceFen: 100 }
    const attempts: { body?: unknown; rawBody?: string; status: number; code: string }[] = [
      { body: { name: "x", variants: [variant], secret: 1 }, status: 400, code: "validation_failed" },
      { body: { name: "x", variants: [{ ...variant, discount: 5 }] }, status: 400, code: "validation_failed" },
      { body: { name: "x", variants: [{ ...variant, priceFen: "1.00" }] }, status: 400, code: "validation_failed" },
      { body: { name: "x", variants: [{ ...variant, priceFen: 1.5 }] }, status: 400, code: "validation_failed" },
      { body: { name: "x", variants: [{ ...variant, priceFen: -1 }] }, status: 400, code: "validation_failed" },
      {
        body: { name: "x", variants: [{ ...variant, priceFen: 100_000_001 }] },
        status: 400,
        code: "validation_failed",
      },
      { body: { name: "x", variants: [{ ...variant, memberPriceFen: 200 }] }, status: 400, code: "validation_failed" },
      { body: { name: "x", variants: [] }, status: 400, code: "validation_failed" },
      { body: { name: "x", unit: "kg", variants: [variant] }, status: 400, code: "validation_failed" },
      { body: { name: "x", variants: [variant], options: { 颜色: ["黑"] } }, status: 400, code: "validation_failed" },
      { body: { name: "x" }, status: 400, code: "validation_failed" },
      { rawBody: '{"name": "x", "variants": [', status: 400, code: "malformed_body" },
      {
        rawBody: JSON.stringify({ name: "x".repeat(1_100_000), variants: [variant] }),
        status: 413,
        code: "payload_too_large",
      },
    ]
    for (const a of attempts) {
      const res = await call("POST", "/products", {
        token: owner,
        ...(a.body !== undefined
          ? { body: a.body }
          : { rawBody: a.rawBody, headers: { "content-type": "application/json" } }),
      })
      const what = JSON.stringify(a.body ?? a.rawBody).slice(0, 120)
      expect(res.status, what).toBe(a.status)
      expect(res.headers.get("content-type"), what).toContain("application/problem+json")
      expect(res.body.code, what).toBe(a.code)
    }
    const unknownField = await call("POST", "/products", {
      token: owner,
      body: { name: "x", variants: [variant], secret: 1 },
    })
    expect(unknownField.body.errors).toEqual([expect.objectContaining({ path: "secret" })])
    const typed = await call("POST", "/products", {
      token: owner,
      body: { name: "x", variants: [{ ...variant, priceFen: "1.00" }] },
    })
    expect(typed.body.errors[0].path).toBe("variants.0.priceFen")
    const unknownCategory = await call("POST", "/products", {
      token: owner,
      body: { name: "x", categoryId: "cat_nope", variants: [variant] },
    })
    expect(unknownCategory.status).toBe(422)
    expect(unknownCategory.body.errors[0].path).toBe("categoryId")

    const found = await call<Page<Sku>>("GET", `/skus?q=${code}`, { token: owner })
    expect(found.body.items).toEqual([])
  })

  it("searches by name, code, barcode, attribute and pinyin initials, case-insensitively", async () => {
    const owner = await ownerToken()
    const tag = uniq("Srch")
    const barcode = ean13()
    const p = await createProduct(owner, {
      name: `碎花连衣裙${tag}`,
      variants: [
        { skuCode: `${tag}-RED`, barcode, attributes: { 颜色: "酒红", 尺码: "M" }, priceFen: 19900 },
        { skuCode: `${tag}-BLU`, attributes: { 颜色: "雾霾蓝", 尺码: "L" }, priceFen: 19900 },
      ],
    })
    await createProduct(owner, { name: `牛仔裤${tag}`, variants: [{ skuCode: `${tag}-JEANS`, priceFen: 25900 }] })
    const q = async (text: string) =>
      (await call<Page<Sku>>("GET", `/skus?q=${encodeURIComponent(text)}`, { token: owner })).body.items
        .map((s) => s.skuCode)
        .sort()
    expect(await q(tag.toUpperCase())).toEqual([`${tag}-BLU`, `${tag}-JEANS`, `${tag}-RED`])
    expect(await q(`连衣裙 ${tag}`)).toEqual([`${tag}-BLU`, `${tag}-RED`])
    expect(await q(`${tag}-red`)).toEqual([`${tag}-RED`])
    expect(await q(barcode)).toEqual([`${tag}-RED`])
    expect(await q(`雾霾蓝 ${tag}`)).toEqual([`${tag}-BLU`])
    expect(await q(`shlyq${tag.toLowerCase()}`)).toEqual([`${tag}-BLU`, `${tag}-RED`]) // 碎花连衣裙 → shlyq
    expect(await q(`nzk ${tag}`)).toEqual([`${tag}-JEANS`])
    expect(await q(`100%_ ${tag}`)).toEqual([])
    expect(p.skus).toHaveLength(2)
  })

  it("walks every changed SKU exactly once, in commit order, archived ones included", async () => {
    const owner = await ownerToken()
    const cashier = await cashierOf(owner)
    const since = new Date().toISOString()
    const tag = uniq("SYNC")
    const made: Product[] = []
    for (let i = 0; i < 3; i++)
      made.push(
        await createProduct(owner, {
          name: `同步测试${i}`,
          options: { 尺码: ["S", "M", "L"] },
          skuCodePrefix: `${tag}${i}`,
          priceFen: 1000,
        }),
      )
    const expected = made.flatMap((p) => p.skus.map((s) => s.id))

    const walk = async (from: string) => {
      const seen: Sku[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const qs: string = `updatedSince=${encodeURIComponent(from)}&limit=4${cursor ? `&cursor=${cursor}` : ""}`
        const page = await call<Page<Sku>>("GET", `/skus?${qs}`, { token: cashier })
        expect(page.status).toBe(200)
        expect(page.body.items.length).toBeLessThanOrEqual(4)
        seen.push(...page.body.items)
        cursor = page.body.nextCursor
        pages++
      } while (cursor && pages < 100)
      return seen
    }
    const first = await walk(since)
    const ids = first.map((s) => s.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toEqual(expect.arrayContaining(expected))
    // Commit order: the three products' SKUs come in the order they were created.
    expect(ids.filter((id) => expected.includes(id))).toEqual(expected)

    // Renaming a product and archiving another bring their SKUs back into the sync, archived ones marked.
    const mark = first.at(-1)!.updatedAt
    const renamed = await call<Product>("PATCH", `/products/${made[0]!.id}`, {
      token: owner,
      body: { name: "改名后的商品" },
    })
    expect(renamed.status).toBe(200)
    expect(renamed.body.skus.every((s) => s.productName === "改名后的商品")).toBe(true)
    await call("PATCH", `/products/${made[1]!.id}`, { token: owner, body: { status: "archived" } })
    await call("PATCH", `/skus/${made[2]!.skus[0]!.id}`, { token: owner, body: { status: "archived" } })
    const second = await walk(mark)
    const byId = new Map(second.map((s) => [s.id, s]))
    for (const s of made[0]!.skus) expect(byId.get(s.id)?.productName).toBe("改名后的商品")
    for (const s of made[1]!.skus) expect(byId.get(s.id)?.status).toBe("archived")
    expect(byId.get(made[2]!.skus[0]!.id)?.status).toBe("archived")
    expect(byId.get(made[2]!.skus[1]!.id)?.status ?? "active").toBe("active")
    // The new name is searchable, the old one no longer finds those SKUs.
    const found = await call<Page<Sku>>("GET", `/skus?q=${encodeURIComponent(`改名后的商品 ${tag}0`)}`, {
      token: owner,
    })
    expect(found.body.items).toHaveLength(3)
    const gone = await call<Page<Sku>>("GET", `/skus?q=${encodeURIComponent(`同步测试0 ${tag}0`)}`, { token: owner })
    expect(gone.body.items).toHaveLength(0)

    expect((await call("GET", "/skus?updatedSince=yesterday", { token: cashier })).status).toBe(400)
    expect((await call("GET", "/skus?updatedSince=2026-01-01T00:00:00Z&cursor=W10", { token: cashier })).status).toBe(
      400,
    )
  })

  it("keeps price history, and the ten-minute job applies a future price when it is due", async () => {
    const owner = await ownerToken()
    const p = await createProduct(owner, {
      name: "咖啡豆",
      variants: [{ skuCode: uniq("CF"), priceFen: 8800, memberPriceFen: 7900 }],
    })
    const sku = p.skus[0]!
    const now = await call("POST", `/skus/${sku.id}/prices`, { token: owner, body: { priceFen: 9800 } })
    expect(now.status).toBe(201)
    expect(now.body).toMatchObject({ priceFen: 9800, memberPriceFen: 7900, status: "applied" })
    expect((await call<Sku>("GET", `/skus/${sku.id}`, { token: owner })).body).toMatchObject({
      priceFen: 9800,
      memberPriceFen: 7900,
    })

    const at = Date.now() + 3_600_000
    const future = await call("POST", `/skus/${sku.id}/prices`, {
      token: owner,
      body: { priceFen: 6900, memberPriceFen: null, effectiveFrom: new Date(at).toISOString() },
    })
    expect(future.status).toBe(201)
    expect(future.body.status).toBe("pending")
    expect((await call<Sku>("GET", `/skus/${sku.id}`, { token: owner })).body.priceFen).toBe(9800)

    const db = makeDb(env.DB)
    await applyDuePrices(db, at - 1) // not yet
    expect((await call<Sku>("GET", `/skus/${sku.id}`, { token: owner })).body.priceFen).toBe(9800)
    const ran = await applyDuePrices(db, at + 1)
    expect(ran.applied).toBeGreaterThanOrEqual(1)
    const after = await call<Sku>("GET", `/skus/${sku.id}`, { token: owner })
    expect(after.body).toMatchObject({ priceFen: 6900, memberPriceFen: null })
    expect((await applyDuePrices(db, at + 2)).applied).toBe(0) // nothing applied twice

    const history = await call<Page<{ priceFen: number; status: string; effectiveFrom: string }>>(
      "GET",
      `/skus/${sku.id}/prices`,
      { token: owner },
    )
    expect(history.body.items.map((h) => [h.priceFen, h.status])).toEqual([
      [6900, "applied"],
      [9800, "applied"],
      [8800, "applied"],
    ])
    const paged = await call<Page<unknown>>("GET", `/skus/${sku.id}/prices?limit=2`, { token: owner })
    expect(paged.body.items).toHaveLength(2)
    const rest = await call<Page<{ priceFen: number }>>(
      "GET",
      `/skus/${sku.id}/prices?limit=2&cursor=${paged.body.nextCursor}`,
      {
        token: owner,
      },
    )
    expect(rest.body.items.map((h) => h.priceFen)).toEqual([8800])
    expect(scheduledJobs.frequent.map((j) => j.name)).toContain("apply-due-prices")
  })

  it("a late job never undoes a price set after the future one fell due", async () => {
    const owner = await ownerToken()
    const p = await createProduct(owner, { name: "茶叶", variants: [{ skuCode: uniq("TEA"), priceFen: 5000 }] })
    const sku = p.skus[0]!
    const soon = Date.now() + 50
    await call("POST", `/skus/${sku.id}/prices`, {
      token: owner,
      body: { priceFen: 4000, effectiveFrom: new Date(soon).toISOString() },
    })
    // Without waiting: the owner's later decision carries a later effective time than the scheduled one.
    const db = makeDb(env.DB)
    await env.DB.prepare("update sku_prices set effective_from = ? where sku_id = ? and applied_at is null")
      .bind(Date.now() - 60_000, sku.id)
      .run()
    await call("POST", `/skus/${sku.id}/prices`, { token: owner, body: { priceFen: 4500 } })
    await applyDuePrices(db, Date.now())
    expect((await call<Sku>("GET", `/skus/${sku.id}`, { token: owner })).body.priceFen).toBe(4500)
  })

  it("adds variants to a product and edits it; others can read what other modules need", async () => {
    const owner = await ownerToken()
    const tag = uniq("ADD")
    const p = await createProduct(owner, {
      name: "袜子",
      variants: [{ skuCode: `${tag}-1`, priceFen: 990, costFen: 300 }],
    })
    const added = await call<Product>("POST", `/products/${p.id}/variants`, {
      token: owner,
      body: { variants: [{ skuCode: `${tag}-2`, barcode: ean13(), attributes: { 颜色: "灰" }, priceFen: 1290 }] },
    })
    expect(added.status).toBe(201)
    expect(added.body.skus.map((s) => s.skuCode)).toEqual([`${tag}-1`, `${tag}-2`])
    const dup = await call("POST", `/products/${p.id}/variants`, {
      token: owner,
      body: { variants: [{ skuCode: `${tag}-1`, priceFen: 1 }] },
    })
    expect(dup.status).toBe(409)
    expect(
      (
        await call("POST", "/products/prd_nope/variants", {
          token: owner,
          body: { variants: [{ skuCode: uniq(), priceFen: 1 }] },
        })
      ).status,
    ).toBe(404)
    expect((await call("GET", "/products/prd_nope", { token: owner })).status).toBe(404)
    expect((await call("GET", "/skus/sku_nope", { token: owner })).status).toBe(404)

    const facts = await getSkusByIds(makeDb(env.DB), [p.skus[0]!.id, "sku_nope"])
    expect(facts.size).toBe(1)
    expect(facts.get(p.skus[0]!.id)).toMatchObject({ priceFen: 990, costFen: 300, unit: "piece", vatRateBp: 1300 })

    const list = await call<Page<{ id: string }>>("GET", `/products?q=${encodeURIComponent("袜子")}&limit=100`, {
      token: owner,
    })
    expect(list.body.items.map((x) => x.id)).toContain(p.id)
  })
})

describe("categories and brands", () => {
  it("builds a category tree, listed flat with paths, and brands; duplicates are 409", async () => {
    const owner = await ownerToken()
    const root = uniq("服装")
    const top = await call("POST", "/categories", { token: owner, body: { name: root } })
    expect(top.status).toBe(201)
    expect(top.body).toMatchObject({ name: root, parentId: null, namePath: root, depth: 0 })
    const child = await call("POST", "/categories", { token: owner, body: { name: "女装", parentId: top.body.id } })
    expect(child.body).toMatchObject({ namePath: `${root}/女装`, path: `${top.body.id}/${child.body.id}`, depth: 1 })
    const again = await call("POST", "/categories", { token: owner, body: { name: "女装", parentId: top.body.id } })
    expect(again.status).toBe(409)
    expect(again.body.code).toBe("duplicate_category")
    const orphan = await call("POST", "/categories", { token: owner, body: { name: "x", parentId: "cat_nope" } })
    expect(orphan.status).toBe(422)
    expect((await call("POST", "/categories", { token: owner, body: { name: "a/b" } })).status).toBe(400)

    const all: { namePath: string }[] = []
    let cursor: string | null = null
    do {
      const page: { body: Page<{ namePath: string }> } = await call(
        "GET",
        `/categories?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        {
          token: owner,
        },
      )
      all.push(...page.body.items)
      cursor = page.body.nextCursor
    } while (cursor)
    const paths = all.map((c) => c.namePath)
    expect(paths.indexOf(`${root}/女装`)).toBe(paths.indexOf(root) + 1)

    const brand = uniq("铺子")
    const b = await call("POST", "/brands", { token: owner, body: { name: brand } })
    expect(b.status).toBe(201)
    expect((await call("POST", "/brands", { token: owner, body: { name: brand } })).body.code).toBe("duplicate_brand")
    const p = await createProduct(owner, {
      name: "连帽卫衣",
      categoryId: child.body.id,
      brandId: b.body.id,
      variants: [{ skuCode: uniq("HD"), priceFen: 15900 }],
    })
    expect(p).toMatchObject({ categoryId: child.body.id, brandId: b.body.id })
    const cashier = await cashierOf(owner)
    expect((await call("GET", "/categories", { token: cashier })).status).toBe(200)
    expect((await call("POST", "/brands", { token: cashier, body: { name: uniq() } })).status).toBe(403)
  })
})
