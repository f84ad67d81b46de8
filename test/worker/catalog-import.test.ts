// Importing a catalog from the spreadsheet a chain already has: Excel's CSV in UTF-8 (with or
// without BOM) or GBK, Chinese or English headers, all or nothing, and safe to run twice.
import { exports } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { withCheckDigit } from "../../core/barcode"
import { BASE, call, createLocation, ownerToken, staffToken, uniq } from "./helpers"

type ImportError = { row: number; column: string | null; code: string; message: string }
type Report = {
  dryRun: boolean
  encoding: string
  rows: number
  products: number
  skus: number
  unchanged: number
  categories: number
  brands: number
  errors: ImportError[]
  code?: string
  detail?: string
}
type Sku = {
  skuCode: string
  productId: string
  productName: string
  priceFen: number
  attributes: Record<string, string>
}

const utf8 = (s: string) => new TextEncoder().encode(s)
const hex = (h: string) => Uint8Array.from(h.match(/../g)!, (b) => Number.parseInt(b, 16))
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
let serial = 0
const ean13 = () => {
  serial++
  const digits = `${Date.now() % 1_000_000_000}${String(serial).padStart(3, "0")}`.slice(-10)
  return withCheckDigit(`69${digits}`)
}

async function upload(
  token: string,
  body: string | Uint8Array,
  opts: { dryRun?: boolean; contentType?: string } = {},
): Promise<{ status: number; body: Report; contentType: string | null }> {
  const res = await exports.default.fetch(
    new Request(`${BASE}/products/import?dryRun=${opts.dryRun ?? false}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": opts.contentType ?? "text/csv" },
      body: typeof body === "string" ? utf8(body) : body,
    }),
  )
  return { status: res.status, body: (await res.json()) as Report, contentType: res.headers.get("content-type") }
}

const skusOf = async (token: string, q: string) => {
  const items: Sku[] = []
  let cursor: string | null = null
  do {
    const page: { body: { items: Sku[]; nextCursor: string | null } } = await call(
      "GET",
      `/skus?q=${encodeURIComponent(q)}&limit=100${cursor ? `&cursor=${cursor}` : ""}`,
      { token },
    )
    items.push(...page.body.items)
    cursor = page.body.nextCursor
  } while (cursor)
  return items
}

describe("CSV import of products", () => {
  it("a dry run reports every bad row, and neither it nor the real run imports anything", async () => {
    const owner = await ownerToken()
    const t = uniq("BAD")
    const good = ean13()
    const wrongDigit = `${good.slice(0, 12)}${(Number(good[12]) + 1) % 10}`
    const csv = [
      "商品名称,货号,条码,售价,会员价,成本,分类,单位,尺码",
      `好的商品${t},${t}-1,${good},59.90,49.90,20,服装/${t},件,M`,
      `三位小数${t},${t}-2,,59.999,,,服装/${t},件,M`,
      `坏条码${t},${t}-3,${wrongDigit},10,,,服装/${t},件,M`,
      `没有货号${t},,,10,,,服装/${t},件,M`,
      `重复货号${t},${t}-1,,10,,,服装/${t},件,M`,
      `会员价太高${t},${t}-6,,10,12,,服装/${t},件,M`,
      `怪单位${t},${t}-7,,10,,,服装/${t},箱,M`,
      `负数${t},${t}-8,,-5,,,服装/${t},件,M`,
      `不是数字${t},${t}-9,,十块,,,服装/${t},件,M`,
      `科学计数${t},${t}-10,6.90123E+12,10,,,服装/${t},件,M`,
      "",
    ].join("\r\n")
    const dry = await upload(owner, csv, { dryRun: true })
    expect(dry.status).toBe(200)
    expect(dry.body.dryRun).toBe(true)
    expect(dry.body.rows).toBe(10)
    const found = dry.body.errors.map((e) => [e.row, e.column, e.code])
    expect(found).toEqual([
      [3, "售价", "invalid_amount"],
      [4, "条码", "invalid_barcode"],
      [5, "货号", "required"],
      [6, "货号", "duplicate_sku_code"],
      [7, "会员价", "member_price_above_price"],
      [8, "单位", "invalid_unit"],
      [9, "售价", "invalid_amount"],
      [10, "售价", "invalid_amount"],
      [11, "条码", "invalid_barcode"],
    ])
    expect(dry.body.errors[0]!.message).toMatch(/2 decimals/)
    expect(dry.body.errors[1]!.message).toMatch(/check digit/)
    expect(dry.body.errors[3]!.message).toMatch(/row 2/)
    expect(dry.body.errors[8]!.message).toMatch(/Text/)

    const real = await upload(owner, csv)
    expect(real.status).toBe(422)
    expect(real.contentType).toContain("application/problem+json")
    expect(real.body.code).toBe("import_rejected")
    expect(real.body.errors).toHaveLength(9)
    expect(await skusOf(owner, t)).toEqual([])
    const cats = await call<{ items: { namePath: string }[] }>("GET", "/categories?limit=100", { token: owner })
    expect(cats.body.items.map((c) => c.namePath)).not.toContain(`服装/${t}`)
  })

  it("imports a UTF-8 file with BOM and English headers, quoted cells and all, grouping rows into products", async () => {
    const owner = await ownerToken()
    const t = uniq("BOM")
    const [b1, b2, b3] = [ean13(), ean13(), ean13()]
    const csv = [
      "Name,SKU Code,Barcode,Price,Member Price,Cost,Category,Brand,Unit,Color,Size,VAT Rate,Notes",
      `"T恤, 圆领 ${t}",${t}-BK-M,${b1},59.90,49.90,20.00,服装 / 男装${t},铺子${t},piece,黑,M,13%,"note with ""quotes"""`,
      `"T恤, 圆领 ${t}",${t}-BK-L,${b2},59.90,49.90,20.00,服装/男装${t},,,黑,L,,"two\nlines"`,
      `牛奶${t},${t}-MILK,${b3},"1,299.5",,,食品${t},,瓶,,,9%,`,
    ].join("\r\n")
    const res = await upload(owner, concat(hex("efbbbf"), utf8(csv)))
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      dryRun: false,
      encoding: "utf-8-bom",
      rows: 3,
      products: 2,
      skus: 3,
      unchanged: 0,
      categories: 3,
      brands: 1,
      errors: [],
      ignoredColumns: ["Notes"],
    })
    const skus = await skusOf(owner, t)
    const byCode = new Map(skus.map((s) => [s.skuCode, s]))
    expect(byCode.get(`${t}-BK-M`)).toMatchObject({
      productName: `T恤, 圆领 ${t}`,
      priceFen: 5990,
      attributes: { 颜色: "黑", 尺码: "M" },
    })
    expect(byCode.get(`${t}-BK-M`)!.productId).toBe(byCode.get(`${t}-BK-L`)!.productId)
    expect(byCode.get(`${t}-MILK`)!.priceFen).toBe(129950)
    const product = await call("GET", `/products/${byCode.get(`${t}-BK-M`)!.productId}`, { token: owner })
    expect(product.body).toMatchObject({ vatRateBp: 1300, unit: "piece" })
    const milk = await call("GET", `/products/${byCode.get(`${t}-MILK`)!.productId}`, { token: owner })
    expect(milk.body.vatRateBp).toBe(900)
    const cats = await call<{ items: { namePath: string }[] }>("GET", "/categories?limit=100", { token: owner })
    expect(cats.body.items.map((c) => c.namePath)).toEqual(
      expect.arrayContaining(["服装", `服装/男装${t}`, `食品${t}`]),
    )
  })

  it("converts a GBK file as Excel saves it on a Chinese Windows", async () => {
    const owner = await ownerToken()
    const t = uniq("GBK")
    const bytes = concat(
      hex("c9ccc6b7c3fbb3c62cbbf5bac52cccf5c2eb2ccadbbcdb2cb7d6c0e02cd1d5c9ab0d0a"), // 商品名称,货号,条码,售价,分类,颜色\r\n
      hex("d1f2c3abcea7bded"), // 羊毛围巾
      utf8(`${t},${t}-1,,129.00,`),
      hex("c5e4cace"), // 配饰
      utf8(","),
      hex("bbd2"), // 灰
      utf8("\r\n"),
      hex("d1f2c3abcea7bded"),
      utf8(`${t},${t}-2,,129.00,`),
      hex("c5e4cace"),
      utf8(","),
      hex("cdd5c9ab"), // 驼色
      utf8("\r\n"),
    )
    const res = await upload(owner, bytes)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ encoding: "gbk", products: 1, skus: 2, errors: [] })
    const skus = await skusOf(owner, t)
    expect(skus.map((s) => [s.productName, s.attributes.颜色]).sort()).toEqual([
      [`羊毛围巾${t}`, "灰"],
      [`羊毛围巾${t}`, "驼色"],
    ])
  })

  it("rejects bytes in no known encoding with how to save as CSV UTF-8, in Chinese and English", async () => {
    const owner = await ownerToken()
    const res = await upload(owner, concat(utf8("name,skuCode,price\r\n"), hex("ffff2c41"), utf8(",1\r\n")))
    expect(res.status).toBe(415)
    expect(res.contentType).toContain("application/problem+json")
    expect(res.body.code).toBe("csv_encoding")
    expect(res.body.detail).toContain("CSV UTF-8（逗号分隔）")
    expect(res.body.detail).toContain('"CSV UTF-8 (Comma delimited) (*.csv)"')
  })

  it("answers other bad uploads with problem+json: wrong type, empty, broken quoting, missing columns, a cashier", async () => {
    const owner = await ownerToken()
    const json = await upload(owner, '{"name":"x"}', { contentType: "application/json" })
    expect(json.status).toBe(415)
    expect(json.contentType).toContain("application/problem+json")
    const empty = await upload(owner, "")
    expect(empty.status).toBe(422)
    expect(empty.body.code).toBe("csv_empty")
    const open = await upload(owner, 'name,skuCode,price\r\n"never closed,X,1\r\n')
    expect(open.status).toBe(422)
    expect(open.body.code).toBe("csv_malformed")
    const missing = await upload(owner, "名称,条码\r\nx,\r\n", { dryRun: true })
    expect(missing.status).toBe(200)
    expect(missing.body.errors.map((e) => [e.row, e.code, e.column])).toEqual([
      [1, "missing_column", "货号/skuCode"],
      [1, "missing_column", "售价/price"],
    ])
    const store = await createLocation(owner)
    const cashier = await staffToken(owner, "cashier", [store])
    const denied = await upload(cashier.token, "name,skuCode,price\r\nx,y,1\r\n")
    expect(denied.status).toBe(403)
  })

  it("re-running the same file changes nothing; a changed row is a conflict, never a silent overwrite", async () => {
    const owner = await ownerToken()
    const t = uniq("RE")
    const rows = [
      "商品名称,货号,条码,售价,会员价,成本,分类,品牌,颜色,尺码",
      `卫衣${t},${t}-1,${ean13()},199,179,80,服装/卫衣${t},品牌${t},灰,M`,
      `卫衣${t},${t}-2,${ean13()},199,179,80,服装/卫衣${t},品牌${t},灰,L`,
    ]
    const csv = rows.join("\n")
    const first = await upload(owner, csv)
    expect(first.body).toMatchObject({ products: 1, skus: 2, unchanged: 0, categories: 1, brands: 1 })
    const ids = (await skusOf(owner, t)).map((s) => s.productId)

    const again = await upload(owner, csv)
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ products: 0, skus: 0, unchanged: 2, categories: 0, brands: 0, errors: [] })
    expect((await skusOf(owner, t)).map((s) => s.productId)).toEqual(ids)

    // A new size joins the existing product; the others stay unchanged.
    const grown = [...rows, `卫衣${t},${t}-3,,199,179,80,服装/卫衣${t},品牌${t},灰,XL`].join("\n")
    const added = await upload(owner, grown)
    expect(added.body).toMatchObject({ products: 0, skus: 1, unchanged: 2 })
    expect(new Set((await skusOf(owner, t)).map((s) => s.productId))).toEqual(new Set([ids[0]]))

    const changed = grown.replace(/(-2,\d+),199,/, "$1,209,")
    const dry = await upload(owner, changed, { dryRun: true })
    expect(dry.body.unchanged).toBe(2)
    expect(dry.body.errors).toEqual([
      expect.objectContaining({
        row: 3,
        column: "售价",
        code: "sku_conflict",
        message: expect.stringContaining("199.00 → 209.00"),
      }),
    ])
    const real = await upload(owner, changed)
    expect(real.status).toBe(422)
    const sku2 = (await skusOf(owner, `${t}-2`))[0]!
    expect(sku2.priceFen).toBe(19900)
  })

  it("imports 5,000 rows in one request, and re-runs them as unchanged", async () => {
    const owner = await ownerToken()
    const t = uniq("BIG")
    const lines = ["商品名称,货号,条码,售价,成本,分类,颜色,尺码"]
    const colors = ["黑", "白", "灰", "蓝", "红"]
    const sizes = ["S", "M", "L", "XL"]
    for (let i = 0; i < 5000; i++) {
      const style = Math.floor(i / 20)
      lines.push(
        `款式${style}${t},${t}-${i},${withCheckDigit(`2${String(i).padStart(11, "0")}`)},${(i % 300) + 9}.90,5.00,大批量${t}/第${style % 5}组,${colors[i % 5]},${sizes[i % 4]}`,
      )
    }
    const csv = lines.join("\r\n")
    const dry = await upload(owner, csv, { dryRun: true })
    expect(dry.body.errors).toEqual([])
    expect(dry.body).toMatchObject({ rows: 5000, products: 250, skus: 5000 })
    expect(await skusOf(owner, `${t}-4999`)).toEqual([])
    const real = await upload(owner, csv)
    expect(real.status).toBe(200)
    expect(real.body).toMatchObject({ products: 250, skus: 5000, categories: 6 })
    expect((await skusOf(owner, `${t}-4999`))[0]).toMatchObject({ priceFen: ((4999 % 300) + 9) * 100 + 90 })
    const again = await upload(owner, csv)
    expect(again.body).toMatchObject({ products: 0, skus: 0, unchanged: 5000, errors: [] })
  })
})
