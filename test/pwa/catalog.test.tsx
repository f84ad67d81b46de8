import { describe, expect, it } from "vitest"
import Catalog from "../../pwa/src/screens/catalog"
import { byTestId, click, eventually, json, mount, problem, type StubCall, stubApi, text, type } from "./helpers"
import { goOffline, rows, signedInAs } from "./stock-helpers"

// HQ's 商品 screen against a small fake catalog API: products with their SKUs, prices and price history.

type Variant = { skuCode: string; barcode?: string; attributes: Record<string, string>; priceFen: number }
type Sku = Omit<Variant, "barcode"> & {
  id: string
  productId: string
  barcode: string | null
  memberPriceFen: number | null
}
type Product = { id: string; name: string; categoryId: string | null; brandId: string | null; status: "active" }

const CATEGORIES = [{ id: "cat_top", namePath: "服装/上衣" }]
const BRANDS = [{ id: "brd_own", name: "铺子自营" }]

const fakeCatalog = (seed: { product: Product; skus: Sku[] }[] = [], pageSize = 20) => {
  const products = seed.map((s) => s.product)
  const skus = seed.flatMap((s) => s.skus)
  const prices: { id: string; skuId: string; priceFen: number; effectiveFrom: string; status: string }[] = []
  const withSkus = (p: Product) => ({ ...p, skus: skus.filter((s) => s.productId === p.id) })
  const byKey: Record<string, (call: StubCall) => Response> = {
    "GET /api/v1/categories": () => json(200, { items: CATEGORIES, nextCursor: null }),
    "GET /api/v1/brands": () => json(200, { items: BRANDS, nextCursor: null }),
    "GET /api/v1/products": (call) => {
      const q = call.query.get("q")
      const found = products.filter((p) => !q || p.name.includes(q))
      const from = Number(call.query.get("cursor") ?? 0)
      const to = from + pageSize
      // As the server answers a list: each product with its variant count and price range.
      const summary = (p: Product) => {
        const prices = skus.filter((s) => s.productId === p.id).map((s) => s.priceFen)
        return {
          ...p,
          variants: prices.length,
          minPriceFen: prices.length ? Math.min(...prices) : null,
          maxPriceFen: prices.length ? Math.max(...prices) : null,
        }
      }
      const page = found.slice(from, to).map(summary)
      return json(200, { items: page, nextCursor: to < found.length ? String(to) : null })
    },
    "GET /api/v1/skus": (call) => {
      const q = call.query.get("q") ?? ""
      return json(200, { items: skus.filter((s) => s.skuCode.includes(q)), nextCursor: null })
    },
    "POST /api/v1/products": (call) => {
      const body = call.body as Omit<Product, "id" | "status"> & { variants: Variant[] }
      const taken = body.variants.find((v) => skus.some((s) => s.skuCode === v.skuCode))
      if (taken)
        return json(409, {
          status: 409,
          code: "duplicate_sku_code",
          title: "Conflict",
          detail: "A SKU code is already in use.",
          errors: [{ path: "variants.0.skuCode", message: `SKU code ${taken.skuCode} is taken.` }],
        })
      const product: Product = { id: `prd_${products.length + 1}`, ...body, status: "active" }
      products.push(product)
      body.variants.forEach((v, i) => {
        skus.push({
          ...v,
          id: `${product.id}_sku${i + 1}`,
          productId: product.id,
          barcode: v.barcode ?? null,
          memberPriceFen: null,
        })
      })
      return json(201, withSkus(product))
    },
  }
  const product = (id: string) => () => {
    const found = products.find((p) => p.id === id)
    return found ? json(200, withSkus(found)) : problem(404, { code: "not_found", title: "Not Found" })
  }
  // Now: the SKU's price changes; from a later instant: kept pending until then.
  const changePrice = (id: string) => (call: StubCall) => {
    const sku = skus.find((s) => s.id === id)!
    const body = call.body as { priceFen: number; effectiveFrom?: string }
    if (sku.memberPriceFen !== null && sku.memberPriceFen > body.priceFen)
      return json(422, {
        status: 422,
        code: "member_price_above_price",
        title: "Unprocessable",
        detail: "The member price may not exceed the retail price.",
        errors: [{ path: "priceFen", message: "Above the price." }],
      })
    if (!body.effectiveFrom) sku.priceFen = body.priceFen
    const entry = {
      id: `prc_${prices.length + 1}`,
      skuId: id,
      priceFen: body.priceFen,
      effectiveFrom: body.effectiveFrom ?? "2026-11-25T08:00:00.000Z",
      status: body.effectiveFrom ? "pending" : "applied",
    }
    prices.unshift(entry)
    return json(201, entry)
  }
  const history = (id: string) => () => json(200, { items: prices.filter((p) => p.skuId === id), nextCursor: null })
  // Paths with an id in them ("METHOD /path/{id}…"): answered by looking the id up.
  const withId: [RegExp, (id: string) => (call: StubCall) => Response][] = [
    [/^GET \/api\/v1\/products\/([^/]+)$/, product],
    [/^POST \/api\/v1\/skus\/([^/]+)\/prices$/, changePrice],
    [/^GET \/api\/v1\/skus\/([^/]+)\/prices$/, history],
  ]
  const routes = new Proxy(byKey, {
    get: (fixed, key: string) => {
      if (fixed[key]) return fixed[key]
      for (const [pattern, answer] of withId) {
        const id = pattern.exec(key)?.[1]
        if (id) return answer(id)
      }
      return undefined
    },
  })
  const calls = stubApi(routes)
  return calls
}

const tee = (id: string, name: string, prices: number[]): { product: Product; skus: Sku[] } => ({
  product: { id, name, categoryId: "cat_top", brandId: "brd_own", status: "active" },
  skus: prices.map((priceFen, i) => ({
    id: `${id}_sku${i + 1}`,
    productId: id,
    skuCode: `${id.toUpperCase()}-${i + 1}`,
    barcode: null,
    attributes: { 尺码: String(i + 1) },
    priceFen,
    memberPriceFen: null,
  })),
})

const listed = (screen: HTMLElement) =>
  rows(screen, "product").map((row) => [text(row, "product-row-name"), text(row, "product-row-summary")])

const skuRows = (screen: HTMLElement) =>
  rows(screen, "sku").map((row) => [text(row, "sku-code"), text(row, "sku-attributes"), text(row, "sku-price")])

const choose = async (select: HTMLSelectElement, value: string) => {
  select.value = value
  select.dispatchEvent(new Event("change", { bubbles: true }))
}

describe("the catalog at HQ", () => {
  it("creates a T-shirt in 2 colours × 3 sizes at ¥99, then makes size L ¥89", async () => {
    signedInAs("manager")
    const calls = fakeCatalog()
    const screen = await mount(<Catalog />)
    await eventually(() => expect(text(screen, "catalog-empty")).toBe("没有找到商品"))

    await click(byTestId(screen, "product-new"))
    await type(byTestId(screen, "product-name"), "纯棉T恤")
    await eventually(() => expect(byTestId<HTMLSelectElement>(screen, "product-category").options.length).toBe(2))
    await choose(byTestId(screen, "product-category"), "cat_top")
    await choose(byTestId(screen, "product-brand"), "brd_own")
    await type(byTestId(screen, "product-code"), "TX26")
    await type(byTestId(screen, "product-colours"), "白，黑")
    await type(byTestId(screen, "product-sizes"), "S M L")
    await type(byTestId(screen, "product-price"), "99")
    expect(rows(screen, "grid-row").map((r) => r.textContent)).toEqual([
      "TX26-白-S",
      "TX26-白-M",
      "TX26-白-L",
      "TX26-黑-S",
      "TX26-黑-M",
      "TX26-黑-L",
    ])
    await type(rows(screen, "grid-row")[0]!.querySelector("input")!, "6901234567892")
    await click(byTestId(screen, "product-create"))

    await eventually(() => expect(text(screen, "catalog-notice")).toBe("已创建 纯棉T恤（6 个规格）"))
    const created = calls.find((c) => c.method === "POST" && c.path === "/api/v1/products")!
    const variant = (colour: string, size: string) => ({
      skuCode: `TX26-${colour}-${size}`,
      attributes: { 颜色: colour, 尺码: size },
      priceFen: 9900,
    })
    expect(created.body).toEqual({
      name: "纯棉T恤",
      categoryId: "cat_top",
      brandId: "brd_own",
      variants: [
        { ...variant("白", "S"), barcode: "6901234567892" },
        variant("白", "M"),
        variant("白", "L"),
        variant("黑", "S"),
        variant("黑", "M"),
        variant("黑", "L"),
      ],
    })
    expect(skuRows(screen)).toHaveLength(6)
    expect(skuRows(screen)[2]).toEqual(["TX26-白-L", "白 / L", "¥99.00"])
    expect(text(rows(screen, "sku")[0]!, "sku-barcode")).toBe("6901234567892")

    const large = rows(screen, "sku")[2]!
    await click(byTestId(large, "sku-price-change"))
    expect(byTestId(screen, "price-form").textContent).toContain("TX26-白-L 改价")
    await type(byTestId(screen, "price-new"), "89")
    await click(byTestId(screen, "price-save"))

    await eventually(() => expect(text(screen, "product-notice")).toBe("已改价：1 个规格改为 ¥89.00"))
    const changed = calls.filter((c) => c.method === "POST" && c.path.endsWith("/prices"))
    expect(changed.map((c) => [c.path, c.body])).toEqual([["/api/v1/skus/prd_1_sku3/prices", { priceFen: 8900 }]])
    await eventually(() => expect(skuRows(screen)[2]).toEqual(["TX26-白-L", "白 / L", "¥89.00"]))
    expect(skuRows(screen)[1]?.[2]).toBe("¥99.00")

    await click(byTestId(rows(screen, "sku")[2]!, "sku-history"))
    await eventually(() => expect(rows(screen, "price-entry").map((r) => r.textContent)).toHaveLength(1))
    expect(text(screen, "price-history")).toContain("¥89.00")
    expect(text(screen, "price-history")).toContain("已生效")
  })

  it("searches the list by name or code and shows variants and the price range", async () => {
    signedInAs("manager")
    const calls = fakeCatalog([tee("prd_a", "纯棉T恤", [8900, 9900, 9900]), tee("prd_b", "羊毛衫", [29900])])
    const screen = await mount(<Catalog />)
    await eventually(() =>
      expect(listed(screen)).toEqual([
        ["纯棉T恤", "3 个规格 · ¥89.00–¥99.00"],
        ["羊毛衫", "1 个规格 · ¥299.00"],
      ]),
    )
    expect(byTestId(screen, "catalog-list").textContent).toContain("服装/上衣 · 铺子自营")

    await type(byTestId(screen, "catalog-search"), "羊毛")
    await click(byTestId(screen, "catalog-find"))
    await eventually(() => expect(listed(screen)).toEqual([["羊毛衫", "1 个规格 · ¥299.00"]]))
    expect(calls.some((c) => c.path === "/api/v1/products" && c.query.get("q") === "羊毛")).toBe(true)
    // The list's own answer carries variants and prices: no product is read one by one for it.
    const oneByOne = () => calls.filter((c) => /^\/api\/v1\/products\/[^/]+$/.test(c.path)).length
    expect(oneByOne()).toBe(0)

    await type(byTestId(screen, "catalog-search"), "PRD_A-2")
    await click(byTestId(screen, "catalog-find"))
    await eventually(() => expect(listed(screen)).toEqual([["纯棉T恤", "3 个规格 · ¥89.00–¥99.00"]]))
    expect(calls.some((c) => c.path === "/api/v1/skus" && c.query.get("q") === "PRD_A-2")).toBe(true)
    // Found by a code only, that one product is read to show it.
    expect(oneByOne()).toBe(1)
  })

  it("loads more products a page at a time", async () => {
    signedInAs("manager")
    fakeCatalog([tee("prd_a", "纯棉T恤", [9900]), tee("prd_b", "羊毛衫", [29900])], 1)
    const screen = await mount(<Catalog />)
    await eventually(() => expect(listed(screen).map((r) => r[0])).toEqual(["纯棉T恤"]))

    await click(byTestId(screen, "catalog-more"))

    await eventually(() => expect(listed(screen).map((r) => r[0])).toEqual(["纯棉T恤", "羊毛衫"]))
    expect(screen.querySelector("[data-testid='catalog-more']")).toBeNull()
  })

  it("changes every variant's price at once", async () => {
    signedInAs("owner")
    const calls = fakeCatalog([tee("prd_a", "纯棉T恤", [8900, 9900])])
    const screen = await mount(<Catalog />)
    await click(await eventually(() => byTestId(screen, "product")))
    await click(await eventually(() => byTestId(screen, "price-all")))
    await type(byTestId(screen, "price-new"), "79.9")
    await click(byTestId(screen, "price-save"))

    await eventually(() => expect(text(screen, "product-notice")).toBe("已改价：2 个规格改为 ¥79.90"))
    expect(calls.filter((c) => c.method === "POST").map((c) => [c.path, c.body])).toEqual([
      ["/api/v1/skus/prd_a_sku1/prices", { priceFen: 7990 }],
      ["/api/v1/skus/prd_a_sku2/prices", { priceFen: 7990 }],
    ])
    await eventually(() => expect(skuRows(screen).map((r) => r[2])).toEqual(["¥79.90", "¥79.90"]))
  })

  it("says which variants changed when one of them refuses the new price", async () => {
    signedInAs("manager")
    const seeded = tee("prd_a", "纯棉T恤", [9900, 9900])
    seeded.skus[1]!.memberPriceFen = 8500
    const calls = fakeCatalog([seeded])
    const screen = await mount(<Catalog />)
    await click(await eventually(() => byTestId(screen, "product")))
    await click(await eventually(() => byTestId(screen, "price-all")))
    await type(byTestId(screen, "price-new"), "79")
    await click(byTestId(screen, "price-save"))

    await eventually(() =>
      expect(text(screen, "price-problem")).toBe(
        "2 个规格中已改 1 个，其余未改：The member price may not exceed the retail price.（Above the price.）",
      ),
    )
    expect(calls.filter((c) => c.method === "POST").map((c) => c.path)).toEqual([
      "/api/v1/skus/prd_a_sku1/prices",
      "/api/v1/skus/prd_a_sku2/prices",
    ])
    await eventually(() => expect(skuRows(screen).map((r) => r[2])).toEqual(["¥79.00", "¥99.00"]))
  })

  it("schedules a price from a date: the call carries the instant, the variant keeps its price until then", async () => {
    signedInAs("manager")
    const calls = fakeCatalog([tee("prd_a", "纯棉T恤", [9900])])
    const screen = await mount(<Catalog />)
    await click(await eventually(() => byTestId(screen, "product")))
    await click(await eventually(() => byTestId(screen, "sku-price-change")))
    await type(byTestId(screen, "price-new"), "89")
    await type(byTestId(screen, "price-from"), "2026-12-01T00:00")
    await click(byTestId(screen, "price-save"))

    const from = new Date("2026-12-01T00:00").toISOString()
    await eventually(() => expect(text(screen, "product-notice")).toContain("已安排改价：1 个规格将于"))
    expect(calls.filter((c) => c.method === "POST").map((c) => c.body)).toEqual([
      { priceFen: 8900, effectiveFrom: from },
    ])
    expect(skuRows(screen)[0]?.[2]).toBe("¥99.00")
    await click(byTestId(screen, "sku-history"))
    await eventually(() => expect(text(screen, "price-history")).toContain("¥89.00"))
    expect(text(screen, "price-history")).toContain("未生效")
  })

  it("shows the server's reason when a SKU code is taken, and keeps the form", async () => {
    signedInAs("manager")
    fakeCatalog([tee("prd_a", "纯棉T恤", [9900])])
    const screen = await mount(<Catalog />)
    await click(await eventually(() => byTestId(screen, "product-new")))
    await click(byTestId(screen, "product-kind-single"))
    await type(byTestId(screen, "product-name"), "帆布袋")
    await type(byTestId(screen, "product-code"), "PRD_A-1")
    await type(byTestId(screen, "product-price"), "19.9")
    await click(byTestId(screen, "product-create"))

    await eventually(() =>
      expect(text(screen, "product-problem")).toBe("A SKU code is already in use.（SKU code PRD_A-1 is taken.）"),
    )
    expect(byTestId(screen, "new-product")).toBeTruthy()
  })

  it("refuses a bad price or barcode before calling", async () => {
    signedInAs("manager")
    const calls = fakeCatalog()
    const screen = await mount(<Catalog />)
    await click(await eventually(() => byTestId(screen, "product-new")))
    await click(byTestId(screen, "product-kind-single"))
    await type(byTestId(screen, "product-name"), "帆布袋")
    await type(byTestId(screen, "product-code"), "BAG-1")
    await type(byTestId(screen, "product-price"), "十九")
    await click(byTestId(screen, "product-create"))
    await eventually(() => expect(text(screen, "product-problem")).toBe("请输入正确的价格，例如 99 或 89.90"))

    await type(byTestId(screen, "product-price"), "19.9")
    await type(byTestId(screen, "grid-barcode"), "6901234567890")
    await click(byTestId(screen, "product-create"))
    await eventually(() => expect(text(screen, "product-problem")).toContain("条码 6901234567890 无效"))
    expect(calls.filter((c) => c.method === "POST")).toEqual([])
  })

  it("lets a store manager look but not change", async () => {
    signedInAs("store_manager")
    fakeCatalog([tee("prd_a", "纯棉T恤", [9900])])
    const screen = await mount(<Catalog />)
    await click(await eventually(() => byTestId(screen, "product")))
    await eventually(() => expect(skuRows(screen)).toEqual([["PRD_A-1", "1", "¥99.00"]]))
    expect(screen.querySelector("[data-testid='product-new']")).toBeNull()
    expect(screen.querySelector("[data-testid='sku-price-change']")).toBeNull()
  })

  it("needs the network, and says so instead of a list", async () => {
    signedInAs("manager")
    fakeCatalog([tee("prd_a", "纯棉T恤", [9900])])
    await goOffline()
    const screen = await mount(<Catalog />)
    expect(screen.textContent).toContain("商品管理需要联网")
    expect(byTestId<HTMLButtonElement>(screen, "product-new").disabled).toBe(true)
    expect(screen.querySelector("[data-testid='catalog-list']")).toBeNull()
  })
})
