// The members module's public face: what the sales module (and the nightly job) may call.
// Everything else in this folder is private to it.
export {
  awardPoints,
  awardPointsStatements,
  chargeStoredValue,
  findMovement,
  type PointsMove,
  refundStoredValue,
  reversePoints,
  type StoredValueMove,
  spendPoints,
} from "./ledger"
export {
  activeMemberIds,
  getMemberForSale,
  isMemberCode,
  memberForSale,
  memberRow,
  recordSpend,
  spendInsert,
} from "./service"
export { recomputeTiers, tierChangeAfter, tierFrom } from "./tiers"
