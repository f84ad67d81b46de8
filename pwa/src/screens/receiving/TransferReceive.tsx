import { useEffect, useRef, useState } from "preact/hooks"
import { ulid } from "ulid"
import { api } from "../../api/client"
import { t } from "../../i18n"
import type { SkuRecord } from "../../store/db"
import { dropDraft, readDraft, writeDraft } from "../../store/drafts"
import { type Destination, placeName, skuNames, type Transfer } from "../stock/docs"
import { DocHead, DocSubmit, useAction } from "../stock/parts"
import { ScanField, ScanLines, skuLabel } from "../stock/scan"

// Counting a transfer in: each scan adds one to its line, expected (what left the source) beside counted, lines
// that differ flagged. The scans are kept on the device (a reload mid-count loses nothing), and the receive call
// carries one Idempotency-Key for the whole count, so a lost answer is retried without receiving twice.

interface Draft {
  transferId: string
  scanned: Record<string, number>
  key: string
}

interface Props {
  transfer: Transfer
  places: Destination[]
  onDone: (message: string) => void
  onBack: () => void
}

export const expectedQty = (line: Transfer["lines"][number]) => line.shippedQty ?? line.qty

export function TransferReceive({ transfer, places, onDone, onBack }: Props) {
  const store = transfer.toLocationId
  const [draft, setDraftState] = useState<Draft | null>(null)
  // Scans can come faster than renders: each one adds to the latest draft, not the one last rendered.
  const latest = useRef<Draft | null>(null)
  const setDraft = (next: Draft) => {
    latest.current = next
    setDraftState(next)
  }
  const [names, setNames] = useState<Record<string, { name: string; code: string }>>({})
  const [accept, setAccept] = useState(false)
  const { busy, problem, run } = useAction()

  useEffect(() => {
    void readDraft<Draft>("receiving", store).then((saved) =>
      setDraft(saved?.transferId === transfer.id ? saved : { transferId: transfer.id, scanned: {}, key: ulid() }),
    )
    void skuNames(transfer.lines.map((l) => l.skuId)).then(setNames)
  }, [transfer.id])

  const update = (change: (scanned: Record<string, number>) => Record<string, number>) => {
    const current = latest.current
    if (!current) return
    const next = { ...current, scanned: change(current.scanned) }
    setDraft(next)
    void writeDraft("receiving", store, next)
  }

  const onSku = (sku: SkuRecord) => {
    if (!latest.current) return undefined
    const label = skuLabel(sku)
    if (!transfer.lines.some((l) => l.skuId === sku.id))
      return { text: t("scan.notInTransfer", { name: label.name }), tone: "error" as const }
    update((scanned) => ({ ...scanned, [sku.id]: (scanned[sku.id] ?? 0) + 1 }))
    return { text: t("scan.added", { name: label.name }), tone: "ok" as const }
  }

  const lines = transfer.lines.map((l) => ({
    skuId: l.skuId,
    name: names[l.skuId]?.name ?? l.skuId,
    code: names[l.skuId]?.code ?? "",
    expected: expectedQty(l),
    qty: draft?.scanned[l.skuId] ?? 0,
  }))
  const differing = lines.filter((l) => l.qty !== l.expected).length

  const receive = (key: string) =>
    run(async () => {
      const scanned = latest.current?.scanned ?? {}
      const done = await api.post<Transfer>(
        `/transfers/${transfer.id}/receive`,
        { lines: transfer.lines.map((l) => ({ skuId: l.skuId, qty: scanned[l.skuId] ?? 0 })) },
        { headers: { "Idempotency-Key": key } },
      )
      await dropDraft("receiving", store)
      onDone(t("receiving.done", { number: done.number ?? done.id }))
    })

  // Until the saved scans are read back, nothing listens: a scan now would be added to nothing.
  if (!draft) return <p class="muted">{t("common.loading")}</p>

  return (
    <section class="form" aria-labelledby="receive-title" data-testid="transfer-receive">
      <DocHead id="receive-title" onBack={onBack}>
        {transfer.number} · {t("receiving.from", { name: placeName(places, transfer.fromLocationId) })}
      </DocHead>
      <ScanField onSku={onSku} />
      <ScanLines
        lines={lines}
        label={t("receiving.scanned")}
        onSet={(skuId, qty) => update((scanned) => ({ ...scanned, [skuId]: qty }))}
      />
      <p class={differing ? "diff" : "muted"} data-testid="receive-summary">
        {differing ? t("receiving.diffCount", { count: differing }) : t("receiving.allMatch")}
      </p>
      {differing > 0 && (
        <label class="check">
          <input
            type="checkbox"
            checked={accept}
            onChange={(e) => setAccept(e.currentTarget.checked)}
            data-testid="accept-diff"
          />
          {t("receiving.confirmDiff")}
        </label>
      )}
      <DocSubmit
        label={t("receiving.post")}
        testId="receive-post"
        offlineText={t("receiving.offline")}
        problem={problem}
        problemTestId="receive-problem"
        disabled={busy || (differing > 0 && !accept)}
        onClick={() => void receive(draft.key)}
      />
    </section>
  )
}
