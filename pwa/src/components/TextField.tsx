// A labelled one-line text input, 44 px tall from the form styles: what most forms of the store app are made of.

interface TextFieldProps {
  label: string
  value: string
  onInput: (value: string) => void
  testId: string
  mode?: "decimal"
  maxLength?: number
  /** Usernames and codes: no capital first letter from a phone keyboard. */
  plain?: boolean
}

export const TextField = (p: TextFieldProps) => (
  <label class="field">
    {p.label}
    <input
      value={p.value}
      inputMode={p.mode}
      maxLength={p.maxLength}
      autoCapitalize={p.plain ? "none" : undefined}
      autoComplete="off"
      onInput={(e) => p.onInput(e.currentTarget.value)}
      data-testid={p.testId}
    />
  </label>
)
