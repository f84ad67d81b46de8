import type { ComponentChildren } from "preact"

// One labelled field and its button on a line: finding a member, a sale, applying a coupon.
// The field's id doubles as its test id; the label is for screen readers (the placeholder shows it).
interface Props {
  id: string
  label: string
  value: string
  onInput: (value: string) => void
  onSubmit: (event: Event) => void
  action: string
  actionTestId: string
  inputMode?: "tel" | "text" | "numeric"
  busy?: boolean
  children?: ComponentChildren
}

export function InlineForm(p: Props) {
  return (
    <form class="inline-form" onSubmit={p.onSubmit}>
      <label class="visually-hidden" for={p.id}>
        {p.label}
      </label>
      <input
        id={p.id}
        inputMode={p.inputMode}
        autoComplete="off"
        placeholder={p.label}
        value={p.value}
        onInput={(e) => p.onInput(e.currentTarget.value)}
        data-testid={p.id}
      />
      <button type="submit" class="button" disabled={p.busy} data-testid={p.actionTestId}>
        {p.action}
      </button>
      {p.children}
    </form>
  )
}
