export { recordSignals } from "./signals"
