import { useEffect, useState } from "preact/hooks"
import { ApiError, api } from "../../api/client"
import { AppShell } from "../../components/AppShell"
import { t } from "../../i18n"
import { online } from "../../net"
import { stockSnapshot, syncStock } from "../../store/catalog"
import type { StockRecord } from "../../store/db"
import { locationId } from "../../store/location"

interface Availability {
  skuId: string
  items: { locationId: string; locationName: string; kind: string; onHand: number; available: number }[]
}

const AcrossStores = ({ level, onClose }: { level: StockRecord; onClose: () => void }) => {
  const [data, setData] = useState<Availability | null>(null)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    if (!online.value) return
    api
      .get<Availability>(`/skus/${level.skuId}/availability`)
      .then(setData)
      .catch((e: unknown) => setFailed(e instanceof ApiError))
  }, [level.skuId, online.value])
  return (
    <section class="card" aria-labelledby="across-title" data-testid="availability">
      <div class="sheet-head">
        <h2 id="across-title">
          {level.name} <span class="muted">{level.skuCode}</span>
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
          <thead>
            <tr>
              <th scope="col">{t("stock.location")}</th>
              <th scope="col">{t("stock.onHand")}</th>
              <th scope="col">{t("stock.available")}</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((i) => (
              <tr key={i.locationId} data-testid="availability-row">
                <td>{i.locationName}</td>
                <td>{i.onHand}</td>
                <td>{i.available}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

export default function Stock() {
  const [levels, setLevels] = useState<StockRecord[]>([])
  const [lowOnly, setLowOnly] = useState(false)
  const [q, setQ] = useState("")
  const [busy, setBusy] = useState(false)
  const [selected, setSelected] = useState<StockRecord | null>(null)
  const store = locationId.value

  const load = async () => {
    if (store) setLevels(await stockSnapshot(store))
  }
  useEffect(() => {
    void load()
  }, [store])

  const refresh = async () => {
    if (!store) return
    setBusy(true)
    try {
      await syncStock(store)
      await load()
    } catch {
      // offline: the snapshot stays as it was
    } finally {
      setBusy(false)
    }
  }

  const words = q.trim().toLowerCase()
  const shown = levels
    .filter((l) => !lowOnly || l.lowStock || l.available <= 0)
    .filter((l) => !words || `${l.name ?? ""} ${l.skuCode ?? ""}`.toLowerCase().includes(words))
    .sort((a, b) => (a.skuCode ?? "").localeCompare(b.skuCode ?? ""))

  return (
    <AppShell title={t("tool.stock")} screen="stock">
      {selected ? (
        <AcrossStores level={selected} onClose={() => setSelected(null)} />
      ) : (
        <>
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
            <label class="check">
              <input
                type="checkbox"
                checked={lowOnly}
                onChange={(e) => setLowOnly(e.currentTarget.checked)}
                data-testid="stock-low"
              />
              {t("stock.lowOnly")}
            </label>
            <button type="button" class="button button-small" onClick={refresh} disabled={busy || !online.value}>
              {t("stock.refresh")}
            </button>
          </div>
          {!online.value && <p class="notice">{t("stock.snapshotOffline")}</p>}
          <table class="table" data-testid="stock-table">
            <thead>
              <tr>
                <th scope="col">{t("stock.item")}</th>
                <th scope="col">{t("stock.available")}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((l) => (
                <tr key={l.key} data-testid="stock-row" data-sku={l.skuId}>
                  <td>
                    <button type="button" class="link-button" onClick={() => setSelected(l)}>
                      {l.name} <span class="muted">{l.skuCode}</span>
                    </button>
                  </td>
                  <td class={l.lowStock || l.available <= 0 ? "low" : ""}>
                    {l.available}
                    {l.lowStock && <span class="visually-hidden"> {t("stock.low")}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {shown.length === 0 && <p class="muted">{t("stock.none")}</p>}
        </>
      )}
    </AppShell>
  )
}
