import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core"
import { createdAt, updatedAt } from "./columns"

export type SkuUnit = "piece" | "gram"
export type CatalogStatus = "active" | "archived"

export const categories = sqliteTable(
  "categories",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    parentId: text("parent_id"),
    // Ids from the root down, "/"-joined, so a subtree is one LIKE prefix query.
    path: text("path").notNull(),
    // Names from the root down, "/"-joined ("服装/女装"): unique, so siblings never share a name and
    // a CSV import finds a category by what people type.
    namePath: text("name_path").notNull().default(""), // the default only lets SQLite add the column
    // Days before expiry at which lots of this category are flagged (stock issue).
    expiryWarningDays: integer("expiry_warning_days"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("categories_parent_idx").on(t.parentId),
    index("categories_path_idx").on(t.path),
    uniqueIndex("categories_name_path_uq").on(t.namePath),
  ],
)

export const brands = sqliteTable(
  "brands",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("brands_name_uq").on(t.name)],
)

export const products = sqliteTable(
  "products",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    // Weighed goods count in grams and are priced per kilogram (priceFen is per kg for unit "gram").
    unit: text("unit").$type<SkuUnit>().notNull().default("piece"),
    categoryId: text("category_id"),
    brandId: text("brand_id"),
    // VAT in basis points (1300 = 13 %); prices are tax-inclusive.
    vatRateBp: integer("vat_rate_bp").notNull().default(1300),
    description: text("description"),
    status: text("status").$type<CatalogStatus>().notNull().default("active"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("products_category_idx").on(t.categoryId),
    index("products_updated_idx").on(t.updatedAt),
    // A CSV import groups rows into products by name (and category).
    index("products_name_idx").on(t.name, t.categoryId),
  ],
)

export const skus = sqliteTable(
  "skus",
  {
    id: text("id").primaryKey(),
    productId: text("product_id").notNull(),
    skuCode: text("sku_code").notNull(),
    barcode: text("barcode"),
    attributes: text("attributes", { mode: "json" }).$type<Record<string, string>>().notNull(),
    priceFen: integer("price_fen").notNull(),
    memberPriceFen: integer("member_price_fen"),
    costFen: integer("cost_fen"),
    supplierItemCode: text("supplier_item_code"),
    status: text("status").$type<CatalogStatus>().notNull().default("active"),
    // Lower-cased name, code, barcode, attributes and pinyin initials: what text search matches.
    searchText: text("search_text").notNull(),
    // Commit order for the tills' incremental sync, set by a trigger on every insert and update
    // (migrations/0013_sync_seq_triggers.sql): a write that stamped an earlier updated_at but committed
    // later still gets a higher number, so a till's sync token (the last number it saw) never skips it.
    syncSeq: integer("sync_seq").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("skus_code_uq").on(t.skuCode),
    index("skus_sync_seq_idx").on(t.syncSeq),
    uniqueIndex("skus_barcode_uq").on(t.barcode),
    index("skus_product_idx").on(t.productId),
    index("skus_updated_idx").on(t.updatedAt, t.id),
  ],
)

// Every price a SKU has had or will have; the current price is the newest one already effective.
export const skuPrices = sqliteTable(
  "sku_prices",
  {
    id: text("id").primaryKey(),
    skuId: text("sku_id").notNull(),
    priceFen: integer("price_fen").notNull(),
    memberPriceFen: integer("member_price_fen"),
    effectiveFrom: integer("effective_from").notNull(),
    // Set when a future price has been copied onto the SKU by the scheduled job.
    appliedAt: integer("applied_at"),
    changedBy: text("changed_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("sku_prices_sku_idx").on(t.skuId, t.effectiveFrom), index("sku_prices_pending_idx").on(t.appliedAt)],
)
