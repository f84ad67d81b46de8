import { useState } from "preact/hooks"
import { type Role, seesAllLocations } from "../../../../core/roles"
import { api } from "../../api/client"
import { Problem } from "../../components/Message"
import { TextField } from "../../components/TextField"
import { type MessageKey, t } from "../../i18n"
import type { Destination } from "../stock/docs"
import { DocHead, DocSubmit, useAction } from "../stock/parts"
import { NameField, PasswordField, RoleSelect, StoresPicker } from "./fields"
import { inWords, passwordProblem, type StaffUser, USERNAME } from "./staff"

// 新增员工: a sign-in name, a name people know them by, a role the creator may give, their stores and a
// first password. POST /users takes no Idempotency-Key: a repeat is refused as duplicate_username, creating
// nothing twice.

interface Props {
  roles: Role[]
  places: Destination[]
  /** The store this device works for: a new hire usually starts there. */
  store: string | null
  onCreated: (user: StaffUser) => void
  onBack: () => void
}

export function NewStaff({ roles, places, store, onCreated, onBack }: Props) {
  const [username, setUsername] = useState("")
  const [displayName, setDisplayName] = useState("")
  const [role, setRole] = useState<Role>(roles.includes("cashier") ? "cashier" : roles[0]!)
  const [stores, setStores] = useState<string[]>(store ? [store] : [])
  const [password, setPassword] = useState("")
  const [invalid, setInvalid] = useState<MessageKey | null>(null)
  const { busy, problem, run } = useAction()

  const check = (): MessageKey | null =>
    !USERNAME.test(username.trim())
      ? "admin.usernameRule"
      : !seesAllLocations(role) && stores.length === 0
        ? "admin.problem.location_required"
        : passwordProblem(password)

  const create = () => {
    const bad = check()
    setInvalid(bad)
    if (bad) return
    void run(async () => {
      const body = {
        username: username.trim(),
        password,
        role,
        ...(seesAllLocations(role) ? {} : { locationIds: stores }),
        ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
      }
      onCreated(await inWords(() => api.post<StaffUser>("/users", body)))
    })
  }

  return (
    <section class="form" aria-labelledby="new-staff-title" data-testid="new-staff">
      <DocHead id="new-staff-title" onBack={onBack}>
        {t("admin.new")}
      </DocHead>
      <TextField label={t("admin.username")} plain value={username} onInput={setUsername} testId="new-staff-username" />
      <NameField value={displayName} onInput={setDisplayName} testId="new-staff-name" />
      <RoleSelect roles={roles} value={role} onChange={setRole} testId="new-staff-role" />
      <StoresPicker role={role} places={places} value={stores} onChange={setStores} />
      <PasswordField
        label={t("admin.initialPassword")}
        value={password}
        onInput={setPassword}
        testId="new-staff-password"
      />
      <Problem text={invalid && t(invalid)} testId="new-staff-invalid" />
      <DocSubmit
        label={t("admin.create")}
        testId="new-staff-create"
        offlineText={t("admin.offline")}
        problem={problem}
        problemTestId="new-staff-problem"
        disabled={busy}
        onClick={create}
      />
    </section>
  )
}
