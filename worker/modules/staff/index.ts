export {
  assertDeviceActive,
  assertDeviceRow,
  attributeCashier,
  type CashierAttribution,
  deviceStatus,
} from "./service"
