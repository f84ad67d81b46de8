import { useState } from "preact/hooks"
import { normalizePhone } from "../../../../core/phone"
import { ApiError, api } from "../../api/client"
import { AppShell } from "../../components/AppShell"
import { InlineForm } from "../../components/InlineForm"
import { Problem } from "../../components/Message"
import { type MessageKey, t } from "../../i18n"
import { online } from "../../net"
import type { MemberRecord } from "../../store/db"
import { locationId } from "../../store/location"
import { type ApiMemberAtTill, findMemberByPhone, MEMBER_PROBLEM, rememberMember } from "../../store/members"
import { MemberCard } from "./MemberCard"

const CONSENT_VERSION = "privacy-2026-01"

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
      <Problem text={problem && t(problem)} testId="register-problem" />
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
    const found = await findMemberByPhone(normal, online.value)
    if (found.ok) setMember(found.member)
    else setProblem(MEMBER_PROBLEM[found.reason])
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
      <Problem text={problem && t(problem)} testId="members-problem" />
      {member && <MemberCard member={member} onChange={setMember} />}
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
