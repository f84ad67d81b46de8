// One offline sale applied in two steps: prepareSale reads what it needs in one D1 round trip (with
// the SKUs and their prices beside it), prices it again with core, records each line as a
// recordOfflineSale fact and charges member tenders; writeOfflineSale then writes the sale, its lines,
// tenders, exceptions and posting in one D1 batch. The sync runs many prepares at once and the
// writes in the order the sales happened (sync.ts).
import { eq, sql } from "drizzle-orm"
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
import {
  chargeStoredValue,
  memberForSale,
  type PromotionRevision,
  promotionsAsOf,
  revisionsDuring,
  spendPoints,
  tierFrom,
} from "./ports"
import { postSale, postStatements } from "./post"
import { earner, priceSale } from "./pricing"
import type { SalesCtx } from "./service"
import { assertStoreRow } from "./shifts"
import { bumpCounter, dayClosedSql, dayOf, insertRows, numberSql } from "./sql"
import type { OfflineSale } from "./sync-schemas"
import { syncReads } from "./till-reads"

export async function known(ctx: SalesCtx, kind: "sale" | "return", id: string, hash: string) {
  const table = kind === "sale" ? sales : returns
  const [row] = await ctx.db.select({ bodyHash: table.bodyHash }).from(table).where(eq(table.id, id))
  return seenAs(kind, row, hash)
}

/** A stored body hash against the one sent: new (null), the same (duplicate), or another body (409 id_reused). */
export function seenAs(kind: "sale" | "return", row: { bodyHash: string | null } | undefined, hash: string) {
  if (!row) return null
  if (row.bodyHash === hash) return "duplicate" as const
  throw problem(409, "id_reused", `This ${kind} id was already synced with another body.`)
}

/**
 * What a whole sync call reads once, in one D1 batch: the body hashes of those of its sales that are
 * synced already, and the promotion revisions in force at some instant between its first sale and its
 * last (each sale then picks the promotions of its own instant from them).
 */
export async function syncCallReads(ctx: SalesCtx, batch: readonly OfflineSale[]) {
  if (batch.length === 0) return { synced: new Map<string, { bodyHash: string | null }>(), revisions: [] }
  const times = batch.map((s) => Date.parse(s.occurredAt))
  const [rows, revisions] = await ctx.db.batch([
    ctx.db
      .select({ id: sales.id, bodyHash: sales.bodyHash })
      .from(sales)
      .where(sql`${sales.id} in (select value from json_each(${JSON.stringify(batch.map((s) => s.id))}))`),
    revisionsDuring(ctx.db, { from: Math.min(...times), to: Math.max(...times) }),
  ])
  return { synced: new Map(rows.map((r) => [r.id, r])), revisions }
}

export type PreparedSale = {
  s: OfflineSale
  hash: string
  day: string
  sale: Omit<SaleRow, "number" | "late">
  lines: SaleLineRow[]
  payments: SalePaymentRow[]
  exceptions: (typeof saleExceptions.$inferInsert)[]
}

/**
 * Everything but the write: checks, price, the cells' facts, member tenders (each replays by the sale's id).
 * `revisions`: the call's promotion revisions (syncCallReads), so the sale is priced with the promotions
 * as they were when it happened.
 */
export async function prepareSale(
  ctx: SalesCtx,
  actor: Actor,
  s: OfflineSale,
  hash: string,
  revisions: readonly PromotionRevision[],
): Promise<PreparedSale | "duplicate"> {
  const { db, env } = ctx
  const at = Date.parse(s.occurredAt)
  const reads = await syncReads(db, s, at)
  const seen = seenAs("sale", reads.saleHash, hash)
  if (seen) return seen
  assertStoreRow(reads.store)
  if (s.payments.some((p) => p.authCode))
    throw problem(422, "offline_customer_code", "A customer's payment code can't be taken offline.")
  // Stored value (or points) the till took in two goes is one payment: one ledger movement per sale and kind.
  const tenders = combineMemberTenders(s.payments)
  const check = validateTenders(s.totalFen, tenders)
  if (!check.ok) throw problem(422, check.code, check.detail)
  const { cart, skus, member, erasedMemberId } = await priceSale(
    db,
    env,
    {
      locationId: s.locationId,
      lines: s.lines.map((l) => ({ skuId: l.skuId, qty: l.qty })),
      memberId: s.memberId ?? null,
      couponCodes: s.couponCodes ?? [],
      at,
      allowArchived: true,
      asOf: true,
      // The sale happened: a member erased before it synced must not keep it in the till's outbox forever.
      dropErasedMember: true,
    },
    {
      skus: reads.skus,
      prices: reads.prices,
      ...(reads.member === undefined
        ? {}
        : { member: reads.member && memberForSale(reads.member, tierFrom(reads.tier ?? [], reads.member.tierId)) }),
      promotions: promotionsAsOf(revisions, {
        locationId: s.locationId,
        channel: "pos",
        at,
        timeZone: reads.store[0]?.timeZone ?? null,
      }),
      usage: reads.usage,
      couponsAsOf: { revisions, at },
    },
  )
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
  const sale: Omit<SaleRow, "number" | "late"> = {
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
    bodyHash: hash,
    postedAt: null,
    createdAt: now,
    updatedAt: now,
  }
  return { s, hash, day, sale, lines, payments, exceptions }
}

/** The sale's rows in one batch; its number is the next of its day, so callers write in occurrence order. */
export async function writeOfflineSale(ctx: SalesCtx, p: PreparedSale): Promise<"applied" | "duplicate"> {
  const { db } = ctx
  const { s, sale, day } = p
  // Posted in the same batch unless it has coupons (postStatements says why).
  const post = postStatements(db, sale)
  const posted = { ...sale, postedAt: post ? Date.now() : null }
  try {
    const [, inserted] = await batchResults(db.$client, [
      bumpCounter(db, "XS", day),
      db
        .insert(sales)
        // A sale of a day already closed is booked on it and marked late (decided in this batch).
        .values({ ...posted, late: dayClosedSql(s.locationId, day), number: numberSql("XS", day) })
        .returning({ number: sales.number, late: sales.late }),
      insertRows(db, saleLines, p.lines),
      insertRows(db, salePayments, p.payments),
      insertRows(db, saleExceptions, p.exceptions),
      ...dailyForSale(db, s.id),
      ...(post ?? []),
    ])
    const row = inserted?.results[0] as { number: string; late: number } | undefined
    if (!post)
      await postSale(db, { ...posted, number: row?.number ?? "", late: Boolean(row?.late) }).catch((e) =>
        log.error("offline sale post failed", { saleId: s.id, error: String(e) }),
      )
  } catch (e) {
    // Another sync of the same sale won the race: answer as if we had come second.
    const again = await known(ctx, "sale", s.id, p.hash)
    if (again) return again
    throw e
  }
  return "applied"
}
