// One offline sale applied: priced again with core, each line a recordOfflineSale fact, member
// tenders charged, then the sale, its lines, tenders and exceptions in one D1 batch.
import { eq } from "drizzle-orm"
import { allocateProRata } from "../../../core/money"
import { earnPoints, pointsForFen } from "../../../core/points"
import { combineMemberTenders, validateTenders } from "../../../core/tenders"
import {
  returns,
  type SaleExceptionKind,
  type SaleLineRow,
  type SalePaymentRow,
  type SaleRow,
  saleExceptions,
  saleLines,
  salePayments,
  sales,
} from "../../db/schema"
import type { Actor } from "../../lib/actor"
import { batchResults } from "../../lib/batch"
import { newId } from "../../lib/ids"
import { log } from "../../lib/log"
import { problem } from "../../lib/problem"
import { chainPointsRules } from "../../lib/settings"
import { cellStub } from "../../stock-cell/client"
import type { StockRef } from "../../stock-cell/types"
import { dailyForSale } from "../reports"
import { attributeCashier } from "../staff"
import { chargeStoredValue, spendPoints } from "./ports"
import { postSale, postStatements } from "./post"
import { earner, priceSale } from "./pricing"
import { isDayClosed } from "./report"
import type { SalesCtx } from "./service"
import { assertStore } from "./shifts"
import { bumpCounter, dayOf, insertRows, numberSql } from "./sql"
import type { OfflineSale } from "./sync-schemas"

export async function known(ctx: SalesCtx, kind: "sale" | "return", id: string, hash: string) {
  const table = kind === "sale" ? sales : returns
  const [row] = await ctx.db.select({ bodyHash: table.bodyHash }).from(table).where(eq(table.id, id))
  if (!row) return null
  if (row.bodyHash === hash) return "duplicate" as const
  throw problem(409, "id_reused", `This ${kind} id was already synced with another body.`)
}

export async function applySale(
  ctx: SalesCtx,
  actor: Actor,
  s: OfflineSale,
  hash: string,
): Promise<"applied" | "duplicate"> {
  const { db, env } = ctx
  const seen = await known(ctx, "sale", s.id, hash)
  if (seen) return seen
  await assertStore(db, s.locationId)
  if (s.payments.some((p) => p.authCode))
    throw problem(422, "offline_customer_code", "A customer's payment code can't be taken offline.")
  // Stored value (or points) the till took in two goes is one payment: one ledger movement per sale and kind.
  const tenders = combineMemberTenders(s.payments)
  const check = validateTenders(s.totalFen, tenders)
  if (!check.ok) throw problem(422, check.code, check.detail)
  const at = Date.parse(s.occurredAt)
  const { cart, skus, member, erasedMemberId } = await priceSale(db, env, {
    locationId: s.locationId,
    lines: s.lines.map((l) => ({ skuId: l.skuId, qty: l.qty })),
    memberId: s.memberId ?? null,
    couponCodes: s.couponCodes ?? [],
    at,
    allowArchived: true,
    asOf: true,
    // The sale happened: a member erased before it synced must not keep it in the till's outbox forever.
    dropErasedMember: true,
  })
  const attribution = await attributeCashier(db, {
    claimed: s.cashierId,
    actorId: actor.id,
    locationId: s.locationId,
    deviceId: s.deviceId,
  })
  const cashierId = attribution.cashierId
  const ref: StockRef = { type: "sale", id: s.id, actorId: cashierId }
  const taken = await Promise.all(
    s.lines.map(async (l, i) => {
      const r = await cellStub(env, s.locationId, l.skuId).recordOfflineSale({
        locationId: s.locationId,
        skuId: l.skuId,
        opId: `${s.id}:${i}`,
        qty: l.qty,
        occurredAt: at,
        ref,
      })
      if (!r.ok) throw new Error(`offline sale ${s.id} line ${i}: ${JSON.stringify(r)}`)
      return r
    }),
  )

  // What the customer paid stands; the lines carry it in proportion to the server's own prices.
  const serverTotals = cart.lines.map((l) => l.totalFen)
  const weights = serverTotals.some((x) => x > 0) ? serverTotals : cart.lines.map((l) => Math.max(1, l.originalFen))
  const paidTotals = s.totalFen === cart.totalFen ? serverTotals : allocateProRata(s.totalFen, weights)
  const exceptions: (typeof saleExceptions.$inferInsert)[] = []
  const exception = (
    kind: SaleExceptionKind,
    expectedFen: number,
    actualFen: number,
    detail: Record<string, unknown>,
  ) =>
    exceptions.push({
      id: newId("sx"),
      kind,
      refType: "sale",
      refId: s.id,
      locationId: s.locationId,
      expectedFen,
      actualFen,
      detail,
      occurredAt: at,
    })
  if (s.totalFen !== cart.totalFen)
    exception("price_mismatch", cart.totalFen, s.totalFen, {
      lines: s.lines.map((l, i) => ({
        skuId: l.skuId,
        qty: l.qty,
        tillUnitPriceFen: l.unitPriceFen ?? null,
        serverUnitPriceFen: cart.lines[i]!.unitPriceFen,
        serverTotalFen: cart.lines[i]!.totalFen,
      })),
      appliedPromotions: cart.appliedPromotions.map((p) => ({
        promotionId: p.promotionId,
        name: p.name,
        amountFen: p.amountFen,
      })),
    })

  // Sold to a member who has since been erased: booked without them (no points earned; their points and
  // stored value tenders become the exceptions below), the member id kept here for HQ.
  if (erasedMemberId) exception("member_erased", cart.totalFen, s.totalFen, { memberId: erasedMemberId })

  if (attribution.refused)
    exception("cashier_unverified", s.totalFen, s.totalFen, { ...attribution.refused, attributedTo: cashierId })

  const rules = chainPointsRules(env)
  const payments: SalePaymentRow[] = []
  for (const [i, p] of tenders.entries()) {
    const row: SalePaymentRow = {
      id: `${s.id}:${i + 1}`,
      saleId: s.id,
      method: p.method,
      amountFen: p.amountFen,
      points: null,
      provider:
        p.method === "cash" ? "cash" : p.method === "stored_value" || p.method === "points" ? p.method : "manual",
      providerRef: null,
      withAuthCode: false,
      refundedFen: 0,
      createdAt: at,
    }
    const memberRef = { memberId: member?.id ?? "", refType: "sale", refId: s.id, at }
    if (p.method === "stored_value") {
      const r = member ? await chargeStoredValue(db, { ...memberRef, amountFen: p.amountFen }) : null
      if (!r?.ok) exception("stored_value_short", p.amountFen, r ? r.balanceFen : 0, { paymentId: row.id })
    } else if (p.method === "points") {
      row.points = pointsForFen(p.amountFen, rules)
      const r = member ? await spendPoints(db, { ...memberRef, points: row.points }) : null
      if (!r?.ok) exception("points_short", row.points, r ? r.balance : 0, { paymentId: row.id })
    }
    payments.push(row)
  }

  const earned = earnPoints({
    totalFen: s.totalFen,
    lines: cart.lines.map((l, i) => ({ lineId: l.lineId, totalFen: paidTotals[i]! })),
    tenders,
    member: earner(member),
    at,
    timeZone: env.CHAIN_TIME_ZONE,
    rules,
  })
  const lines: SaleLineRow[] = cart.lines.map((l, i) => ({
    id: `${s.id}:${i + 1}`,
    saleId: s.id,
    lineNo: i + 1,
    skuId: l.skuId,
    name: skus.get(l.skuId)!.productName,
    unit: l.unit,
    categoryId: skus.get(l.skuId)!.categoryId,
    qty: l.qty,
    unitPriceFen: l.unitPriceFen,
    originalFen: l.originalFen,
    discountFen: l.originalFen + l.roundingFen - paidTotals[i]!,
    roundingFen: l.roundingFen,
    totalFen: paidTotals[i]!,
    discounts: l.discounts,
    costFen: taken[i]!.costFen,
    takes: taken[i]!.takes,
    pointsEarned: earned.lines[i]!.points,
    returnedQty: 0,
  }))
  const day = dayOf(at, env.CHAIN_TIME_ZONE)
  const now = Date.now()
  const sale: Omit<SaleRow, "number"> = {
    id: s.id,
    locationId: s.locationId,
    source: "offline",
    cashierId,
    shiftId: s.shiftId ?? null,
    deviceId: s.deviceId ?? null,
    memberId: member?.id ?? null,
    memberPhoneMasked: member?.phoneMasked ?? null,
    subtotalFen: cart.subtotalFen,
    discountFen: cart.subtotalFen + cart.roundingFen - s.totalFen,
    roundingFen: cart.roundingFen,
    totalFen: s.totalFen,
    tenderedFen: check.paidFen,
    changeFen: check.changeFen,
    costFen: lines.reduce((sum, l) => sum + l.costFen, 0),
    pointsEarned: earned.points,
    appliedPromotions: cart.appliedPromotions,
    couponCodes: s.couponCodes ?? [],
    occurredAt: at,
    businessDay: day,
    late: await isDayClosed(db, s.locationId, day),
    bodyHash: hash,
    postedAt: null,
    createdAt: now,
    updatedAt: now,
  }
  // Posted in the same batch unless it has coupons (postStatements says why).
  const post = postStatements(db, sale)
  const posted = { ...sale, postedAt: post ? now : null }
  try {
    const [, inserted] = await batchResults(db.$client, [
      bumpCounter(db, "XS", day),
      db
        .insert(sales)
        .values({ ...posted, number: numberSql("XS", day) })
        .returning({ number: sales.number }),
      insertRows(db, saleLines, lines),
      insertRows(db, salePayments, payments),
      insertRows(db, saleExceptions, exceptions),
      ...dailyForSale(db, s.id),
      ...(post ?? []),
    ])
    const number = (inserted?.results[0] as { number: string } | undefined)?.number ?? ""
    if (!post)
      await postSale(db, { ...posted, number }).catch((e) =>
        log.error("offline sale post failed", { saleId: s.id, error: String(e) }),
      )
  } catch (e) {
    // Another sync of the same sale won the race: answer as if we had come second.
    const again = await known(ctx, "sale", s.id, hash)
    if (again) return again
    throw e
  }
  return "applied"
}
