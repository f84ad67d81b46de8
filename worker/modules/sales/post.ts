// After a sale is written: what the member earns and spends, which coupons it used, which
// promotions the member had. Each call is idempotent by sale id, so the repair job may run it
// again for a sale whose worker died half-way; posted_at marks it finished.
import { and, eq, isNull, lt } from "drizzle-orm"
import type { Db } from "../../db/client"
import { type SaleRow, saleExceptions, sales } from "../../db/schema"
import type { Statement } from "../../lib/batch"
import { newId } from "../../lib/ids"
import { log } from "../../lib/log"
import {
  awardPoints,
  awardPointsStatements,
  promotionUsageInsert,
  recordPromotionUsage,
  recordSpend,
  redeemCoupons,
  spendInsert,
} from "./ports"
import { MANUAL_DISCOUNT_ID } from "./pricing"

const couponsOf = (s: Pick<SaleRow, "appliedPromotions">) =>
  s.appliedPromotions.flatMap((p) => (p.couponCode ? [p.couponCode] : []))
const promotionIdsOf = (s: Pick<SaleRow, "appliedPromotions">) =>
  s.appliedPromotions.map((p) => p.promotionId).filter((id) => id !== MANUAL_DISCOUNT_ID)

/**
 * The posting as statements for the sale's own write batch, so a sale is written and posted in one
 * D1 round trip: points earned, spend and promotion usage are idempotent inserts that are never
 * refused. Null when the sale presents coupons: a code another sale took meanwhile must not undo
 * this one, so those sales are posted after their write (postSale), as before.
 */
export function postStatements(db: Db, s: Omit<SaleRow, "number" | "postedAt" | "late">): Statement[] | null {
  if (couponsOf(s).length > 0) return null
  if (!s.memberId) return []
  const at = s.occurredAt
  const statements: Statement[] = [
    ...awardPointsStatements(db.$client, {
      memberId: s.memberId,
      points: s.pointsEarned,
      refType: "sale",
      refId: s.id,
      at,
    }),
    spendInsert(db, { memberId: s.memberId, saleId: s.id, amountFen: s.totalFen, at }),
  ]
  const usage = promotionUsageInsert(db, { memberId: s.memberId, saleId: s.id, promotionIds: promotionIdsOf(s) })
  if (usage) statements.push(usage)
  return statements
}

export async function postSale(db: Db, s: SaleRow) {
  const at = s.occurredAt
  if (s.memberId) {
    if (s.pointsEarned > 0)
      await awardPoints(db, { memberId: s.memberId, points: s.pointsEarned, refType: "sale", refId: s.id, at })
    await recordSpend(db, { memberId: s.memberId, saleId: s.id, amountFen: s.totalFen, at })
  }
  const codes = couponsOf(s)
  if (codes.length) {
    try {
      await redeemCoupons(db, { codes, saleId: s.id, memberId: s.memberId, at })
    } catch (e) {
      // A single-use code taken by another sale in the meantime: the customer had the discount,
      // the sale stands; HQ sees it.
      log.warn("coupon conflict", { saleId: s.id, error: String(e) })
      await db
        .insert(saleExceptions)
        .values({
          id: newId("sx"),
          kind: "coupon_conflict",
          refType: "sale",
          refId: s.id,
          locationId: s.locationId,
          expectedFen: 0,
          actualFen: 0,
          detail: { codes, error: String(e).slice(0, 300) },
          occurredAt: at,
        })
        .onConflictDoNothing()
    }
  }
  const promotionIds = promotionIdsOf(s)
  if (s.memberId && promotionIds.length)
    await recordPromotionUsage(db, { memberId: s.memberId, saleId: s.id, promotionIds })
  await db.update(sales).set({ postedAt: Date.now() }).where(eq(sales.id, s.id))
}

/** Sales written but not posted for `staleMs` (their worker died): posted now. */
export async function repairSales(db: Db, opts: { staleMs?: number; limit?: number; now?: number } = {}) {
  const now = opts.now ?? Date.now()
  const stuck = await db
    .select()
    .from(sales)
    .where(and(isNull(sales.postedAt), lt(sales.createdAt, now - (opts.staleMs ?? 60_000))))
    .orderBy(sales.createdAt)
    .limit(opts.limit ?? 50)
  let posted = 0
  for (const s of stuck) {
    try {
      await postSale(db, s)
      posted++
    } catch (e) {
      log.error("sale repair failed", { saleId: s.id, error: String(e) })
    }
  }
  return { found: stuck.length, posted }
}
