import { useEffect, useState } from "preact/hooks"
import { formatCny } from "../../../../core/money"
import { AppShell } from "../../components/AppShell"
import { InlineForm } from "../../components/InlineForm"
import { Notice } from "../../components/Message"
import { Money } from "../../components/Money"
import { t } from "../../i18n"
import { findSale, refundFor, returnLines, todaysSales } from "../../sales/returns"
import { printReceipt } from "../../settings"
import type { JournalSale } from "../../store/db"
import { isUnsynced, outbox } from "../../sync/outbox"
import { Receipt } from "../till/Receipt"

const time = (iso: string) => new Date(iso).toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" })

const ReturnForm = ({ sale, onDone }: { sale: JournalSale; onDone: (refundFen: number) => void }) => {
  const [qtys, setQtys] = useState<Record<string, number>>({})
  const [busy, setBusy] = useState(false)
  const pendingOnline = outbox.value.some((i) => i.id === sale.id && i.kind === "online_sale")
  const refundFen = sale.lines.reduce(
    (s, l) => s + (qtys[l.lineId] ? refundFor(l, l.returnedQty, qtys[l.lineId]!) : 0),
    0,
  )
  if (pendingOnline) return <p class="notice">{t("sales.returnAfterConfirm")}</p>
  return (
    <section class="card return-form" aria-labelledby="return-title" data-testid="return-form">
      <h2 id="return-title">{t("sales.returnTitle")}</h2>
      <ul class="list">
        {sale.lines.map((l) => {
          const left = l.qty - l.returnedQty
          const qty = qtys[l.lineId] ?? 0
          const set = (n: number) => setQtys({ ...qtys, [l.lineId]: Math.max(0, Math.min(left, n)) })
          return (
            <li key={l.lineId} class="return-line" data-testid="return-line">
              <span>
                {l.name} <span class="muted">{l.detail}</span>
              </span>
              {left === 0 ? (
                <span class="muted">{t("sales.allReturned")}</span>
              ) : l.unit === "gram" ? (
                <label class="check">
                  <input
                    type="checkbox"
                    checked={qty === left}
                    onChange={(e) => set(e.currentTarget.checked ? left : 0)}
                    data-testid="return-whole"
                  />
                  {t("sales.returnWhole")}
                </label>
              ) : (
                <div class="stepper">
                  <button type="button" aria-label={t("till.less", { name: l.name })} onClick={() => set(qty - 1)}>
                    −
                  </button>
                  <span class="qty" data-testid="return-qty">
                    {qty}/{left}
                  </span>
                  <button
                    type="button"
                    aria-label={t("till.more", { name: l.name })}
                    onClick={() => set(qty + 1)}
                    data-testid="return-more"
                  >
                    +
                  </button>
                </div>
              )}
            </li>
          )
        })}
      </ul>
      <p class="total-row grand">
        <span>{t("sales.refund")}</span>
        <Money fen={refundFen} testId="return-refund" />
      </p>
      <button
        type="button"
        class="button button-primary"
        disabled={busy || Object.values(qtys).every((q) => !q)}
        data-testid="return-submit"
        onClick={async () => {
          setBusy(true)
          try {
            onDone(await returnLines(sale, qtys, "cash"))
            setQtys({})
          } finally {
            setBusy(false)
          }
        }}
      >
        {t("sales.returnCash")}
      </button>
    </section>
  )
}

export default function Sales() {
  const [sales, setSales] = useState<JournalSale[]>([])
  const [number, setNumber] = useState("")
  const [selected, setSelected] = useState<JournalSale | null>(null)
  const [message, setMessage] = useState<string | null>(null)

  const reload = async () => setSales(await todaysSales())
  useEffect(() => {
    void reload()
  }, [outbox.value])

  const find = async (event: Event) => {
    event.preventDefault()
    const sale = await findSale(number)
    setMessage(sale ? null : t("sales.notFound", { number }))
    setSelected(sale ?? null)
  }

  return (
    <AppShell title={t("tool.sales")} screen="sales">
      <InlineForm
        id="sale-number"
        label={t("sales.findLabel")}
        value={number}
        onInput={setNumber}
        onSubmit={find}
        action={t("till.find")}
        actionTestId="sale-find"
      />
      <Notice text={message} testId="sales-message" />
      {selected ? (
        <section class="sale-detail" data-testid="sale-detail">
          <button type="button" class="button button-small" onClick={() => setSelected(null)}>
            {t("common.back")}
          </button>
          <Receipt sale={selected} />
          <button type="button" class="button" onClick={printReceipt} data-testid="reprint">
            {t("receipt.reprint")}
          </button>
          <ReturnForm
            key={selected.id + selected.returns.length}
            sale={selected}
            onDone={async (refundFen) => {
              setMessage(t("sales.returnDone", { amount: formatCny(refundFen) }))
              const fresh = await findSale(selected.number)
              setSelected(fresh ?? null)
              await reload()
            }}
          />
        </section>
      ) : (
        <>
          <h2 class="section-title">{t("sales.today")}</h2>
          {sales.length === 0 && <p class="muted">{t("sales.none")}</p>}
          <ul class="list" data-testid="sales-list">
            {sales.map((s) => (
              <li key={s.id}>
                <button type="button" class="list-button" onClick={() => setSelected(s)} data-testid="sale-row">
                  <span>
                    <strong>{s.serverNumber ?? s.number}</strong> <span class="muted">{time(s.occurredAt)}</span>
                  </span>
                  <span class="row-end">
                    {isUnsynced(s.id) && (
                      <span class="badge badge-warn" data-testid="unsynced-mark">
                        {t("sales.unsynced")}
                      </span>
                    )}
                    {s.returns.length > 0 && <span class="badge">{t("sales.hasReturns")}</span>}
                    <Money fen={s.totalFen} />
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </AppShell>
  )
}
