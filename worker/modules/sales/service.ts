// A sale at the till (POST /api/v1/sales), step by step:
//  1. price with core (promotions, coupons, member), check the tenders — 422 before anything moves;
//  2. reserve every line in its StockCell, in parallel, hold id = sale id — 409 and nothing held;
//  3. take the money: stored value, points (idempotent by sale id), customer codes through the
//     gateway (pay → pending → query → paid/failed, reversed when no result comes);
//  4. commit every hold (cost of goods per line comes back from the cells);
//  5. write sale + lines + tenders (+ approvals) in ONE D1 batch;
//  6. post: points earned, member spend, coupons redeemed, promotion usage (idempotent by sale id).
// A failure in 3–5 compensates what was done (holds released, goods taken received back lot by lot
// with fixed op ids, money refunded or reversed) and answers the error. A worker that dies in 2–3
// leaves holds that lapse by TTL; one that dies in 6 leaves a sale without posted_at, which
// repairSales finishes.
import { earnPoints } from "../../../core/points"
import type { TenderMethod } from "../../../core/tenders"
import type { Db } from "../../db/client"
import {
  type SaleLineRow,
  type SalePaymentRow,
  type SaleRow,
  saleApprovals,
  saleLines,
  salePayments,
  sales,
} from "../../db/schema"
import { type Actor, assertLocation } from "../../lib/actor"
import { newId } from "../../lib/ids"
import { log } from "../../lib/log"
import { type FieldError, problem } from "../../lib/problem"
import { cellStub, commitAll, type ReserveAllResult, releaseAll, reserveAll, sumLines } from "../../stock-cell/client"
import type { StockRef, Taken } from "../../stock-cell/types"
import { dailyForSale } from "../reports"
import { assertDeviceActive } from "../staff"
import { type ApprovalInput, approvalRow, approverFor } from "./approval"
import { manualGateway, type PaymentGateway, settleCodePayment } from "./payments"
import { chargeStoredValue, refundStoredValue, reversePoints, spendPoints } from "./ports"
import { postSale } from "./post"
import { earner, type MemberForSale, priceSale } from "./pricing"
import { saleView } from "./queries"
import { isDayClosed } from "./report"
import { assertShiftOpen, assertStore } from "./shifts"
import { bumpCounter, dayOf, insertRows, numberSql } from "./sql"
import { checkTenders } from "./tenders"

/** How long the cells hold a sale's goods while its money is taken; a dead worker's holds lapse after it. */
export const SALE_HOLD_MS = 120_000

export type PaymentInput = { method: TenderMethod; amountFen: number; authCode?: string }
export type SaleInput = {
  locationId: string
  lines: { skuId: string; qty: number }[]
  memberId?: string | null
  couponCodes?: string[]
  shiftId?: string | null
  deviceId?: string | null
  payments: PaymentInput[]
  priceOverrides?: { skuId: string; unitPriceFen: number }[]
  manualDiscountFen?: number
  voidedLines?: { skuId: string; qty: number }[]
  approval?: ApprovalInput
}

export type SalesCtx = { db: Db; env: Env; gateway?: PaymentGateway }
export const requestCtx = (c: { var: { db: Db }; env: Env }): SalesCtx => ({ db: c.var.db, env: c.env })

/** What was taken so far, so a failure can give it all back. */
type Done = {
  storedValueFen: number
  points: number
  codes: string[]
  committed: { skuId: string; taken: Taken }[]
}

export async function createSale(ctx: SalesCtx, actor: Actor, input: SaleInput) {
  const { db, env } = ctx
  assertLocation(actor, input.locationId)
  await assertStore(db, input.locationId)
  if (input.shiftId) await assertShiftOpen(db, input.shiftId, input.locationId)
  if (input.deviceId) await assertDeviceActive(db, input.deviceId)
  const lines = sumLines(input.lines)
  const approvals = await managerControls(db, actor, input)
  const at = Date.now()
  const overrides = new Map((input.priceOverrides ?? []).map((o) => [o.skuId, o.unitPriceFen]))
  const { cart, skus, member } = await priceSale(db, env, {
    locationId: input.locationId,
    lines: lines.map((l) => ({ ...l, unitPriceFen: overrides.get(l.skuId) })),
    memberId: input.memberId ?? null,
    couponCodes: input.couponCodes ?? [],
    at,
    manualDiscountFen: input.manualDiscountFen ?? 0,
  })
  const tenders = checkTenders(cart.totalFen, input.payments, member)

  const saleId = newId("xs")
  const ref: StockRef = { type: "sale", id: saleId, actorId: actor.id }
  const fanOut = { locationId: input.locationId, ref }
  const held = await reserveAll(env, saleId, lines, {
    ...fanOut,
    expiresAt: at + SALE_HOLD_MS,
    customerId: member?.id ?? null,
  })
  if (!held.ok) throw stockRefusal(held, input.lines)

  const done: Done = { storedValueFen: 0, points: 0, codes: [], committed: [] }
  let written: { sale: SaleRow; lines: SaleLineRow[]; payments: SalePaymentRow[] }
  try {
    const payments = await takeMoney(ctx, saleId, input.payments, tenders.pointsFor, member, at, done)
    const committed = await commitAll(
      env,
      saleId,
      lines.map((l) => l.skuId),
      fanOut,
    )
    for (const c of committed.lines) if (c.result.ok) done.committed.push({ skuId: c.skuId, taken: c.result })
    if (!committed.ok)
      throw problem(409, "hold_expired", "The goods' hold lapsed before the payment finished; nothing was sold.")

    const earned = earnPoints({
      totalFen: cart.totalFen,
      lines: cart.lines.map((l) => ({ lineId: l.lineId, totalFen: l.totalFen })),
      tenders: input.payments,
      member: earner(member),
      at,
      timeZone: env.CHAIN_TIME_ZONE,
    })
    const takenBySku = new Map(done.committed.map((c) => [c.skuId, c.taken]))
    const lineRows: SaleLineRow[] = cart.lines.map((l, i) => {
      const s = skus.get(l.skuId)!
      const taken = takenBySku.get(l.skuId)!
      return {
        id: `${saleId}:${i + 1}`,
        saleId,
        lineNo: i + 1,
        skuId: l.skuId,
        name: s.productName,
        unit: l.unit,
        categoryId: s.categoryId,
        qty: l.qty,
        unitPriceFen: l.unitPriceFen,
        originalFen: l.originalFen,
        discountFen: l.discountFen,
        roundingFen: l.roundingFen,
        totalFen: l.totalFen,
        discounts: l.discounts,
        costFen: taken.costFen,
        takes: taken.takes,
        pointsEarned: earned.lines[i]!.points,
        returnedQty: 0,
      }
    })
    const day = dayOf(at, env.CHAIN_TIME_ZONE)
    const needsPost = Boolean(member) || cart.appliedPromotions.some((p) => p.couponCode)
    const sale: Omit<SaleRow, "number"> = {
      id: saleId,
      locationId: input.locationId,
      source: "till",
      cashierId: actor.id,
      shiftId: input.shiftId ?? null,
      deviceId: input.deviceId ?? actor.deviceId ?? null,
      memberId: member?.id ?? null,
      memberPhoneMasked: member?.phoneMasked ?? null,
      subtotalFen: cart.subtotalFen,
      discountFen: cart.discountFen,
      roundingFen: cart.roundingFen,
      totalFen: cart.totalFen,
      tenderedFen: tenders.tenderedFen,
      changeFen: tenders.changeFen,
      costFen: lineRows.reduce((s, l) => s + l.costFen, 0),
      pointsEarned: earned.points,
      appliedPromotions: cart.appliedPromotions,
      couponCodes: input.couponCodes ?? [],
      occurredAt: at,
      businessDay: day,
      // Sold after a manager closed the day: booked on it, flagged for the report like a late sync.
      late: await isDayClosed(db, input.locationId, day),
      bodyHash: null,
      postedAt: needsPost ? null : at,
      createdAt: at,
      updatedAt: at,
    }
    const approvalRows = approvals.map((a) =>
      approvalRow("sale", saleId, a.action, actor.id, a.approvedBy, a.detail, at),
    )
    const [, inserted] = await db.batch([
      bumpCounter(db, "XS", day),
      db
        .insert(sales)
        .values({ ...sale, number: numberSql("XS", day) })
        .returning({ number: sales.number }),
      insertRows(db, saleLines, lineRows),
      insertRows(db, salePayments, payments),
      insertRows(db, saleApprovals, approvalRows),
      ...dailyForSale(db, saleId),
    ])
    written = { sale: { ...sale, number: inserted[0]!.number }, lines: lineRows, payments }
  } catch (e) {
    await compensate(ctx, saleId, input.locationId, member, lines, done, ref, at).catch((err) =>
      log.error("sale compensation failed", { saleId, error: String(err) }),
    )
    throw e
  }
  if (written.sale.postedAt === null) {
    // The sale stands whatever happens here: what fails is finished by repairSales.
    await postSale(db, written.sale).catch((err) => log.error("sale post failed", { saleId, error: String(err) }))
  }
  return {
    ...saleView(written),
    rejectedCoupons: cart.rejectedCoupons,
  }
}

type Control = {
  action: "price_override" | "manual_discount" | "void_lines"
  approvedBy: string
  detail: Record<string, unknown>
}

/** Price overrides, a manual discount and voided lines: a manager's, or approved by one. */
async function managerControls(db: Db, actor: Actor, input: SaleInput): Promise<Control[]> {
  const wanted: Omit<Control, "approvedBy">[] = []
  if (input.priceOverrides?.length)
    wanted.push({ action: "price_override", detail: { overrides: input.priceOverrides } })
  if (input.manualDiscountFen)
    wanted.push({ action: "manual_discount", detail: { amountFen: input.manualDiscountFen } })
  if (input.voidedLines?.length) wanted.push({ action: "void_lines", detail: { lines: input.voidedLines } })
  if (wanted.length === 0) return []
  const unknown = (input.priceOverrides ?? []).findIndex((o) => !input.lines.some((l) => l.skuId === o.skuId))
  if (unknown >= 0)
    throw problem(422, "override_without_line", "A price override names a SKU the sale doesn't have.", {
      errors: [{ path: `priceOverrides.${unknown}.skuId`, message: "Not on this sale." }],
    })
  const approvedBy = await approverFor(
    db,
    actor,
    input.locationId,
    input.approval,
    "A price override, manual discount or void",
  )
  return wanted.map((w) => ({ ...w, approvedBy }))
}

async function takeMoney(
  ctx: SalesCtx,
  saleId: string,
  tenders: readonly PaymentInput[],
  pointsFor: Map<number, number>,
  member: MemberForSale | null,
  at: number,
  done: Done,
): Promise<SalePaymentRow[]> {
  const { db } = ctx
  const gateway = ctx.gateway ?? manualGateway
  const rows: SalePaymentRow[] = []
  for (const [i, t] of tenders.entries()) {
    const id = `${saleId}:${i + 1}`
    const row: SalePaymentRow = {
      id,
      saleId,
      method: t.method,
      amountFen: t.amountFen,
      points: null,
      provider: t.method === "cash" ? "cash" : "manual",
      providerRef: null,
      withAuthCode: Boolean(t.authCode),
      refundedFen: 0,
      createdAt: at,
    }
    const ref = { memberId: member?.id ?? "", refType: "sale", refId: saleId, at }
    if (t.method === "stored_value") {
      const r = await chargeStoredValue(db, { ...ref, amountFen: t.amountFen })
      if (!r.ok)
        throw problem(422, "insufficient_stored_value", "The member's stored value doesn't cover this tender.", {
          balanceFen: r.balanceFen,
        })
      done.storedValueFen = t.amountFen
      row.provider = "stored_value"
    } else if (t.method === "points") {
      const points = pointsFor.get(i)!
      const r = await spendPoints(db, { ...ref, points })
      if (!r.ok)
        throw problem(422, "insufficient_points", "The member's points don't cover this tender.", {
          balance: r.balance,
        })
      done.points = points
      row.points = points
      row.provider = "points"
    } else if (t.authCode && (t.method === "wechat" || t.method === "alipay")) {
      const settled = await settleCodePayment(gateway, {
        paymentId: id,
        saleId,
        method: t.method,
        amountFen: t.amountFen,
        authCode: t.authCode,
      })
      if (settled.status === "failed")
        throw problem(
          422,
          "payment_failed",
          `The customer's ${t.method} payment failed (${settled.reason}); nothing was sold.`,
          {
            paymentIndex: i,
          },
        )
      done.codes.push(id)
      row.provider = gateway.name
      row.providerRef = settled.providerRef
    }
    rows.push(row)
  }
  return rows
}

/** Gives back everything a failed sale took. Every step has a fixed id: running it twice gives back once. */
async function compensate(
  ctx: SalesCtx,
  saleId: string,
  locationId: string,
  member: MemberForSale | null,
  lines: { skuId: string }[],
  done: Done,
  ref: StockRef,
  at: number,
) {
  const { db, env } = ctx
  const gateway = ctx.gateway ?? manualGateway
  const committed = new Set(done.committed.map((c) => c.skuId))
  await releaseAll(
    env,
    saleId,
    lines.map((l) => l.skuId).filter((s) => !committed.has(s)),
    { locationId, ref },
  )
  const undoRef: StockRef = { ...ref, type: "sale_void" }
  await Promise.all(
    done.committed.map((c) =>
      receiveBack(env, locationId, c.skuId, c.taken.takes, `${saleId}:${c.skuId}:undo`, undoRef),
    ),
  )
  const back = { memberId: member?.id ?? "", refType: "sale_void", refId: saleId, at }
  if (done.storedValueFen > 0) await refundStoredValue(db, { ...back, amountFen: done.storedValueFen })
  // A negative reversal gives spent points back (members' ledger: one call per ref).
  if (done.points > 0) await reversePoints(db, { ...back, points: -done.points })
  for (const id of done.codes) await gateway.reverse(id)
}

/** Goods back into a cell slice by slice (lot, expiry, the cost they left at), op ids `${prefix}:${i}`. */
export async function receiveBack(
  env: Env,
  locationId: string,
  skuId: string,
  takes: readonly { lot: string | null; expiresOn: string | null; qty: number; unitCostFen: number | null }[],
  opPrefix: string,
  ref: StockRef,
) {
  const stub = cellStub(env, locationId, skuId)
  for (const [i, s] of takes.entries()) {
    if (s.qty <= 0) continue
    const r = await stub.receive({
      locationId,
      skuId,
      opId: `${opPrefix}:${i}`,
      qty: s.qty,
      lot: s.lot,
      expiresOn: s.lot ? s.expiresOn : null,
      unitCostFen: s.unitCostFen,
      ref,
    })
    if (!r.ok) throw new Error(`receiving back ${skuId} at ${locationId}: ${JSON.stringify(r)}`)
  }
}

function stockRefusal(held: Extract<ReserveAllResult, { ok: false }>, input: readonly { skuId: string }[]) {
  const path = (skuId: string) =>
    `lines.${Math.max(
      0,
      input.findIndex((l) => l.skuId === skuId),
    )}.qty`
  if (held.short.length > 0)
    return problem(409, "insufficient_stock", "Not enough stock for every line; nothing was sold.", {
      errors: held.short.map((s) => ({
        path: path(s.skuId),
        message: `Only ${s.available} available.`,
        skuId: s.skuId,
        requested: s.requested,
        available: s.available,
      })),
    })
  const errors: FieldError[] = held.refused.map(({ skuId, refusal }) => ({
    path: path(skuId),
    message: refusal.code,
    skuId,
    refusal: refusal.code,
  }))
  if (held.refused.some((r) => r.refusal.code === "limit_exceeded"))
    return problem(409, "limit_exceeded", "A line is over a flash sale's per-customer limit; nothing was sold.", {
      errors,
    })
  if (held.refused.some((r) => r.refusal.code === "customer_required"))
    return problem(422, "member_required", "A line is limited per customer: identify the member.", { errors })
  return new Error(`stock cell refused a sale: ${JSON.stringify(held.refused)}`)
}
