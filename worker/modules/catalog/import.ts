// CSV import of products, Excel-friendly: UTF-8 with or without BOM, GBK (what Excel saves as
// "CSV" on a Chinese Windows) converted, Chinese or English headers, prices in yuan. All or
// nothing: any bad row and nothing is written; a dry run reports every bad row. Re-importing
// the same file changes nothing (identical SKUs are "unchanged", differing ones conflicts).
import { eq } from "drizzle-orm"
import { barcodeForms, barcodeProblem } from "../../../core/barcode"
import { formatYuan, tryParseYuan } from "../../../core/money"
import type { Db } from "../../db/client"
import { brands, categories, products, type SkuUnit, skuPrices, skus } from "../../db/schema"
import type { Actor } from "../../lib/actor"
import { newId } from "../../lib/ids"
import { problem } from "../../lib/problem"
import { parseCsv } from "./csv"
import {
  type Attributes,
  DEFAULT_VAT_BP,
  MAX_PRICE_FEN,
  newCategoryRow,
  newSkuRows,
  type VariantInput,
  writeCatalog,
} from "./service"
import { inJson, insertRows } from "./sql"

export const MAX_IMPORT_ROWS = 10_000
const COLOR = "颜色"
const SIZE = "尺码"

type Key =
  | "name"
  | "skuCode"
  | "barcode"
  | "price"
  | "memberPrice"
  | "cost"
  | "category"
  | "brand"
  | "unit"
  | "color"
  | "size"
  | "vatRate"
  | "supplierItemCode"

// Header spellings, compared lower-cased without spaces, underscores, hyphens or a "(元)" note.
const HEADERS: Record<Key, string[]> = {
  name: ["商品名称", "商品名", "名称", "品名", "name", "productname", "product"],
  skuCode: ["货号", "sku编码", "商品编码", "款号", "skucode", "sku", "code"],
  barcode: ["条码", "条形码", "商品条码", "barcode", "ean", "upc"],
  price: ["售价", "零售价", "价格", "price", "retailprice"],
  memberPrice: ["会员价", "memberprice"],
  cost: ["成本", "成本价", "进价", "cost", "costprice"],
  category: ["分类", "类别", "商品分类", "category"],
  brand: ["品牌", "brand"],
  unit: ["单位", "unit"],
  color: ["颜色", "color", "colour"],
  size: ["尺码", "尺寸", "规格", "size"],
  vatRate: ["税率", "增值税率", "vatrate", "vat", "taxrate"],
  supplierItemCode: ["供应商货号", "供应商编码", "supplieritemcode", "supplercode"],
}
const LABEL: Record<Key, string> = {
  name: "商品名称/name",
  skuCode: "货号/skuCode",
  barcode: "条码/barcode",
  price: "售价/price",
  memberPrice: "会员价/memberPrice",
  cost: "成本/cost",
  category: "分类/category",
  brand: "品牌/brand",
  unit: "单位/unit",
  color: "颜色/color",
  size: "尺码/size",
  vatRate: "税率/vatRate",
  supplierItemCode: "供应商货号/supplierItemCode",
}
const REQUIRED: Key[] = ["name", "skuCode", "price"]
const normalizeHeader = (h: string) =>
  h
    .trim()
    .replace(/[(（][^)）]*[)）]$/, "")
    .toLowerCase()
    .replace(/[\s_-]+/g, "")
const HEADER_KEY = new Map<string, Key>(
  (Object.entries(HEADERS) as [Key, string[]][]).flatMap(([key, names]) => names.map((n) => [n, key] as const)),
)

const UNITS: Record<string, SkuUnit> = {
  件: "piece",
  个: "piece",
  只: "piece",
  瓶: "piece",
  包: "piece",
  盒: "piece",
  袋: "piece",
  条: "piece",
  双: "piece",
  套: "piece",
  piece: "piece",
  pieces: "piece",
  pcs: "piece",
  pc: "piece",
  ea: "piece",
  克: "gram",
  称重: "gram",
  g: "gram",
  gram: "gram",
  grams: "gram",
  weighed: "gram",
}

export type ImportError = { row: number; column: string | null; code: string; message: string; path: string }
export type ImportReport = {
  dryRun: boolean
  encoding: Encoding
  rows: number
  products: number
  skus: number
  unchanged: number
  categories: number
  brands: number
  ignoredColumns: string[]
  errors: ImportError[]
}
type Encoding = "utf-8" | "utf-8-bom" | "utf-16" | "gbk"

const ACCEPTED_TYPES = [
  "text/csv",
  "text/plain",
  "application/csv",
  "application/vnd.ms-excel",
  "application/octet-stream",
]

// ─── bytes → text ─────────────────────────────────────────────────────────────

const ENCODING_HELP =
  "无法识别文件编码。请在 Excel 中选择“文件 → 另存为”，保存类型选“CSV UTF-8（逗号分隔）(*.csv)”，再导入。" +
  ' / The file\'s text encoding was not recognised. In Excel choose File → Save As → "CSV UTF-8 (Comma delimited) (*.csv)" and import that file.'

export function decodeCsv(bytes: Uint8Array): { text: string; encoding: Encoding } {
  const attempt = (label: string, from = 0) => {
    try {
      return new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(bytes.subarray(from))
    } catch {
      return undefined
    }
  }
  const found = (text: string | undefined, encoding: Encoding) => {
    if (text === undefined) throw problem(415, "csv_encoding", ENCODING_HELP)
    return { text, encoding }
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return found(attempt("utf-8", 3), "utf-8-bom")
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return found(attempt("utf-16le", 2), "utf-16")
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return found(attempt("utf-16be", 2), "utf-16")
  // Not UTF-8: Excel on a Chinese Windows saves "CSV" in GBK (GB18030 is its superset).
  const utf8 = attempt("utf-8")
  return utf8 !== undefined ? found(utf8, "utf-8") : found(attempt("gb18030"), "gbk")
}

// ─── rows ─────────────────────────────────────────────────────────────────────

type ParsedRow = {
  row: number
  name: string
  skuCode: string
  barcode: string | null
  priceFen: number
  memberPriceFen: number | null
  costFen: number | null
  categoryPath: string | null
  brand: string | null
  unit: SkuUnit | null
  vatRateBp: number | null
  attributes: Attributes
  supplierItemCode: string | null
}

/** "13%", "13", "6.5%" → basis points; a bare fraction such as "0.13" is read as 13 %. */
export function parseVatRate(text: string): number | undefined {
  const s = text.trim()
  const fraction = /^0?\.(\d{1,4})$/.exec(s)
  if (fraction) return Number(fraction[1]!.padEnd(4, "0"))
  const percent = /^(\d{1,3})(?:\.(\d{1,2}))?\s*%?$/.exec(s)
  if (!percent) return undefined
  const bp = Number(percent[1]) * 100 + Number((percent[2] ?? "").padEnd(2, "0"))
  return bp <= 10_000 ? bp : undefined
}

const normalizeCategory = (s: string) =>
  s
    .split(/[/／>＞]/)
    .map((p) => p.trim())
    .filter(Boolean)
    .join("/")

type Columns = Partial<Record<Key, { index: number; header: string }>>

function readRow(
  row: number,
  cells: string[],
  columns: Columns,
  err: (row: number, key: Key | null, code: string, message: string) => void,
): ParsedRow | undefined {
  const cell = (key: Key) => {
    const c = columns[key]
    return c ? (cells[c.index] ?? "").trim() : ""
  }
  let ok = true
  const fail = (key: Key, code: string, message: string) => {
    err(row, key, code, message)
    ok = false
  }
  const text = (key: Key, max: number, required = false) => {
    const v = cell(key)
    if (!v) {
      if (required) fail(key, "required", `${LABEL[key]} is required.`)
      return null
    }
    if (v.length > max) fail(key, "too_long", `At most ${max} characters.`)
    return v
  }
  const money = (key: Key, required: boolean) => {
    const v = cell(key)
    if (!v) {
      if (required) fail(key, "required", `${LABEL[key]} is required (yuan, e.g. 59.90).`)
      return null
    }
    const r = tryParseYuan(v)
    if (!r.ok) fail(key, "invalid_amount", `${v}: ${r.reason}`)
    else if (r.fen > MAX_PRICE_FEN) fail(key, "out_of_range", `${v}: above ¥${MAX_PRICE_FEN / 100}.`)
    else return r.fen
    return null
  }

  const name = text("name", 100, true)
  const skuCode = text("skuCode", 64, true)
  if (skuCode && !/^[^\s\p{C}]+$/u.test(skuCode)) fail("skuCode", "invalid_sku_code", "No spaces in a SKU code.")
  const barcode = cell("barcode") || null
  if (barcode && /^\d+(\.\d+)?e\+?\d+$/i.test(barcode))
    fail("barcode", "invalid_barcode", `${barcode}: Excel turned the barcode into a number; format the column as Text.`)
  else if (barcode) {
    const p = barcodeProblem(barcode)
    if (p) fail("barcode", "invalid_barcode", `${barcode}: ${p}`)
  }
  const priceFen = money("price", true)
  const memberPriceFen = money("memberPrice", false)
  const costFen = money("cost", false)
  if (priceFen !== null && memberPriceFen !== null && memberPriceFen > priceFen)
    fail("memberPrice", "member_price_above_price", "The member price may not exceed the price.")
  const categoryText = cell("category")
  const categoryPath = categoryText ? normalizeCategory(categoryText) : null
  if (categoryPath) {
    const parts = categoryPath.split("/")
    if (parts.length > 6 || parts.some((p) => p.length > 100))
      fail("category", "invalid_category", "At most 6 levels of up to 100 characters each, like 服装/女装.")
  }
  const brand = text("brand", 100)
  const unitText = cell("unit")
  const unit = unitText ? UNITS[unitText.toLowerCase()] : null
  if (unit === undefined) fail("unit", "invalid_unit", `${unitText}: use 件/piece, or 克/gram for weighed goods.`)
  const vatText = cell("vatRate")
  const vatRateBp = vatText ? parseVatRate(vatText) : null
  if (vatRateBp === undefined) fail("vatRate", "invalid_vat_rate", `${vatText}: a rate such as 13% (0–100 %).`)
  const attributes: Attributes = {}
  const color = text("color", 64)
  const size = text("size", 64)
  if (color) attributes[COLOR] = color
  if (size) attributes[SIZE] = size
  const supplierItemCode = text("supplierItemCode", 64)
  if (!ok) return undefined
  return {
    row,
    name: name!,
    skuCode: skuCode!,
    barcode,
    priceFen: priceFen!,
    memberPriceFen,
    costFen,
    categoryPath,
    brand,
    unit: unit ?? null,
    vatRateBp: vatRateBp ?? null,
    attributes,
    supplierItemCode,
  }
}

// ─── the import ───────────────────────────────────────────────────────────────

type Group = {
  key: string
  name: string
  categoryPath: string | null
  brand: string | null
  unit: SkuUnit
  vatRateBp: number
  rows: ParsedRow[]
  firstRow: number
  productId?: string // an existing product the new SKUs join
}

const sameAttributes = (a: Attributes, b: Attributes) => {
  const ka = Object.keys(a)
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k])
}

export async function importProducts(db: Db, actor: Actor, req: Request, dryRun: boolean): Promise<ImportReport> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase()
  if (!ACCEPTED_TYPES.includes(type))
    throw problem(415, "unsupported_media_type", "Send the file itself as the body, with Content-Type: text/csv.")
  const bytes = new Uint8Array(await req.arrayBuffer())
  const { text, encoding } = decodeCsv(bytes)
  const parsed = parseCsv(text)
  if (parsed.error)
    throw problem(422, "csv_malformed", `Row ${parsed.error.row}: ${parsed.error.message}`, {
      errors: [
        {
          path: `${parsed.error.row}`,
          row: parsed.error.row,
          column: null,
          code: "csv_syntax",
          message: parsed.error.message,
        },
      ],
    })
  const [header, ...records] = parsed.records
  if (!header) throw problem(422, "csv_empty", "The file has no header row and no rows.")
  if (records.length > MAX_IMPORT_ROWS)
    throw problem(413, "csv_too_many_rows", `At most ${MAX_IMPORT_ROWS} rows per file: split it.`)

  const dataRows = records.filter((rec) => rec.cells.some((c) => c.trim() !== "")).length
  const errors: ImportError[] = []
  const columns: Columns = {}
  const ignoredColumns: string[] = []
  const err = (row: number, key: Key | null, code: string, message: string) => {
    const column = key ? (columns[key]?.header ?? LABEL[key]) : null
    errors.push({ row, column, code, message, path: column ? `${row}:${column}` : `${row}` })
  }
  header.cells.forEach((raw, index) => {
    const h = raw.replace(/^\uFEFF/, "").trim()
    const key = HEADER_KEY.get(normalizeHeader(h))
    if (!key) {
      if (h) ignoredColumns.push(h)
    } else if (columns[key])
      err(1, key, "duplicate_column", `Two columns mean ${LABEL[key]}: ${columns[key].header} and ${h}.`)
    else columns[key] = { index, header: h }
  })
  for (const key of REQUIRED) if (!columns[key]) err(1, key, "missing_column", `The file needs a ${LABEL[key]} column.`)
  const report = (counts: Partial<ImportReport>): ImportReport => ({
    dryRun,
    encoding,
    rows: dataRows,
    products: 0,
    skus: 0,
    unchanged: 0,
    categories: 0,
    brands: 0,
    ignoredColumns,
    ...counts,
    errors: errors.sort((a, b) => a.row - b.row),
  })
  const finish = (counts: Partial<ImportReport>): ImportReport => {
    const r = report(counts)
    if (r.errors.length > 0 && !dryRun)
      throw problem(422, "import_rejected", `${r.errors.length} problem(s) in the file: nothing was imported.`, {
        ...r,
      })
    return r
  }
  if (errors.length > 0) return finish({})

  // Each row on its own, then the rows against each other.
  const rows: ParsedRow[] = []
  for (const rec of records) {
    if (rec.cells.every((c) => c.trim() === "")) continue
    const r = readRow(rec.row, rec.cells, columns, err)
    if (r) rows.push(r)
  }
  const codeRow = new Map<string, number>()
  const barcodeRow = new Map<string, number>()
  const groups = new Map<string, Group>()
  for (const r of rows) {
    const seen = codeRow.get(r.skuCode)
    if (seen !== undefined) err(r.row, "skuCode", "duplicate_sku_code", `${r.skuCode} is also on row ${seen}.`)
    else codeRow.set(r.skuCode, r.row)
    if (r.barcode) {
      const other = barcodeForms(r.barcode)
        .map((f) => barcodeRow.get(f))
        .find((x) => x !== undefined)
      if (other !== undefined) err(r.row, "barcode", "duplicate_barcode", `${r.barcode} is also on row ${other}.`)
      else for (const f of barcodeForms(r.barcode)) barcodeRow.set(f, r.row)
    }
    const key = `${r.name}\u0000${r.categoryPath ?? ""}`
    let g = groups.get(key)
    if (!g) {
      g = {
        key,
        name: r.name,
        categoryPath: r.categoryPath,
        brand: r.brand,
        unit: r.unit ?? "piece",
        vatRateBp: r.vatRateBp ?? DEFAULT_VAT_BP,
        rows: [],
        firstRow: r.row,
      }
      groups.set(key, g)
    } else {
      // A product's own fields may be left blank on its later rows, but may not disagree.
      const first = g.rows[0]!
      if (r.brand !== null && g.brand !== null && r.brand !== g.brand)
        err(r.row, "brand", "inconsistent_product", `${r.name} has brand ${g.brand} on an earlier row.`)
      if (r.unit !== null && r.unit !== g.unit)
        err(r.row, "unit", "inconsistent_product", `${r.name} has unit ${g.unit} on row ${first.row}.`)
      if (r.vatRateBp !== null && r.vatRateBp !== g.vatRateBp)
        err(r.row, "vatRate", "inconsistent_product", `${r.name} has another VAT rate on row ${first.row}.`)
      g.brand ??= r.brand
    }
    g.rows.push(r)
  }

  // Against the catalog: existing codes, barcodes, categories, brands, products.
  const codes = rows.map((r) => r.skuCode)
  const existing = codes.length
    ? await db
        .select({ sku: skus, product: products, namePath: categories.namePath, brand: brands.name })
        .from(skus)
        .innerJoin(products, eq(products.id, skus.productId))
        .leftJoin(categories, eq(categories.id, products.categoryId))
        .leftJoin(brands, eq(brands.id, products.brandId))
        .where(inJson(skus.skuCode, codes))
    : []
  const existingByCode = new Map(existing.map((e) => [e.sku.skuCode, e]))
  const forms = rows.flatMap((r) => (r.barcode ? barcodeForms(r.barcode) : []))
  const barcodeOwners = forms.length
    ? await db.select({ skuCode: skus.skuCode, barcode: skus.barcode }).from(skus).where(inJson(skus.barcode, forms))
    : []
  const ownerOf = new Map(barcodeOwners.map((b) => [b.barcode!, b.skuCode]))

  const paths = new Set<string>()
  for (const g of groups.values())
    if (g.categoryPath) {
      const parts = g.categoryPath.split("/")
      for (let i = 1; i <= parts.length; i++) paths.add(parts.slice(0, i).join("/"))
    }
  const knownCategories = paths.size
    ? await db
        .select()
        .from(categories)
        .where(inJson(categories.namePath, [...paths]))
    : []
  const categoryByPath = new Map(knownCategories.map((c) => [c.namePath, c]))
  const brandNames = [...new Set([...groups.values()].flatMap((g) => (g.brand ? [g.brand] : [])))]
  const knownBrands = brandNames.length ? await db.select().from(brands).where(inJson(brands.name, brandNames)) : []
  const brandByName = new Map(knownBrands.map((b) => [b.name, b]))
  const groupNames = [...new Set([...groups.values()].map((g) => g.name))]
  const namedProducts = groupNames.length
    ? await db.select().from(products).where(inJson(products.name, groupNames)).orderBy(products.id)
    : []

  let unchanged = 0
  const newRows = new Set<ParsedRow>()
  for (const g of groups.values()) {
    const categoryId = g.categoryPath ? (categoryByPath.get(g.categoryPath)?.id ?? null) : null
    for (const r of g.rows) {
      if (r.barcode) {
        const owner = barcodeForms(r.barcode)
          .map((f) => ownerOf.get(f))
          .find((x) => x !== undefined)
        if (owner !== undefined && owner !== r.skuCode)
          err(r.row, "barcode", "duplicate_barcode", `${r.barcode} already belongs to SKU ${owner}.`)
      }
      const e = existingByCode.get(r.skuCode)
      if (!e) {
        newRows.add(r)
        continue
      }
      const differs: [Key, string][] = []
      const cmp = (key: Key, mine: unknown, theirs: unknown, show = (v: unknown) => String(v ?? "—")) => {
        if (mine !== theirs) differs.push([key, `${LABEL[key]} ${show(theirs)} → ${show(mine)}`])
      }
      const yuan = (v: unknown) => (typeof v === "number" ? formatYuan(v) : "—")
      cmp("name", r.name, e.product.name)
      cmp("category", g.categoryPath, e.namePath)
      cmp("brand", g.brand, e.brand)
      cmp("unit", g.unit, e.product.unit)
      cmp("vatRate", g.vatRateBp, e.product.vatRateBp)
      cmp("barcode", r.barcode, e.sku.barcode)
      cmp("price", r.priceFen, e.sku.priceFen, yuan)
      cmp("memberPrice", r.memberPriceFen, e.sku.memberPriceFen, yuan)
      cmp("cost", r.costFen, e.sku.costFen, yuan)
      cmp("supplierItemCode", r.supplierItemCode, e.sku.supplierItemCode)
      if (!sameAttributes(r.attributes, e.sku.attributes))
        differs.push(["color", `attributes ${JSON.stringify(e.sku.attributes)} → ${JSON.stringify(r.attributes)}`])
      if (differs.length === 0) {
        unchanged++
        g.productId ??= e.product.id
      } else
        err(
          r.row,
          differs[0]![0],
          "sku_conflict",
          `SKU ${r.skuCode} already exists with other data (${differs.map((d) => d[1]).join("; ")}). Nothing is overwritten: change it in the catalog or fix the row.`,
        )
    }
    // New SKUs join the product they share a name and category with, if it exists.
    if (!g.productId && g.rows.some((r) => newRows.has(r))) {
      const p = namedProducts.find(
        (p) => p.name === g.name && p.categoryId === categoryId && (categoryId || !g.categoryPath),
      )
      if (p) {
        g.productId = p.id
        const brandId = g.brand ? (brandByName.get(g.brand)?.id ?? null) : null
        if (p.unit !== g.unit || p.vatRateBp !== g.vatRateBp || p.brandId !== brandId)
          err(
            g.firstRow,
            "name",
            "product_conflict",
            `${g.name} exists with another unit, brand or VAT rate: new SKUs can't join it as the file describes it.`,
          )
      }
    }
  }

  // What would be created.
  const now = Date.now()
  const categoryRows: (typeof categories.$inferSelect)[] = []
  for (const path of [...paths].sort((a, b) => a.split("/").length - b.split("/").length)) {
    if (categoryByPath.has(path)) continue
    const cut = path.lastIndexOf("/")
    const parent = cut === -1 ? undefined : categoryByPath.get(path.slice(0, cut))
    const row = newCategoryRow(path.slice(cut + 1), parent)
    categoryByPath.set(path, row)
    categoryRows.push(row)
  }
  const brandRows = brandNames
    .filter((n) => !brandByName.has(n))
    .map((name) => {
      const row = { id: newId("brd"), name, createdAt: now }
      brandByName.set(name, row)
      return row
    })
  const productRows: (typeof products.$inferSelect)[] = []
  const skuRows: (typeof skus.$inferSelect)[] = []
  const priceRows: (typeof skuPrices.$inferSelect)[] = []
  for (const g of groups.values()) {
    const fresh = g.rows.filter((r) => newRows.has(r))
    if (fresh.length === 0) continue
    let product = g.productId ? namedProducts.find((p) => p.id === g.productId) : undefined
    if (!product) {
      const existingSibling = existing.find((e) => e.product.id === g.productId)
      product = existingSibling?.product
    }
    if (!product) {
      product = {
        id: newId("prd"),
        name: g.name,
        unit: g.unit,
        categoryId: g.categoryPath ? categoryByPath.get(g.categoryPath)!.id : null,
        brandId: g.brand ? brandByName.get(g.brand)!.id : null,
        vatRateBp: g.vatRateBp,
        description: null,
        status: "active",
        createdAt: now,
        updatedAt: now,
      }
      productRows.push(product)
    }
    const variants: VariantInput[] = fresh.map((r) => ({
      skuCode: r.skuCode,
      barcode: r.barcode,
      attributes: r.attributes,
      priceFen: r.priceFen,
      memberPriceFen: r.memberPriceFen,
      costFen: r.costFen,
      supplierItemCode: r.supplierItemCode,
    }))
    const made = newSkuRows(product, variants, actor.id, now)
    skuRows.push(...made.skuRows)
    priceRows.push(...made.priceRows)
  }
  const counts = {
    products: productRows.length,
    skus: skuRows.length,
    unchanged,
    categories: categoryRows.length,
    brands: brandRows.length,
  }
  if (errors.length > 0 || dryRun) return finish(counts)
  await writeCatalog(db, [
    ...insertRows(categories, categoryRows),
    ...insertRows(brands, brandRows),
    ...insertRows(products, productRows),
    ...insertRows(skus, skuRows),
    ...insertRows(skuPrices, priceRows),
  ])
  return finish(counts)
}
