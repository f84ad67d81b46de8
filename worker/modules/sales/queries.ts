// Reading sales back: one sale with its lines and tenders, and lists scoped to what the caller may
// see (another store's sale answers 404). The same view answers POST /sales and GET /sales/{id}.
import { and, desc, eq, gte, lt, or, type SQL } from "drizzle-orm"
import type { Db } from "../../db/client"
import {
  type SaleLineRow,
  type SalePaymentRow,
  type SaleRow,
  saleExceptions,
  saleLines,
  salePayments,
  sales,
} from "../../db/schema"
import { type Actor, assertLocation, locationFilter, may } from "../../lib/actor"
import { decodeCursor, toPage } from "../../lib/pagination"
import { notFound } from "../../lib/problem"

export type LoadedSale = { sale: SaleRow; lines: SaleLineRow[]; payments: SalePaymentRow[] }

const iso = (ms: number) => new Date(ms).toISOString()

export const lineView = (l: SaleLineRow) => ({
  lineId: l.id,
  lineNo: l.lineNo,
  skuId: l.skuId,
  name: l.name,
  unit: l.unit,
  qty: l.qty,
  unitPriceFen: l.unitPriceFen,
  originalFen: l.originalFen,
  discounts: l.discounts,
  discountFen: l.discountFen,
  roundingFen: l.roundingFen,
  totalFen: l.totalFen,
  costFen: l.costFen,
  pointsEarned: l.pointsEarned,
  returnedQty: l.returnedQty,
})

export const paymentView = (p: SalePaymentRow) => ({
  id: p.id,
  method: p.method,
  amountFen: p.amountFen,
  points: p.points,
  provider: p.provider,
  withAuthCode: p.withAuthCode,
  refundedFen: p.refundedFen,
})

export const summaryView = (s: SaleRow) => ({
  id: s.id,
  number: s.number,
  locationId: s.locationId,
  source: s.source,
  cashierId: s.cashierId,
  shiftId: s.shiftId,
  deviceId: s.deviceId,
  memberId: s.memberId,
  memberPhoneMasked: s.memberPhoneMasked,
  subtotalFen: s.subtotalFen,
  discountFen: s.discountFen,
  roundingFen: s.roundingFen,
  totalFen: s.totalFen,
  tenderedFen: s.tenderedFen,
  changeFen: s.changeFen,
  pointsEarned: s.pointsEarned,
  occurredAt: iso(s.occurredAt),
  businessDay: s.businessDay,
  late: s.late,
  createdAt: iso(s.createdAt),
})

export const saleView = ({ sale, lines, payments }: LoadedSale) => ({
  ...summaryView(sale),
  costFen: sale.costFen,
  appliedPromotions: sale.appliedPromotions,
  couponCodes: sale.couponCodes,
  lines: lines.map(lineView),
  payments: payments.map(paymentView),
})

export type SaleView = ReturnType<typeof saleView>

export async function loadSale(db: Db, where: { id: string } | { number: string }): Promise<LoadedSale | null> {
  const [sale] = await db
    .select()
    .from(sales)
    .where("id" in where ? eq(sales.id, where.id) : eq(sales.number, where.number))
  if (!sale) return null
  const [lines, payments] = await db.batch([
    db.select().from(saleLines).where(eq(saleLines.saleId, sale.id)).orderBy(saleLines.lineNo),
    db.select().from(salePayments).where(eq(salePayments.saleId, sale.id)).orderBy(salePayments.id),
  ])
  return { sale, lines, payments }
}

export async function loadVisibleSale(db: Db, actor: Actor, where: { id: string } | { number: string }) {
  const loaded = await loadSale(db, where)
  if (!loaded || !may(actor, loaded.sale.locationId)) throw notFound("sale")
  return loaded
}

export const getSale = async (db: Db, actor: Actor, id: string) => saleView(await loadVisibleSale(db, actor, { id }))

export type SaleListQuery = {
  limit: number
  cursor?: string
  locationId?: string
  shiftId?: string
  memberId?: string
  from?: string
  to?: string
}

/** Newest first by the time the sale happened; `from` inclusive, `to` exclusive. */
export async function listSales(db: Db, actor: Actor, q: SaleListQuery) {
  if (q.locationId) assertLocation(actor, q.locationId)
  const after = decodeCursor(q.cursor)
  const where = [
    locationFilter(actor, sales.locationId),
    q.locationId ? eq(sales.locationId, q.locationId) : undefined,
    q.shiftId ? eq(sales.shiftId, q.shiftId) : undefined,
    q.memberId ? eq(sales.memberId, q.memberId) : undefined,
    q.from ? gte(sales.occurredAt, Date.parse(q.from)) : undefined,
    q.to ? lt(sales.occurredAt, Date.parse(q.to)) : undefined,
    after
      ? or(
          lt(sales.occurredAt, Number(after[0])),
          and(eq(sales.occurredAt, Number(after[0])), lt(sales.id, String(after[1]))),
        )
      : undefined,
  ].filter((w): w is SQL => w !== undefined)
  const rows = await db
    .select()
    .from(sales)
    .where(and(...where))
    .orderBy(desc(sales.occurredAt), desc(sales.id))
    .limit(q.limit + 1)
  return toPage(rows, q.limit, (r) => [r.occurredAt, r.id], summaryView)
}

/** HQ's list of what offline tills did that the server would have priced or refunded differently. */
export async function listExceptions(db: Db, actor: Actor, q: { limit: number; cursor?: string; locationId?: string }) {
  if (q.locationId) assertLocation(actor, q.locationId)
  const after = decodeCursor(q.cursor)
  const where = [
    locationFilter(actor, saleExceptions.locationId),
    q.locationId ? eq(saleExceptions.locationId, q.locationId) : undefined,
    after ? lt(saleExceptions.id, String(after[0])) : undefined,
  ].filter((w): w is SQL => w !== undefined)
  const rows = await db
    .select()
    .from(saleExceptions)
    .where(and(...where))
    .orderBy(desc(saleExceptions.id))
    .limit(q.limit + 1)
  return toPage(
    rows,
    q.limit,
    (r) => [r.id],
    (r) => ({
      id: r.id,
      kind: r.kind,
      refType: r.refType,
      refId: r.refId,
      locationId: r.locationId,
      expectedFen: r.expectedFen,
      actualFen: r.actualFen,
      differenceFen: r.actualFen - r.expectedFen,
      detail: r.detail,
      occurredAt: iso(r.occurredAt),
      createdAt: iso(r.createdAt),
    }),
  )
}
