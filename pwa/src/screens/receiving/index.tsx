import { useEffect, useState } from "preact/hooks"
import { AppShell } from "../../components/AppShell"
import { t } from "../../i18n"
import { online } from "../../net"
import { syncStock } from "../../store/catalog"
import { locationId } from "../../store/location"
import {
  type Destination,
  listTransfers,
  placeName,
  problemText,
  type Transfer,
  totalQty,
  useDestinations,
} from "../stock/docs"
import { DirectReceipt } from "./DirectReceipt"
import { type DeliveryDraft, dropDelivery, hasWork, newDelivery, readDelivery } from "./delivery-draft"
import { TransferReceive } from "./TransferReceive"

// 收货: goods arriving at my store — a transfer on its way here (counted in by scanning) or a supplier's delivery.

type Mode = { kind: "list" } | { kind: "transfer"; transfer: Transfer } | { kind: "direct"; draft: DeliveryDraft }

interface IncomingProps {
  store: string
  places: Destination[]
  onPick: (t: Transfer) => void
}

const Incoming = ({ store, places, onPick }: IncomingProps) => {
  const [items, setItems] = useState<Transfer[] | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  useEffect(() => {
    if (!online.value) return
    listTransfers(store, "in_transit")
      .then((all) => setItems(all.filter((x) => x.toLocationId === store)))
      .catch((error: unknown) => setProblem(problemText(error)))
  }, [store, online.value])

  return (
    <section aria-labelledby="incoming-title" class="form">
      <h2 id="incoming-title" class="section-title">
        {t("receiving.incoming")}
      </h2>
      {!online.value ? (
        <p class="notice">{t("receiving.offline")}</p>
      ) : problem ? (
        <p class="form-error" role="alert">
          {problem}
        </p>
      ) : !items ? (
        <p class="muted">{t("common.loading")}</p>
      ) : items.length === 0 ? (
        <p class="muted" data-testid="incoming-none">
          {t("receiving.noIncoming")}
        </p>
      ) : (
        <ul class="list">
          {items.map((x) => (
            <li key={x.id} class="doc-card" data-testid="incoming-transfer" data-id={x.id}>
              <div class="doc-card-head">
                <strong>{x.number}</strong>
                <span>{t("receiving.from", { name: placeName(places, x.fromLocationId) })}</span>
              </div>
              <span class="muted">{t("transfers.lines", { count: x.lines.length, qty: totalQty(x.lines) })}</span>
              <button type="button" class="button" onClick={() => onPick(x)} data-testid="receive-transfer">
                {t("receiving.open")}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

/** A delivery left unposted on this device (a reload, a flat battery, "back"): resume it or let it go. */
const SavedDelivery = ({
  draft,
  onResume,
  onDiscard,
}: {
  draft: DeliveryDraft
  onResume: () => void
  onDiscard: () => void
}) => (
  <section class="doc-card" role="status" data-testid="delivery-draft">
    <p class="notice">
      {t("receiving.draftFound", { count: draft.lines.length, time: new Date(draft.savedAt).toLocaleString() })}
    </p>
    <div class="doc-actions">
      <button type="button" class="button button-primary" onClick={onResume} data-testid="delivery-resume">
        {t("receiving.resume")}
      </button>
      <button type="button" class="button" onClick={onDiscard} data-testid="delivery-discard">
        {t("receiving.discard")}
      </button>
    </div>
  </section>
)

/**
 * The delivery this device kept for the store, read again whenever the list shows; undefined until read, so a
 * new delivery can't be started (and overwrite the kept one) before the choice was offered.
 */
const useSavedDelivery = (store: string | null, listing: boolean) => {
  const [saved, setSaved] = useState<DeliveryDraft | null | undefined>(undefined)
  useEffect(() => {
    setSaved(undefined)
    if (!store || !listing) return
    void readDelivery(store).then((d) => setSaved(hasWork(d) ? d : null))
  }, [store, listing])
  const discard = async () => {
    if (store) await dropDelivery(store)
    setSaved(null)
  }
  return { saved, discard }
}

export default function Receiving() {
  const store = locationId.value
  const places = useDestinations()
  const [mode, setMode] = useState<Mode>({ kind: "list" })
  const [done, setDone] = useState<string | null>(null)
  const { saved, discard } = useSavedDelivery(store, mode.kind === "list")

  const finish = (message: string) => {
    setDone(message)
    setMode({ kind: "list" })
    if (store) void syncStock(store).catch(() => {}) // the snapshot catches up; the cells already changed
  }

  return (
    <AppShell title={t("tool.receiving")} screen="receiving">
      {done && mode.kind === "list" && (
        <p class="notice" role="status" data-testid="receiving-done">
          {done}
        </p>
      )}
      {!store ? null : mode.kind === "transfer" ? (
        <TransferReceive
          transfer={mode.transfer}
          places={places}
          onDone={finish}
          onBack={() => setMode({ kind: "list" })}
        />
      ) : mode.kind === "direct" ? (
        <DirectReceipt store={store} draft={mode.draft} onDone={finish} onBack={() => setMode({ kind: "list" })} />
      ) : (
        <>
          <Incoming store={store} places={places} onPick={(transfer) => setMode({ kind: "transfer", transfer })} />
          {saved === undefined ? null : saved ? (
            <SavedDelivery
              draft={saved}
              onResume={() => setMode({ kind: "direct", draft: saved })}
              onDiscard={() => void discard()}
            />
          ) : (
            <button
              type="button"
              class="button"
              onClick={() => setMode({ kind: "direct", draft: newDelivery() })}
              data-testid="direct-open"
            >
              {t("receiving.direct")}
            </button>
          )}
        </>
      )}
    </AppShell>
  )
}
