import { useEffect, useRef, useState } from "preact/hooks"
import { tryParseYuan } from "../../../../core/money"
import { api } from "../../api/client"
import { TextField } from "../../components/TextField"
import { t } from "../../i18n"
import type { SkuRecord } from "../../store/db"
import { DocHead, DocSubmit, useAction } from "../stock/parts"
import { ScanField, ScanLines, skuLabel } from "../stock/scan"
import { type DeliveryDraft, dropDelivery, type DeliveryLine as Line, saveDelivery } from "./delivery-draft"

// A supplier's delivery (供应商送货) scanned in: quantity per line, the unit cost as invoiced, and a lot number
// with its expiry date for goods whose category tracks expiry. Every change is kept on the device as it is made
// (delivery-draft.ts). One Idempotency-Key per delivery: a retry after a lost answer posts it once.

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

interface Props {
  store: string
  /** A new delivery, or the one this device kept from last time. */
  draft: DeliveryDraft
  onDone: (m: string) => void
  onBack: () => void
}

export function DirectReceipt({ store, draft: initial, onDone, onBack }: Props) {
  const lotCategories = useLotCategories()
  // Asked as the screen draws, so a line scanned before the categories arrived is asked too.
  const needsLot = (l: Line) => l.categoryId !== null && lotCategories.has(l.categoryId)
  const [draft, setDraftState] = useState(initial)
  // Scans can come faster than renders: each change starts from the latest draft, not the one last rendered.
  const latest = useRef(initial)
  const update = (patch: Partial<DeliveryDraft>) => {
    const next = { ...latest.current, ...patch }
    latest.current = next
    setDraftState(next)
    void saveDelivery(store, next)
  }
  const setLines = (lines: Line[]) => update({ lines })
  const { lines, supplierRef } = draft
  const { busy, problem, setProblem, run } = useAction()

  const onSku = (sku: SkuRecord) => {
    const now = latest.current.lines
    if (now.some((l) => l.skuId === sku.id))
      setLines(now.map((l) => (l.skuId === sku.id ? { ...l, qty: l.qty + 1 } : l)))
    else {
      const line = { ...skuLabel(sku), skuId: sku.id, categoryId: sku.categoryId, qty: 1 }
      setLines([{ ...line, cost: "", lot: "", expiresOn: "" }, ...now])
    }
    return undefined
  }
  const change = (skuId: string, patch: Partial<Line>) =>
    setLines(latest.current.lines.map((l) => (l.skuId === skuId ? { ...l, ...patch } : l)))

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
        { headers: { "Idempotency-Key": draft.key } },
      )
      await dropDelivery(store)
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
      {/* Not while posting: a scan then would be dropped with the posted draft. */}
      <ScanField onSku={onSku} listening={!busy} />
      <ScanLines
        lines={lines}
        label={t("receiving.direct")}
        onSet={(skuId, qty) => change(skuId, { qty })}
        onRemove={(skuId) => setLines(latest.current.lines.filter((l) => l.skuId !== skuId))}
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
      <TextField
        label={t("receiving.supplierRef")}
        value={supplierRef}
        onInput={(v) => update({ supplierRef: v })}
        testId="supplier-ref"
      />
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
