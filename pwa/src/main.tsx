import { render } from "preact"
import { App } from "./app"
import "./styles.css"
import { loadSession } from "./auth/session"
import { loadLanguage } from "./i18n"
import { registerServiceWorker } from "./sw-register"

render(<App />, document.getElementById("app")!)

if (import.meta.env.PROD) registerServiceWorker()

// Another tab signed in or out, or changed language: follow it rather than act with a stale token.
window.addEventListener("storage", (event) => {
  if (event.key === "puzi.session") loadSession()
  if (event.key === "puzi.lang") loadLanguage()
})
