import type { ComponentChildren } from "preact"
import { useState } from "preact/hooks"
import { Problem } from "../../components/Message"
import { t } from "../../i18n"
import { online } from "../../net"
import { problemText } from "./docs"

// Pieces every stock document screen has: a head with a way back, one call at a time with its problem shown,
// and the button that sends the document (which says so when there is no network).

/** Runs one call at a time; a failure becomes the sentence the screen shows. */
export const useAction = () => {
  const [busy, setBusy] = useState(false)
  const [problem, setProblem] = useState<string | null>(null)
  const run = async (work: () => Promise<unknown>) => {
    setBusy(true)
    setProblem(null)
    try {
      await work()
    } catch (error) {
      setProblem(problemText(error))
    } finally {
      setBusy(false)
    }
  }
  return { busy, problem, setProblem, run }
}

export const DocHead = ({ id, onBack, children }: { id: string; onBack: () => void; children: ComponentChildren }) => (
  <div class="doc-card-head">
    <h2 id={id}>{children}</h2>
    <button type="button" class="button button-small" onClick={onBack}>
      {t("common.back")}
    </button>
  </div>
)

interface SubmitProps {
  label: string
  testId: string
  offlineText: string
  problem: string | null
  problemTestId: string
  disabled: boolean
  onClick: () => void
}

export const DocSubmit = (p: SubmitProps) => (
  <>
    {!online.value && <p class="notice">{p.offlineText}</p>}
    <Problem text={p.problem} testId={p.problemTestId} />
    <button
      type="button"
      class="button button-primary"
      disabled={p.disabled || !online.value}
      onClick={p.onClick}
      data-testid={p.testId}
    >
      {p.label}
    </button>
  </>
)
