import { t } from "../i18n"

/** A till PIN: digits only, up to 6, masked, never remembered by the browser. */
export const PinField = ({
  value,
  onInput,
  testId,
}: {
  value: string
  onInput: (pin: string) => void
  testId: string
}) => (
  <label class="field">
    <span>{t("handover.pin")}</span>
    <input
      type="password"
      inputMode="numeric"
      autoComplete="off"
      maxLength={6}
      value={value}
      onInput={(e) => onInput(e.currentTarget.value.replace(/\D/g, ""))}
      data-testid={testId}
    />
  </label>
)
