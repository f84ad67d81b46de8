export { manualProvider, type PaymentProvider } from "./payments"
export { effectiveStatus, repairOrders } from "./service"
