import { useEffect, useState } from "preact/hooks"
import { ApiError, api } from "../../api/client"
import { AppShell } from "../../components/AppShell"
import { type MessageKey, t } from "../../i18n"
import { online } from "../../net"
import { stockSnapshot, syncStock } from "../../store/catalog"
import { getMeta, type StockRecord, setMeta } from "../../store/db"
import { locationId } from "../../store/location"
import "./stock.css"

// 库存: my store's levels from the device's snapshot (so it opens offline), filtered to low stock or to lots
// near expiry; a SKU tapped shows its live availability at every location I may see — which needs the network,
// and says so.

interface Availability {
  skuId: string
  items: {
    locationId: string
    locationName: string
    kind: string
    onHand: number
    reserved: number
    available: number
  }[]
}

interface ExpiringLot {
  skuId: string
  skuCode: string | null
  name: string | null
  lot: string
  expiresOn: string
  qty: number
  daysLeft: number
  expired: boolean
}

interface Picked {
  skuId: string
  name: string | null
  code: string | null
}

type Filter = "all" | "low" | "expiring"

const FILTERS: { id: Filter; label: MessageKey }[] = [
  { id: "all", label: "stock.filterAll" },
  { id: "low", label: "stock.filterLow" },
  { id: "expiring", label: "stock.filterExpiring" },
]

const AcrossStores = ({ sku, onClose }: { sku: Picked; onClose: () => void }) => {
  const [data, setData] = useState<Availability | null>(null)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    if (!online.value) return
    setFailed(false)
    api
      .get<Availability>(`/skus/${sku.skuId}/availability`)
      .then(setData)
      .catch((e: unknown) => setFailed(e instanceof ApiError))
  }, [sku.skuId, online.value])
  return (
    <section class="card" aria-labelledby="across-title" data-testid="availability">
      <div class="sheet-head">
        <h2 id="across-title">
          {sku.name} <span class="muted">{sku.code}</span>
        </h2>
        <button type="button" class="button button-small" onClick={onClose}>
          {t("common.back")}
        </button>
      </div>
      {!online.value || failed ? (
        <p class="notice" role="status" data-testid="availability-offline">
          {t("stock.acrossOffline")}
        </p>
      ) : !data ? (
        <p class="muted">{t("common.loading")}</p>
      ) : (
        <table class="table">
          <caption class="visually-hidden">{t("stock.acrossTitle")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("stock.location")}</th>
              <th scope="col">{t("stock.onHand")}</th>
              <th scope="col">{t("stock.available")}</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((i) => (
              <tr key={i.locationId} data-testid="availability-row" data-location={i.locationId}>
                <td>{i.locationName}</td>
                <td>{i.onHand}</td>
                <td data-testid="availability-available">{i.available}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

interface ExpiringCache {
  withinDays: number
  items: ExpiringLot[]
}

/**
 * Every lot at the store expiring within N days. The server pages over the store's cells (each page asks up
 * to 100 cells for their lots), so a page may be empty and still have a next one: follow them all.
 */
const fetchExpiring = async (store: string, withinDays: number) => {
  const lots: ExpiringLot[] = []
  let cursor: string | null = null
  do {
    const query = new URLSearchParams({ locationId: store, withinDays: String(withinDays), limit: "100" })
    if (cursor) query.set("cursor", cursor)
    const page: { items: ExpiringLot[]; nextCursor: string | null } = await api.get(`/stock/expiring?${query}`)
    lots.push(...page.items)
    cursor = page.nextCursor
  } while (cursor)
  // Pages follow the cells; the list reads soonest first.
  return lots.sort((a, b) => a.expiresOn.localeCompare(b.expiresOn) || a.skuId.localeCompare(b.skuId))
}

/** Lots near expiry: live when online (and kept), the last answer for the same window when offline. */
const useExpiring = (store: string | null, withinDays: number, wanted: boolean) => {
  const [lots, setLots] = useState<ExpiringLot[] | null>(null)
  const [stale, setStale] = useState(false)
  useEffect(() => {
    if (!store || !wanted) return
    let live = true
    const cacheKey = `stock.expiring.${store}`
    const fromCache = async () => {
      const cached = await getMeta<ExpiringCache>(cacheKey)
      if (!live) return
      setLots(cached && cached.withinDays >= withinDays ? cached.items.filter((l) => l.daysLeft <= withinDays) : [])
      setStale(true)
    }
    if (!online.value) {
      void fromCache()
      return
    }
    fetchExpiring(store, withinDays)
      .then(async (items) => {
        await setMeta(cacheKey, { withinDays, items } satisfies ExpiringCache)
        if (!live) return
        setLots(items)
        setStale(false)
      })
      .catch(() => fromCache())
    return () => {
      live = false
    }
  }, [store, withinDays, wanted, online.value])
  return { lots, stale }
}

const whole = (text: string, fallback: number) => {
  const n = Number(text)
  return text.trim() !== "" && Number.isInteger(n) && n >= 0 ? n : fallback
}

/** The item's name, tapped to see it across the stores. */
const SkuCell = ({ sku, onPick }: { sku: Picked; onPick: (p: Picked) => void }) => (
  <td>
    <button type="button" class="link-button" onClick={() => onPick(sku)}>
      {sku.name} <span class="muted">{sku.code}</span>
    </button>
  </td>
)

const ExpiringTable = ({ lots, onPick }: { lots: ExpiringLot[]; onPick: (p: Picked) => void }) => (
  <table class="table" data-testid="expiring-table">
    <thead>
      <tr>
        <th scope="col">{t("stock.item")}</th>
        <th scope="col">{t("stock.lot")}</th>
        <th scope="col">{t("stock.expiresOn")}</th>
      </tr>
    </thead>
    <tbody>
      {lots.map((l) => (
        <tr key={`${l.skuId}:${l.lot}`} data-testid="expiring-row" data-sku={l.skuId}>
          <SkuCell sku={{ skuId: l.skuId, name: l.name, code: l.skuCode }} onPick={onPick} />
          <td>
            {l.lot} · {l.qty}
          </td>
          <td class="low">
            {l.expiresOn}{" "}
            <span data-testid="expiring-days">
              {l.expired ? t("stock.expired") : t("stock.daysLeft", { days: l.daysLeft })}
            </span>
          </td>
        </tr>
      ))}
    </tbody>
  </table>
)

const LevelsTable = ({ levels, onPick }: { levels: StockRecord[]; onPick: (p: Picked) => void }) => (
  <table class="table" data-testid="stock-table">
    <thead>
      <tr>
        <th scope="col">{t("stock.item")}</th>
        <th scope="col">{t("stock.available")}</th>
        <th scope="col">{t("stock.onHand")}</th>
      </tr>
    </thead>
    <tbody>
      {levels.map((l) => (
        <tr key={l.key} data-testid="stock-row" data-sku={l.skuId}>
          <SkuCell sku={{ skuId: l.skuId, name: l.name, code: l.skuCode }} onPick={onPick} />
          <td class={l.lowStock || l.available <= 0 ? "low" : ""} data-testid="stock-available">
            {l.available}
            {l.lowStock && <span class="visually-hidden"> {t("stock.low")}</span>}
          </td>
          <td>{l.onHand}</td>
        </tr>
      ))}
    </tbody>
  </table>
)

export default function Stock() {
  const store = locationId.value
  const [levels, setLevels] = useState<StockRecord[]>([])
  const [syncedAt, setSyncedAt] = useState<number | null>(null)
  const [filter, setFilter] = useState<Filter>("all")
  const [threshold, setThreshold] = useState("")
  const [days, setDays] = useState("30")
  const [q, setQ] = useState("")
  const [busy, setBusy] = useState(false)
  const [selected, setSelected] = useState<Picked | null>(null)
  const withinDays = whole(days, 30)
  const { lots, stale } = useExpiring(store, withinDays, filter === "expiring")

  const load = async () => {
    if (!store) return
    setLevels(await stockSnapshot(store))
    setSyncedAt((await getMeta<number>(`stock.syncedAt.${store}`)) ?? null)
  }
  const refresh = async () => {
    if (!store || !online.value) return
    setBusy(true)
    try {
      await syncStock(store)
      await load()
    } catch {
      // the network went away: the snapshot stays as it was
    } finally {
      setBusy(false)
    }
  }
  useEffect(() => {
    void load().then(refresh)
  }, [store])

  const words = q.trim().toLowerCase()
  const limit = whole(threshold, 0)
  const matches = (name: string | null, code: string | null) =>
    !words || `${name ?? ""} ${code ?? ""}`.toLowerCase().includes(words)
  const shown = levels
    .filter((l) => filter !== "low" || l.lowStock || l.available <= limit)
    .filter((l) => matches(l.name, l.skuCode))
    .sort((a, b) => (a.skuCode ?? "").localeCompare(b.skuCode ?? ""))
  const shownLots = (lots ?? []).filter((l) => matches(l.name, l.skuCode))

  if (selected)
    return (
      <AppShell title={t("tool.stock")} screen="stock">
        <AcrossStores sku={selected} onClose={() => setSelected(null)} />
      </AppShell>
    )

  return (
    <AppShell title={t("tool.stock")} screen="stock">
      <fieldset class="segmented">
        <legend class="visually-hidden">{t("stock.filters")}</legend>
        {FILTERS.map((f) => (
          <button
            key={f.id}
            type="button"
            aria-pressed={filter === f.id}
            onClick={() => setFilter(f.id)}
            data-testid={`stock-${f.id}`}
          >
            {t(f.label)}
          </button>
        ))}
      </fieldset>
      <div class="filters">
        <label class="visually-hidden" for="stock-q">
          {t("stock.search")}
        </label>
        <input
          id="stock-q"
          type="search"
          placeholder={t("stock.search")}
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
          data-testid="stock-search"
        />
        {filter === "low" && (
          <label class="number-field">
            {t("stock.threshold")}
            <input
              type="number"
              inputMode="numeric"
              min={0}
              size={4}
              value={threshold}
              onInput={(e) => setThreshold(e.currentTarget.value)}
              data-testid="stock-threshold"
            />
          </label>
        )}
        {filter === "expiring" && (
          <label class="number-field">
            {t("stock.withinDays")}
            <input
              type="number"
              inputMode="numeric"
              min={0}
              size={4}
              value={days}
              onInput={(e) => setDays(e.currentTarget.value)}
              data-testid="stock-days"
            />
          </label>
        )}
        <button type="button" class="button button-small" onClick={refresh} disabled={busy || !online.value}>
          {t("stock.refresh")}
        </button>
      </div>
      {!online.value && (
        <p class="notice" role="status" data-testid="stock-offline">
          {t("stock.snapshotOffline")}
        </p>
      )}
      {syncedAt && (
        <p class="muted" data-testid="stock-synced-at">
          {t("stock.syncedAt", { time: new Date(syncedAt).toLocaleString() })}
        </p>
      )}
      {filter === "expiring" ? (
        <>
          {stale && <p class="notice">{t("stock.expiringOffline")}</p>}
          {lots === null ? (
            <p class="muted">{t("common.loading")}</p>
          ) : shownLots.length === 0 ? (
            <p class="muted" data-testid="expiring-none">
              {t("stock.expiringNone")}
            </p>
          ) : (
            <ExpiringTable lots={shownLots} onPick={setSelected} />
          )}
        </>
      ) : (
        <>
          <LevelsTable levels={shown} onPick={setSelected} />
          {shown.length === 0 && <p class="muted">{t("stock.none")}</p>}
        </>
      )}
    </AppShell>
  )
}
