import { effect } from "@preact/signals"
import { render } from "preact"
import { App } from "./app"
import "./styles.css"
import { loadSession, signedIn } from "./auth/session"
import { loadLanguage } from "./i18n"
import { registerServiceWorker } from "./sw-register"
import { startDataSync } from "./sync/data"
import { startSync } from "./sync/outbox"

render(<App />, document.getElementById("app")!)

if (import.meta.env.PROD) registerServiceWorker()

// Signed in: send what the outbox holds and bring the catalog, promotions and stock up to date, now and on.
effect(() => {
  if (!signedIn.value) return
  startSync()
  startDataSync()
})

// Another tab signed in or out, or changed language: follow it rather than act with a stale token.
window.addEventListener("storage", (event) => {
  if (event.key === "puzi.session") loadSession()
  if (event.key === "puzi.lang") loadLanguage()
})
