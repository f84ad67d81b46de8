import { Header } from "../../components/Header"
import { t } from "../../i18n"

export default function NotFound() {
  return (
    <div class="screen">
      <Header />
      <main class="placeholder" data-testid="not-found">
        <h1>{t("notFound.title")}</h1>
        <p class="muted">{t("notFound.body")}</p>
        <a href="/" class="button">
          {t("nav.home")}
        </a>
      </main>
    </div>
  )
}
