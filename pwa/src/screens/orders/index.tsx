import { useEffect, useState } from "preact/hooks"
import { AppShell } from "../../components/AppShell"
import { Money } from "../../components/Money"
import { type MessageKey, t } from "../../i18n"
import { online } from "../../net"
import { locationId } from "../../store/location"
import { holdLeft, listOrders, type OrderStatus, type OrderSummary, orderProblem, orderTime } from "./api"
import { OrderDetail } from "./OrderDetail"
import { OrderChip, useNow } from "./parts"

// 渠道订单: my store's orders from the mini-program and the platforms, newest first, by state, for the staff
// who pick and hand them over. Orders live on the server only, so the screen needs the network and says so.

type Tab = "all" | OrderStatus

const TABS: { id: Tab; label: MessageKey }[] = [
  { id: "all", label: "orders.tab.all" },
  { id: "reserved", label: "orders.status.reserved" },
  { id: "payment_pending", label: "orders.status.payment_pending" },
  { id: "paid", label: "orders.status.paid" },
  { id: "cancelled", label: "orders.status.cancelled" },
  { id: "expired", label: "orders.status.expired" },
]

const OrderCard = ({ order, now, onOpen }: { order: OrderSummary; now: number; onOpen: () => void }) => (
  <li data-testid="order" data-id={order.id}>
    <button type="button" class="doc-card order-card" onClick={onOpen} data-testid="order-open">
      <span class="doc-card-head">
        <strong data-testid="order-number">{order.number}</strong>
        <OrderChip status={order.status} />
      </span>
      <span class="doc-card-head">
        <span data-testid="order-channel">{t(`orders.channel.${order.channel}`)}</span>
        <Money fen={order.totalFen} testId="order-total" />
      </span>
      <span class="doc-card-head muted">
        <span data-testid="order-time">{orderTime(order.createdAt, now)}</span>
        {order.status === "reserved" && <span data-testid="order-hold">{holdLeft(order.expiresAt, now)}</span>}
      </span>
    </button>
  </li>
)

/** The store's orders in one state (or all), a page at a time. */
const useOrders = (store: string | null, tab: Tab) => {
  const [items, setItems] = useState<OrderSummary[] | null>(null)
  const [next, setNext] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [problem, setProblem] = useState<ReturnType<typeof orderProblem> | null>(null)
  const [reloads, setReloads] = useState(0)

  const fetchPage = async (cursor: string | null, keep: OrderSummary[], live: () => boolean) => {
    if (!store) return
    setBusy(true)
    setProblem(null)
    try {
      const page = await listOrders(store, tab === "all" ? null : tab, cursor)
      if (!live()) return
      setItems([...keep, ...page.items])
      setNext(page.nextCursor)
    } catch (error) {
      if (live()) setProblem(orderProblem(error))
    } finally {
      if (live()) setBusy(false)
    }
  }

  useEffect(() => {
    // A tab tapped while a page is on its way: only the newest tab's answer is shown.
    let live = true
    setItems(null)
    setNext(null)
    if (online.value) void fetchPage(null, [], () => live)
    return () => {
      live = false
    }
  }, [store, tab, online.value, reloads])

  return {
    items,
    busy,
    problem,
    more: next ? () => void fetchPage(next, items ?? [], () => true) : null,
    reload: () => setReloads((n) => n + 1),
  }
}

export default function Orders() {
  const store = locationId.value
  const [tab, setTab] = useState<Tab>("all")
  const [open, setOpen] = useState<string | null>(null)
  const { items, busy, problem, more, reload } = useOrders(store, tab)
  const now = useNow()

  if (open)
    return (
      <AppShell title={t("tool.orders")} screen="orders">
        <OrderDetail
          id={open}
          onBack={() => {
            setOpen(null)
            reload() // it may have been cancelled, paid or lapsed meanwhile
          }}
        />
      </AppShell>
    )

  return (
    <AppShell title={t("tool.orders")} screen="orders">
      <fieldset class="segmented order-tabs">
        <legend class="visually-hidden">{t("orders.filter")}</legend>
        {TABS.map((x) => (
          <button
            key={x.id}
            type="button"
            aria-pressed={tab === x.id}
            onClick={() => setTab(x.id)}
            data-testid={`orders-tab-${x.id}`}
          >
            {t(x.label)}
          </button>
        ))}
      </fieldset>
      {!store ? (
        <p class="notice" role="status" data-testid="orders-no-store">
          {t("orders.noStore")}
        </p>
      ) : !online.value ? (
        <p class="notice" role="status" data-testid="orders-offline">
          {t("orders.offline")}
        </p>
      ) : (
        <>
          {problem && (
            <p class="form-error" role="alert" data-testid="orders-problem">
              {problem.text}
            </p>
          )}
          {!items ? (
            !problem && <p class="muted">{t("common.loading")}</p>
          ) : items.length === 0 ? (
            <p class="empty muted" data-testid="orders-empty">
              {t("orders.none")}
            </p>
          ) : (
            <ul class="list" data-testid="orders-list">
              {items.map((x) => (
                <OrderCard key={x.id} order={x} now={now} onOpen={() => setOpen(x.id)} />
              ))}
            </ul>
          )}
          {more && (
            <button type="button" class="button" disabled={busy} onClick={more} data-testid="orders-more">
              {t("orders.more")}
            </button>
          )}
        </>
      )}
    </AppShell>
  )
}
