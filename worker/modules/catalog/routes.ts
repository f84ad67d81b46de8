import { createRoute } from "@hono/zod-openapi"
import { barcodeProblem } from "../../../core/barcode"
import { guard } from "../../lib/auth"
import { jsonBody, jsonResponse, problemResponses, router, z } from "../../lib/openapi"
import { PageQuery, pageOf } from "../../lib/pagination"
import { IdParam, IsoTime } from "../../lib/schemas"
import { SyncPageQuery } from "../../lib/sync"
import { importProducts } from "./import"
import * as catalog from "./service"

// ─── shapes ───────────────────────────────────────────────────────────────────

const Fen = z.number().int().min(0).max(catalog.MAX_PRICE_FEN).openapi({ example: 5990 })
const Unit = z.enum(["piece", "gram"]).openapi({ description: "piece, or gram for weighed goods (priced per kg)" })
const Status = z.enum(["active", "archived"])
const Name = z.string().trim().min(1).max(100)
// Codes go on labels and into scanners: no spaces or control characters.
const SkuCode = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[^\s\p{C}]+$/u, "no spaces or control characters")
  .openapi({ example: "QS24-黑-M" })
const Barcode = z
  .string()
  .superRefine((code, ctx) => {
    const message = barcodeProblem(code)
    if (message) ctx.addIssue({ code: "custom", message })
  })
  .openapi({ example: "6901234567892", description: "EAN-13, UPC-A or EAN-8 with a valid check digit" })
const AttributeName = z.string().trim().min(1).max(32)
const AttributeValue = z.string().trim().min(1).max(64)
const Attributes = z
  .record(AttributeName, AttributeValue)
  .refine((a) => Object.keys(a).length <= 10, "at most 10 attributes")
  .openapi({ example: { 颜色: "黑", 尺码: "M" } })
const VatRateBp = z
  .number()
  .int()
  .min(0)
  .max(10_000)
  .openapi({ example: 1300, description: "basis points: 1300 = 13 %" })
const RefId = z.string().min(1).max(64)
const ShortText = z.string().trim().max(64)

const memberNotAbovePrice = (v: { priceFen?: number; memberPriceFen?: number | null }, ctx: z.RefinementCtx) => {
  if (v.priceFen !== undefined && v.memberPriceFen != null && v.memberPriceFen > v.priceFen)
    ctx.addIssue({ code: "custom", path: ["memberPriceFen"], message: "A member price may not exceed the price." })
}

const Variant = z
  .strictObject({
    skuCode: SkuCode,
    barcode: Barcode.nullish(),
    attributes: Attributes.optional(),
    priceFen: Fen,
    memberPriceFen: Fen.nullish(),
    costFen: Fen.nullish(),
    supplierItemCode: ShortText.nullish(),
  })
  .superRefine(memberNotAbovePrice)
  .openapi("VariantInput")

const ProductBase = {
  name: Name.openapi({ example: "女士羊毛衫" }),
  categoryId: RefId.nullish(),
  brandId: RefId.nullish(),
  vatRateBp: VatRateBp.optional(),
  description: z.string().max(2000).nullish(),
}
const MAX_OPTIONS = 4
const ProductCreate = z
  .strictObject({
    ...ProductBase,
    unit: Unit.optional(),
    variants: z.array(Variant).min(1).max(catalog.MAX_VARIANTS).optional(),
    // Or a matrix: one SKU per combination of the options (a style in colour × size).
    options: z
      .record(AttributeName, z.array(AttributeValue).min(1).max(50))
      .optional()
      .openapi({ example: { 颜色: ["黑", "白"], 尺码: ["S", "M", "L"] } }),
    skuCodePrefix: SkuCode.optional(),
    priceFen: Fen.optional(),
    memberPriceFen: Fen.nullish(),
    costFen: Fen.nullish(),
    supplierItemCode: ShortText.nullish(),
  })
  .superRefine((p, ctx) => {
    const matrixFields = (
      ["options", "skuCodePrefix", "priceFen", "memberPriceFen", "costFen", "supplierItemCode"] as const
    ).filter((k) => p[k] !== undefined)
    if (p.variants) {
      for (const k of matrixFields)
        ctx.addIssue({ code: "custom", path: [k], message: "Send either variants or a matrix (options), not both." })
      return
    }
    if (!p.options) {
      ctx.addIssue({
        code: "custom",
        path: ["variants"],
        message: "Send variants, or options to make one SKU per combination.",
      })
      return
    }
    if (!p.skuCodePrefix) ctx.addIssue({ code: "custom", path: ["skuCodePrefix"], message: "Required with options." })
    if (p.priceFen === undefined)
      ctx.addIssue({ code: "custom", path: ["priceFen"], message: "Required with options." })
    const dims = Object.values(p.options)
    if (dims.length === 0 || dims.length > MAX_OPTIONS)
      ctx.addIssue({ code: "custom", path: ["options"], message: `1 to ${MAX_OPTIONS} options.` })
    const combos = dims.reduce((n, values) => n * values.length, 1)
    if (combos > catalog.MAX_VARIANTS)
      ctx.addIssue({
        code: "custom",
        path: ["options"],
        message: `${combos} combinations: at most ${catalog.MAX_VARIANTS}.`,
      })
    for (const [name, values] of Object.entries(p.options))
      if (new Set(values).size !== values.length)
        ctx.addIssue({ code: "custom", path: ["options", name], message: "A value appears twice." })
    memberNotAbovePrice(p, ctx)
  })
  .openapi("ProductCreate", {
    description: "Either `variants`, or `options` + `skuCodePrefix` + `priceFen` (one SKU per combination).",
  })

const ProductPatch = z
  .strictObject({ ...ProductBase, name: Name.optional(), status: Status.optional() })
  .openapi("ProductPatch")

const Sku = z
  .object({
    id: z.string(),
    productId: z.string(),
    productName: z.string(),
    skuCode: z.string(),
    barcode: z.string().nullable(),
    attributes: z.record(z.string(), z.string()),
    priceFen: z.number().int(),
    memberPriceFen: z.number().int().nullable(),
    costFen: z.number().int().nullable().optional().openapi({ description: "Only for roles with catalog:write." }),
    supplierItemCode: z.string().nullable(),
    unit: Unit,
    categoryId: z.string().nullable(),
    status: Status.openapi({ description: "archived when the SKU or its product is archived" }),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  })
  .openapi("Sku")

const Product = z
  .object({
    id: z.string(),
    name: z.string(),
    unit: Unit,
    categoryId: z.string().nullable(),
    brandId: z.string().nullable(),
    vatRateBp: z.number().int(),
    description: z.string().nullable(),
    status: Status,
    createdAt: IsoTime,
    updatedAt: IsoTime,
  })
  .openapi("Product")
const ProductWithSkus = Product.extend({ skus: z.array(Sku) }).openapi("ProductWithSkus")
const ProductListItem = Product.extend({
  variants: z.number().int().openapi({ description: "how many SKUs (variants) the product has" }),
  minPriceFen: z.number().int().nullable().openapi({ description: "the lowest variant price; null without variants" }),
  maxPriceFen: z.number().int().nullable(),
}).openapi("ProductListItem")

const Category = z
  .object({
    id: z.string(),
    name: z.string(),
    parentId: z.string().nullable(),
    path: z.string().openapi({ description: "ids from the root down, /-joined" }),
    namePath: z.string().openapi({ example: "服装/女装" }),
    depth: z.number().int(),
    expiryWarningDays: z.number().int().nullable(),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  })
  .openapi("Category")
const Brand = z.object({ id: z.string(), name: z.string(), createdAt: IsoTime }).openapi("Brand")

const Price = z
  .object({
    id: z.string(),
    skuId: z.string(),
    priceFen: z.number().int(),
    memberPriceFen: z.number().int().nullable(),
    effectiveFrom: IsoTime,
    status: z.enum(["applied", "due", "pending"]),
    appliedAt: IsoTime.nullable(),
    changedBy: z.string(),
    createdAt: IsoTime,
  })
  .openapi("SkuPrice")

const ImportError = z.object({
  row: z.number().int().openapi({ description: "the spreadsheet row (the header is row 1)" }),
  column: z.string().nullable(),
  code: z.string(),
  message: z.string(),
  path: z.string(),
})
const ImportReport = z
  .object({
    dryRun: z.boolean(),
    encoding: z.enum(["utf-8", "utf-8-bom", "utf-16", "gbk"]),
    rows: z.number().int(),
    products: z.number().int().openapi({ description: "products created (or, in a dry run, to be created)" }),
    skus: z.number().int(),
    unchanged: z.number().int(),
    categories: z.number().int(),
    brands: z.number().int(),
    ignoredColumns: z.array(z.string()),
    errors: z.array(ImportError),
  })
  .openapi("ImportReport")

const IsoInstant = z.iso.datetime({ offset: true }).openapi({ example: "2026-12-01T00:00:00+08:00" })

// ─── routes ───────────────────────────────────────────────────────────────────

const tags = ["catalog"]

const createProduct = createRoute({
  method: "post",
  path: "/products",
  tags,
  summary: "Create a product with its SKUs (explicit variants or an options matrix)",
  ...guard("catalog:write"),
  request: jsonBody(ProductCreate),
  responses: {
    201: jsonResponse(ProductWithSkus, "Created"),
    ...problemResponses(400, 401, 403, 409, 413, 415, 422),
  },
})
const listProducts = createRoute({
  method: "get",
  path: "/products",
  tags,
  summary: "Products, by id",
  ...guard("catalog:read"),
  request: {
    query: PageQuery.extend({
      categoryId: RefId.optional(),
      status: Status.optional(),
      q: z.string().trim().min(1).max(100).optional(),
    }),
  },
  responses: { 200: jsonResponse(pageOf(ProductListItem), "Products"), ...problemResponses(400, 401, 403) },
})
const getProduct = createRoute({
  method: "get",
  path: "/products/{id}",
  tags,
  summary: "A product with its SKUs",
  ...guard("catalog:read"),
  request: { params: IdParam },
  responses: { 200: jsonResponse(ProductWithSkus, "Product"), ...problemResponses(401, 403, 404) },
})
const patchProduct = createRoute({
  method: "patch",
  path: "/products/{id}",
  tags,
  summary: "Rename, recategorise, archive a product (its SKUs show up in incremental sync)",
  ...guard("catalog:write"),
  request: { params: IdParam, ...jsonBody(ProductPatch) },
  responses: { 200: jsonResponse(ProductWithSkus, "Updated"), ...problemResponses(400, 401, 403, 404, 422) },
})
const addVariants = createRoute({
  method: "post",
  path: "/products/{id}/variants",
  tags,
  summary: "Add SKUs to a product",
  ...guard("catalog:write"),
  request: {
    params: IdParam,
    ...jsonBody(z.strictObject({ variants: z.array(Variant).min(1).max(catalog.MAX_VARIANTS) })),
  },
  responses: { 201: jsonResponse(ProductWithSkus, "Added"), ...problemResponses(400, 401, 403, 404, 409, 422) },
})
const importCsv = createRoute({
  method: "post",
  path: "/products/import",
  tags,
  summary: "Import products from a CSV file (UTF-8 with or without BOM, or GBK as Excel saves it)",
  description:
    "Columns (Chinese or English headers): 商品名称/name, 货号/skuCode, 条码/barcode, 售价/price (yuan, e.g. 59.90), 会员价/memberPrice, 成本/cost, 分类/category (服装/女装, created if missing), 品牌/brand, 单位/unit, 颜色/color, 尺码/size, 税率/vatRate (13%), 供应商货号/supplierItemCode. Rows with the same name and category become one product. Nothing is imported when any row is bad; a dry run reports every bad row. Re-importing the same file changes nothing.",
  ...guard("catalog:write"),
  request: {
    query: z.object({ dryRun: z.enum(["true", "false"]).default("false") }),
    body: { required: true, content: { "text/csv": { schema: z.string() } } },
  },
  responses: {
    200: jsonResponse(ImportReport, "The report (a real run answers 200 only when everything was imported)"),
    ...problemResponses(400, 401, 403, 409, 413, 415, 422),
  },
})

const SkuListQuery = SyncPageQuery.extend({
  barcode: z
    .string()
    .regex(/^\d{1,14}$/, "digits only")
    .optional()
    .openapi({ description: "exact (a UPC-A also matches its EAN-13 form)" }),
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: "name, code, barcode, attributes, pinyin initials" }),
  updatedSince: IsoInstant.optional().openapi({
    description:
      "starts an incremental sync: SKUs changed at or after this instant (the epoch: all), archived ones included; each page's syncToken then asks for what changed after it",
  }),
  productId: RefId.optional(),
  status: Status.optional(),
})
const listSkus = createRoute({
  method: "get",
  path: "/skus",
  tags,
  summary: "Find SKUs by barcode or text, or sync every change since a syncToken (in commit order)",
  description:
    "A sync (updatedSince or syncToken) pages in the order changes were committed, up to 1,000 SKUs a page, and every page carries `syncToken`: keep the last one and send it next time to get only what changed after it, including SKUs written late or changed again during the pass.",
  ...guard("catalog:read"),
  request: { query: SkuListQuery },
  responses: {
    200: jsonResponse(
      pageOf(Sku).extend({
        syncToken: z.string().optional().openapi({ description: "only when syncing: the position after this page" }),
      }),
      "SKUs",
    ),
    ...problemResponses(400, 401, 403),
  },
})
const getSku = createRoute({
  method: "get",
  path: "/skus/{id}",
  tags,
  summary: "One SKU",
  ...guard("catalog:read"),
  request: { params: IdParam },
  responses: { 200: jsonResponse(Sku, "SKU"), ...problemResponses(401, 403, 404) },
})
const patchSku = createRoute({
  method: "patch",
  path: "/skus/{id}",
  tags,
  summary: "Change a SKU's barcode, attributes, status, cost or supplier code (prices: POST …/prices)",
  ...guard("catalog:write"),
  request: {
    params: IdParam,
    ...jsonBody(
      z
        .strictObject({
          barcode: Barcode.nullable().optional(),
          attributes: Attributes.optional(),
          status: Status.optional(),
          supplierItemCode: ShortText.nullish(),
          costFen: Fen.nullish(),
        })
        .openapi("SkuPatch"),
    ),
  },
  responses: { 200: jsonResponse(Sku, "Updated"), ...problemResponses(400, 401, 403, 404, 409) },
})
const changePrice = createRoute({
  method: "post",
  path: "/skus/{id}/prices",
  tags,
  summary: "Change a SKU's price now or from a future instant (kept in its history)",
  ...guard("catalog:write"),
  request: {
    params: IdParam,
    ...jsonBody(
      z
        .strictObject({ priceFen: Fen, memberPriceFen: Fen.nullish(), effectiveFrom: IsoInstant.optional() })
        .superRefine(memberNotAbovePrice)
        .openapi("PriceChange", {
          description: "memberPriceFen omitted keeps the current member price; null removes it.",
        }),
    ),
  },
  responses: { 201: jsonResponse(Price, "Recorded"), ...problemResponses(400, 401, 403, 404, 422) },
})
const listPrices = createRoute({
  method: "get",
  path: "/skus/{id}/prices",
  tags,
  summary: "A SKU's price history, newest first (pending future prices included)",
  ...guard("catalog:read"),
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonResponse(pageOf(Price), "Prices"), ...problemResponses(400, 401, 403, 404) },
})

const createCategory = createRoute({
  method: "post",
  path: "/categories",
  tags,
  summary: "Add a category (under a parent, or at the root)",
  ...guard("catalog:write"),
  request: jsonBody(
    z.strictObject({
      name: Name.regex(/^[^/]+$/, "no / in a category name").openapi({ example: "女装" }),
      parentId: RefId.nullish(),
      expiryWarningDays: z.number().int().min(0).max(3650).nullish(),
    }),
  ),
  responses: { 201: jsonResponse(Category, "Created"), ...problemResponses(400, 401, 403, 409, 422) },
})
const listCategories = createRoute({
  method: "get",
  path: "/categories",
  tags,
  summary: "The category tree, flat: parents right before their children",
  ...guard("catalog:read"),
  request: { query: PageQuery.extend({ parentId: RefId.optional() }) },
  responses: { 200: jsonResponse(pageOf(Category), "Categories"), ...problemResponses(400, 401, 403) },
})
const createBrand = createRoute({
  method: "post",
  path: "/brands",
  tags,
  summary: "Add a brand",
  ...guard("catalog:write"),
  request: jsonBody(z.strictObject({ name: Name.openapi({ example: "铺子自营" }) })),
  responses: { 201: jsonResponse(Brand, "Created"), ...problemResponses(400, 401, 403, 409) },
})
const listBrands = createRoute({
  method: "get",
  path: "/brands",
  tags,
  summary: "Brands by name",
  ...guard("catalog:read"),
  request: { query: PageQuery },
  responses: { 200: jsonResponse(pageOf(Brand), "Brands"), ...problemResponses(400, 401, 403) },
})

export const catalogRoutes = router()
  .openapi(createProduct, async (c) =>
    c.json(await catalog.createProduct(c.var.db, c.var.actor, c.req.valid("json")), 201),
  )
  .openapi(importCsv, async (c) =>
    c.json(await importProducts(c.var.db, c.var.actor, c.req.raw, c.req.valid("query").dryRun === "true"), 200),
  )
  .openapi(listProducts, async (c) => c.json(await catalog.listProducts(c.var.db, c.req.valid("query")), 200))
  .openapi(getProduct, async (c) =>
    c.json(await catalog.getProduct(c.var.db, c.var.actor, c.req.valid("param").id), 200),
  )
  .openapi(patchProduct, async (c) =>
    c.json(await catalog.updateProduct(c.var.db, c.var.actor, c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(addVariants, async (c) =>
    c.json(
      await catalog.addVariants(c.var.db, c.var.actor, c.req.valid("param").id, c.req.valid("json").variants),
      201,
    ),
  )
  .openapi(listSkus, async (c) => c.json(await catalog.listSkus(c.var.db, c.var.actor, c.req.valid("query")), 200))
  .openapi(getSku, async (c) => c.json(await catalog.getSku(c.var.db, c.var.actor, c.req.valid("param").id), 200))
  .openapi(patchSku, async (c) =>
    c.json(await catalog.updateSku(c.var.db, c.var.actor, c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(changePrice, async (c) =>
    c.json(await catalog.changePrice(c.var.db, c.var.actor, c.req.valid("param").id, c.req.valid("json")), 201),
  )
  .openapi(listPrices, async (c) =>
    c.json(await catalog.listPrices(c.var.db, c.req.valid("param").id, c.req.valid("query")), 200),
  )
  .openapi(createCategory, async (c) => c.json(await catalog.createCategory(c.var.db, c.req.valid("json")), 201))
  .openapi(listCategories, async (c) => c.json(await catalog.listCategories(c.var.db, c.req.valid("query")), 200))
  .openapi(createBrand, async (c) => c.json(await catalog.createBrand(c.var.db, c.req.valid("json")), 201))
  .openapi(listBrands, async (c) => c.json(await catalog.listBrands(c.var.db, c.req.valid("query")), 200))
