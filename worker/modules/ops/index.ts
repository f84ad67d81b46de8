// What the jobs use from ops.
export { recordDeadLetters } from "./service"
