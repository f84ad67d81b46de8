// The two lines every screen shows above its buttons: what went wrong (read out at once) and what just happened.

type Line = { text: string | null | undefined; testId: string }

/** A refusal or failure in words, announced at once (role=alert); nothing when there is none. */
export const Problem = ({ text, testId }: Line) =>
  text ? (
    <p class="form-error" role="alert" data-testid={testId}>
      {text}
    </p>
  ) : null

/** What just happened, announced politely (role=status); nothing when there is none. */
export const Notice = ({ text, testId }: Line) =>
  text ? (
    <p class="notice" role="status" data-testid={testId}>
      {text}
    </p>
  ) : null
