export { insertUser, listSessions, publicUser, revokeSessions, setPassword } from "./service"
// The sign-in throttle, shared with the till's manager approvals (the same passwords).
export { assertMayTry, forgetFailures, recordFailure, userKey } from "./throttle"
