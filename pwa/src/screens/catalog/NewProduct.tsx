import { useState } from "preact/hooks"
import { barcodeProblem } from "../../../../core/barcode"
import { tryParseYuan } from "../../../../core/money"
import { api } from "../../api/client"
import { TextField } from "../../components/TextField"
import { t } from "../../i18n"
import { UserMessage } from "../stock/docs"
import { DocHead, DocSubmit, useAction } from "../stock/parts"
import { type Named, type ProductWithSkus, refusalText } from "./api"
import { Picker } from "./fields"

// A new product (新建商品): apparel as a colour × size grid, one SKU per combination (code 款号-颜色-尺码, a barcode
// if the label has one), or a single-variant good as one row. Prices are typed in yuan and sent in fen.

interface Props {
  categories: Named[]
  brands: Named[]
  onCreated: (product: ProductWithSkus) => void
  onBack: () => void
}

type Kind = "apparel" | "single"
interface Row {
  skuCode: string
  attributes: Record<string, string>
}

const COLOUR = "颜色"
const SIZE = "尺码"

/** "红, 白" or "红 白" or "红，白": the values in the order typed, each once. */
const values = (text: string) => [...new Set(text.split(/[\s,，、]+/).filter(Boolean))]

const grid = (prefix: string, colours: string[], sizes: string[]): Row[] =>
  colours.flatMap((colour) =>
    sizes.map((size) => ({ skuCode: `${prefix}-${colour}-${size}`, attributes: { [COLOUR]: colour, [SIZE]: size } })),
  )

export function NewProduct({ categories, brands, onCreated, onBack }: Props) {
  const [kind, setKind] = useState<Kind>("apparel")
  const [name, setName] = useState("")
  const [categoryId, setCategoryId] = useState("")
  const [brandId, setBrandId] = useState("")
  const [code, setCode] = useState("")
  const [colours, setColours] = useState("")
  const [sizes, setSizes] = useState("")
  const [price, setPrice] = useState("")
  const [barcodes, setBarcodes] = useState<Record<string, string>>({})
  const { busy, problem, run } = useAction()

  const rows: Row[] =
    kind === "apparel"
      ? grid(code.trim(), values(colours), values(sizes))
      : code.trim()
        ? [{ skuCode: code.trim(), attributes: {} }]
        : []

  const body = () => {
    const fen = tryParseYuan(price)
    if (!name.trim() || rows.length === 0) throw new UserMessage(t("catalog.incomplete"))
    if (!fen.ok || fen.fen < 0) throw new UserMessage(t("catalog.badPrice"))
    const variants = rows.map((row) => {
      const barcode = barcodes[row.skuCode]?.trim()
      if (barcode && barcodeProblem(barcode)) throw new UserMessage(t("catalog.badBarcode", { code: barcode }))
      return { ...row, ...(barcode ? { barcode } : {}), priceFen: fen.fen }
    })
    return { name: name.trim(), categoryId: categoryId || null, brandId: brandId || null, variants }
  }

  // Not an idempotent call on the server: a repeat is refused as a duplicate SKU code, so it never makes two.
  const create = () =>
    run(async () => {
      const payload = body()
      try {
        onCreated(await api.post<ProductWithSkus>("/products", payload))
      } catch (error) {
        throw new UserMessage(refusalText(error))
      }
    })

  return (
    <section class="form" aria-labelledby="new-product-title" data-testid="new-product">
      <DocHead id="new-product-title" onBack={onBack}>
        {t("catalog.new")}
      </DocHead>
      <TextField label={t("catalog.name")} value={name} onInput={setName} testId="product-name" />
      <Picker
        label={t("catalog.category")}
        list={categories}
        value={categoryId}
        onChange={setCategoryId}
        testId="product-category"
      />
      <Picker label={t("catalog.brand")} list={brands} value={brandId} onChange={setBrandId} testId="product-brand" />
      <fieldset class="segmented">
        <legend>{t("catalog.kind")}</legend>
        {(["apparel", "single"] as const).map((k) => (
          <button
            key={k}
            type="button"
            aria-pressed={kind === k}
            onClick={() => setKind(k)}
            data-testid={`product-kind-${k}`}
          >
            {t(`catalog.kind.${k}`)}
          </button>
        ))}
      </fieldset>
      <TextField
        label={t(kind === "apparel" ? "catalog.style" : "catalog.code")}
        value={code}
        onInput={setCode}
        testId="product-code"
      />
      {kind === "apparel" && (
        <>
          <TextField label={t("catalog.colours")} value={colours} onInput={setColours} testId="product-colours" />
          <TextField label={t("catalog.sizes")} value={sizes} onInput={setSizes} testId="product-sizes" />
        </>
      )}
      <TextField
        label={t("catalog.priceYuan")}
        value={price}
        onInput={setPrice}
        testId="product-price"
        mode="decimal"
      />
      {rows.length > 0 && (
        <ul class="list" aria-label={t("catalog.variants")} data-testid="product-grid">
          {rows.map((row) => (
            <li key={row.skuCode} class="scan-line" data-testid="grid-row">
              <span class="scan-line-name">{row.skuCode}</span>
              <input
                aria-label={t("catalog.barcodeOf", { code: row.skuCode })}
                placeholder={t("catalog.barcode")}
                inputMode="numeric"
                value={barcodes[row.skuCode] ?? ""}
                onInput={(e) => setBarcodes({ ...barcodes, [row.skuCode]: e.currentTarget.value })}
                data-testid="grid-barcode"
              />
            </li>
          ))}
        </ul>
      )}
      <DocSubmit
        label={t("catalog.create", { count: rows.length })}
        testId="product-create"
        offlineText={t("catalog.offline")}
        problem={problem}
        problemTestId="product-problem"
        disabled={busy || rows.length === 0}
        onClick={() => void create()}
      />
    </section>
  )
}
