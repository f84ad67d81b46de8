import type { ComponentChildren } from "preact"
import { signedIn } from "../auth/session"
import { t } from "../i18n"
import { LanguageSwitch } from "./LanguageSwitch"
import { NetStatus } from "./NetStatus"
import { SyncBadge } from "./SyncBadge"

export const Header = ({ children }: { children?: ComponentChildren }) => (
  <header class="app-header">
    <a href="/" class="brand" data-testid="brand">
      <img src="/favicon.svg" alt="" width={28} height={28} />
      <span>{t("app.name")}</span>
    </a>
    <div class="header-actions">
      <NetStatus />
      {signedIn.value && <SyncBadge />}
      <LanguageSwitch />
      {children}
    </div>
  </header>
)
