import { useState } from "preact/hooks"
import { tillCashier } from "../../auth/cashier"
import { Problem } from "../../components/Message"
import { PinField } from "../../components/PinField"
import { t } from "../../i18n"
import { type HandOver, handOver } from "../../store/pins"

// 换人: a cashier takes over the shared till with username + till PIN, checked on the device (works offline).
// The till stays signed in as before; only the cashier named on new sales changes.

const message = (result: HandOver) =>
  result.ok
    ? t("handover.done", { name: result.name })
    : result.reason === "wrong"
      ? t("handover.wrong", { left: result.left })
      : result.reason === "locked"
        ? t("handover.locked", { minutes: result.minutes })
        : t(`handover.${result.reason}`)

/** Closes with the name of who took over, or null when the cashier went back. */
const HandOverSheet = ({ onClose }: { onClose: (took: string | null) => void }) => {
  const [username, setUsername] = useState("")
  const [pin, setPin] = useState("")
  const [busy, setBusy] = useState(false)
  const [problem, setProblem] = useState<string | null>(null)

  const submit = async (event: Event) => {
    event.preventDefault()
    if (busy || !username.trim() || !pin) return
    setBusy(true)
    try {
      const result = await handOver(username, pin)
      setPin("")
      if (result.ok) onClose(result.name)
      else setProblem(message(result))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div class="sheet-backdrop">
      <div class="sheet" role="dialog" aria-modal="true" aria-labelledby="handover-title" data-testid="handover-sheet">
        <form class="form" onSubmit={submit} noValidate>
          <div class="sheet-head">
            <h2 id="handover-title">{t("handover.title")}</h2>
            <button type="button" class="button button-small" onClick={() => onClose(null)}>
              {t("common.back")}
            </button>
          </div>
          <p class="muted">{t("handover.help")}</p>
          <label class="field">
            <span>{t("handover.username")}</span>
            <input
              autoComplete="off"
              autoCapitalize="none"
              spellcheck={false}
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value)}
              data-testid="handover-username"
            />
          </label>
          <PinField value={pin} onInput={setPin} testId="handover-pin" />
          <Problem text={problem} testId="handover-problem" />
          <button type="submit" class="button button-primary" disabled={busy} data-testid="handover-submit">
            {t("handover.submit")}
          </button>
        </form>
      </div>
    </div>
  )
}

/** The cashier at the till, always in view, and the way to hand over. */
export const CashierBar = ({ onTakenOver }: { onTakenOver: (name: string) => void }) => {
  const [open, setOpen] = useState(false)
  const cashier = tillCashier.value
  return (
    <div class="chip-row" data-testid="till-cashier">
      <span class="chip">
        {t("handover.cashier")}: <strong data-testid="till-cashier-name">{cashier?.name}</strong>
      </span>
      <button type="button" class="button button-small" onClick={() => setOpen(true)} data-testid="handover-open">
        {t("handover.open")}
      </button>
      {open && (
        <HandOverSheet
          onClose={(done) => {
            setOpen(false)
            if (done) onTakenOver(done)
          }}
        />
      )}
    </div>
  )
}
