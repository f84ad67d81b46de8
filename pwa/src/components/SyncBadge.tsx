import { t } from "../i18n"
import { rejectedItems, syncing, syncNow, unsyncedCount } from "../sync/outbox"

/** The number of sales not yet on the server, always in view; tapping it syncs now. */
export const SyncBadge = () => {
  const count = unsyncedCount.value
  const rejected = rejectedItems.value.length
  return (
    <button
      type="button"
      class={`sync-badge ${count > 0 ? "has-unsynced" : ""} ${rejected > 0 ? "has-rejected" : ""}`}
      onClick={() => void syncNow()}
      disabled={syncing.value}
      data-testid="sync-badge"
      data-count={count}
      aria-label={t("sync.badgeLabel", { count })}
    >
      <span aria-hidden="true">{syncing.value ? "⟳" : "⇅"}</span>
      <span data-testid="unsynced-count">{t("sync.unsynced", { count })}</span>
    </button>
  )
}
