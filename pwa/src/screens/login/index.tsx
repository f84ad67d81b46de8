import { useState } from "preact/hooks"
import { useLocation } from "preact-iso"
import { login } from "../../api/auth"
import { ApiError } from "../../api/client"
import { session } from "../../auth/session"
import { Header } from "../../components/Header"
import { Redirect } from "../../components/Redirect"
import { t } from "../../i18n"

type Failure =
  | { key: "login.missing" | "error.invalid_credentials" | "error.network" | "error.rate_limited_later" }
  | { key: "error.rate_limited"; seconds: number }
  | { key: "error.generic"; code: string }

const describe = (error: unknown): Failure => {
  if (!(error instanceof ApiError)) return { key: "error.generic", code: String(error) }
  if (error.status === 0) return { key: "error.network" }
  if (error.status === 401 || error.code === "invalid_credentials") return { key: "error.invalid_credentials" }
  if (error.status === 429) {
    return error.retryAfter === undefined
      ? { key: "error.rate_limited_later" }
      : { key: "error.rate_limited", seconds: error.retryAfter }
  }
  return { key: "error.generic", code: error.code }
}

// The failure is kept as a key, not a sentence, so switching language translates a message already shown.
const message = (failure: Failure) =>
  failure.key === "error.rate_limited"
    ? t(failure.key, { seconds: failure.seconds })
    : failure.key === "error.generic"
      ? t(failure.key, { code: failure.code })
      : t(failure.key)

export default function Login() {
  const { route } = useLocation()
  const [username, setUsername] = useState("")
  const [password, setPassword] = useState("")
  const [busy, setBusy] = useState(false)
  const [failure, setFailure] = useState<Failure | null>(null)

  if (session.value && !busy) return <Redirect to="/" />

  const submit = async (event: Event) => {
    event.preventDefault()
    if (busy) return
    if (!username.trim() || !password) {
      setFailure({ key: "login.missing" })
      return
    }
    setBusy(true)
    setFailure(null)
    try {
      await login(username.trim(), password)
      route("/", true)
    } catch (error) {
      setFailure(describe(error))
      setPassword("")
    } finally {
      setBusy(false)
    }
  }

  return (
    <div class="screen">
      <Header />
      <main class="login">
        <form class="card login-card" onSubmit={submit} noValidate data-testid="login-form">
          <h1>{t("login.title")}</h1>
          <p class="muted">{t("login.subtitle")}</p>
          <label class="field">
            <span>{t("login.username")}</span>
            <input
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellcheck={false}
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value)}
              data-testid="login-username"
            />
          </label>
          <label class="field">
            <span>{t("login.password")}</span>
            <input
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
              data-testid="login-password"
            />
          </label>
          {failure && (
            <p class="form-error" role="alert" data-testid="login-error">
              {message(failure)}
            </p>
          )}
          <button type="submit" class="button button-primary" disabled={busy} data-testid="login-submit">
            {busy ? t("login.submitting") : t("login.submit")}
          </button>
        </form>
      </main>
    </div>
  )
}
