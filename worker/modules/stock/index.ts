// What other modules and the jobs may use from stock. Stock itself changes only in the cells
// (worker/stock-cell/client.ts); these are the documents and checks built on them.
export { auditLocation, checkCells, continueAuditRuns, lastAuditResult, startAuditRun, stepAuditRun } from "./audit"
export {
  type AdjustmentInput,
  finishAdjustment,
  finishReceipt,
  finishStuckDocuments,
  postAdjustment,
  postReceipt,
  type ReceiptInput,
  type StockCtx,
} from "./service"
