// The owner's dashboard (经营看板): a period's net sales, orders and average ticket against the period
// before, each day charted, the stores ranked with their share; all stores or one. A store manager
// sees their own stores (the server scopes the summary). Offline: the last figures, with their time.
import { useEffect } from "preact/hooks"
import { formatCny } from "../../../../core/money"
import { can } from "../../../../core/roles"
import { session } from "../../auth/session"
import { AppShell } from "../../components/AppShell"
import { t } from "../../i18n"
import { FiguresTime, Kpis, StoreSwitch, type Versus } from "../home/Dashboard"
import { DailyChart } from "./DailyChart"
import {
  chosenPeriod,
  chosenStore,
  figures,
  type Loaded,
  loading,
  loadProblem,
  PERIODS,
  sharePermille,
  show,
  showingSaved,
  stores,
} from "./period"
import "./dashboard.css"

const VS_PRIOR: Versus = { label: "dashboard.vsPrior", none: "dashboard.noPrior" }
const yuanAxis = (fen: number) => `¥${Math.round(fen / 100)}`
const percent = (permille: number | null) => (permille === null ? "—" : `${(permille / 10).toFixed(1)}%`)

function Filters({ userId }: { userId: string }) {
  return (
    <div class="dashboard-filters">
      <fieldset class="segmented" data-testid="dashboard-period">
        <legend class="visually-hidden">{t("dashboard.period")}</legend>
        {PERIODS.map((id) => (
          <button
            key={id}
            type="button"
            aria-pressed={chosenPeriod.value === id}
            data-testid={`period-${id}`}
            onClick={() => void show(userId, { period: id })}
          >
            {t(`dashboard.period.${id}`)}
          </button>
        ))}
      </fieldset>
      <StoreSwitch
        value={chosenStore.value}
        stores={stores.value}
        onChoose={(id) => void show(userId, { store: id })}
        testId="dashboard-store"
      />
    </div>
  )
}

function Ranking({ summary }: { summary: Loaded["summary"] }) {
  const whole = summary.totals.netSalesFen
  return (
    <section class="card" aria-labelledby="ranking-title">
      <h2 id="ranking-title">{t("home.stores")}</h2>
      <table class="table ranking" data-testid="dashboard-ranking">
        <thead>
          <tr>
            <th scope="col">{t("dashboard.rank")}</th>
            <th scope="col">{t("dashboard.store")}</th>
            <th scope="col" class="num">
              {t("home.netSales")}
            </th>
            <th scope="col" class="num">
              {t("home.orders")}
            </th>
            <th scope="col" class="num">
              {t("dashboard.share")}
            </th>
          </tr>
        </thead>
        <tbody>
          {summary.stores.map((s) => (
            <tr key={s.locationId} data-testid={`rank-${s.locationId}`}>
              <td>{s.rank}</td>
              <th scope="row">{s.name}</th>
              <td class="num">{formatCny(s.netSalesFen)}</td>
              <td class="num">{s.orders}</td>
              <td class="num">{percent(sharePermille(s.netSalesFen, whole))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}

function Figures({ data }: { data: Loaded }) {
  const { summary, prior } = data
  const days = summary.days.map((d) => d.day)
  const noSales = summary.totals.orders === 0 && summary.totals.netSalesFen === 0
  return (
    <>
      <section class="card dashboard" aria-labelledby="totals-title">
        <h2 id="totals-title" data-testid="dashboard-range">
          {t("dashboard.range", { from: summary.from, to: summary.to })}
        </h2>
        <Kpis totals={{ ...summary.totals, lastWeek: prior }} versus={VS_PRIOR} />
        <p class="muted figures-time" data-testid="dashboard-prior">
          {t("dashboard.comparedWith", { from: prior.from, to: prior.to })}
        </p>
        {noSales && (
          <p class="muted" data-testid="dashboard-empty">
            {t("dashboard.noSales")}
          </p>
        )}
      </section>
      <DailyChart
        title={t("dashboard.netSalesChart")}
        testId="chart-net-sales"
        kind="line"
        days={days}
        values={summary.days.map((d) => d.netSalesFen)}
        format={formatCny}
        axis={yuanAxis}
      />
      <DailyChart
        title={t("dashboard.ordersChart")}
        testId="chart-orders"
        kind="bars"
        days={days}
        values={summary.days.map((d) => d.orders)}
        format={String}
        axis={String}
      />
      {!chosenStore.value && summary.stores.length > 0 && <Ranking summary={summary} />}
    </>
  )
}

function Status() {
  const data = figures.value
  const problem = loadProblem.value
  if (data)
    return (
      <FiguresTime
        loadedAt={data.loadedAt}
        saved={showingSaved.value}
        note={showingSaved.value ? problem?.detail : undefined}
      />
    )
  if (problem)
    return (
      <p class="form-error" role="alert" data-testid="figures-error">
        {problem.code === "network_error"
          ? t("error.network")
          : (problem.detail ?? t("error.generic", { code: problem.code }))}
      </p>
    )
  return loading.value ? <p class="muted">{t("home.loading")}</p> : null
}

function Board({ userId }: { userId: string }) {
  useEffect(() => {
    void show(userId)
  }, [userId])
  const data = figures.value
  return (
    <div class="dashboard-screen">
      <Filters userId={userId} />
      <Status />
      {data && <Figures data={data} />}
    </div>
  )
}

export default function DashboardScreen() {
  const user = session.value?.user
  return (
    <AppShell title={t("tool.dashboard")} screen="dashboard">
      {user && can(user.role, "reports:read") ? (
        <Board userId={user.id} />
      ) : (
        <p class="card" role="alert" data-testid="dashboard-forbidden">
          {t("dashboard.forbidden")}
        </p>
      )}
    </AppShell>
  )
}
