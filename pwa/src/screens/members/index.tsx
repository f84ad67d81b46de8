import { useState } from "preact/hooks"
import { formatCny } from "../../../../core/money"
import { normalizePhone } from "../../../../core/phone"
import { ApiError, api } from "../../api/client"
import { AppShell } from "../../components/AppShell"
import { InlineForm } from "../../components/InlineForm"
import { type MessageKey, t } from "../../i18n"
import { online } from "../../net"
import { type ApiMemberAtTill, cachedMemberByPhone, rememberMember } from "../../store/catalog"
import type { MemberRecord } from "../../store/db"
import { locationId } from "../../store/location"

const CONSENT_VERSION = "privacy-2026-01"

interface LedgerEntry {
  id: string
  delta: number
  kind: string
  balanceAfter: number
  at: string
}

const MemberCard = ({ member }: { member: MemberRecord }) => {
  const [ledger, setLedger] = useState<LedgerEntry[] | null>(null)
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
          <dd>{formatCny(member.storedValueFen)}</dd>
        </div>
      </dl>
      {online.value ? (
        <button
          type="button"
          class="button button-small"
          onClick={async () => {
            const page = await api.get<{ items: LedgerEntry[] }>(`/members/${member.id}/points?limit=20`)
            setLedger(page.items)
          }}
          data-testid="member-ledger"
        >
          {t("members.history")}
        </button>
      ) : (
        <p class="muted">{t("members.historyOffline")}</p>
      )}
      {ledger && (
        <ul class="list">
          {ledger.map((e) => (
            <li key={e.id} class="ledger-row">
              <span>{new Date(e.at).toLocaleString("zh-CN", { hour12: false })}</span>
              <span>{e.delta > 0 ? `+${e.delta}` : e.delta}</span>
              <span class="muted">{e.balanceAfter}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

const Register = ({ onDone }: { onDone: (m: MemberRecord) => void }) => {
  const [phone, setPhone] = useState("")
  const [name, setName] = useState("")
  const [consent, setConsent] = useState(false)
  const [problem, setProblem] = useState<MessageKey | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: Event) => {
    event.preventDefault()
    const normal = normalizePhone(phone)
    if (!normal) return setProblem("member.badPhone")
    if (!name.trim()) return setProblem("members.nameRequired")
    if (!consent) return setProblem("members.consentRequired")
    if (!online.value || !locationId.value) return setProblem("members.registerOffline")
    setBusy(true)
    setProblem(null)
    try {
      await api.post("/members", {
        phone: normal,
        name: name.trim(),
        homeLocationId: locationId.value,
        consent: { version: CONSENT_VERSION, accepted: true },
      })
      const found = await api.get<ApiMemberAtTill>(`/members/lookup?phone=${normal}`)
      onDone(await rememberMember(found, normal))
    } catch (error) {
      setProblem(
        error instanceof ApiError && error.status === 409
          ? "members.duplicate"
          : error instanceof ApiError && error.status === 0
            ? "members.registerOffline"
            : "error.tryAgain",
      )
    } finally {
      setBusy(false)
    }
  }

  return (
    <form class="card form" onSubmit={submit} noValidate aria-labelledby="register-title" data-testid="member-register">
      <h2 id="register-title">{t("members.register")}</h2>
      <label class="field">
        <span>{t("members.phone")}</span>
        <input
          inputMode="tel"
          value={phone}
          onInput={(e) => setPhone(e.currentTarget.value)}
          data-testid="register-phone"
        />
      </label>
      <label class="field">
        <span>{t("members.name")}</span>
        <input value={name} onInput={(e) => setName(e.currentTarget.value)} data-testid="register-name" />
      </label>
      <label class="check">
        <input
          type="checkbox"
          checked={consent}
          onChange={(e) => setConsent(e.currentTarget.checked)}
          data-testid="register-consent"
        />
        {t("members.consent")}
      </label>
      {problem && (
        <p class="form-error" role="alert" data-testid="register-problem">
          {t(problem)}
        </p>
      )}
      <button type="submit" class="button button-primary" disabled={busy} data-testid="register-submit">
        {t("members.registerSubmit")}
      </button>
    </form>
  )
}

export default function Members() {
  const [phone, setPhone] = useState("")
  const [member, setMember] = useState<MemberRecord | null>(null)
  const [problem, setProblem] = useState<MessageKey | null>(null)
  const [registering, setRegistering] = useState(false)

  const find = async (event: Event) => {
    event.preventDefault()
    const normal = normalizePhone(phone)
    if (!normal) return setProblem("member.badPhone")
    setProblem(null)
    try {
      setMember(await rememberMember(await api.get<ApiMemberAtTill>(`/members/lookup?phone=${normal}`), normal))
    } catch (error) {
      if (error instanceof ApiError && error.status === 0) {
        const cached = await cachedMemberByPhone(normal)
        if (cached) setMember(cached)
        else setProblem("member.offlineUnknown")
      } else setProblem(error instanceof ApiError && error.status === 404 ? "member.notFound" : "error.tryAgain")
    }
  }

  return (
    <AppShell title={t("tool.members")} screen="members">
      <InlineForm
        id="members-phone"
        label={t("till.memberPhone")}
        inputMode="tel"
        value={phone}
        onInput={setPhone}
        onSubmit={find}
        action={t("till.findMember")}
        actionTestId="members-find"
      />
      {problem && (
        <p class="form-error" role="alert" data-testid="members-problem">
          {t(problem)}
        </p>
      )}
      {member && <MemberCard member={member} />}
      {registering ? (
        <Register
          onDone={(m) => {
            setMember(m)
            setRegistering(false)
          }}
        />
      ) : (
        <button type="button" class="button" onClick={() => setRegistering(true)} data-testid="members-new">
          {t("members.register")}
        </button>
      )}
    </AppShell>
  )
}
