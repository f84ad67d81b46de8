import { useLayoutEffect } from "preact/hooks"
import { useLocation } from "preact-iso"

/** Replaces the current URL (no history entry), e.g. to the login screen when there is no session. */
export const Redirect = ({ to }: { to: string }) => {
  const { route } = useLocation()
  useLayoutEffect(() => route(to, true), [to])
  return null
}
