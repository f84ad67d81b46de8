// A return once written: loaded, settled (goods back into the cells at the cost they left at,
// money back to its tenders, points back), finished by the repair job if a worker died, and shown.
import { and, eq, isNull, lt } from "drizzle-orm"
import type { Db } from "../../db/client"
import { returnLines, returnRefunds, returns } from "../../db/schema"
import { type Actor, assertLocation } from "../../lib/actor"
import { log } from "../../lib/log"
import { notFound } from "../../lib/problem"
import type { StockRef } from "../../stock-cell/types"
import { manualGateway } from "./payments"
import { recordSpend, refundStoredValue, reversePoints } from "./ports"
import { receiveBack } from "./repair"
import type { SalesCtx } from "./service"

export async function loadReturn(db: Db, id: string) {
  const [row] = await db.select().from(returns).where(eq(returns.id, id))
  if (!row) return null
  const [lines, refunds] = await db.batch([
    db.select().from(returnLines).where(eq(returnLines.returnId, id)).orderBy(returnLines.lineNo),
    db.select().from(returnRefunds).where(eq(returnRefunds.returnId, id)).orderBy(returnRefunds.id),
  ])
  return { row, lines, refunds }
}
type LoadedReturn = NonNullable<Awaited<ReturnType<typeof loadReturn>>>

/** Goods back, money back, points back; every step keyed by the return id, so running it twice is harmless. */
export async function settleReturn(ctx: SalesCtx, { row, lines, refunds }: LoadedReturn) {
  const { db, env } = ctx
  const gateway = ctx.gateway ?? manualGateway
  const ref: StockRef = { type: "return", id: row.id, actorId: row.cashierId }
  await Promise.all(
    lines
      .filter((l) => l.restock)
      .map((l) =>
        receiveBack(
          env,
          row.locationId,
          l.skuId,
          l.takes.map((t) => ({ ...t, unitCostFen: t.unitCostFen < 0 ? null : t.unitCostFen })),
          `${row.id}:${l.lineNo}`,
          ref,
        ),
      ),
  )
  const member = row.memberId
  const at = row.occurredAt
  for (const r of refunds) {
    if (r.method === "stored_value" && member)
      await refundStoredValue(db, { memberId: member, amountFen: r.amountFen, refType: "return", refId: r.id, at })
    else if (r.method === "points" && member && r.points)
      await reversePoints(db, { memberId: member, points: -r.points, refType: "return_points_refund", refId: r.id, at })
    else if ((r.method === "wechat" || r.method === "alipay") && r.salePaymentId)
      await gateway.refund({ paymentId: r.salePaymentId, refundId: r.id, amountFen: r.amountFen })
  }
  if (member) {
    if (row.pointsReversed > 0)
      await reversePoints(db, { memberId: member, points: row.pointsReversed, refType: "return", refId: row.id, at })
    await recordSpend(db, { memberId: member, saleId: row.id, amountFen: -row.refundFen, at })
  }
  await db.update(returns).set({ settledAt: Date.now() }).where(eq(returns.id, row.id))
}

export async function repairReturns(ctx: SalesCtx, opts: { staleMs?: number; limit?: number; now?: number } = {}) {
  const now = opts.now ?? Date.now()
  const stuck = await ctx.db
    .select({ id: returns.id })
    .from(returns)
    .where(and(isNull(returns.settledAt), lt(returns.createdAt, now - (opts.staleMs ?? 60_000))))
    .orderBy(returns.createdAt)
    .limit(opts.limit ?? 50)
  let settled = 0
  for (const { id } of stuck) {
    try {
      await settleReturn(ctx, (await loadReturn(ctx.db, id))!)
      settled++
    } catch (e) {
      log.error("return repair failed", { returnId: id, error: String(e) })
    }
  }
  return { found: stuck.length, settled }
}

export const returnView = ({ row, lines, refunds }: LoadedReturn) => ({
  id: row.id,
  number: row.number,
  saleId: row.saleId,
  locationId: row.locationId,
  source: row.source,
  cashierId: row.cashierId,
  shiftId: row.shiftId,
  memberId: row.memberId,
  refundFen: row.refundFen,
  pointsReversed: row.pointsReversed,
  approvedBy: row.approvedBy,
  occurredAt: new Date(row.occurredAt).toISOString(),
  businessDay: row.businessDay,
  late: row.late,
  settled: row.settledAt !== null,
  lines: lines.map((l) => ({
    lineNo: l.lineNo,
    saleLineId: l.saleLineId,
    skuId: l.skuId,
    qty: l.qty,
    refundFen: l.refundFen,
    restock: l.restock,
    reason: l.reason,
    pointsReversed: l.pointsReversed,
  })),
  refunds: refunds.map((r) => ({
    id: r.id,
    method: r.method,
    amountFen: r.amountFen,
    points: r.points,
    salePaymentId: r.salePaymentId,
  })),
})

export async function getReturn(db: Db, actor: Actor, id: string) {
  const loaded = await loadReturn(db, id)
  if (!loaded) throw notFound("return")
  assertLocation(actor, loaded.row.locationId, "return")
  return returnView(loaded)
}
