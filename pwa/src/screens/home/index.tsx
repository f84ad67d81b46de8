import { useEffect } from "preact/hooks"
import { toolsFor } from "../../../../core/roles"
import { logout, refreshMe } from "../../api/auth"
import { displayName, session } from "../../auth/session"
import { Header } from "../../components/Header"
import { RequireSession } from "../../components/RequireSession"
import { ToolTile } from "../../components/ToolTile"
import { t, tParts } from "../../i18n"

export default function Home() {
  useEffect(() => {
    if (session.value) void refreshMe()
  }, [])

  return (
    <RequireSession>
      {({ user }) => {
        const tools = toolsFor(user.role)
        return (
          <div class="screen">
            <Header>
              <button type="button" class="button button-quiet" data-testid="sign-out" onClick={() => void logout()}>
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
            </main>
          </div>
        )
      }}
    </RequireSession>
  )
}
