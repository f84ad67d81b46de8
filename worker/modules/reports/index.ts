// What other modules use of the reports: the upserts that keep the daily aggregates exact inside
// their own write batches, and the rebuild for imports and repair.
export {
  dailyForPaidOrder,
  dailyForReturn,
  dailyForSale,
  recomputeDaily,
  recomputeRecentDays,
  type StoreDay,
} from "./daily"
