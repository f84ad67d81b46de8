import { AppShell } from "../../components/AppShell"
import { LanguageSwitch } from "../../components/LanguageSwitch"
import { t } from "../../i18n"
import { online } from "../../net"
import { autoPrint, paperWidth, setAutoPrint, setPaperWidth } from "../../settings"
import { applyUpdate, checkForUpdate, updateReady } from "../../sw-register"
import { catalogSyncedAt, dataError, refreshData, refreshing } from "../../sync/data"
import { lastSyncAt, lastSyncError, outbox, rejectedItems, retryRejected, syncing, syncNow } from "../../sync/outbox"
import { APP_VERSION } from "../../version"
import { TillSetup } from "./TillSetup"

const when = (ms: number | null) => (ms ? new Date(ms).toLocaleString("zh-CN", { hour12: false }) : t("settings.never"))

export default function Settings() {
  return (
    <AppShell title={t("settings.title")} screen="settings">
      <section class="card form" aria-labelledby="s-general">
        <h2 id="s-general">{t("settings.general")}</h2>
        <div class="setting">
          <span>{t("lang.label")}</span>
          <LanguageSwitch />
        </div>
        <fieldset class="segmented" data-testid="paper-width">
          <legend>{t("settings.paper")}</legend>
          {(["58", "80"] as const).map((w) => (
            <button
              key={w}
              type="button"
              aria-pressed={paperWidth.value === w}
              onClick={() => setPaperWidth(w)}
              data-testid={`paper-${w}`}
            >
              {w} mm
            </button>
          ))}
        </fieldset>
        <label class="check">
          <input type="checkbox" checked={autoPrint.value} onChange={(e) => setAutoPrint(e.currentTarget.checked)} />
          {t("settings.autoPrint")}
        </label>
      </section>

      <section class="card form" aria-labelledby="s-sync" data-testid="sync-status">
        <h2 id="s-sync">{t("settings.sync")}</h2>
        <dl class="facts">
          <div>
            <dt>{t("settings.outbox")}</dt>
            <dd data-testid="outbox-size">{outbox.value.length}</dd>
          </div>
          <div>
            <dt>{t("settings.lastSync")}</dt>
            <dd>{when(lastSyncAt.value)}</dd>
          </div>
          <div>
            <dt>{t("settings.catalogSync")}</dt>
            <dd>{when(catalogSyncedAt.value)}</dd>
          </div>
          {(lastSyncError.value || dataError.value) && (
            <div>
              <dt>{t("settings.error")}</dt>
              <dd class="danger">{lastSyncError.value ?? dataError.value}</dd>
            </div>
          )}
        </dl>
        <div class="actions">
          <button
            type="button"
            class="button"
            disabled={syncing.value || !online.value}
            onClick={() => void syncNow()}
            data-testid="sync-now"
          >
            {t("settings.syncNow")}
          </button>
          <button
            type="button"
            class="button"
            disabled={refreshing.value || !online.value}
            onClick={() => void refreshData()}
          >
            {t("settings.refreshData")}
          </button>
        </div>
        {rejectedItems.value.length > 0 && (
          <>
            <h3>{t("settings.rejected")}</h3>
            <ul class="list" data-testid="rejected-list">
              {rejectedItems.value.map((item) => (
                <li key={item.id} class="rejected">
                  <span>
                    {t(item.kind === "return" ? "settings.kindReturn" : "settings.kindSale")} {item.id.slice(-8)}
                  </span>
                  <span class="danger">
                    {item.problem?.code}: {item.problem?.detail}
                  </span>
                  <button type="button" class="button button-small" onClick={() => void retryRejected(item.id)}>
                    {t("settings.retry")}
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <TillSetup />

      <section class="card form" aria-labelledby="s-app">
        <h2 id="s-app">{t("settings.app")}</h2>
        <p>
          {t("settings.version")}: <span data-testid="app-version">{APP_VERSION}</span>
        </p>
        {updateReady.value ? (
          <button type="button" class="button" onClick={applyUpdate}>
            {t("update.apply")}
          </button>
        ) : (
          <button type="button" class="button" onClick={() => void checkForUpdate()} disabled={!online.value}>
            {t("settings.checkUpdate")}
          </button>
        )}
      </section>
    </AppShell>
  )
}
