import type { ComponentChildren } from "preact"
import type { Session } from "../auth/session"
import { session } from "../auth/session"
import { Redirect } from "./Redirect"

/** Renders its screen only for a signed-in user; anyone else (or an expired token) goes to the login screen. */
export const RequireSession = ({ children }: { children: (session: Session) => ComponentChildren }) => {
  const current = session.value
  return current ? children(current) : <Redirect to="/login" />
}
