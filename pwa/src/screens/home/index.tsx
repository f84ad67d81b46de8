import { useEffect, useState } from "preact/hooks"
import { can, toolsFor } from "../../../../core/roles"
import { logout, refreshMe } from "../../api/auth"
import { displayName, session } from "../../auth/session"
import { Header } from "../../components/Header"
import { RequireSession } from "../../components/RequireSession"
import { ToolTile } from "../../components/ToolTile"
import { t, tParts } from "../../i18n"
import { refreshOutbox, unsyncedCount } from "../../sync/outbox"
import { Dashboard } from "./Dashboard"

export default function Home() {
  const [blocked, setBlocked] = useState(false)
  useEffect(() => {
    if (session.value) void refreshMe()
    void refreshOutbox()
  }, [])

  // Signing out with sales still on this device would strand them (the next user may never sync them).
  const signOut = async () => {
    await refreshOutbox()
    if (unsyncedCount.value > 0) {
      setBlocked(true)
      return
    }
    await logout()
  }

  return (
    <RequireSession>
      {({ user }) => {
        const tools = toolsFor(user.role)
        return (
          <div class="screen">
            <Header>
              <button type="button" class="button button-quiet" data-testid="sign-out" onClick={() => void signOut()}>
                {t("home.signOut")}
              </button>
            </Header>
            <main class="home">
              <section class="greeting">
                <h1 data-testid="greeting">
                  {tParts("home.greeting", { name: <span data-testid="user-name">{displayName(user)}</span> })}
                </h1>
                <p class="muted" data-testid="user-role">
                  {t(`role.${user.role}`)}
                </p>
              </section>
              {blocked && unsyncedCount.value > 0 && (
                <p class="form-error" role="alert" data-testid="sign-out-blocked">
                  {t("home.signOutBlocked", { count: unsyncedCount.value })}
                </p>
              )}
              {can(user.role, "reports:read") && <Dashboard userId={user.id} />}
              <h2 class="visually-hidden">{t("home.tools")}</h2>
              {tools.length === 0 ? (
                <p class="card">{t("home.noTools")}</p>
              ) : (
                <ul class="tiles" data-testid="tools">
                  {tools.map((id) => (
                    <li key={id}>
                      <ToolTile id={id} />
                    </li>
                  ))}
                </ul>
              )}
              <nav class="home-links" aria-label={t("home.more")}>
                {tools.includes("till") && (
                  <a href="/shift" class="button" data-testid="link-shift">
                    {t("shift.title")}
                  </a>
                )}
                <a href="/settings" class="button" data-testid="link-settings">
                  {t("settings.title")}
                </a>
              </nav>
            </main>
          </div>
        )
      }}
    </RequireSession>
  )
}
