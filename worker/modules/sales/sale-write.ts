// The one D1 batch that makes a till sale exist: the intent marked done (only by its owner), the
// day's number, the sale, its lines, tenders and approvals, and (no coupons) its posting. The live
// request and the repair job both write through here, so a sale rolled forward is the sale
// createSale would have written.
import { saleApprovals, saleLines, salePayments, sales } from "../../db/schema"
import { batchResults } from "../../lib/batch"
import type { Taken } from "../../stock-cell/types"
import { dailyForSale } from "../reports"
import { markDone, type SalePlan } from "./intents"
import { postStatements } from "./post"
import type { LoadedSale } from "./queries"
import type { SalesCtx } from "./service"
import { bumpCounter, dayClosedSql, insertRows, numberSql } from "./sql"

/**
 * Throws (and writes nothing) when `owner` no longer owns the open intent: the CHECK on
 * sale_intents.state refuses the guard's update and D1 rolls the whole batch back.
 */
export async function writeSale(
  ctx: SalesCtx,
  plan: SalePlan,
  takenBySku: ReadonlyMap<string, Pick<Taken, "costFen" | "takes">>,
  payments: SalePaymentRows,
  owner: string,
): Promise<LoadedSale> {
  const { db } = ctx
  const lines = plan.lines.map((l) => {
    const taken = takenBySku.get(l.skuId)
    if (!taken) throw new Error(`sale ${l.saleId}: no goods taken for ${l.skuId}`)
    return { ...l, costFen: taken.costFen, takes: taken.takes }
  })
  const sale = { ...plan.sale, costFen: lines.reduce((s, l) => s + l.costFen, 0) }
  const day = plan.sale.businessDay
  const now = Date.now()
  const post = sale.postedAt === null ? postStatements(db, sale) : null
  const posted = { ...sale, postedAt: post ? now : sale.postedAt }
  const [, , inserted] = await batchResults(db.$client, [
    markDone(db, sale.id, owner, now),
    bumpCounter(db, "XS", day),
    db
      .insert(sales)
      // Sold after a manager closed the day: booked on it, flagged for the report like a late sync.
      .values({ ...posted, late: dayClosedSql(sale.locationId, day), number: numberSql("XS", day) })
      .returning({ number: sales.number, late: sales.late }),
    insertRows(db, saleLines, lines),
    insertRows(db, salePayments, payments),
    insertRows(db, saleApprovals, plan.approvals),
    ...dailyForSale(db, sale.id),
    ...(post ?? []),
  ])
  const row = inserted?.results[0] as { number: string; late: number } | undefined
  if (!row) throw new Error(`sale ${sale.id}: written without a number`)
  return { sale: { ...posted, number: row.number, late: Boolean(row.late) }, lines, payments }
}

type SalePaymentRows = LoadedSale["payments"]
