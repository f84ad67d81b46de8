import { useEffect, useState } from "preact/hooks"
import { can } from "../../../../core/roles"
import { api } from "../../api/client"
import { session } from "../../auth/session"
import { AppShell } from "../../components/AppShell"
import { Notice, Problem } from "../../components/Message"
import { t } from "../../i18n"
import { online } from "../../net"
import { locationId } from "../../store/location"
import { type Destination, listTransfers, placeName, type Transfer, totalQty, useDestinations } from "../stock/docs"
import { useAction } from "../stock/parts"
import { NewTransfer } from "./NewTransfer"

// 调拨: my store's transfers out and in, with their status; a new one is created by scanning and shipped here.

interface CardProps {
  transfer: Transfer
  places: Destination[]
  onShip?: () => void
  onCancel?: () => void
  /** On its way here: counted in on the receiving screen. */
  receivable: boolean
  busy: boolean
}

const TransferCard = ({ transfer: x, places, onShip, onCancel, receivable, busy }: CardProps) => (
  <li class="doc-card" data-testid="transfer" data-id={x.id} data-status={x.status}>
    <div class="doc-card-head">
      <strong>{x.number ?? x.id}</strong>
      <span class="status" data-testid="transfer-status">
        {t(`transfers.status.${x.status}`)}
      </span>
    </div>
    <span>
      {t("transfers.route", { from: placeName(places, x.fromLocationId), to: placeName(places, x.toLocationId) })}
    </span>
    <span class="muted">{t("transfers.lines", { count: x.lines.length, qty: totalQty(x.lines) })}</span>
    {receivable && (
      <a href="/tools/receiving" class="button" data-testid="transfer-receive">
        {t("receiving.open")}
      </a>
    )}
    {(onShip || onCancel) && (
      <div class="doc-actions">
        {onShip && (
          <button type="button" class="button" disabled={busy} onClick={onShip} data-testid="transfer-ship">
            {t("transfers.ship")}
          </button>
        )}
        {onCancel && (
          <button type="button" class="button" disabled={busy} onClick={onCancel} data-testid="transfer-cancel">
            {t("transfers.cancel")}
          </button>
        )}
      </div>
    )}
  </li>
)

export default function Transfers() {
  const store = locationId.value
  const places = useDestinations()
  const [creating, setCreating] = useState(false)
  const [items, setItems] = useState<Transfer[] | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const { busy, problem, run } = useAction()
  const mayReceive = can(session.value?.user.role ?? "dealer", "stock:receive")

  const load = async () => {
    if (store && online.value) setItems(await listTransfers(store))
  }
  useEffect(() => {
    void run(load)
  }, [store, online.value])

  // Ship and cancel are safe to repeat on the server (each is a step of the transfer's saga); the ship key is
  // derived from the transfer, so a retry after a lost answer is the same request.
  const act = (x: Transfer, step: "ship" | "cancel") =>
    run(async () => {
      const done = await api.post<Transfer>(`/transfers/${x.id}/${step}`, undefined, {
        headers: step === "ship" ? { "Idempotency-Key": `ship-${x.id}` } : {},
      })
      setNotice(t(step === "ship" ? "transfers.shipped" : "transfers.cancelled", { number: done.number ?? done.id }))
      await load()
    })

  const outgoing = items?.filter((x) => x.fromLocationId === store) ?? []
  const incoming = items?.filter((x) => x.toLocationId === store) ?? []
  const section = (title: string, list: Transfer[], id: string) => (
    <section aria-labelledby={id} class="form" data-testid={id}>
      <h2 id={id} class="section-title">
        {title}
      </h2>
      {list.length === 0 ? (
        <p class="muted">{t("transfers.none")}</p>
      ) : (
        <ul class="list">
          {list.map((x) => (
            <TransferCard
              key={x.id}
              transfer={x}
              places={places}
              busy={busy}
              receivable={x.toLocationId === store && x.status === "in_transit" && mayReceive}
              onShip={x.fromLocationId === store && x.status === "reserved" ? () => void act(x, "ship") : undefined}
              onCancel={x.fromLocationId === store && x.status === "reserved" ? () => void act(x, "cancel") : undefined}
            />
          ))}
        </ul>
      )}
    </section>
  )

  return (
    <AppShell title={t("tool.transfers")} screen="transfers">
      {!store ? null : creating ? (
        <NewTransfer
          store={store}
          places={places}
          onBack={() => setCreating(false)}
          onCreated={(made) => {
            setCreating(false)
            setNotice(t("transfers.created", { number: made.number ?? made.id }))
            void load()
          }}
        />
      ) : (
        <>
          <Notice text={notice} testId="transfers-notice" />
          <Problem text={problem} testId="transfers-problem" />
          <button
            type="button"
            class="button button-primary"
            disabled={!online.value}
            onClick={() => setCreating(true)}
            data-testid="transfer-new"
          >
            {t("transfers.new")}
          </button>
          {!online.value ? (
            <p class="notice">{t("transfers.offline")}</p>
          ) : !items ? (
            <p class="muted">{t("common.loading")}</p>
          ) : (
            <>
              {section(t("transfers.outgoing"), outgoing, "transfers-outgoing")}
              {section(t("transfers.incoming"), incoming, "transfers-incoming")}
            </>
          )}
        </>
      )}
    </AppShell>
  )
}
