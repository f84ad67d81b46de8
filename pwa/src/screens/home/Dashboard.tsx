// Today at a glance for an owner or a manager: net sales, orders and average ticket against the
// same weekday last week, for all stores or one, and the stores ranked. Offline: the last figures
// this device loaded, with their time.
import { useEffect } from "preact/hooks"
import { Money } from "../../components/Money"
import { language, type MessageKey, t } from "../../i18n"
import {
  changePermille,
  chooseStore,
  chosenStore,
  current,
  type Figures,
  figures,
  loadError,
  openFigures,
  showingSaved,
} from "./figures"
import "./home.css"

const timeOf = (at: number) =>
  new Intl.DateTimeFormat(language.value, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(at)

/** What a change is measured against: today's same weekday last week, or the dashboard's prior period. */
export type Versus = { label: MessageKey; none: MessageKey }
const LAST_WEEK: Versus = { label: "home.vsLastWeek", none: "home.noLastWeek" }

function Change({ now, before, testId, versus }: { now: number; before: number; testId: string; versus: Versus }) {
  const permille = changePermille(now, before)
  if (permille === null)
    return (
      <span class="change muted" data-testid={testId}>
        {t(versus.none)}
      </span>
    )
  const text = `${permille > 0 ? "+" : ""}${(permille / 10).toFixed(1)}%`
  return (
    <span class={`change ${permille < 0 ? "down" : "up"}`} data-testid={testId} data-permille={permille}>
      {t(versus.label, { change: text })}
    </span>
  )
}

export function Kpis({ totals, versus = LAST_WEEK }: { totals: Figures & { lastWeek: Figures }; versus?: Versus }) {
  const last = totals.lastWeek
  return (
    <div class="kpis">
      <div class="kpi kpi-main">
        <span class="kpi-label">{t("home.netSales")}</span>
        <Money fen={totals.netSalesFen} testId="kpi-net-sales" class="kpi-value" />
        <Change now={totals.netSalesFen} before={last.netSalesFen} testId="kpi-net-sales-change" versus={versus} />
      </div>
      <div class="kpi">
        <span class="kpi-label">{t("home.orders")}</span>
        <span class="kpi-value" data-testid="kpi-orders">
          {totals.orders}
        </span>
        <Change now={totals.orders} before={last.orders} testId="kpi-orders-change" versus={versus} />
      </div>
      <div class="kpi">
        <span class="kpi-label">{t("home.avgTicket")}</span>
        <Money fen={totals.averageTicketFen} testId="kpi-avg-ticket" class="kpi-value" />
        <Change
          now={totals.averageTicketFen}
          before={last.averageTicketFen}
          testId="kpi-avg-ticket-change"
          versus={versus}
        />
      </div>
    </div>
  )
}

/** All stores or one; only worth showing with more than one store (or one already chosen). */
export function StoreSwitch(p: {
  value: string
  stores: { locationId: string; name: string }[]
  onChoose: (locationId: string) => void
  testId: string
}) {
  if (p.stores.length <= 1 && !p.value) return null
  return (
    <label class="store-switch">
      <span class="visually-hidden">{t("home.storeSwitch")}</span>
      <select data-testid={p.testId} value={p.value} onChange={(e) => p.onChoose(e.currentTarget.value)}>
        <option value="">{t("home.allStores")}</option>
        {p.stores.map((s) => (
          <option key={s.locationId} value={s.locationId}>
            {s.name}
          </option>
        ))}
      </select>
    </label>
  )
}

/** When the figures on screen were loaded; offline (saved), said plainly, with why when the server said. */
export const FiguresTime = ({ loadedAt, saved, note }: { loadedAt: number; saved: boolean; note?: string }) => (
  <p class={saved ? "figures-time saved" : "figures-time muted"} data-testid="figures-time">
    {t(saved ? "home.savedFigures" : "home.updatedAt", { time: timeOf(loadedAt) })}
    {note ? ` · ${note}` : ""}
  </p>
)

export function Dashboard({ userId }: { userId: string }) {
  useEffect(() => {
    void openFigures(userId)
  }, [userId])

  const loaded = figures.value
  const shown = current.value
  const stores = loaded?.all.stores ?? []
  return (
    <section class="card dashboard" data-testid="dashboard" aria-labelledby="dashboard-title">
      <div class="dashboard-head">
        <h2 id="dashboard-title">{t("home.today")}</h2>
        <StoreSwitch
          value={chosenStore.value}
          stores={stores}
          onChoose={(id) => void chooseStore(userId, id)}
          testId="store-switch"
        />
      </div>
      {shown ? <Kpis totals={shown.totals} /> : loadError.value ? null : <p class="muted">{t("home.loading")}</p>}
      {loaded && <FiguresTime loadedAt={loaded.loadedAt} saved={showingSaved.value} />}
      {!loaded && loadError.value && (
        <p class="form-error" role="alert" data-testid="figures-error">
          {t("home.figuresUnavailable")}
        </p>
      )}
      {!chosenStore.value && stores.length > 1 && (
        <ol class="store-ranking" data-testid="store-ranking" aria-label={t("home.stores")}>
          {stores.map((s) => (
            <li key={s.locationId} data-testid={`store-${s.locationId}`}>
              <button type="button" class="store-row" onClick={() => void chooseStore(userId, s.locationId)}>
                <span class="store-rank">{s.rank}</span>
                <span class="store-name">{s.name}</span>
                <span class="store-orders muted">{t("home.storeOrders", { count: s.orders })}</span>
                <Money fen={s.netSalesFen} class="store-sales" />
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  )
}
