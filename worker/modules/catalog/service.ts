// Catalog: categories, brands, products with their SKUs, and SKU prices with history.
import { and, asc, desc, eq, gt, gte, inArray, isNull, lte, or, type SQL, sql } from "drizzle-orm"
import { barcodeForms } from "../../../core/barcode"
import { pinyinInitials } from "../../../core/pinyin"
import type { Db } from "../../db/client"
import { brands, type CatalogStatus, categories, products, type SkuUnit, skuPrices, skus } from "../../db/schema"
import type { Actor } from "../../lib/actor"
import { newId } from "../../lib/ids"
import { decodeCursor, toPage } from "../../lib/pagination"
import { type FieldError, notFound, problem } from "../../lib/problem"
import { assertListLimit, decodeSyncToken, syncPage } from "../../lib/sync"
import { inJson, insertRows, runBatch, type Stmt, uniqueViolation } from "./sql"

export const MAX_PRICE_FEN = 100_000_000 // ¥1,000,000: above that it is a typo, not a price
export const MAX_VARIANTS = 500
export const DEFAULT_VAT_BP = 1300

export type Attributes = Record<string, string>
export type VariantInput = {
  skuCode: string
  barcode?: string | null
  attributes?: Attributes
  priceFen: number
  memberPriceFen?: number | null
  costFen?: number | null
  supplierItemCode?: string | null
}
export type ProductFields = {
  name: string
  unit?: SkuUnit
  categoryId?: string | null
  brandId?: string | null
  vatRateBp?: number
  description?: string | null
}
export type MatrixInput = {
  options: Record<string, string[]>
  skuCodePrefix: string
  priceFen: number
  memberPriceFen?: number | null
  costFen?: number | null
  supplierItemCode?: string | null
}
/** Either explicit variants or a matrix (the route's schema makes sure it is exactly one). */
export type ProductInput = ProductFields & { variants?: VariantInput[] } & Partial<MatrixInput>

type SkuRow = typeof skus.$inferSelect
type ProductRow = typeof products.$inferSelect
type PriceRow = typeof skuPrices.$inferSelect
type CategoryRow = typeof categories.$inferSelect

const iso = (ms: number) => new Date(ms).toISOString()
/** Cost is for people who set prices; cashiers and dealers never see it. */
export const seesCost = (actor: Actor) => actor.permissions.has("catalog:write")

// ─── search text ──────────────────────────────────────────────────────────────

/** What `?q=` matches: lower-cased name, its pinyin initials, code, barcode and attribute values. */
export function skuSearchText(
  productName: string,
  sku: { skuCode: string; barcode: string | null; attributes: Attributes },
) {
  const attrs = Object.values(sku.attributes)
  return [
    productName,
    pinyinInitials(productName),
    sku.skuCode,
    sku.barcode ?? "",
    ...attrs,
    ...attrs.map(pinyinInitials),
  ]
    .filter(Boolean)
    .join(" ")
    .toLowerCase()
}

// ─── views ────────────────────────────────────────────────────────────────────

type SkuView = Pick<ProductRow, "name" | "unit" | "categoryId" | "status">
const skuColumns = {
  sku: skus,
  product: { name: products.name, unit: products.unit, categoryId: products.categoryId, status: products.status },
}

export function toSku(r: { sku: SkuRow; product: SkuView }, withCost: boolean) {
  const { sku, product } = r
  return {
    id: sku.id,
    productId: sku.productId,
    productName: product.name,
    skuCode: sku.skuCode,
    barcode: sku.barcode,
    attributes: sku.attributes,
    priceFen: sku.priceFen,
    memberPriceFen: sku.memberPriceFen,
    ...(withCost ? { costFen: sku.costFen } : {}),
    supplierItemCode: sku.supplierItemCode,
    unit: product.unit,
    categoryId: product.categoryId,
    // An archived product archives its SKUs for every client, whatever their own status says.
    status: (sku.status === "active" && product.status === "active" ? "active" : "archived") as CatalogStatus,
    createdAt: iso(sku.createdAt),
    updatedAt: iso(sku.updatedAt),
  }
}
export type Sku = ReturnType<typeof toSku>

const toProduct = (p: ProductRow) => ({
  id: p.id,
  name: p.name,
  unit: p.unit,
  categoryId: p.categoryId,
  brandId: p.brandId,
  vatRateBp: p.vatRateBp,
  description: p.description,
  status: p.status,
  createdAt: iso(p.createdAt),
  updatedAt: iso(p.updatedAt),
})

const toCategory = (c: CategoryRow) => ({
  id: c.id,
  name: c.name,
  parentId: c.parentId,
  path: c.path,
  namePath: c.namePath,
  depth: c.path.split("/").length - 1,
  expiryWarningDays: c.expiryWarningDays,
  createdAt: iso(c.createdAt),
  updatedAt: iso(c.updatedAt),
})

const toPrice = (p: PriceRow, now = Date.now()) => ({
  id: p.id,
  skuId: p.skuId,
  priceFen: p.priceFen,
  memberPriceFen: p.memberPriceFen,
  effectiveFrom: iso(p.effectiveFrom),
  status: (p.appliedAt !== null ? "applied" : p.effectiveFrom <= now ? "due" : "pending") as
    | "applied"
    | "due"
    | "pending",
  appliedAt: p.appliedAt === null ? null : iso(p.appliedAt),
  changedBy: p.changedBy,
  createdAt: iso(p.createdAt),
})

// ─── categories and brands ────────────────────────────────────────────────────

export async function createCategory(
  db: Db,
  input: { name: string; parentId?: string | null; expiryWarningDays?: number | null },
) {
  let parent: CategoryRow | undefined
  if (input.parentId) {
    ;[parent] = await db.select().from(categories).where(eq(categories.id, input.parentId))
    if (!parent)
      throw problem(422, "unknown_category", "The parent category does not exist.", {
        errors: [{ path: "parentId", message: "No such category." }],
      })
  }
  const row = newCategoryRow(input.name, parent, input.expiryWarningDays ?? null)
  try {
    await db.insert(categories).values(row)
  } catch (e) {
    if (uniqueViolation(e)) throw duplicateCategory(row.namePath)
    throw e
  }
  return toCategory(row)
}

export function newCategoryRow(
  name: string,
  parent: Pick<CategoryRow, "id" | "path" | "namePath"> | undefined,
  expiryWarningDays: number | null = null,
): CategoryRow {
  const id = newId("cat")
  const now = Date.now()
  return {
    id,
    name,
    parentId: parent?.id ?? null,
    path: parent ? `${parent.path}/${id}` : id,
    namePath: parent ? `${parent.namePath}/${name}` : name,
    expiryWarningDays,
    createdAt: now,
    updatedAt: now,
  }
}

const duplicateCategory = (namePath: string) =>
  problem(409, "duplicate_category", `A category ${namePath} already exists.`, {
    errors: [{ path: "name", message: "Taken by a sibling category." }],
  })

export async function listCategories(db: Db, q: { limit: number; cursor?: string; parentId?: string }) {
  const after = decodeCursor(q.cursor)
  const rows = await db
    .select()
    .from(categories)
    .where(
      and(
        q.parentId ? eq(categories.parentId, q.parentId) : undefined,
        after ? gt(categories.namePath, String(after[0])) : undefined,
      ),
    )
    // Name paths sort parents right before their children: the tree, flat.
    .orderBy(asc(categories.namePath))
    .limit(q.limit + 1)
  return toPage(rows, q.limit, (r) => [r.namePath], toCategory)
}

export async function createBrand(db: Db, input: { name: string }) {
  const row = { id: newId("brd"), name: input.name, createdAt: Date.now() }
  try {
    await db.insert(brands).values(row)
  } catch (e) {
    if (uniqueViolation(e))
      throw problem(409, "duplicate_brand", `A brand named ${input.name} already exists.`, {
        errors: [{ path: "name", message: "Taken." }],
      })
    throw e
  }
  return { ...row, createdAt: iso(row.createdAt) }
}

export async function listBrands(db: Db, q: { limit: number; cursor?: string }) {
  const after = decodeCursor(q.cursor)
  const rows = await db
    .select()
    .from(brands)
    .where(after ? gt(brands.name, String(after[0])) : undefined)
    .orderBy(asc(brands.name))
    .limit(q.limit + 1)
  return toPage(
    rows,
    q.limit,
    (r) => [r.name],
    (r) => ({ ...r, createdAt: iso(r.createdAt) }),
  )
}

// ─── products ─────────────────────────────────────────────────────────────────

/** One SKU per combination of the options, in the order given: prefix-黑-S, prefix-黑-M, … */
export function expandMatrix(m: MatrixInput): VariantInput[] {
  let combos: Attributes[] = [{}]
  for (const [name, values] of Object.entries(m.options))
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [name]: v })))
  return combos.map((attributes) => ({
    skuCode: [m.skuCodePrefix, ...Object.values(attributes)].join("-").replace(/\s+/g, ""),
    attributes,
    priceFen: m.priceFen,
    memberPriceFen: m.memberPriceFen,
    costFen: m.costFen,
    supplierItemCode: m.supplierItemCode,
  }))
}

async function assertRefs(db: Db, input: { categoryId?: string | null; brandId?: string | null }) {
  const errors: FieldError[] = []
  if (input.categoryId) {
    const [c] = await db.select({ id: categories.id }).from(categories).where(eq(categories.id, input.categoryId))
    if (!c) errors.push({ path: "categoryId", message: "No such category." })
  }
  if (input.brandId) {
    const [b] = await db.select({ id: brands.id }).from(brands).where(eq(brands.id, input.brandId))
    if (!b) errors.push({ path: "brandId", message: "No such brand." })
  }
  if (errors.length) throw problem(422, "unknown_reference", "The category or brand does not exist.", { errors })
}

/** 409s for SKU codes and barcodes already taken, in the request itself or in the catalog. */
async function assertNewCodes(db: Db, variants: VariantInput[], path: (i: number, field: string) => string) {
  const codes = new Map<string, number>()
  const barcodes = new Map<string, number>()
  const dupCodes: FieldError[] = []
  const dupBarcodes: FieldError[] = []
  variants.forEach((v, i) => {
    if (codes.has(v.skuCode))
      dupCodes.push({ path: path(i, "skuCode"), message: `${v.skuCode} appears twice in this request.` })
    else codes.set(v.skuCode, i)
    if (v.barcode) {
      const seen = barcodeForms(v.barcode).find((f) => barcodes.has(f))
      if (seen !== undefined)
        dupBarcodes.push({ path: path(i, "barcode"), message: `${v.barcode} appears twice in this request.` })
      else for (const f of barcodeForms(v.barcode)) barcodes.set(f, i)
    }
  })
  if (codes.size > 0) {
    const taken = await db
      .select({ skuCode: skus.skuCode })
      .from(skus)
      .where(inJson(skus.skuCode, [...codes.keys()]))
    for (const t of taken)
      dupCodes.push({ path: path(codes.get(t.skuCode)!, "skuCode"), message: `SKU code ${t.skuCode} is taken.` })
  }
  if (dupCodes.length)
    throw problem(409, "duplicate_sku_code", "A SKU code is already in use.", { errors: sortByPath(dupCodes) })
  if (barcodes.size > 0) {
    const taken = await db
      .select({ barcode: skus.barcode })
      .from(skus)
      .where(inJson(skus.barcode, [...barcodes.keys()]))
    for (const t of taken)
      dupBarcodes.push({ path: path(barcodes.get(t.barcode!)!, "barcode"), message: `Barcode ${t.barcode} is taken.` })
  }
  if (dupBarcodes.length)
    throw problem(409, "duplicate_barcode", "A barcode is already in use.", { errors: sortByPath(dupBarcodes) })
}

const sortByPath = (errors: FieldError[]) =>
  errors.sort((a, b) => a.path.localeCompare(b.path, "en", { numeric: true }))

export function newSkuRows(
  product: { id: string; name: string },
  variants: VariantInput[],
  actorId: string,
  now = Date.now(),
): { skuRows: SkuRow[]; priceRows: PriceRow[] } {
  const skuRows: SkuRow[] = []
  const priceRows: PriceRow[] = []
  for (const v of variants) {
    const attributes = v.attributes ?? {}
    const barcode = v.barcode ?? null
    const id = newId("sku")
    skuRows.push({
      id,
      productId: product.id,
      skuCode: v.skuCode,
      barcode,
      attributes,
      priceFen: v.priceFen,
      memberPriceFen: v.memberPriceFen ?? null,
      costFen: v.costFen ?? null,
      supplierItemCode: v.supplierItemCode ?? null,
      status: "active",
      searchText: skuSearchText(product.name, { skuCode: v.skuCode, barcode, attributes }),
      syncSeq: 0, // numbered by the insert trigger as the batch commits
      createdAt: now,
      updatedAt: now,
    })
    // The first price is history too: a sale made today can always be explained later.
    priceRows.push({
      id: newId("prc"),
      skuId: id,
      priceFen: v.priceFen,
      memberPriceFen: v.memberPriceFen ?? null,
      effectiveFrom: now,
      appliedAt: now,
      changedBy: actorId,
      createdAt: now,
    })
  }
  return { skuRows, priceRows }
}

/** Runs the batch; a unique index hit by a concurrent writer still answers 409, not 500. */
export async function writeCatalog(db: Db, stmts: Stmt[]) {
  try {
    await runBatch(db, stmts)
  } catch (e) {
    const index = uniqueViolation(e)
    if (index === "skus.sku_code") throw problem(409, "duplicate_sku_code", "A SKU code is already in use.")
    if (index === "skus.barcode") throw problem(409, "duplicate_barcode", "A barcode is already in use.")
    if (index === "categories.name_path") throw problem(409, "duplicate_category", "That category already exists.")
    if (index === "brands.name") throw problem(409, "duplicate_brand", "That brand already exists.")
    throw e
  }
}

export async function createProduct(db: Db, actor: Actor, input: ProductInput) {
  const matrix = !input.variants
  const variants =
    input.variants ??
    expandMatrix({
      ...input,
      options: input.options ?? {},
      skuCodePrefix: input.skuCodePrefix ?? "",
      priceFen: input.priceFen ?? 0,
    })
  const longCode = variants.find((v) => v.skuCode.length > 64)
  if (longCode)
    throw problem(400, "validation_failed", "A generated SKU code is over 64 characters.", {
      errors: [
        { path: "skuCodePrefix", message: `${longCode.skuCode} is too long: shorten the prefix or the values.` },
      ],
    })
  if (variants.length > MAX_VARIANTS)
    throw problem(422, "too_many_variants", `A product has at most ${MAX_VARIANTS} SKUs.`, {
      errors: [{ path: matrix ? "options" : "variants", message: `${variants.length} SKUs.` }],
    })
  await assertRefs(db, input)
  await assertNewCodes(db, variants, (i, field) => (matrix ? "skuCodePrefix" : `variants.${i}.${field}`))

  const now = Date.now()
  const product: ProductRow = {
    id: newId("prd"),
    name: input.name,
    unit: input.unit ?? "piece",
    categoryId: input.categoryId ?? null,
    brandId: input.brandId ?? null,
    vatRateBp: input.vatRateBp ?? DEFAULT_VAT_BP,
    description: input.description ?? null,
    status: "active",
    createdAt: now,
    updatedAt: now,
  }
  const { skuRows, priceRows } = newSkuRows(product, variants, actor.id, now)
  await writeCatalog(db, [
    ...insertRows(products, [product]),
    ...insertRows(skus, skuRows),
    ...insertRows(skuPrices, priceRows),
  ])
  const withCost = seesCost(actor)
  return {
    ...toProduct(product),
    skus: skuRows.map((sku) => toSku({ sku, product }, withCost)),
  }
}

async function productRow(db: Db, id: string) {
  const [row] = await db.select().from(products).where(eq(products.id, id))
  if (!row) throw notFound("product")
  return row
}

export async function getProduct(db: Db, actor: Actor, id: string) {
  const product = await productRow(db, id)
  const rows = await db.select().from(skus).where(eq(skus.productId, id)).orderBy(asc(skus.id))
  const withCost = seesCost(actor)
  return { ...toProduct(product), skus: rows.map((sku) => toSku({ sku, product }, withCost)) }
}

export async function listProducts(
  db: Db,
  q: { limit: number; cursor?: string; categoryId?: string; status?: CatalogStatus; q?: string },
) {
  const after = decodeCursor(q.cursor)
  // Each product with how many variants it has and their price range, so a list needs no call per product.
  const ofProduct = sql`FROM ${skus} WHERE ${skus.productId} = ${products.id}`
  const rows = await db
    .select({
      product: products,
      variants: sql<number>`(SELECT count(*) ${ofProduct})`,
      minPriceFen: sql<number | null>`(SELECT min(${skus.priceFen}) ${ofProduct})`,
      maxPriceFen: sql<number | null>`(SELECT max(${skus.priceFen}) ${ofProduct})`,
    })
    .from(products)
    .where(
      and(
        q.categoryId ? eq(products.categoryId, q.categoryId) : undefined,
        q.status ? eq(products.status, q.status) : undefined,
        q.q ? sql`instr(lower(${products.name}), ${q.q.toLowerCase()}) > 0` : undefined,
        after ? gt(products.id, String(after[0])) : undefined,
      ),
    )
    .orderBy(asc(products.id))
    .limit(q.limit + 1)
  return toPage(
    rows,
    q.limit,
    (r) => [r.product.id],
    ({ product, ...variants }) => ({ ...toProduct(product), ...variants }),
  )
}

export async function updateProduct(
  db: Db,
  actor: Actor,
  id: string,
  patch: Partial<Omit<ProductFields, "unit">> & { status?: CatalogStatus },
) {
  const before = await productRow(db, id)
  await assertRefs(db, patch)
  const now = Date.now()
  const stmts: Stmt[] = [
    db
      .update(products)
      .set({ ...patch, updatedAt: now })
      .where(eq(products.id, id)),
  ]
  // Every SKU carries its product's name, category and status: bump them so incremental sync sees it.
  if (patch.name !== undefined && patch.name !== before.name) {
    const rows = await db
      .select({ id: skus.id, skuCode: skus.skuCode, barcode: skus.barcode, attributes: skus.attributes })
      .from(skus)
      .where(eq(skus.productId, id))
    const texts = rows.map((r) => [r.id, skuSearchText(patch.name!, r)])
    stmts.push(
      sql`update ${skus} set search_text = (select json_extract(value, '$[1]') from json_each(${JSON.stringify(texts)})
        where json_extract(value, '$[0]') = ${skus.id}), updated_at = ${now} where ${skus.productId} = ${id}`,
    )
  } else {
    stmts.push(db.update(skus).set({ updatedAt: now }).where(eq(skus.productId, id)))
  }
  await runBatch(db, stmts)
  return getProduct(db, actor, id)
}

export async function addVariants(db: Db, actor: Actor, productId: string, variants: VariantInput[]) {
  const product = await productRow(db, productId)
  const [{ count } = { count: 0 }] = await db
    .select({ count: sql<number>`count(*)` })
    .from(skus)
    .where(eq(skus.productId, productId))
  if (count + variants.length > MAX_VARIANTS)
    throw problem(422, "too_many_variants", `A product has at most ${MAX_VARIANTS} SKUs.`)
  await assertNewCodes(db, variants, (i, field) => `variants.${i}.${field}`)
  const { skuRows, priceRows } = newSkuRows(product, variants, actor.id)
  await writeCatalog(db, [...insertRows(skus, skuRows), ...insertRows(skuPrices, priceRows)])
  return getProduct(db, actor, productId)
}

// ─── SKUs ─────────────────────────────────────────────────────────────────────

export type SkuQuery = {
  limit: number
  cursor?: string
  barcode?: string
  q?: string
  updatedSince?: string
  syncToken?: string
  productId?: string
  status?: CatalogStatus
}

const effectiveStatus = (status: CatalogStatus): SQL =>
  status === "active"
    ? and(eq(skus.status, "active"), eq(products.status, "active"))!
    : or(eq(skus.status, "archived"), eq(products.status, "archived"))!

/** The filters every SKU list shares: barcode, product, status, words of `q`. */
function skuFilters(q: SkuQuery): (SQL | undefined)[] {
  return [
    q.barcode ? inArray(skus.barcode, barcodeForms(q.barcode)) : undefined,
    q.productId ? eq(skus.productId, q.productId) : undefined,
    q.status ? effectiveStatus(q.status) : undefined,
    // Every word must appear somewhere: "连衣裙 黑" finds the black dresses.
    ...(q.q ?? "")
      .toLowerCase()
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 8)
      .map((term) => sql`instr(${skus.searchText}, ${term}) > 0`),
  ]
}

export async function listSkus(db: Db, actor: Actor, q: SkuQuery) {
  if (q.updatedSince !== undefined || q.syncToken !== undefined) return syncSkus(db, actor, q)
  assertListLimit(q.limit)
  const after = decodeCursor(q.cursor)
  const rows = await db
    .select(skuColumns)
    .from(skus)
    .innerJoin(products, eq(products.id, skus.productId))
    .where(and(...skuFilters(q), after ? gt(skus.id, String(after[0])) : undefined))
    .orderBy(asc(skus.id))
    .limit(q.limit + 1)
  const withCost = seesCost(actor)
  return toPage(
    rows,
    q.limit,
    (r) => [r.sku.id],
    (r) => toSku(r, withCost),
  )
}

/**
 * A till's incremental sync: SKUs in commit order (sync_seq) after its syncToken (or the page's cursor), archived
 * ones included; `updatedSince` alone starts a pass from an instant (the epoch: everything). See lib/sync.ts.
 */
async function syncSkus(db: Db, actor: Actor, q: SkuQuery) {
  const token = decodeSyncToken(q.syncToken, "syncToken")
  const from = decodeSyncToken(q.cursor, "cursor") ?? token ?? 0
  const rows = await db
    .select(skuColumns)
    .from(skus)
    .innerJoin(products, eq(products.id, skus.productId))
    .where(
      and(
        ...skuFilters(q),
        q.updatedSince !== undefined ? gte(skus.updatedAt, Date.parse(q.updatedSince)) : undefined,
        gt(skus.syncSeq, from),
      ),
    )
    .orderBy(asc(skus.syncSeq))
    .limit(q.limit + 1)
  const withCost = seesCost(actor)
  return syncPage(
    rows,
    q.limit,
    from,
    (r) => r.sku.syncSeq,
    (r) => toSku(r, withCost),
  )
}

async function skuJoined(db: Db, id: string) {
  const [row] = await db
    .select(skuColumns)
    .from(skus)
    .innerJoin(products, eq(products.id, skus.productId))
    .where(eq(skus.id, id))
  if (!row) throw notFound("SKU")
  return row
}

export async function getSku(db: Db, actor: Actor, id: string) {
  return toSku(await skuJoined(db, id), seesCost(actor))
}

export async function updateSku(
  db: Db,
  actor: Actor,
  id: string,
  patch: {
    barcode?: string | null
    attributes?: Attributes
    status?: CatalogStatus
    supplierItemCode?: string | null
    costFen?: number | null
  },
) {
  const { sku, product } = await skuJoined(db, id)
  if (patch.barcode) {
    const taken = await db
      .select({ id: skus.id })
      .from(skus)
      .where(inArray(skus.barcode, barcodeForms(patch.barcode)))
    if (taken.some((t) => t.id !== id))
      throw problem(409, "duplicate_barcode", `Barcode ${patch.barcode} is already in use.`, {
        errors: [{ path: "barcode", message: "Taken by another SKU." }],
      })
  }
  const next = {
    skuCode: sku.skuCode,
    barcode: patch.barcode === undefined ? sku.barcode : patch.barcode,
    attributes: patch.attributes ?? sku.attributes,
  }
  await writeCatalog(db, [
    db
      .update(skus)
      .set({ ...patch, searchText: skuSearchText(product.name, next), updatedAt: Date.now() })
      .where(eq(skus.id, id)),
  ])
  return getSku(db, actor, id)
}

// ─── prices ───────────────────────────────────────────────────────────────────

export async function changePrice(
  db: Db,
  actor: Actor,
  skuId: string,
  input: { priceFen: number; memberPriceFen?: number | null; effectiveFrom?: string },
) {
  const { sku } = await skuJoined(db, skuId)
  const now = Date.now()
  const from = input.effectiveFrom ? Date.parse(input.effectiveFrom) : now
  // Omitted: the member price stays what it is now; null clears it.
  const memberPriceFen = input.memberPriceFen === undefined ? sku.memberPriceFen : input.memberPriceFen
  if (memberPriceFen !== null && memberPriceFen > input.priceFen)
    throw problem(422, "member_price_above_price", "The member price may not exceed the retail price.", {
      errors: [
        { path: input.memberPriceFen === undefined ? "priceFen" : "memberPriceFen", message: "Above the price." },
      ],
    })
  const effectiveNow = from <= now
  const row: PriceRow = {
    id: newId("prc"),
    skuId,
    priceFen: input.priceFen,
    memberPriceFen,
    effectiveFrom: effectiveNow ? now : from,
    appliedAt: effectiveNow ? now : null,
    changedBy: actor.id,
    createdAt: now,
  }
  const stmts: Stmt[] = [db.insert(skuPrices).values(row)]
  if (effectiveNow)
    stmts.push(
      db.update(skus).set({ priceFen: row.priceFen, memberPriceFen, updatedAt: now }).where(eq(skus.id, skuId)),
    )
  await runBatch(db, stmts)
  return toPrice(row, now)
}

export async function listPrices(db: Db, skuId: string, q: { limit: number; cursor?: string }) {
  await skuJoined(db, skuId)
  const after = decodeCursor(q.cursor)
  if (after && (typeof after[0] !== "number" || typeof after[1] !== "string"))
    throw problem(400, "invalid_cursor", "The cursor is not one this API gave out.")
  const rows = await db
    .select()
    .from(skuPrices)
    .where(
      and(
        eq(skuPrices.skuId, skuId),
        after
          ? or(
              sql`${skuPrices.effectiveFrom} < ${Number(after[0])}`,
              and(eq(skuPrices.effectiveFrom, Number(after[0])), sql`${skuPrices.id} < ${String(after[1])}`),
            )
          : undefined,
      ),
    )
    .orderBy(desc(skuPrices.effectiveFrom), desc(skuPrices.id))
    .limit(q.limit + 1)
  const now = Date.now()
  return toPage(
    rows,
    q.limit,
    (r) => [r.effectiveFrom, r.id],
    (r) => toPrice(r, now),
  )
}

/**
 * Copies due future prices onto their SKUs (the ten-minute cron). Per SKU the latest due price wins;
 * a due price older than a price applied since (a change made "now" after it was scheduled) is
 * only marked applied, never copied, so a late job can't undo a newer decision.
 */
export async function applyDuePrices(db: Db, now = Date.now()): Promise<{ applied: number }> {
  let applied = 0
  for (;;) {
    const due = await db
      .select()
      .from(skuPrices)
      .where(and(isNull(skuPrices.appliedAt), lte(skuPrices.effectiveFrom, now)))
      .orderBy(asc(skuPrices.skuId), asc(skuPrices.effectiveFrom), asc(skuPrices.id))
      .limit(300)
    if (due.length === 0) return { applied }
    const skuIds = [...new Set(due.map((d) => d.skuId))]
    const newest = await db
      .select({ skuId: skuPrices.skuId, at: sql<number>`max(${skuPrices.effectiveFrom})` })
      .from(skuPrices)
      .where(and(inJson(skuPrices.skuId, skuIds), sql`${skuPrices.appliedAt} is not null`))
      .groupBy(skuPrices.skuId)
    const appliedAt = new Map(newest.map((n) => [n.skuId, n.at]))
    const winner = new Map<string, PriceRow>()
    for (const d of due) if (d.effectiveFrom >= (appliedAt.get(d.skuId) ?? 0)) winner.set(d.skuId, d)
    const stmts: Stmt[] = [
      db
        .update(skuPrices)
        .set({ appliedAt: now })
        .where(
          inJson(
            skuPrices.id,
            due.map((d) => d.id),
          ),
        ),
    ]
    for (const w of winner.values())
      stmts.push(
        db
          .update(skus)
          .set({ priceFen: w.priceFen, memberPriceFen: w.memberPriceFen, updatedAt: now })
          .where(eq(skus.id, w.skuId)),
      )
    await runBatch(db, stmts)
    applied += winner.size
  }
}

// ─── for other modules ────────────────────────────────────────────────────────

export type SkuFacts = {
  id: string
  productId: string
  productName: string
  skuCode: string
  barcode: string | null
  unit: SkuUnit
  priceFen: number
  memberPriceFen: number | null
  costFen: number | null
  vatRateBp: number
  categoryId: string | null
  /** The category's ids from the root down ("/"-joined): a subtree is a prefix. */
  categoryPath: string | null
  status: CatalogStatus
}

/** What selling, stocking and ordering need about SKUs; ids not found are simply absent. */
export async function getSkusByIds(db: Db, ids: readonly string[]): Promise<Map<string, SkuFacts>> {
  const out = new Map<string, SkuFacts>()
  if (ids.length === 0) return out
  const rows = await db
    .select({
      sku: skus,
      product: {
        name: products.name,
        unit: products.unit,
        categoryId: products.categoryId,
        status: products.status,
        vatRateBp: products.vatRateBp,
      },
      categoryPath: categories.path,
    })
    .from(skus)
    .innerJoin(products, eq(products.id, skus.productId))
    .leftJoin(categories, eq(categories.id, products.categoryId))
    .where(inJson(skus.id, [...new Set(ids)]))
  for (const { sku, product, categoryPath } of rows)
    out.set(sku.id, {
      id: sku.id,
      productId: sku.productId,
      productName: product.name,
      skuCode: sku.skuCode,
      barcode: sku.barcode,
      unit: product.unit,
      priceFen: sku.priceFen,
      memberPriceFen: sku.memberPriceFen,
      costFen: sku.costFen,
      vatRateBp: product.vatRateBp,
      categoryId: product.categoryId,
      categoryPath,
      status: sku.status === "active" && product.status === "active" ? "active" : "archived",
    })
  return out
}

/**
 * Each SKU's retail and member price in force at `at`: the newest sku_prices row effective by then
 * (whether or not the cron had copied it onto the SKU yet). SKUs with no price that early are absent.
 * An offline sale synced later is priced with these, not today's.
 */
export async function pricesAt(
  db: Db,
  ids: readonly string[],
  at: number,
): Promise<Map<string, { priceFen: number; memberPriceFen: number | null }>> {
  const out = new Map<string, { priceFen: number; memberPriceFen: number | null }>()
  if (ids.length === 0) return out
  // The newest row effective by `at`, per SKU (sku_prices_sku_idx serves the sub-select).
  const newest = sql`(select q.id from sku_prices q where q.sku_id = ${skuPrices.skuId} and q.effective_from <= ${at}
    order by q.effective_from desc, q.id desc limit 1)`
  const rows = await db
    .select({ skuId: skuPrices.skuId, priceFen: skuPrices.priceFen, memberPriceFen: skuPrices.memberPriceFen })
    .from(skuPrices)
    .where(and(inJson(skuPrices.skuId, [...new Set(ids)]), sql`${skuPrices.id} = ${newest}`))
  for (const r of rows) out.set(r.skuId, { priceFen: r.priceFen, memberPriceFen: r.memberPriceFen })
  return out
}
