export { assertDeviceActive, attributeCashier, type CashierAttribution } from "./service"
