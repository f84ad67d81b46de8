import { useState } from "preact/hooks"
import { ulid } from "ulid"
import { formatCny, tryParseYuan } from "../../../../core/money"
import { ApiError, api } from "../../api/client"
import { Problem } from "../../components/Message"
import { Money } from "../../components/Money"
import { type MessageKey, t } from "../../i18n"
import { online } from "../../net"
import type { MemberRecord } from "../../store/db"
import { locationId } from "../../store/location"
import { updateCachedMember } from "../../store/members"

// One member: balances as this device knows them, and what needs the server — the points ledger, the purchase
// history and a stored-value top-up (储值充值, with an optional bonus).

const when = (iso: string) => new Date(iso).toLocaleString("zh-CN", { hour12: false })

interface LedgerEntry {
  id: string
  delta: number
  kind: string
  balanceAfter: number
  at: string
}

interface SaleSummary {
  id: string
  number: string
  totalFen: number
  pointsEarned: number
  occurredAt: string
}

type Panel = { kind: "points"; items: LedgerEntry[] } | { kind: "sales"; items: SaleSummary[] } | null

const TOP_UP_METHODS = ["cash", "wechat", "alipay", "card"] as const

const TopUp = ({ member, onDone }: { member: MemberRecord; onDone: (balanceFen: number) => void }) => {
  const [amount, setAmount] = useState("")
  const [bonus, setBonus] = useState("")
  const [method, setMethod] = useState<(typeof TOP_UP_METHODS)[number]>("cash")
  const [problem, setProblem] = useState<MessageKey | null>(null)
  const [busy, setBusy] = useState(false)
  // One key per top-up on this form: a double tap or a retry after a lost answer tops up once.
  const [key, setKey] = useState(ulid)

  const submit = async (event: Event) => {
    event.preventDefault()
    const paid = tryParseYuan(amount)
    const extra = bonus.trim() ? tryParseYuan(bonus) : { ok: true as const, fen: 0 }
    if (!paid.ok || paid.fen <= 0 || !extra.ok || extra.fen < 0) return setProblem("pay.invalidAmount")
    if (!online.value || !locationId.value) return setProblem("members.topUpOffline")
    setBusy(true)
    setProblem(null)
    try {
      const done = await api.post<{ balanceFen: number }>(
        `/members/${member.id}/stored-value/top-ups`,
        {
          amountFen: paid.fen,
          ...(extra.fen > 0 ? { bonusFen: extra.fen } : {}),
          payments: [{ method, amountFen: paid.fen }],
          locationId: locationId.value,
        },
        { headers: { "Idempotency-Key": key } },
      )
      setAmount("")
      setBonus("")
      setKey(ulid())
      onDone(done.balanceFen)
    } catch (error) {
      setProblem(error instanceof ApiError && error.status === 0 ? "members.topUpOffline" : "error.tryAgain")
    } finally {
      setBusy(false)
    }
  }

  return (
    <form class="form" onSubmit={submit} noValidate data-testid="top-up">
      <h3>{t("members.topUp")}</h3>
      <label class="field">
        <span>{t("members.topUpAmount")}</span>
        <input
          inputMode="decimal"
          value={amount}
          onInput={(e) => setAmount(e.currentTarget.value)}
          data-testid="top-up-amount"
        />
      </label>
      <label class="field">
        <span>{t("members.topUpBonus")}</span>
        <input
          inputMode="decimal"
          value={bonus}
          onInput={(e) => setBonus(e.currentTarget.value)}
          data-testid="top-up-bonus"
        />
      </label>
      <fieldset class="segmented">
        <legend>{t("pay.method")}</legend>
        {TOP_UP_METHODS.map((m) => (
          <button
            key={m}
            type="button"
            aria-pressed={method === m}
            onClick={() => setMethod(m)}
            data-testid={`top-up-${m}`}
          >
            {t(`tender.${m}`)}
          </button>
        ))}
      </fieldset>
      <Problem text={problem && t(problem)} testId="top-up-problem" />
      <button type="submit" class="button button-primary" disabled={busy} data-testid="top-up-submit">
        {t("members.topUpSubmit")}
      </button>
    </form>
  )
}

export const MemberCard = ({ member, onChange }: { member: MemberRecord; onChange: (m: MemberRecord) => void }) => {
  const [panel, setPanel] = useState<Panel>(null)
  const [failed, setFailed] = useState(false)

  const show = async (kind: "points" | "sales") => {
    setFailed(false)
    try {
      if (kind === "points") {
        const page = await api.get<{ items: LedgerEntry[] }>(`/members/${member.id}/points?limit=20`)
        setPanel({ kind, items: page.items })
      } else {
        const page = await api.get<{ items: SaleSummary[] }>(`/sales?memberId=${member.id}&limit=20`)
        setPanel({ kind, items: page.items })
      }
    } catch {
      setFailed(true)
    }
  }

  return (
    <section class="card member-card" aria-labelledby="member-title" data-testid="member-card">
      <h2 id="member-title" data-testid="member-card-name">
        {member.name ?? member.phoneMasked}
      </h2>
      <dl class="facts">
        <div>
          <dt>{t("members.phone")}</dt>
          <dd>{member.phoneMasked}</dd>
        </div>
        <div>
          <dt>{t("members.code")}</dt>
          <dd>{member.code}</dd>
        </div>
        <div>
          <dt>{t("members.tier")}</dt>
          <dd>{member.tierName ?? "—"}</dd>
        </div>
        <div>
          <dt>{t("members.points")}</dt>
          <dd data-testid="member-points">{member.pointsBalance}</dd>
        </div>
        <div>
          <dt>{t("members.storedValue")}</dt>
          <dd data-testid="member-stored-value">{formatCny(member.storedValueFen)}</dd>
        </div>
      </dl>
      {online.value ? (
        <div class="actions">
          <button
            type="button"
            class="button button-small"
            onClick={() => void show("points")}
            data-testid="member-ledger"
          >
            {t("members.history")}
          </button>
          <button
            type="button"
            class="button button-small"
            onClick={() => void show("sales")}
            data-testid="member-sales"
          >
            {t("members.purchases")}
          </button>
        </div>
      ) : (
        <p class="muted">{t("members.historyOffline")}</p>
      )}
      {failed && (
        <p class="form-error" role="alert">
          {t("error.tryAgain")}
        </p>
      )}
      {panel?.kind === "points" && (
        <ul class="list" data-testid="points-ledger">
          {panel.items.map((e) => (
            <li key={e.id} class="ledger-row">
              <span>{when(e.at)}</span>
              <span>{e.delta > 0 ? `+${e.delta}` : e.delta}</span>
              <span class="muted">{e.balanceAfter}</span>
            </li>
          ))}
        </ul>
      )}
      {panel?.kind === "sales" && (
        <ul class="list" data-testid="member-purchases">
          {panel.items.length === 0 && <li class="muted">{t("members.noPurchases")}</li>}
          {panel.items.map((s) => (
            <li key={s.id} class="ledger-row" data-testid="member-purchase">
              <span>{when(s.occurredAt)}</span>
              <span>{s.number}</span>
              <Money fen={s.totalFen} />
              <span class="muted">{t("members.pointsEarned", { points: s.pointsEarned })}</span>
            </li>
          ))}
        </ul>
      )}
      <TopUp
        member={member}
        onDone={async (balanceFen) => onChange(await updateCachedMember({ ...member, storedValueFen: balanceFen }))}
      />
    </section>
  )
}
