import { useRef, useState } from "preact/hooks"
import { ulid } from "ulid"
import { ApiError, api } from "../../api/client"
import { t } from "../../i18n"
import type { SkuRecord } from "../../store/db"
import { type Destination, type Transfer, UserMessage } from "../stock/docs"
import { DocHead, DocSubmit, useAction } from "../stock/parts"
import { ScanField, type ScanLine, ScanLines, skuLabel } from "../stock/scan"

// A new transfer (调拨) from my store: choose where to, scan what goes, create it (the source holds every line,
// all or nothing). One Idempotency-Key per transfer being made, so a retried tap never makes two.

interface Props {
  store: string
  places: Destination[]
  onCreated: (transfer: Transfer) => void
  onBack: () => void
}

type Shortage = { skuId: string; available: number }

export function NewTransfer({ store, places, onCreated, onBack }: Props) {
  const [to, setTo] = useState("")
  const [lines, setLinesState] = useState<ScanLine[]>([])
  const latest = useRef<ScanLine[]>([])
  const setLines = (next: ScanLine[]) => {
    latest.current = next
    setLinesState(next)
  }
  const key = useRef(ulid())
  const { busy, problem, run } = useAction()

  const onSku = (sku: SkuRecord) => {
    const now = latest.current
    setLines(
      now.some((l) => l.skuId === sku.id)
        ? now.map((l) => (l.skuId === sku.id ? { ...l, qty: l.qty + 1 } : l))
        : [{ ...skuLabel(sku), skuId: sku.id, qty: 1 }, ...now],
    )
    return undefined
  }

  const shortText = (error: ApiError) =>
    (error.errors as unknown as Shortage[])
      .map((s) => {
        const line = latest.current.find((l) => l.skuId === s.skuId)
        return t("transfers.short", { name: line?.name ?? s.skuId, available: s.available })
      })
      .join("；")

  const create = () =>
    run(async () => {
      try {
        const made = await api.post<Transfer>(
          "/transfers",
          {
            fromLocationId: store,
            toLocationId: to,
            lines: lines.filter((l) => l.qty > 0).map((l) => ({ skuId: l.skuId, qty: l.qty })),
          },
          { headers: { "Idempotency-Key": key.current } },
        )
        onCreated(made)
      } catch (error) {
        // A refused body is final for this key: the next attempt (with other lines) is a new request.
        if (error instanceof ApiError && error.status >= 400) key.current = ulid()
        if (error instanceof ApiError && error.code === "insufficient_stock") throw new UserMessage(shortText(error))
        throw error
      }
    })

  return (
    <section class="form" aria-labelledby="new-transfer-title" data-testid="new-transfer">
      <DocHead id="new-transfer-title" onBack={onBack}>
        {t("transfers.new")}
      </DocHead>
      <label class="field">
        {t("transfers.to")}
        <select value={to} onChange={(e) => setTo(e.currentTarget.value)} data-testid="transfer-to">
          <option value="">{t("transfers.chooseTo")}</option>
          {places
            .filter((p) => p.id !== store)
            .map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
        </select>
      </label>
      <ScanField onSku={onSku} />
      <ScanLines
        lines={lines}
        label={t("transfers.new")}
        onSet={(skuId, qty) => setLines(latest.current.map((l) => (l.skuId === skuId ? { ...l, qty } : l)))}
        onRemove={(skuId) => setLines(latest.current.filter((l) => l.skuId !== skuId))}
      />
      <DocSubmit
        label={t("transfers.create")}
        testId="transfer-create"
        offlineText={t("transfers.offline")}
        problem={problem}
        problemTestId="transfer-problem"
        disabled={busy || !to || !lines.some((l) => l.qty > 0)}
        onClick={() => void create()}
      />
    </section>
  )
}
