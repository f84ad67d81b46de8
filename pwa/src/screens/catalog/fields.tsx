import { t } from "../../i18n"
import type { Named } from "./api"

// The catalog forms' labelled fields: a text input (44 px from the tool styles) and a picker with a "none" choice.

interface FieldProps {
  label: string
  value: string
  onInput: (value: string) => void
  testId: string
  mode?: "decimal"
}

export const Field = (p: FieldProps) => (
  <label class="field">
    {p.label}
    <input
      value={p.value}
      inputMode={p.mode}
      autoComplete="off"
      onInput={(e) => p.onInput(e.currentTarget.value)}
      data-testid={p.testId}
    />
  </label>
)

export const Picker = (p: {
  label: string
  list: Named[]
  value: string
  onChange: (v: string) => void
  testId: string
}) => (
  <label class="field">
    {p.label}
    <select value={p.value} onChange={(e) => p.onChange(e.currentTarget.value)} data-testid={p.testId}>
      <option value="">{t("catalog.none")}</option>
      {p.list.map((x) => (
        <option key={x.id} value={x.id}>
          {x.name}
        </option>
      ))}
    </select>
  </label>
)
