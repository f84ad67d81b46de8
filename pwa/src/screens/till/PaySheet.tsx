import { useRef, useState } from "preact/hooks"
import { formatCny, tryParseYuan } from "../../../../core/money"
import { checkMemberTenders, planRedemption, pointsForFen } from "../../../../core/points"
import { classifyPaymentCode, combineMemberTenders, type Tender, validateTenders } from "../../../../core/tenders"
import { Problem } from "../../components/Message"
import { Money } from "../../components/Money"
import { type MessageKey, t } from "../../i18n"
import { online } from "../../net"
import type { MemberRecord } from "../../store/db"
import { chainPoints } from "../../store/location"
import { offlineStoredValueLimit, withinOfflineStoredValue } from "../../till/offline-limits"

// The pay sheet: the amount due large, then tenders until it is covered. Cash has a keypad and quick amounts (a
// quick amount that covers what is left finishes the sale at once); a customer's 付款码 needs the network.

type Mode = "cash" | "code" | "card" | "stored_value" | "points"

const MODES: { mode: Mode; label: MessageKey }[] = [
  { mode: "cash", label: "tender.cash" },
  { mode: "code", label: "pay.code" },
  { mode: "card", label: "tender.card" },
  { mode: "stored_value", label: "tender.stored_value" },
  { mode: "points", label: "tender.points" },
]

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "00", "0", "."]

/** Cash amounts a customer is likely to hand over for `due`: the exact sum, and the next notes above it. */
export const quickAmounts = (dueFen: number): number[] => {
  const out = new Set<number>([dueFen])
  for (const note of [1000, 2000, 5000, 10000]) {
    const up = Math.ceil(dueFen / note) * note
    if (up > dueFen) out.add(up)
  }
  return [...out].sort((a, b) => a - b).slice(0, 4)
}

export interface PaySheetProps {
  totalFen: number
  member: MemberRecord | null
  onPay: (tenders: Tender[], changeFen: number) => Promise<void> | void
  onClose: () => void
  busy: boolean
  error?: string | null
}

export const PaySheet = ({ totalFen, member, onPay, onClose, busy, error }: PaySheetProps) => {
  const [tenders, setTenders] = useState<Tender[]>([])
  const [mode, setMode] = useState<Mode>("cash")
  const [entry, setEntry] = useState("")
  const [code, setCode] = useState("")
  const [problem, setProblem] = useState<MessageKey | null>(null)
  const dialog = useRef<HTMLDivElement>(null)

  const paidFen = tenders.reduce((s, x) => s + x.amountFen, 0)
  const remainingFen = Math.max(0, totalFen - paidFen)
  const check = validateTenders(totalFen, tenders)
  const changeFen = check.ok ? check.changeFen : 0

  const finish = (next: Tender[]) => {
    const result = validateTenders(totalFen, next)
    if (result.ok) void onPay(next, result.changeFen)
  }

  const add = (tender: Tender, thenFinish = false) => {
    // A second stored-value (or points) tender adds to the first: one payment from the account, as the server books it.
    const next = combineMemberTenders([...tenders, tender])
    const result = validateTenders(totalFen, next)
    if (!result.ok && result.code !== "payment_short") {
      setProblem(result.code === "non_cash_over_total" ? "pay.nonCashOver" : "pay.invalidAmount")
      return
    }
    setProblem(null)
    setTenders(next)
    setEntry("")
    setCode("")
    if (thenFinish && result.ok) finish(next)
  }

  /** The server's own rule (core checkMemberTenders) on what the device knows of the member's balances. */
  const memberShort = (tender: Tender): MessageKey | null => {
    if (!member) return "pay.needsMember"
    const r = checkMemberTenders(totalFen, [...tenders, tender], member, chainPoints.value)
    return r.ok ? null : r.code === "insufficient_points" ? "pay.pointsShort" : "pay.storedValueShort"
  }

  const entered = (): number | null => {
    const text = entry.trim() === "" ? String(remainingFen / 100) : entry
    const parsed = tryParseYuan(text)
    return parsed.ok && parsed.fen > 0 ? parsed.fen : null
  }

  const addEntered = () => {
    const fen = entered()
    if (fen === null) {
      setProblem("pay.invalidAmount")
      return
    }
    if (mode === "cash") add({ method: "cash", amountFen: fen })
    else if (mode === "card") add({ method: "card", amountFen: fen })
    else if (mode === "stored_value") {
      const short = memberShort({ method: "stored_value", amountFen: fen })
      if (short) return setProblem(short)
      const svSoFar = tenders.reduce((sum, x) => sum + (x.method === "stored_value" ? x.amountFen : 0), 0)
      if (!online.value && !withinOfflineStoredValue(svSoFar, fen)) return setProblem("pay.storedValueOfflineLimit")
      add({ method: "stored_value", amountFen: fen })
    } else if (mode === "points") {
      const short = memberShort({ method: "points", amountFen: fen })
      if (short) return setProblem(short)
      add({ method: "points", amountFen: fen })
    } else if (mode === "code") {
      const kind = classifyPaymentCode(code)
      if (kind === "unknown") return setProblem("pay.codeUnknown")
      add({ method: kind, amountFen: fen, authCode: code.trim() })
    }
  }

  const press = (key: string) => {
    if (key === "⌫") setEntry(entry.slice(0, -1))
    else if (key === "." && entry.includes(".")) return
    else setEntry(entry + key)
  }

  const codeOffline = mode === "code" && !online.value

  return (
    <div class="sheet-backdrop">
      <div
        class="sheet"
        role="dialog"
        aria-modal="true"
        aria-labelledby="pay-title"
        data-testid="pay-sheet"
        ref={dialog}
      >
        <div class="sheet-head">
          <h2 id="pay-title">{t("pay.title")}</h2>
          <button type="button" class="button button-small" onClick={onClose} data-testid="pay-close">
            {t("common.back")}
          </button>
        </div>
        <p class="due">
          <span class="due-label">{t("pay.due")}</span>
          <Money fen={totalFen} testId="pay-due" class="due-amount" />
        </p>
        <dl class="pay-summary">
          <div>
            <dt>{t("pay.remaining")}</dt>
            <dd>
              <Money fen={remainingFen} testId="pay-remaining" />
            </dd>
          </div>
          <div>
            <dt>{t("pay.change")}</dt>
            <dd>
              <Money fen={changeFen} testId="pay-change" class="change" />
            </dd>
          </div>
        </dl>

        {tenders.length > 0 && (
          <ul class="tenders" data-testid="tenders">
            {tenders.map((x, i) => (
              <li key={i}>
                <span>{t(`tender.${x.method}`)}</span>
                {x.method === "points" && (
                  <span class="muted">{t("pay.points", { points: pointsForFen(x.amountFen, chainPoints.value) })}</span>
                )}
                <Money fen={x.amountFen} />
                <button
                  type="button"
                  class="icon-button"
                  aria-label={t("pay.removeTender")}
                  onClick={() => setTenders(tenders.filter((_, k) => k !== i))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}

        <fieldset class="segmented" data-testid="pay-modes">
          <legend class="visually-hidden">{t("pay.method")}</legend>
          {MODES.map(({ mode: m, label }) => (
            <button
              key={m}
              type="button"
              aria-pressed={mode === m}
              data-testid={`pay-mode-${m}`}
              onClick={() => {
                setMode(m)
                setProblem(null)
              }}
            >
              {t(label)}
            </button>
          ))}
        </fieldset>

        {codeOffline ? (
          <div class="notice" role="alert" data-testid="pay-code-offline">
            <p>{t("pay.codeOffline")}</p>
            <button type="button" class="button" onClick={() => setMode("cash")} data-testid="pay-use-cash">
              {t("pay.useCash")}
            </button>
          </div>
        ) : (
          <>
            {mode === "code" && (
              <label class="field">
                <span>{t("pay.codeLabel")}</span>
                <input
                  inputMode="numeric"
                  autoComplete="off"
                  value={code}
                  onInput={(e) => setCode(e.currentTarget.value.replace(/\D/g, ""))}
                  data-testid="pay-code"
                />
              </label>
            )}
            {(mode === "stored_value" || mode === "points") && member && (
              <p class="muted" data-testid="pay-balance">
                {mode === "stored_value"
                  ? t(online.value ? "pay.storedValueBalance" : "pay.storedValueBalanceOffline", {
                      amount: formatCny(member.storedValueFen),
                      limit: formatCny(offlineStoredValueLimit.value),
                    })
                  : t("pay.pointsBalance", {
                      points: member.pointsBalance,
                      amount: formatCny(
                        planRedemption({
                          balance: member.pointsBalance,
                          dueFen: remainingFen,
                          rules: chainPoints.value,
                        }).fen,
                      ),
                    })}
              </p>
            )}
            <label class="field">
              <span>{t("pay.amount")}</span>
              <input
                inputMode="decimal"
                autoComplete="off"
                placeholder={(remainingFen / 100).toFixed(2)}
                value={entry}
                onInput={(e) => setEntry(e.currentTarget.value)}
                data-testid="pay-amount"
              />
            </label>
            {mode === "cash" && remainingFen > 0 && (
              <div class="quick" data-testid="quick-amounts">
                {quickAmounts(remainingFen).map((fen) => (
                  <button
                    key={fen}
                    type="button"
                    class="button"
                    data-testid={`quick-${fen}`}
                    onClick={() => add({ method: "cash", amountFen: fen }, true)}
                    disabled={busy}
                  >
                    {formatCny(fen)}
                  </button>
                ))}
              </div>
            )}
            {mode === "cash" && (
              <div class="keypad" data-testid="keypad">
                {[...KEYS, "⌫"].map((key) => (
                  <button
                    key={key}
                    type="button"
                    class="button"
                    onClick={() => press(key)}
                    aria-label={key === "⌫" ? t("pay.backspace") : key}
                  >
                    {key}
                  </button>
                ))}
              </div>
            )}
            <button
              type="button"
              class="button"
              onClick={addEntered}
              data-testid="pay-add"
              disabled={remainingFen === 0 && mode !== "cash"}
            >
              {t("pay.add")}
            </button>
          </>
        )}

        {problem && (
          <p class="form-error" role="alert" data-testid="pay-problem">
            {t(problem, { amount: formatCny(offlineStoredValueLimit.value) })}
          </p>
        )}
        <Problem text={error} testId="pay-error" />
        <button
          type="button"
          class="button button-primary"
          disabled={!check.ok || busy}
          onClick={() => finish(tenders)}
          data-testid="pay-finish"
        >
          {busy ? t("pay.working") : t("pay.finish")}
        </button>
      </div>
    </div>
  )
}
