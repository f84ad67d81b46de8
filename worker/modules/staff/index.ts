export { assertDeviceActive } from "./service"
