import { useEffect, useState } from "preact/hooks"
import { can } from "../../../../core/roles"
import { session } from "../../auth/session"
import { AppShell } from "../../components/AppShell"
import { InlineForm } from "../../components/InlineForm"
import { t } from "../../i18n"
import { online } from "../../net"
import { useAction } from "../stock/parts"
import {
  findProducts,
  getProduct,
  loadNames,
  type Named,
  nameOf,
  type ProductSummary,
  type ProductWithSkus,
  priceRange,
} from "./api"
import { NewProduct } from "./NewProduct"
import { ProductDetail } from "./ProductDetail"
import "../stock/stock.css"
import "./catalog.css"
import { Problem } from "../../components/Message"

// 商品: HQ's products and prices. A searchable list (name, category, brand, how many variants, the price range),
// a product's variants with a price change, and a new product. Everything here needs the network.

type View = { kind: "list" } | { kind: "new" } | { kind: "detail"; product: ProductWithSkus }

const ProductRow = (p: { product: ProductSummary; categories: Named[]; brands: Named[]; onOpen: () => void }) => (
  <li>
    <button type="button" class="list-button" onClick={p.onOpen} data-testid="product" data-id={p.product.id}>
      <strong data-testid="product-row-name">{p.product.name}</strong>
      <span class="muted">
        {nameOf(p.categories, p.product.categoryId)} · {nameOf(p.brands, p.product.brandId)}
      </span>
      <span data-testid="product-row-summary">
        {t("catalog.summary", {
          count: p.product.variants,
          range: priceRange(p.product.minPriceFen, p.product.maxPriceFen),
        })}
      </span>
    </button>
  </li>
)

export default function Catalog() {
  const mayWrite = can(session.value?.user.role ?? "dealer", "catalog:write")
  const [view, setView] = useState<View>({ kind: "list" })
  const [names, setNames] = useState<{ categories: Named[]; brands: Named[] }>({ categories: [], brands: [] })
  const [query, setQuery] = useState("")
  const [items, setItems] = useState<ProductSummary[] | null>(null)
  const [next, setNext] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const { busy, problem, run } = useAction()

  const search = (q: string, cursor: string | null = null) =>
    run(async () => {
      const page = await findProducts(q.trim(), cursor)
      // A later page may hold a product the first page already showed (found there by its code).
      const shown = cursor ? (items ?? []) : []
      setItems([...shown, ...page.items.filter((p) => !shown.some((s) => s.id === p.id))])
      setNext(page.nextCursor)
    })

  useEffect(() => {
    if (!online.value) return
    void run(async () => setNames(await loadNames()))
    void search(query)
  }, [online.value])

  const open = (product: ProductWithSkus) => setView({ kind: "detail", product })
  const reload = async (id: string) => {
    await run(async () => open(await getProduct(id)))
  }
  const back = () => {
    setView({ kind: "list" })
    void search(query)
  }

  const body = () => {
    if (view.kind === "new")
      return (
        <NewProduct
          {...names}
          onBack={() => setView({ kind: "list" })}
          onCreated={(made) => {
            setNotice(t("catalog.created", { name: made.name, count: made.skus.length }))
            open(made)
          }}
        />
      )
    if (view.kind === "detail")
      return (
        <ProductDetail
          {...names}
          product={view.product}
          mayWrite={mayWrite}
          onReload={() => reload(view.product.id)}
          onBack={back}
        />
      )
    return (
      <>
        {mayWrite && (
          <button
            type="button"
            class="button button-primary"
            disabled={!online.value}
            onClick={() => setView({ kind: "new" })}
            data-testid="product-new"
          >
            {t("catalog.new")}
          </button>
        )}
        <InlineForm
          id="catalog-search"
          label={t("catalog.search")}
          value={query}
          onInput={setQuery}
          onSubmit={(e) => {
            e.preventDefault()
            void search(query)
          }}
          action={t("catalog.find")}
          actionTestId="catalog-find"
          busy={busy}
        />
        {!online.value ? (
          <p class="notice">{t("catalog.offline")}</p>
        ) : !items ? (
          <p class="muted">{t("common.loading")}</p>
        ) : items.length === 0 ? (
          <p class="muted" data-testid="catalog-empty">
            {t("catalog.empty")}
          </p>
        ) : (
          <ul class="list" data-testid="catalog-list">
            {items.map((p) => (
              <ProductRow key={p.id} product={p} {...names} onOpen={() => void reload(p.id)} />
            ))}
          </ul>
        )}
        {next && (
          <button
            type="button"
            class="button"
            disabled={busy}
            onClick={() => void search(query, next)}
            data-testid="catalog-more"
          >
            {t("catalog.more")}
          </button>
        )}
      </>
    )
  }

  return (
    <AppShell title={t("tool.catalog")} screen="catalog">
      {notice && view.kind !== "new" && (
        <p class="notice" role="status" data-testid="catalog-notice">
          {notice}
        </p>
      )}
      <Problem text={problem} testId="catalog-problem" />
      {body()}
    </AppShell>
  )
}
