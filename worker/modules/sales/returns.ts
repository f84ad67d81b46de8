// Returns (退货) against the original sale, by id or number: each line refunds what the customer
// actually paid for it (the engine's allocated line total), pro rata for part of its quantity —
// cumulatively floored, so the units returned over any number of returns refund exactly the line
// total, and never more than sold minus already returned (a CHECK on sale_lines holds that even
// when two returns race). Money goes back to the original tenders by default; goods go back into
// the cells at the lots and cost the sale took (or not, for damaged goods with a reason); points
// the lines earned are taken back in the same proportion.
//
// Order: the return is written first (one batch: it claims the quantities), then settled —
// restock, refunds, points — each step with a fixed id, and marked settled. A worker that dies
// in between leaves settled_at null; repairReturns finishes it.
import { eq, sql } from "drizzle-orm"
import type { LotTake } from "../../../core/lots"
import { allocateProRata } from "../../../core/money"
import { lineAmountFen } from "../../../core/pricing"
import { divFloor } from "../../../core/rounding"
import type { TenderMethod } from "../../../core/tenders"
import type { Db } from "../../db/client"
import {
  type ReturnLineRow,
  type ReturnRefundRow,
  type ReturnRow,
  returnLines,
  returnRefunds,
  returns,
  saleApprovals,
  saleExceptions,
  saleLines,
  salePayments,
} from "../../db/schema"
import { type Actor, assertLocation } from "../../lib/actor"
import { errorText } from "../../lib/db-errors"
import { newId } from "../../lib/ids"
import { log } from "../../lib/log"
import { problem } from "../../lib/problem"
import { getSkusByIds } from "../catalog"
import { dailyForReturn } from "../reports"
import { type ApprovalInput, approvalRow, approverFor } from "./approval"
import { type LoadedSale, loadVisibleSale } from "./queries"
import { isDayClosed } from "./report"
import { loadReturn, returnView, settleReturn } from "./returns-settle"
import type { SalesCtx } from "./service"
import { assertShiftOpen, assertStore } from "./shifts"
import { bumpCounter, dayOf, insertRows, numberSql } from "./sql"

export type ReturnLineInput = {
  lineId?: string
  skuId?: string
  qty: number
  restock?: boolean
  reason?: string
  /** Without a receipt only: the price to refund per unit (default: the SKU's list price). */
  unitPriceFen?: number
}
export type RefundInput = { method: TenderMethod; amountFen: number }
export type ReturnInput = {
  saleId?: string
  saleNumber?: string
  locationId?: string
  lines: ReturnLineInput[]
  refunds?: RefundInput[]
  shiftId?: string | null
  deviceId?: string | null
  approval?: ApprovalInput
}
/** A return made offline: its own id and time, and the refunds the till actually paid (facts). */
export type OfflineReturn = { id: string; occurredAt: number; bodyHash: string; cashierId: string }

const cumFloor = (total: number, part: number, whole: number) =>
  whole === 0 ? 0 : divFloor(BigInt(total) * BigInt(part), whole)

/** The share of `total` that units r..r+q of `whole` carry (cumulative floors: all units sum to total). */
export const shareOf = (total: number, returnedBefore: number, qty: number, whole: number) =>
  cumFloor(total, returnedBefore + qty, whole) - cumFloor(total, returnedBefore, whole)

/** The lot slices of units r..r+q of a line, walking the sale's takes in order. */
function slicesOf(takes: readonly LotTake[], from: number, qty: number): LotTake[] {
  const out: LotTake[] = []
  let skip = from
  let left = qty
  for (const t of takes) {
    if (left === 0) break
    const usable = Math.max(0, t.qty - skip)
    skip = Math.max(0, skip - t.qty)
    const n = Math.min(usable, left)
    if (n > 0) out.push({ ...t, qty: n, costFen: n * t.unitCostFen })
    left -= n
  }
  // Goods sold below zero (offline facts) have no slice: they come back at the moving average.
  if (left > 0) out.push({ lot: null, expiresOn: null, qty: left, unitCostFen: -1, costFen: 0 })
  return out
}

type Planned = { lines: ReturnLineRow[]; lineUpdates: { id: string; qty: number }[] }

export async function createReturn(ctx: SalesCtx, actor: Actor, input: ReturnInput, offline?: OfflineReturn) {
  const { db, env } = ctx
  const receipt = input.saleId || input.saleNumber
  const loaded = receipt
    ? await loadVisibleSale(db, actor, input.saleId ? { id: input.saleId } : { number: input.saleNumber! })
    : null
  const locationId = loaded?.sale.locationId ?? input.locationId
  if (!locationId)
    throw problem(
      400,
      "validation_failed",
      "A return names its sale (saleId or saleNumber) or, without a receipt, its locationId.",
      {
        errors: [{ path: "saleId", message: "Required (or locationId for a return without receipt)." }],
      },
    )
  assertLocation(actor, locationId)
  if (!loaded) await assertStore(db, locationId)
  if (input.shiftId && !offline) await assertShiftOpen(db, input.shiftId, locationId)
  const approvedBy = loaded
    ? null
    : await approverFor(db, actor, locationId, input.approval, "A return without a receipt")

  const id = offline?.id ?? newId("th")
  const at = offline?.occurredAt ?? Date.now()
  const day = dayOf(at, env.CHAIN_TIME_ZONE)
  const planned = loaded ? planAgainstSale(loaded, input, id) : await planWithoutReceipt(db, input, id)
  const refundFen = planned.lines.reduce((s, l) => s + l.refundFen, 0)
  const refunds = input.refunds ?? null
  const tenders = refunds
    ? refundsAsSent(refunds, loaded, id, refundFen, Boolean(offline))
    : loaded
      ? toOriginalTenders(loaded, id, refundFen)
      : {
          rows: [
            {
              id: `${id}:1`,
              returnId: id,
              method: "cash" as const,
              amountFen: refundFen,
              points: null,
              salePaymentId: null,
            },
          ],
          updates: [],
        }

  const row: Omit<ReturnRow, "number"> = {
    id,
    saleId: loaded?.sale.id ?? null,
    locationId,
    source: offline ? "offline" : "till",
    cashierId: offline?.cashierId ?? actor.id,
    shiftId: input.shiftId ?? null,
    deviceId: input.deviceId ?? actor.deviceId ?? null,
    memberId: loaded?.sale.memberId ?? null,
    refundFen: tenders.rows.reduce((s, r) => s + r.amountFen, 0),
    pointsReversed: planned.lines.reduce((s, l) => s + l.pointsReversed, 0),
    approvedBy,
    occurredAt: at,
    businessDay: day,
    late: offline ? await isDayClosed(db, locationId, day) : false,
    bodyHash: offline?.bodyHash ?? null,
    settledAt: null,
    createdAt: Date.now(),
    updatedAt: Date.now(),
  }
  const mismatch = row.refundFen !== refundFen
  try {
    await db.batch([
      bumpCounter(db, "TH", day),
      db.insert(returns).values({ ...row, number: numberSql("TH", day) }),
      insertRows(db, returnLines, planned.lines),
      insertRows(db, returnRefunds, tenders.rows),
      ...dailyForReturn(db, id),
      insertRows(
        db,
        saleApprovals,
        approvedBy ? [approvalRow("return", id, "no_receipt_return", actor.id, approvedBy, { refundFen }, at)] : [],
      ),
      insertRows(
        db,
        saleExceptions,
        mismatch
          ? [
              {
                id: newId("sx"),
                kind: "refund_mismatch" as const,
                refType: "return" as const,
                refId: id,
                locationId,
                expectedFen: refundFen,
                actualFen: row.refundFen,
                detail: { saleId: row.saleId },
                occurredAt: at,
              },
            ]
          : [],
      ),
      ...planned.lineUpdates.map((u) =>
        db
          .update(saleLines)
          .set({ returnedQty: sql`${saleLines.returnedQty} + ${u.qty}` })
          .where(eq(saleLines.id, u.id)),
      ),
      ...tenders.updates.map((u) =>
        db
          .update(salePayments)
          .set({ refundedFen: sql`${salePayments.refundedFen} + ${u.fen}` })
          .where(eq(salePayments.id, u.id)),
      ),
    ])
  } catch (e) {
    if (/CHECK constraint failed: sale_lines_returned_ck/.test(errorText(e)))
      throw problem(409, "over_return", "Those goods were returned meanwhile: no more than sold may come back.")
    if (/CHECK constraint failed: sale_payments_refund_ck/.test(errorText(e)))
      throw problem(409, "over_refund", "That tender was refunded meanwhile: refund to another tender.")
    throw e
  }
  const written = await loadReturn(db, id)
  await settleReturn(ctx, written!).catch((err: unknown) =>
    log.error("return settle failed", { returnId: id, error: String(err) }),
  )
  return returnView((await loadReturn(db, id))!)
}

function planAgainstSale({ sale, lines }: LoadedSale, input: ReturnInput, id: string): Planned {
  const seen = new Set<string>()
  const planned: ReturnLineRow[] = []
  const lineUpdates: { id: string; qty: number }[] = []
  input.lines.forEach((l, i) => {
    const line = lines.find((x) => x.id === l.lineId || String(x.lineNo) === l.lineId)
    if (!line)
      throw problem(422, "unknown_line", "No such line on this sale.", {
        errors: [{ path: `lines.${i}.lineId`, message: "Not on this sale." }],
      })
    if (seen.has(line.id))
      throw problem(422, "duplicate_line", "A sale line may appear once per return.", {
        errors: [{ path: `lines.${i}.lineId`, message: "Appears twice." }],
      })
    seen.add(line.id)
    const left = line.qty - line.returnedQty
    if (l.qty > left)
      throw problem(409, "over_return", `Only ${left} of this line can still be returned.`, {
        errors: [{ path: `lines.${i}.qty`, message: `At most ${left}.`, sold: line.qty, returned: line.returnedQty }],
      })
    const restock = l.restock ?? true
    if (!restock && !l.reason)
      throw problem(422, "reason_required", "Goods not put back on the shelf need a reason.", {
        errors: [{ path: `lines.${i}.reason`, message: "Required when restock is false." }],
      })
    planned.push({
      returnId: id,
      lineNo: i + 1,
      saleLineId: line.id,
      skuId: line.skuId,
      categoryId: line.categoryId,
      qty: l.qty,
      refundFen: shareOf(line.totalFen, line.returnedQty, l.qty, line.qty),
      restock,
      reason: l.reason ?? null,
      takes: slicesOf(line.takes, line.returnedQty, l.qty),
      pointsReversed: sale.memberId ? shareOf(line.pointsEarned, line.returnedQty, l.qty, line.qty) : 0,
    })
    lineUpdates.push({ id: line.id, qty: l.qty })
  })
  return { lines: planned, lineUpdates }
}

async function planWithoutReceipt(db: Db, input: ReturnInput, id: string): Promise<Planned> {
  const skus = await getSkusByIds(
    db,
    input.lines.flatMap((l) => (l.skuId ? [l.skuId] : [])),
  )
  const planned = input.lines.map((l, i): ReturnLineRow => {
    const s = l.skuId ? skus.get(l.skuId) : undefined
    if (!s)
      throw problem(422, "unknown_sku", "A return without receipt names each line's SKU.", {
        errors: [{ path: `lines.${i}.skuId`, message: "No such SKU." }],
      })
    const restock = l.restock ?? true
    if (!restock && !l.reason)
      throw problem(422, "reason_required", "Goods not put back on the shelf need a reason.", {
        errors: [{ path: `lines.${i}.reason`, message: "Required when restock is false." }],
      })
    return {
      returnId: id,
      lineNo: i + 1,
      saleLineId: null,
      skuId: s.id,
      categoryId: s.categoryId,
      qty: l.qty,
      refundFen: lineAmountFen(l.qty, l.unitPriceFen ?? s.priceFen, s.unit),
      restock,
      reason: l.reason ?? null,
      takes: [{ lot: null, expiresOn: null, qty: l.qty, unitCostFen: -1, costFen: 0 }],
      pointsReversed: 0,
    }
  })
  return { lines: planned, lineUpdates: [] }
}

type Tenders = { rows: ReturnRefundRow[]; updates: { id: string; fen: number }[] }

/** What each of the sale's tenders can still give back: cash net of the change given. */
function refundable({ sale, payments }: LoadedSale) {
  let change = sale.changeFen
  return payments.map((p) => {
    let net = p.amountFen
    if (p.method === "cash" && change > 0) {
      const c = Math.min(change, net)
      net -= c
      change -= c
    }
    return { p, left: Math.max(0, net - p.refundedFen) }
  })
}

/** Pro rata over what each original tender can still give back (remainders to the larger shares). */
function toOriginalTenders(loaded: LoadedSale, id: string, refundFen: number): Tenders {
  const open = refundable(loaded).filter((x) => x.left > 0)
  if (refundFen === 0 || open.length === 0) return { rows: [], updates: [] }
  const shares = allocateProRata(
    refundFen,
    open.map((x) => x.left),
  )
  const rows: ReturnRefundRow[] = []
  const updates: { id: string; fen: number }[] = []
  open.forEach(({ p }, i) => {
    const fen = shares[i]!
    if (fen === 0) return
    const points = p.method === "points" && p.points ? shareOf(p.points, p.refundedFen, fen, p.amountFen) : null
    rows.push({
      id: `${id}:${rows.length + 1}`,
      returnId: id,
      method: p.method,
      amountFen: fen,
      points,
      salePaymentId: p.id,
    })
    updates.push({ id: p.id, fen })
  })
  return { rows, updates }
}

/** Refunds the cashier chose: they must add up to the refund (offline: the till's facts stand). */
function refundsAsSent(
  refunds: RefundInput[],
  loaded: LoadedSale | null,
  id: string,
  refundFen: number,
  offline: boolean,
): Tenders {
  const sum = refunds.reduce((s, r) => s + r.amountFen, 0)
  if (!offline && sum !== refundFen)
    throw problem(
      422,
      "refund_mismatch",
      `The refunds add up to ${sum} fen; the goods returned are worth ${refundFen}.`,
      {
        refundFen,
      },
    )
  const member = loaded?.sale.memberId
  const open = loaded ? refundable(loaded) : []
  const updates: { id: string; fen: number }[] = []
  const rows = refunds.map((r, i): ReturnRefundRow => {
    if ((r.method === "stored_value" || r.method === "points") && !member)
      throw problem(422, "member_required", `A ${r.method} refund needs the sale's member.`, {
        errors: [{ path: `refunds.${i}.method`, message: "No member on the sale." }],
      })
    const original = open.find((x) => x.p.method === r.method)
    if (original) {
      // Online, more than the tender took is refused by the CHECK (409 over_refund); an offline
      // fact is tracked up to what the tender took and the rest shows as a refund_mismatch.
      const fen = offline ? Math.min(r.amountFen, original.left) : r.amountFen
      if (fen > 0) updates.push({ id: original.p.id, fen })
      original.left -= fen
    }
    const p = original?.p
    const points =
      r.method === "points" && p?.points ? shareOf(p.points, p.refundedFen, r.amountFen, p.amountFen) : null
    return {
      id: `${id}:${i + 1}`,
      returnId: id,
      method: r.method,
      amountFen: r.amountFen,
      points,
      salePaymentId: p?.id ?? null,
    }
  })
  return { rows, updates }
}
