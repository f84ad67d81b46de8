import { t } from "../../i18n"
import type { Named } from "./api"

// The catalog forms' picker: a category or brand, with a "none" choice (text inputs are components/TextField).

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
