import { useState } from "preact/hooks"
import { type Role, seesAllLocations } from "../../../../core/roles"
import { api } from "../../api/client"
import { Problem } from "../../components/Message"
import { type MessageKey, t } from "../../i18n"
import type { Destination } from "../stock/docs"
import { DocHead, useAction } from "../stock/parts"
import { NameField, PasswordField, RoleSelect, StoresPicker } from "./fields"
import { type DeletedUser, inWords, passwordProblem, type StaffUser } from "./staff"

// One account: change its name, role and stores; disable or enable it; set a new password; delete it for good.
// Each is its own call, so one refused change never loses another.

interface Props {
  user: StaffUser
  roles: Role[]
  places: Destination[]
  /** The signed-in user: nobody disables, demotes or deletes themselves. */
  self: boolean
  onChanged: (user: StaffUser, notice: string) => void
  onDeleted: (user: DeletedUser) => void
  onBack: () => void
}

const sameStores = (a: string[], b: string[]) => a.length === b.length && a.every((id) => b.includes(id))

export function StaffDetail({ user, roles, places, self, onChanged, onDeleted, onBack }: Props) {
  const [displayName, setDisplayName] = useState(user.displayName)
  const [role, setRole] = useState<Role>(user.role)
  const [stores, setStores] = useState<string[]>(user.locationIds)
  const [password, setPassword] = useState("")
  const [invalid, setInvalid] = useState<MessageKey | null>(null)
  const [confirming, setConfirming] = useState(false)
  const { busy, problem, run } = useAction()
  const name = user.displayName || user.username

  const patch = (body: Record<string, unknown>, notice: MessageKey) =>
    run(async () => {
      const changed = await inWords(() => api.patch<StaffUser>(`/users/${user.id}`, body))
      onChanged(changed, t(notice, { name: changed.displayName || changed.username }))
    })

  // Only what changed is sent: a role or store change ends the person's sessions, a new name does not.
  const save = () => {
    const body: Record<string, unknown> = {}
    if (displayName.trim() && displayName.trim() !== user.displayName) body.displayName = displayName.trim()
    if (role !== user.role) body.role = role
    const storesChanged = !seesAllLocations(role) && !sameStores(stores, user.locationIds)
    if (storesChanged || (role !== user.role && !seesAllLocations(role))) body.locationIds = stores
    const bad = body.locationIds && stores.length === 0 ? "admin.problem.location_required" : null
    setInvalid(bad)
    if (!bad && Object.keys(body).length) void patch(body, "admin.saved")
  }

  const resetPassword = () => {
    const bad = passwordProblem(password)
    setInvalid(bad)
    if (bad) return
    void run(async () => {
      await inWords(() => api.post(`/users/${user.id}/password`, { password }))
      setPassword("")
      onChanged(user, t("admin.passwordReset", { name }))
    })
  }

  const remove = () =>
    run(async () => {
      onDeleted(await inWords(() => api.delete<DeletedUser>(`/users/${user.id}`)))
    })

  const disabled = user.status === "disabled"
  return (
    <section class="form" aria-labelledby="staff-detail-title" data-testid="staff-detail">
      <DocHead id="staff-detail-title" onBack={onBack}>
        {name} <span class="muted">{user.username}</span>
      </DocHead>
      <Problem text={problem} testId="staff-problem" />
      <Problem text={invalid && t(invalid)} testId="staff-invalid" />
      <NameField value={displayName} onInput={setDisplayName} testId="staff-name" />
      {!self && <RoleSelect roles={roles} value={role} onChange={setRole} testId="staff-role" />}
      <StoresPicker role={role} places={places} value={stores} onChange={setStores} />
      <button type="button" class="button button-primary" disabled={busy} onClick={save} data-testid="staff-save">
        {t("admin.save")}
      </button>

      <h3 class="section-title">{t("admin.resetPassword")}</h3>
      <PasswordField label={t("admin.newPassword")} value={password} onInput={setPassword} testId="staff-password" />
      <button type="button" class="button" disabled={busy} onClick={resetPassword} data-testid="staff-password-reset">
        {t("admin.resetPassword")}
      </button>

      {!self && (
        <div class="doc-actions">
          <button
            type="button"
            class="button"
            disabled={busy}
            onClick={() =>
              void patch({ status: disabled ? "active" : "disabled" }, disabled ? "admin.enabled" : "admin.disabled")
            }
            data-testid="staff-toggle"
          >
            {disabled ? t("admin.enable") : t("admin.disable")}
          </button>
          <button
            type="button"
            class="button danger"
            disabled={busy}
            onClick={() => setConfirming(true)}
            data-testid="staff-delete"
          >
            {t("admin.delete")}
          </button>
        </div>
      )}
      {confirming && (
        <div class="card form" role="alertdialog" aria-labelledby="staff-delete-q" data-testid="staff-delete-confirm">
          <p id="staff-delete-q">
            <strong>{t("admin.deleteQuestion", { name, username: user.username })}</strong>
          </p>
          <p class="muted">{t("admin.deleteExplain")}</p>
          <div class="doc-actions">
            <button type="button" class="button" onClick={() => setConfirming(false)} data-testid="staff-delete-no">
              {t("admin.keep")}
            </button>
            <button
              type="button"
              class="button button-primary"
              disabled={busy}
              onClick={() => void remove()}
              data-testid="staff-delete-yes"
            >
              {t("admin.deleteConfirm", { name })}
            </button>
          </div>
        </div>
      )}
    </section>
  )
}
