import { useRoute } from "preact-iso"
import { TOOLS, type ToolId } from "../../../../core/roles"
import { Header } from "../../components/Header"
import { RequireSession } from "../../components/RequireSession"
import { t } from "../../i18n"
import NotFound from "../not-found"

const isTool = (id: string | undefined): id is ToolId => TOOLS.some((tool) => tool.id === id)

/** Where each tool will live; until its issue lands, it says so instead of showing a broken page. */
export default function ToolPlaceholder() {
  const { params } = useRoute()
  const id = params.id
  if (!isTool(id)) return <NotFound />
  return (
    <RequireSession>
      {() => (
        <div class="screen">
          <Header />
          <main class="placeholder" data-testid={`screen-${id}`}>
            <h1>{t(`tool.${id}`)}</h1>
            <p class="badge" data-testid="coming-soon">
              {t("tool.comingSoon")}
            </p>
            <p class="muted">{t("tool.comingSoonBody", { tool: t(`tool.${id}`) })}</p>
            <a href="/" class="button" data-testid="back-home">
              {t("nav.home")}
            </a>
          </main>
        </div>
      )}
    </RequireSession>
  )
}
