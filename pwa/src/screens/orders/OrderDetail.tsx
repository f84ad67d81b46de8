import { useEffect, useState } from "preact/hooks"
import { can } from "../../../../core/roles"
import { session } from "../../auth/session"
import { Notice } from "../../components/Message"
import { Money } from "../../components/Money"
import { t } from "../../i18n"
import { online } from "../../net"
import { skuNames } from "../stock/docs"
import { DocHead } from "../stock/parts"
import { cancellable, cancelOrder, getOrder, holdLeft, type Order, orderProblem, orderTime } from "./api"
import { OrderChip, useNow } from "./parts"

// One order: what was ordered (names from the device's catalog), how it was paid, and — for an unpaid one,
// to a user who may write orders — a cancel that asks first.

type Names = Awaited<ReturnType<typeof skuNames>>

const Lines = ({ order, names }: { order: Order; names: Names }) => (
  <ul class="list" data-testid="order-lines">
    {order.lines.map((l) => (
      <li key={l.skuId} class="doc-card order-line" data-testid="order-line" data-sku={l.skuId}>
        <div class="doc-card-head">
          <span>
            <strong data-testid="order-line-name">{names[l.skuId]?.name ?? l.skuId}</strong>{" "}
            <span class="muted">{names[l.skuId]?.code}</span>
          </span>
          <Money fen={l.amountFen} testId="order-line-amount" />
        </div>
        <span class="muted" data-testid="order-line-qty">
          {t("orders.lineQty", { qty: l.qty })} × <Money fen={l.unitPriceFen} />
        </span>
      </li>
    ))}
  </ul>
)

const Payments = ({ order }: { order: Order }) =>
  order.payments.length === 0 ? (
    <p class="muted">{t("orders.noPayments")}</p>
  ) : (
    <ul class="list" data-testid="order-payments">
      {order.payments.map((p) => (
        <li key={p.id} class="doc-card-head" data-testid="order-payment">
          <span>
            {t(`tender.${p.method}`)} <span class="muted">{t(`orders.payment.${p.status}`)}</span>
          </span>
          <Money fen={p.amountFen} />
        </li>
      ))}
    </ul>
  )

const CancelButton = ({ order, onCancelled }: { order: Order; onCancelled: () => void }) => {
  const [asking, setAsking] = useState(false)
  const [busy, setBusy] = useState(false)
  const [problem, setProblem] = useState<ReturnType<typeof orderProblem> | null>(null)
  const confirm = async () => {
    setBusy(true)
    setProblem(null)
    try {
      await cancelOrder(order.id)
      setAsking(false)
      onCancelled()
    } catch (error) {
      setProblem(orderProblem(error))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div class="form" data-testid="order-cancel-area">
      {problem && (
        <p class="form-error" role="alert" data-testid="order-problem">
          {problem.text}
          {problem.detail && (
            <span class="order-detail-text" data-testid="order-problem-detail">
              {problem.detail}
            </span>
          )}
        </p>
      )}
      {asking ? (
        <div class="card form" role="alertdialog" aria-labelledby="order-confirm-title" data-testid="order-confirm">
          <p id="order-confirm-title">{t("orders.cancelAsk", { number: order.number })}</p>
          <div class="doc-actions">
            <button
              type="button"
              class="button button-primary"
              disabled={busy || !online.value}
              onClick={() => void confirm()}
              data-testid="order-cancel-yes"
            >
              {t("orders.cancelYes")}
            </button>
            <button type="button" class="button" disabled={busy} onClick={() => setAsking(false)}>
              {t("orders.cancelNo")}
            </button>
          </div>
        </div>
      ) : (
        <button
          type="button"
          class="button"
          disabled={!online.value}
          onClick={() => setAsking(true)}
          data-testid="order-cancel"
        >
          {t("orders.cancel")}
        </button>
      )}
    </div>
  )
}

export const OrderDetail = ({ id, onBack }: { id: string; onBack: () => void }) => {
  const [order, setOrder] = useState<Order | null>(null)
  const [names, setNames] = useState<Names>({})
  const [problem, setProblem] = useState<ReturnType<typeof orderProblem> | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const now = useNow()
  const mayCancel = can(session.value?.user.role ?? "dealer", "orders:write")

  const load = async () => {
    try {
      const found = await getOrder(id)
      setNames(await skuNames(found.lines.map((l) => l.skuId)))
      setOrder(found)
    } catch (error) {
      setProblem(orderProblem(error))
    }
  }
  useEffect(() => {
    void load()
  }, [id])

  return (
    <section class="card form" aria-labelledby="order-title" data-testid="order-detail">
      <DocHead id="order-title" onBack={onBack}>
        {order?.number ?? t("orders.order")}
      </DocHead>
      <Notice text={notice} testId="order-notice" />
      {problem && !order && (
        <p class="form-error" role="alert" data-testid="order-problem">
          {problem.text}
        </p>
      )}
      {!order ? (
        !problem && <p class="muted">{t("common.loading")}</p>
      ) : (
        <>
          <dl class="order-facts" data-testid="order-facts">
            <dt>{t("orders.status")}</dt>
            <dd>
              <OrderChip status={order.status} />
            </dd>
            <dt>{t("orders.channel")}</dt>
            <dd data-testid="order-channel">{t(`orders.channel.${order.channel}`)}</dd>
            <dt>{t("orders.placedAt")}</dt>
            <dd>{orderTime(order.createdAt, now)}</dd>
            {order.status === "reserved" && (
              <>
                <dt>{t("orders.hold")}</dt>
                <dd data-testid="order-hold">{holdLeft(order.expiresAt, now)}</dd>
              </>
            )}
            {order.customerId && (
              <>
                <dt>{t("orders.customer")}</dt>
                <dd data-testid="order-customer">{order.customerId}</dd>
              </>
            )}
            {order.externalRef && (
              <>
                <dt>{t("orders.externalRef")}</dt>
                <dd data-testid="order-ref">{order.externalRef}</dd>
              </>
            )}
            <dt>{t("orders.total")}</dt>
            <dd>
              <Money fen={order.totalFen} testId="order-total" />
            </dd>
          </dl>
          <h3 class="section-title">{t("orders.lines")}</h3>
          <Lines order={order} names={names} />
          <h3 class="section-title">{t("orders.payments")}</h3>
          <Payments order={order} />
          {mayCancel && cancellable(order.status) && (
            <CancelButton
              order={order}
              onCancelled={() => {
                setNotice(t("orders.cancelled", { number: order.number }))
                void load()
              }}
            />
          )}
        </>
      )}
    </section>
  )
}
