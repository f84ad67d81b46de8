import { formatCny } from "../../../../core/money"
import { formatQty } from "../../components/Money"
import { t } from "../../i18n"
import { paperWidth } from "../../settings"
import type { JournalSale } from "../../store/db"

const time = (iso: string) =>
  new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: false,
  }).format(new Date(iso))

/** The receipt as it prints: a narrow column sized to the paper (58 or 80 mm); on screen, the same column. */
export const Receipt = ({ sale, store }: { sale: JournalSale; store?: string }) => (
  <article class={`receipt paper-${paperWidth.value}`} data-testid="receipt" aria-label={t("receipt.title")}>
    <h2 class="receipt-title">{t("app.name")}</h2>
    {store && <p class="receipt-center">{store}</p>}
    <p>
      {t("receipt.number")}: <span data-testid="receipt-number">{sale.serverNumber ?? sale.number}</span>
    </p>
    <p>
      {t("receipt.time")}: {time(sale.occurredAt)}
    </p>
    <p>
      {t("receipt.cashier")}: {sale.cashier}
    </p>
    {sale.member && (
      <p>
        {t("receipt.member")}: {sale.member.name ?? ""} {sale.member.phoneMasked}
        {sale.member.pointsEarned !== undefined && (
          <span data-testid="receipt-points"> {t("receipt.pointsEarned", { points: sale.member.pointsEarned })}</span>
        )}
      </p>
    )}
    <hr />
    <ul class="receipt-lines">
      {sale.lines.map((l) => (
        <li key={l.lineId}>
          <div class="receipt-row">
            <span>
              {l.name}
              {l.detail ? ` ${l.detail}` : ""}
            </span>
          </div>
          <div class="receipt-row">
            <span>
              {formatCny(l.unitPriceFen)}
              {l.unit === "gram" ? "/kg" : ""} {formatQty(l.qty, l.unit)}
            </span>
            <span>{formatCny(l.originalFen)}</span>
          </div>
          {l.discounts.map((d) => (
            <div class="receipt-row receipt-discount" key={d.promotionId}>
              <span>{d.name}</span>
              <span>-{formatCny(d.amountFen)}</span>
            </div>
          ))}
        </li>
      ))}
    </ul>
    <hr />
    <div class="receipt-row">
      <span>{t("till.subtotal")}</span>
      <span>{formatCny(sale.subtotalFen)}</span>
    </div>
    {sale.discountFen > 0 && (
      <div class="receipt-row">
        <span>{t("till.discount")}</span>
        <span>-{formatCny(sale.discountFen)}</span>
      </div>
    )}
    <div class="receipt-row receipt-total">
      <span>{t("till.total")}</span>
      <span data-testid="receipt-total">{formatCny(sale.totalFen)}</span>
    </div>
    {sale.payments.map((p, i) => (
      <div class="receipt-row" key={i}>
        <span>{t(`tender.${p.method}`)}</span>
        <span>{formatCny(p.amountFen)}</span>
      </div>
    ))}
    <div class="receipt-row">
      <span>{t("pay.change")}</span>
      <span data-testid="receipt-change">{formatCny(sale.changeFen)}</span>
    </div>
    {sale.returns.map((r) => (
      <div class="receipt-row" key={r.id}>
        <span>{t("sales.returned")}</span>
        <span>-{formatCny(r.refundFen)}</span>
      </div>
    ))}
    <hr />
    <p class="receipt-center">{t("receipt.thanks")}</p>
  </article>
)
