import { t } from "../i18n"
import { online } from "../net"

export const NetStatus = () => (
  <span
    class={`net-status ${online.value ? "is-online" : "is-offline"}`}
    role="status"
    data-testid="net-status"
    data-online={String(online.value)}
  >
    <span class="net-dot" aria-hidden="true" />
    {online.value ? t("net.online") : t("net.offline")}
  </span>
)
