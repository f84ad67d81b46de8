import { useEffect, useState } from "preact/hooks"
import { t } from "../../i18n"
import type { OrderStatus } from "./api"
import "../stock/stock.css"
import "./orders.css"

/** The order's state as a coloured chip; "paying" is the server finishing a payment, so it reads 付款中 too. */
export const OrderChip = ({ status }: { status: OrderStatus }) => (
  <span class={`status order-status is-${status}`} data-testid="order-status" data-status={status}>
    {t(`orders.status.${status}`)}
  </span>
)

/** The clock, moved on every half minute: what an unpaid hold's "… 分钟后过期" counts down from. */
export const useNow = () => {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000)
    return () => clearInterval(timer)
  }, [])
  return now
}
