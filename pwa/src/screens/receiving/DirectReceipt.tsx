import { useEffect, useRef, useState } from "preact/hooks"
import { ulid } from "ulid"
import { tryParseYuan } from "../../../../core/money"
import { api } from "../../api/client"
import { t } from "../../i18n"
import type { SkuRecord } from "../../store/db"
import { DocHead, DocSubmit, useAction } from "../stock/parts"
import { ScanField, type ScanLine, ScanLines, skuLabel } from "../stock/scan"

// A supplier's delivery (供应商送货) scanned in: quantity per line, the unit cost as invoiced, and a lot number
// with its expiry date for goods whose category tracks expiry. One Idempotency-Key per delivery: a retry after
// a lost answer posts it once.

interface Line extends ScanLine {
  categoryId: string | null
  cost: string
  lot: string
  expiresOn: string
}

interface Category {
  id: string
  expiryWarningDays: number | null
}

/** Categories whose goods carry lots with an expiry date (the ones the near-expiry warning watches). */
const useLotCategories = () => {
  const [ids, setIds] = useState<Set<string>>(new Set())
  useEffect(() => {
    const load = async () => {
      const found = new Set<string>()
      let cursor: string | null = null
      do {
        const query = new URLSearchParams({ limit: "100" })
        if (cursor) query.set("cursor", cursor)
        const page: { items: Category[]; nextCursor: string | null } = await api.get(`/categories?${query}`)
        for (const c of page.items) if (c.expiryWarningDays !== null) found.add(c.id)
        cursor = page.nextCursor
      } while (cursor)
      setIds(found)
    }
    load().catch(() => {}) // offline: posting needs the network anyway
  }, [])
  return ids
}

const problemOf = (l: Line, needsLot: boolean): string | null => {
  if (l.cost.trim() && !tryParseYuan(l.cost).ok) return t("receiving.badCost")
  if (needsLot && (!l.lot.trim() || !l.expiresOn)) return t("receiving.needsLot")
  return null
}

const toBody = (l: Line) => {
  const cost = tryParseYuan(l.cost)
  return {
    skuId: l.skuId,
    qty: l.qty,
    ...(l.cost.trim() && cost.ok ? { unitCostFen: cost.fen } : {}),
    ...(l.lot.trim() ? { lot: l.lot.trim() } : {}),
    ...(l.lot.trim() && l.expiresOn ? { expiresOn: l.expiresOn } : {}),
  }
}

export function DirectReceipt({
  store,
  onDone,
  onBack,
}: {
  store: string
  onDone: (m: string) => void
  onBack: () => void
}) {
  const lotCategories = useLotCategories()
  // Asked as the screen draws, so a line scanned before the categories arrived is asked too.
  const needsLot = (l: Line) => l.categoryId !== null && lotCategories.has(l.categoryId)
  const [lines, setLinesState] = useState<Line[]>([])
  const latest = useRef<Line[]>([])
  const setLines = (next: Line[]) => {
    latest.current = next
    setLinesState(next)
  }
  const [supplierRef, setSupplierRef] = useState("")
  const key = useRef(ulid())
  const { busy, problem, setProblem, run } = useAction()

  const onSku = (sku: SkuRecord) => {
    const now = latest.current
    if (now.some((l) => l.skuId === sku.id))
      setLines(now.map((l) => (l.skuId === sku.id ? { ...l, qty: l.qty + 1 } : l)))
    else {
      const line = { ...skuLabel(sku), skuId: sku.id, categoryId: sku.categoryId, qty: 1 }
      setLines([{ ...line, cost: "", lot: "", expiresOn: "" }, ...now])
    }
    return undefined
  }
  const change = (skuId: string, patch: Partial<Line>) =>
    setLines(latest.current.map((l) => (l.skuId === skuId ? { ...l, ...patch } : l)))

  const post = async () => {
    const bad = lines.map((l) => problemOf(l, needsLot(l))).find(Boolean)
    if (bad) return setProblem(bad)
    await run(async () => {
      const receipt = await api.post<{ id: string; number: string | null }>(
        "/stock/receipts",
        {
          locationId: store,
          lines: lines.filter((l) => l.qty > 0).map(toBody),
          ...(supplierRef.trim() ? { supplierRef: supplierRef.trim() } : {}),
        },
        { headers: { "Idempotency-Key": key.current } },
      )
      key.current = ulid()
      setLines([])
      onDone(t("receiving.receiptDone", { number: receipt.number ?? receipt.id }))
    })
  }

  const field = (line: Line, name: "cost" | "lot" | "expiresOn", label: string) => {
    const id = `${name}-${line.skuId}`
    const common = {
      id,
      value: line[name],
      required: name !== "cost" && needsLot(line),
      onInput: (e: { currentTarget: HTMLInputElement }) => change(line.skuId, { [name]: e.currentTarget.value }),
      "data-testid": `line-${name}`,
    }
    return (
      <span class="field">
        <label for={id}>{label}</label>
        {name === "expiresOn" ? (
          <input type="date" {...common} />
        ) : (
          <input type="text" inputMode={name === "cost" ? "decimal" : "text"} {...common} />
        )}
      </span>
    )
  }

  return (
    <section class="form" aria-labelledby="direct-title" data-testid="direct-receipt">
      <DocHead id="direct-title" onBack={onBack}>
        {t("receiving.direct")}
      </DocHead>
      <ScanField onSku={onSku} />
      <ScanLines
        lines={lines}
        label={t("receiving.direct")}
        onSet={(skuId, qty) => change(skuId, { qty })}
        onRemove={(skuId) => setLines(latest.current.filter((l) => l.skuId !== skuId))}
        extra={(scan) => {
          const line = lines.find((l) => l.skuId === scan.skuId)!
          return (
            <div class="field-grid">
              {field(line, "cost", t("receiving.unitCost"))}
              {field(line, "lot", t("receiving.lot"))}
              {field(line, "expiresOn", t("receiving.expiresOn"))}
              {needsLot(line) && (
                <p class="muted" data-testid="line-needs-lot">
                  {t("receiving.needsLot")}
                </p>
              )}
            </div>
          )
        }}
      />
      <label class="field">
        {t("receiving.supplierRef")}
        <input value={supplierRef} onInput={(e) => setSupplierRef(e.currentTarget.value)} data-testid="supplier-ref" />
      </label>
      <DocSubmit
        label={t("receiving.postReceipt")}
        testId="receipt-post"
        offlineText={t("receiving.offline")}
        problem={problem}
        problemTestId="receipt-problem"
        disabled={busy || !lines.some((l) => l.qty > 0)}
        onClick={() => void post()}
      />
    </section>
  )
}
