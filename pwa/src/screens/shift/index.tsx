import { useState } from "preact/hooks"
import { formatCny, tryParseYuan } from "../../../../core/money"
import { ApiError, api } from "../../api/client"
import { AppShell } from "../../components/AppShell"
import { Problem } from "../../components/Message"
import { Money } from "../../components/Money"
import { type MessageKey, t } from "../../i18n"
import { online } from "../../net"
import { locationId } from "../../store/location"
import { openShift, setOpenShift } from "../../store/shift"

// The denominations the server counts a drawer in (fen): 100, 50, 20, 10, 5, 1 yuan, 5 and 1 jiao, 5, 2, 1 fen.
const DENOMINATIONS = [10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 2, 1] as const

interface ShiftView {
  id: string
  locationId: string
  openedAt: string
  floatFen: number
}

interface Closed extends ShiftView {
  expectedFen: number
  countedFen: number | null
  differenceFen: number | null
}

export default function Shift() {
  const [float, setFloat] = useState("")
  const [counts, setCounts] = useState<Record<number, string>>({})
  const [problem, setProblem] = useState<MessageKey | null>(null)
  const [closed, setClosed] = useState<Closed | null>(null)
  const shift = openShift.value
  const countedFen = DENOMINATIONS.reduce((s, d) => s + d * (Number(counts[d]) || 0), 0)

  const open = async (event: Event) => {
    event.preventDefault()
    const parsed = tryParseYuan(float || "0")
    if (!parsed.ok) return setProblem("pay.invalidAmount")
    if (!online.value || !locationId.value) return setProblem("shift.offline")
    try {
      const s = await api.post<ShiftView>("/shifts", { locationId: locationId.value, floatFen: parsed.fen })
      setOpenShift({ id: s.id, locationId: s.locationId, openedAt: s.openedAt, floatFen: s.floatFen })
      setClosed(null)
      setProblem(null)
    } catch (error) {
      setProblem(error instanceof ApiError && error.status === 0 ? "shift.offline" : "error.tryAgain")
    }
  }

  const close = async (event: Event) => {
    event.preventDefault()
    if (!shift) return
    if (!online.value) return setProblem("shift.offline")
    const denominations = Object.fromEntries(
      DENOMINATIONS.filter((d) => Number(counts[d]) > 0).map((d) => [String(d), Number(counts[d])]),
    )
    try {
      setClosed(await api.post<Closed>(`/shifts/${shift.id}/close`, { denominations }))
      setOpenShift(null)
      setCounts({})
      setProblem(null)
    } catch (error) {
      setProblem(error instanceof ApiError && error.status === 0 ? "shift.offline" : "error.tryAgain")
    }
  }

  return (
    <AppShell title={t("shift.title")} screen="shift">
      <Problem text={problem && t(problem)} testId="shift-problem" />
      {closed && (
        <section class="card" data-testid="shift-closed">
          <h2>{t("shift.closedTitle")}</h2>
          <p>
            {t("shift.expected")}: <Money fen={closed.expectedFen} />
          </p>
          <p>
            {t("shift.counted")}: <Money fen={closed.countedFen ?? 0} />
          </p>
          <p>
            {t("shift.difference")}: <Money fen={closed.differenceFen ?? 0} testId="shift-difference" />
          </p>
        </section>
      )}
      {shift ? (
        <form class="card form" onSubmit={close} aria-labelledby="close-title" data-testid="shift-close-form">
          <h2 id="close-title">{t("shift.close")}</h2>
          <p class="muted">
            {t("shift.openSince", {
              time: new Date(shift.openedAt).toLocaleTimeString("zh-CN", { hour12: false }),
              float: formatCny(shift.floatFen),
            })}
          </p>
          <div class="denominations">
            {DENOMINATIONS.map((d) => (
              <label class="field denomination" key={d}>
                <span>{formatCny(d)}</span>
                <input
                  inputMode="numeric"
                  value={counts[d] ?? ""}
                  onInput={(e) => setCounts({ ...counts, [d]: e.currentTarget.value.replace(/\D/g, "") })}
                  data-testid={`count-${d}`}
                />
              </label>
            ))}
          </div>
          <p class="total-row grand">
            <span>{t("shift.counted")}</span>
            <Money fen={countedFen} testId="shift-counted" />
          </p>
          <button type="submit" class="button button-primary" data-testid="shift-close">
            {t("shift.close")}
          </button>
        </form>
      ) : (
        <form class="card form" onSubmit={open} aria-labelledby="open-title" data-testid="shift-open-form">
          <h2 id="open-title">{t("shift.open")}</h2>
          <label class="field">
            <span>{t("shift.float")}</span>
            <input
              inputMode="decimal"
              value={float}
              onInput={(e) => setFloat(e.currentTarget.value)}
              data-testid="shift-float"
            />
          </label>
          <button type="submit" class="button button-primary" data-testid="shift-open">
            {t("shift.open")}
          </button>
        </form>
      )}
    </AppShell>
  )
}
