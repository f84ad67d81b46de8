import { useState } from "preact/hooks"
import { type Role, seesAllLocations } from "../../../../core/roles"
import { TextField } from "../../components/TextField"
import { t } from "../../i18n"
import type { Destination } from "../stock/docs"
import { PASSWORD_MIN } from "./staff"

// The fields the new-account and edit forms share: role, stores, password.

/** The name colleagues know someone by (the API allows 64 characters). */
export const NameField = (p: { value: string; onInput: (v: string) => void; testId: string }) => (
  <TextField label={t("admin.displayName")} maxLength={64} {...p} />
)

export const RoleSelect = (p: { roles: Role[]; value: Role; onChange: (role: Role) => void; testId: string }) => (
  <label class="field">
    {t("admin.role")}
    <select value={p.value} onChange={(e) => p.onChange(e.currentTarget.value as Role)} data-testid={p.testId}>
      {p.roles.map((r) => (
        <option key={r} value={r}>
          {t(`role.${r}`)}
        </option>
      ))}
    </select>
  </label>
)

/** Which stores an account works at; HQ roles see every location, so they get no choice. */
export const StoresPicker = (p: {
  role: Role
  places: Destination[]
  value: string[]
  onChange: (ids: string[]) => void
}) => {
  if (seesAllLocations(p.role)) return <p class="muted">{t("admin.allStores")}</p>
  const toggle = (id: string, on: boolean) => p.onChange(on ? [...p.value, id] : p.value.filter((x) => x !== id))
  return (
    <fieldset class="form admin-stores" data-testid="admin-stores">
      <legend>{t("admin.stores")}</legend>
      {p.places.map((place) => (
        <label key={place.id} class="check">
          <input
            type="checkbox"
            checked={p.value.includes(place.id)}
            onChange={(e) => toggle(place.id, e.currentTarget.checked)}
            data-testid={`admin-store-${place.id}`}
          />
          {place.name}
        </label>
      ))}
    </fieldset>
  )
}

/** A password typed once, so it can be shown to check it (hidden by default: someone may be watching). */
export const PasswordField = (p: { label: string; value: string; onInput: (v: string) => void; testId: string }) => {
  const [shown, setShown] = useState(false)
  const typed = {
    autoComplete: "new-password",
    value: p.value,
    onInput: (e: Event) => p.onInput((e.currentTarget as HTMLInputElement).value),
    "data-testid": p.testId,
  }
  return (
    <label class="field">
      {p.label}
      <span class="admin-password">
        {/* Both are one <input> to Preact, which only flips its type (and keeps the caret). */}
        {shown ? <input type="text" {...typed} /> : <input type="password" {...typed} />}
        <button
          type="button"
          class="button button-small"
          aria-pressed={shown}
          onClick={() => setShown(!shown)}
          data-testid={`${p.testId}-toggle`}
        >
          {shown ? t("admin.hidePassword") : t("admin.showPassword")}
        </button>
      </span>
      <span class="muted">{t("admin.passwordRule", { min: PASSWORD_MIN })}</span>
    </label>
  )
}
