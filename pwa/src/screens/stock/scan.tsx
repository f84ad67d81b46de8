import type { ComponentChildren } from "preact"
import { useCallback, useRef, useState } from "preact/hooks"
import { InlineForm } from "../../components/InlineForm"
import { formatQty } from "../../components/Money"
import { t } from "../../i18n"
import { findByBarcode } from "../../store/catalog"
import type { SkuRecord } from "../../store/db"
import { labelGrams, parseScaleBarcode } from "../../till/scale"
import { useWedgeScanner } from "../../till/scanner"
import "./stock.css"

// What the stock tools share: a scan field (the wedge scanner listens on the whole screen, and a code can be
// typed too), SKUs found in the device's catalog so scanning never waits on the network, and a list of scanned
// lines with steppers, showing expected against counted where a document says what to expect.

export interface Notice {
  text: string
  tone: "ok" | "error"
}

/** A SKU as the stock screens name it: product and variant, and its code. */
export const skuLabel = (sku: SkuRecord) => ({
  id: sku.id,
  name: [sku.productName, ...Object.values(sku.attributes ?? {})].join(" "),
  code: sku.skuCode,
})

interface ScanFieldProps {
  /**
   * Takes a scanned SKU, with the grams its scale label carries when it was one; answers a notice to show
   * instead of "scanned: …" (e.g. not on this transfer).
   */
  onSku: (sku: SkuRecord, grams?: number) => Notice | undefined | Promise<Notice | undefined>
  listening?: boolean
  /** Read scale labels (weight or price inside) as the weighed item and its grams: only where grams are counted. */
  scaleLabels?: boolean
}

export function ScanField({ onSku, listening = true, scaleLabels = false }: ScanFieldProps) {
  const [code, setCode] = useState("")
  const [notice, setNotice] = useState<Notice | null>(null)
  const handler = useRef(onSku)
  handler.current = onSku

  const take = useCallback(
    async (raw: string) => {
      const typed = raw.trim()
      if (!typed) return
      const label = scaleLabels ? parseScaleBarcode(typed) : null
      const sku = await findByBarcode(label?.itemBarcode ?? typed)
      if (!sku) return setNotice({ text: t("scan.notFound", { code: typed }), tone: "error" })
      const name = skuLabel(sku).name
      if (label && sku.unit !== "gram") return setNotice({ text: t("scan.notWeighed", { name }), tone: "error" })
      const grams = label ? labelGrams(label, sku.priceFen) : undefined
      setNotice((await handler.current(sku, grams)) ?? { text: t("scan.added", { name }), tone: "ok" })
    },
    [scaleLabels],
  )
  useWedgeScanner(take, listening)

  return (
    <div>
      <InlineForm
        id="scan-code"
        label={t("scan.label")}
        value={code}
        onInput={setCode}
        onSubmit={(event) => {
          event.preventDefault()
          void take(code)
          setCode("")
        }}
        action={t("scan.add")}
        actionTestId="scan-add"
      />
      <p class={`scan-notice tone-${notice?.tone ?? "ok"}`} role="status" data-testid="scan-notice">
        {notice?.text ?? ""}
      </p>
    </div>
  )
}

export interface ScanLine {
  skuId: string
  name: string
  code: string
  qty: number
  /** What the document says should be there; a line that differs is flagged. */
  expected?: number
  /** Weighed goods count grams: the line shows its weight beside the grams field. */
  unit?: "piece" | "gram"
}

interface ScanLinesProps {
  lines: ScanLine[]
  onSet: (skuId: string, qty: number) => void
  /** Lines without an expected quantity can be taken away. */
  onRemove?: (skuId: string) => void
  label: string
  /** More fields under a line (a delivery's cost, lot and expiry). */
  extra?: (line: ScanLine) => ComponentChildren
}

/** The most a line may hold, as the API takes it; a barcode's digits (8 or more) never pass for a quantity. */
const MAX_QTY = 1_000_000

// The wedge scanner keeps listening while a quantity is typed (data-scanner="accept"): a scan that lands in this
// field is counted as a scan, and the digits it left behind are refused as a quantity (and put back).
const QtyInput = ({ line, onSet }: { line: ScanLine; onSet: (qty: number) => void }) => (
  <input
    type="number"
    inputMode="numeric"
    min={0}
    max={MAX_QTY}
    step={1}
    value={line.qty}
    aria-label={t(line.unit === "gram" ? "scan.gramsOf" : "scan.qtyOf", { name: line.name })}
    data-scanner="accept"
    onChange={(e) => {
      const qty = Number(e.currentTarget.value)
      if (Number.isInteger(qty) && qty >= 0 && qty <= MAX_QTY) onSet(qty)
      else e.currentTarget.value = String(line.qty)
    }}
    data-testid="line-qty"
  />
)

export function ScanLines({ lines, onSet, onRemove, label, extra }: ScanLinesProps) {
  if (lines.length === 0)
    return (
      <p class="empty" data-testid="lines-empty">
        {t("scan.empty")}
      </p>
    )
  return (
    <ul class="scan-lines" aria-label={label} data-testid="scan-lines">
      {lines.map((line) => {
        const diff = line.expected === undefined ? 0 : line.qty - line.expected
        return (
          <li
            key={line.skuId}
            class={`scan-line ${diff ? "is-off" : ""}`}
            data-testid="scan-line"
            data-sku={line.skuId}
          >
            <span class="scan-line-name">
              <span data-testid="line-name">{line.name}</span> <span class="muted">{line.code}</span>
              {line.unit === "gram" && (
                <span class="muted">
                  {" · "}
                  <strong data-testid="line-weight" data-grams={line.qty}>
                    {formatQty(line.qty, "gram")}
                  </strong>
                </span>
              )}
              {line.expected !== undefined && (
                <span class="muted" data-testid="line-expected" data-qty={line.expected}>
                  {" · "}
                  {t("receiving.expected")} {line.expected}
                </span>
              )}
              {diff !== 0 && (
                <span class="diff" data-testid="line-diff">
                  {" "}
                  {t("receiving.diff", { diff: diff > 0 ? `+${diff}` : diff })}
                </span>
              )}
            </span>
            <span class="stepper">
              <button
                type="button"
                aria-label={t("scan.less", { name: line.name })}
                onClick={() => onSet(line.skuId, Math.max(0, line.qty - 1))}
                data-testid="line-less"
              >
                −
              </button>
              <QtyInput line={line} onSet={(qty) => onSet(line.skuId, qty)} />
              <button
                type="button"
                aria-label={t("scan.more", { name: line.name })}
                onClick={() => onSet(line.skuId, line.qty + 1)}
                data-testid="line-more"
              >
                +
              </button>
              {onRemove && line.expected === undefined && (
                <button
                  type="button"
                  class="remove"
                  aria-label={t("scan.remove", { name: line.name })}
                  onClick={() => onRemove(line.skuId)}
                  data-testid="line-remove"
                >
                  ×
                </button>
              )}
            </span>
            {extra?.(line)}
          </li>
        )
      })}
    </ul>
  )
}
