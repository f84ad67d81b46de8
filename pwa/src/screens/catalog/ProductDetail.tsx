import { useState } from "preact/hooks"
import { formatCny, tryParseYuan } from "../../../../core/money"
import { api } from "../../api/client"
import { Notice } from "../../components/Message"
import { Money } from "../../components/Money"
import { TextField } from "../../components/TextField"
import { t } from "../../i18n"
import { UserMessage } from "../stock/docs"
import { DocHead, DocSubmit, useAction } from "../stock/parts"
import { attributeText, type Named, nameOf, type PriceEntry, type ProductWithSkus, refusalText, type Sku } from "./api"

// One product: its variants with code, barcode, attributes and price; a price change for one variant or all of
// them (now, or from a date: the server keeps it pending until then), and a variant's price history.

const when = (iso: string) => new Date(iso).toLocaleString("zh-CN", { hour12: false })

interface PriceFormProps {
  targets: Sku[]
  onDone: (notice: string) => void
  onCancel: () => void
  onReload: () => Promise<void>
}

const PriceForm = ({ targets, onDone, onCancel, onReload }: PriceFormProps) => {
  const [price, setPrice] = useState("")
  const [from, setFrom] = useState("")
  const { busy, problem, run } = useAction()

  // One call per variant (the API prices one SKU at a time). Sending the same price again after a failure only
  // adds a history row, so a retry of "all" is safe; the variants already changed are shown at once.
  const submit = () =>
    run(async () => {
      const fen = tryParseYuan(price)
      if (!fen.ok || fen.fen < 0) throw new UserMessage(t("catalog.badPrice"))
      const effectiveFrom = from ? new Date(from).toISOString() : undefined
      let done = 0
      try {
        for (const sku of targets) {
          await api.post<PriceEntry>(`/skus/${sku.id}/prices`, {
            priceFen: fen.fen,
            ...(effectiveFrom ? { effectiveFrom } : {}),
          })
          done++
        }
      } catch (error) {
        if (done === 0) throw new UserMessage(refusalText(error))
        await onReload()
        throw new UserMessage(t("catalog.pricePartial", { done, count: targets.length, reason: refusalText(error) }))
      }
      const shown = formatCny(fen.fen)
      onDone(
        effectiveFrom
          ? t("catalog.priceScheduled", { count: targets.length, price: shown, from: when(effectiveFrom) })
          : t("catalog.priceChanged", { count: targets.length, price: shown }),
      )
    })

  return (
    <div class="form card" data-testid="price-form">
      <DocHead id="price-form-title" onBack={onCancel}>
        {targets.length === 1 ? t("catalog.priceOf", { code: targets[0]!.skuCode }) : t("catalog.priceAll")}
      </DocHead>
      <TextField label={t("catalog.newPrice")} value={price} onInput={setPrice} testId="price-new" mode="decimal" />
      <label class="field">
        {t("catalog.effectiveFrom")}
        <input
          type="datetime-local"
          value={from}
          onInput={(e) => setFrom(e.currentTarget.value)}
          data-testid="price-from"
        />
      </label>
      <DocSubmit
        label={t("catalog.priceSave")}
        testId="price-save"
        offlineText={t("catalog.offline")}
        problem={problem}
        problemTestId="price-problem"
        disabled={busy}
        onClick={() => void submit()}
      />
    </div>
  )
}

const History = ({ sku }: { sku: Sku }) => {
  const [items, setItems] = useState<PriceEntry[] | null>(null)
  const { problem, run } = useAction()
  const load = () =>
    run(async () => {
      setItems((await api.get<{ items: PriceEntry[] }>(`/skus/${sku.id}/prices?limit=20`)).items)
    })
  if (!items)
    return (
      <>
        <button type="button" class="button button-small" onClick={() => void load()} data-testid="sku-history">
          {t("catalog.history")}
        </button>
        {problem && (
          <p class="form-error" role="alert">
            {problem}
          </p>
        )}
      </>
    )
  return (
    <ul class="list catalog-history" data-testid="price-history">
      {items.map((p) => (
        <li key={p.id} class="ledger-row" data-testid="price-entry">
          <span>{when(p.effectiveFrom)}</span>
          <Money fen={p.priceFen} />
          <span class="muted">{t(`catalog.priceStatus.${p.status}`)}</span>
        </li>
      ))}
    </ul>
  )
}

interface Props {
  product: ProductWithSkus
  categories: Named[]
  brands: Named[]
  mayWrite: boolean
  onReload: () => Promise<void>
  onBack: () => void
}

export function ProductDetail({ product, categories, brands, mayWrite, onReload, onBack }: Props) {
  const [targets, setTargets] = useState<Sku[] | null>(null)
  const [notice, setNotice] = useState<string | null>(null)

  return (
    <section class="form" aria-labelledby="product-title" data-testid="product-detail">
      <DocHead id="product-title" onBack={onBack}>
        {product.name}
      </DocHead>
      <p class="muted">
        {nameOf(categories, product.categoryId)} · {nameOf(brands, product.brandId)}
      </p>
      <Notice text={notice} testId="product-notice" />
      {targets ? (
        <PriceForm
          targets={targets}
          onCancel={() => setTargets(null)}
          onReload={onReload}
          onDone={async (text) => {
            setTargets(null)
            setNotice(text)
            await onReload()
          }}
        />
      ) : (
        mayWrite &&
        product.skus.length > 1 && (
          <button type="button" class="button" onClick={() => setTargets(product.skus)} data-testid="price-all">
            {t("catalog.priceAll")}
          </button>
        )
      )}
      <ul class="list" aria-label={t("catalog.variants")}>
        {product.skus.map((sku) => (
          <li key={sku.id} class="doc-card" data-testid="sku" data-id={sku.id}>
            <div class="doc-card-head">
              <strong data-testid="sku-code">{sku.skuCode}</strong>
              <Money fen={sku.priceFen} testId="sku-price" />
            </div>
            <span data-testid="sku-attributes">{attributeText(sku.attributes) || t("catalog.singleVariant")}</span>
            <span class="muted" data-testid="sku-barcode">
              {sku.barcode ?? t("catalog.noBarcode")}
            </span>
            <div class="doc-actions">
              {mayWrite && (
                <button
                  type="button"
                  class="button button-small"
                  onClick={() => setTargets([sku])}
                  data-testid="sku-price-change"
                >
                  {t("catalog.changePrice")}
                </button>
              )}
              <History key={`${sku.id}:${sku.priceFen}`} sku={sku} />
            </div>
          </li>
        ))}
      </ul>
    </section>
  )
}
