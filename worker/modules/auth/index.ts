export { insertUser, listSessions, publicUser, revokeSessions, setPassword } from "./service"
