import { formatCny } from "../../../../core/money"
import { ApiError, api } from "../../api/client"
import { problemText } from "../stock/docs"

// The catalog API's shapes as this screen uses them (worker/modules/catalog/routes.ts), and the calls.

export interface Sku {
  id: string
  productId: string
  skuCode: string
  barcode: string | null
  attributes: Record<string, string>
  priceFen: number
  memberPriceFen: number | null
}

export interface Product {
  id: string
  name: string
  categoryId: string | null
  brandId: string | null
  status: "active" | "archived"
}

export type ProductWithSkus = Product & { skus: Sku[] }
/** A product as the list shows it: how many variants, and their price range. */
export type ProductSummary = Product & { variants: number; minPriceFen: number | null; maxPriceFen: number | null }

export interface PriceEntry {
  id: string
  priceFen: number
  effectiveFrom: string
  status: "applied" | "due" | "pending"
}

export interface Named {
  id: string
  name: string
}

type Page<T> = { items: T[]; nextCursor: string | null }

export const PAGE = 20

/** Category (by its 服装/女装 path) and brand names for the pickers and the list. */
export const loadNames = async (): Promise<{ categories: Named[]; brands: Named[] }> => {
  const [categories, brands] = await Promise.all([
    api.get<Page<{ id: string; namePath: string }>>("/categories?limit=100"),
    api.get<Page<Named>>("/brands?limit=100"),
  ])
  return { categories: categories.items.map((c) => ({ id: c.id, name: c.namePath })), brands: brands.items }
}

export const nameOf = (list: Named[], id: string | null) => (id ? (list.find((x) => x.id === id)?.name ?? "—") : "—")

export const getProduct = (id: string) => api.get<ProductWithSkus>(`/products/${id}`)

const summaryOf = ({ skus, ...p }: ProductWithSkus): ProductSummary => {
  const prices = skus.map((s) => s.priceFen)
  return {
    ...p,
    variants: skus.length,
    minPriceFen: prices.length ? Math.min(...prices) : null,
    maxPriceFen: prices.length ? Math.max(...prices) : null,
  }
}

/**
 * A page of products, each with its variant count and price range. A search asks for names (GET /products?q=)
 * and for codes, barcodes and pinyin (GET /skus?q=), and shows every product either found (the few found only
 * by a code are read one by one).
 */
export const findProducts = async (
  q: string,
  cursor: string | null,
): Promise<{ items: ProductSummary[]; nextCursor: string | null }> => {
  const query = new URLSearchParams({ limit: String(PAGE) })
  if (q) query.set("q", q)
  if (cursor) query.set("cursor", cursor)
  const byName = await api.get<Page<ProductSummary>>(`/products?${query}`)
  const items = [...byName.items]
  if (q && !cursor) {
    const byCode = await api.get<Page<Sku>>(`/skus?${new URLSearchParams({ q, limit: "100" })}`)
    const more = [...new Set(byCode.items.map((s) => s.productId))].filter((id) => !items.some((p) => p.id === id))
    items.push(...(await Promise.all(more.map(getProduct))).map(summaryOf))
  }
  return { items, nextCursor: byName.nextCursor }
}

export const priceRange = (low: number | null, high: number | null): string => {
  if (low === null || high === null) return "—"
  return low === high ? formatCny(low) : `${formatCny(low)}–${formatCny(high)}`
}

export const attributeText = (attributes: Record<string, string>) => Object.values(attributes).join(" / ")

/** A refusal in the server's own words (its detail and each field's message); anything else as elsewhere. */
export const refusalText = (error: unknown): string => {
  if (!(error instanceof ApiError) || error.status === 0 || !error.detail) return problemText(error)
  const fields = error.errors.map((e) => e.message).filter(Boolean)
  return fields.length ? `${error.detail}（${fields.join("；")}）` : error.detail
}
