import { signal } from "@preact/signals"
import { ErrorBoundary, LocationProvider, lazy, Route, Router } from "preact-iso"
import { UpdatePrompt } from "./components/UpdatePrompt"
import { t } from "./i18n"
import NotFound from "./screens/not-found"

// Screens load on demand; the service worker precaches every chunk, so "on demand" still works offline.
const Login = lazy(() => import("./screens/login"))
const Home = lazy(() => import("./screens/home"))
const ToolPlaceholder = lazy(() => import("./screens/tool"))
const Till = lazy(() => import("./screens/till"))
const Sales = lazy(() => import("./screens/sales"))
const Stock = lazy(() => import("./screens/stock"))
const Receiving = lazy(() => import("./screens/receiving"))
const Transfers = lazy(() => import("./screens/transfers"))
const Stocktake = lazy(() => import("./screens/stocktake"))
const Members = lazy(() => import("./screens/members"))
const Orders = lazy(() => import("./screens/orders"))
const Catalog = lazy(() => import("./screens/catalog"))
const Shift = lazy(() => import("./screens/shift"))
const Settings = lazy(() => import("./screens/settings"))
const Admin = lazy(() => import("./screens/admin"))
const DashboardScreen = lazy(() => import("./screens/dashboard"))

const crash = signal<unknown>(null)

const Crash = () => (
  <div class="placeholder" role="alert" data-testid="crash">
    <h1>{t("crash.title")}</h1>
    <button type="button" class="button button-primary" onClick={() => window.location.reload()}>
      {t("crash.reload")}
    </button>
  </div>
)

export const App = () => (
  <LocationProvider>
    <ErrorBoundary
      onError={(error) => {
        console.error(error)
        crash.value = error
      }}
    >
      {crash.value ? (
        <Crash />
      ) : (
        <Router>
          <Route path="/" component={Home} />
          <Route path="/login" component={Login} />
          <Route path="/tools/till" component={Till} />
          <Route path="/tools/sales" component={Sales} />
          <Route path="/tools/stock" component={Stock} />
          <Route path="/tools/receiving" component={Receiving} />
          <Route path="/tools/transfers" component={Transfers} />
          <Route path="/tools/stocktake" component={Stocktake} />
          <Route path="/tools/members" component={Members} />
          <Route path="/shift" component={Shift} />
          <Route path="/settings" component={Settings} />
          <Route path="/tools/catalog" component={Catalog} />
          <Route path="/tools/orders" component={Orders} />
          <Route path="/tools/dashboard" component={DashboardScreen} />
          <Route path="/tools/admin" component={Admin} />
          <Route path="/tools/:id" component={ToolPlaceholder} />
          <Route default component={NotFound} />
        </Router>
      )}
    </ErrorBoundary>
    <UpdatePrompt />
  </LocationProvider>
)
