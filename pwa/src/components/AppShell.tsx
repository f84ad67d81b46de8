import type { ComponentChildren } from "preact"
import { t } from "../i18n"
import { Header } from "./Header"
import { RequireSession } from "./RequireSession"

/** A signed-in tool screen: the header (network, unsynced sales), a way home, the screen's title. */
export const AppShell = ({
  title,
  screen,
  children,
}: {
  title: string
  screen: string
  children: ComponentChildren
}) => (
  <RequireSession>
    {() => (
      <div class="screen">
        <Header />
        <main class="tool" data-testid={`screen-${screen}`}>
          <div class="tool-head">
            <a href="/" class="button button-small" data-testid="back-home">
              {t("nav.home")}
            </a>
            <h1>{title}</h1>
          </div>
          {children}
        </main>
      </div>
    )}
  </RequireSession>
)
