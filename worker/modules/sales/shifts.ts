// 交班: a shift opens with a float, takes pay-ins and pay-outs with reasons, and closes with the
// cash counted by denomination. Expected cash = float + cash taken by its sales (net of change)
// − cash refunded by its returns + pay-ins − pay-outs; the difference is counted − expected.
import { and, eq, sql } from "drizzle-orm"
import type { Db } from "../../db/client"
import {
  type CashMoveKind,
  locations,
  returnRefunds,
  returns,
  type ShiftRow,
  salePayments,
  sales,
  shiftCashMoves,
  shifts,
} from "../../db/schema"
import { type Actor, assertLocation, may } from "../../lib/actor"
import { newId } from "../../lib/ids"
import { notFound, problem } from "../../lib/problem"

/** Face values in fen a drawer holds: ¥100 … ¥0.01. */
export const DENOMINATIONS = [10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 2, 1] as const

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

export async function assertStore(db: Db, locationId: string) {
  assertStoreRow(await storeRow(db, locationId))
}

/** assertStore's read (with the store's time zone), for a caller's own batch; check it with assertStoreRow. */
export const storeRow = (db: Db, locationId: string) =>
  db
    .select({ kind: locations.kind, archivedAt: locations.archivedAt, timeZone: locations.timeZone })
    .from(locations)
    .where(eq(locations.id, locationId))

export function assertStoreRow([loc]: { kind: string; archivedAt: number | null }[]) {
  if (!loc || loc.archivedAt) throw notFound("location")
  if (loc.kind !== "store") throw problem(422, "not_a_store", "Sales happen at stores, not at warehouses or dealers.")
}

export async function assertShiftOpen(db: Db, shiftId: string, locationId: string) {
  assertShiftRow(await shiftRow(db, shiftId), locationId)
}

export const shiftRow = (db: Db, shiftId: string) => db.select().from(shifts).where(eq(shifts.id, shiftId))

export function assertShiftRow([s]: ShiftRow[], locationId: string) {
  if (!s || s.locationId !== locationId)
    throw problem(422, "unknown_shift", "No such shift at this store.", {
      errors: [{ path: "shiftId", message: "No such shift." }],
    })
  if (s.status !== "open") throw problem(409, "shift_closed", "This shift is closed: open a new one.")
}

async function visibleShift(db: Db, actor: Actor, id: string): Promise<ShiftRow> {
  const [s] = await db.select().from(shifts).where(eq(shifts.id, id))
  if (!s || !may(actor, s.locationId)) throw notFound("shift")
  return s
}

export async function openShift(
  db: Db,
  actor: Actor,
  input: { locationId: string; deviceId?: string | null; floatFen: number },
) {
  assertLocation(actor, input.locationId)
  await assertStore(db, input.locationId)
  if (input.deviceId) {
    const [open] = await db
      .select({ id: shifts.id })
      .from(shifts)
      .where(and(eq(shifts.deviceId, input.deviceId), eq(shifts.status, "open")))
    if (open)
      throw problem(409, "shift_open", "This till already has an open shift: close it first.", { shiftId: open.id })
  }
  const now = Date.now()
  const [row] = await db
    .insert(shifts)
    .values({
      id: newId("sh"),
      locationId: input.locationId,
      deviceId: input.deviceId ?? null,
      cashierId: actor.id,
      status: "open",
      floatFen: input.floatFen,
      openedAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
  return shiftView(row!)
}

export async function addCashMove(
  db: Db,
  actor: Actor,
  shiftId: string,
  input: { kind: CashMoveKind; amountFen: number; reason: string },
) {
  const s = await visibleShift(db, actor, shiftId)
  if (s.status !== "open") throw problem(409, "shift_closed", "This shift is closed.")
  const row = { id: newId("cm"), shiftId, ...input, actorId: actor.id, at: Date.now() }
  await db.insert(shiftCashMoves).values(row)
  return { ...row, at: iso(row.at)! }
}

/** The cash a drawer should hold now, and what makes it up. */
export async function cashSummary(db: Db, shift: ShiftRow) {
  const [[taken], [refunded], moves] = await db.batch([
    db
      .select({
        cashFen: sql<number>`coalesce(sum(case when ${salePayments.method} = 'cash' then ${salePayments.amountFen} end), 0)`,
        count: sql<number>`count(distinct ${sales.id})`,
        changeFen: sql<number>`coalesce((select sum(change_fen) from sales where shift_id = ${shift.id}), 0)`,
      })
      .from(sales)
      .leftJoin(salePayments, eq(salePayments.saleId, sales.id))
      .where(eq(sales.shiftId, shift.id)),
    db
      .select({ cashFen: sql<number>`coalesce(sum(${returnRefunds.amountFen}), 0)` })
      .from(returns)
      .innerJoin(returnRefunds, eq(returnRefunds.returnId, returns.id))
      .where(and(eq(returns.shiftId, shift.id), eq(returnRefunds.method, "cash"))),
    db
      .select({ kind: shiftCashMoves.kind, fen: sql<number>`sum(${shiftCashMoves.amountFen})` })
      .from(shiftCashMoves)
      .where(eq(shiftCashMoves.shiftId, shift.id))
      .groupBy(shiftCashMoves.kind),
  ])
  const payInFen = moves.find((m) => m.kind === "pay_in")?.fen ?? 0
  const payOutFen = moves.find((m) => m.kind === "pay_out")?.fen ?? 0
  const cashSalesFen = taken?.cashFen ?? 0
  const changeFen = taken?.changeFen ?? 0
  const cashRefundsFen = refunded?.cashFen ?? 0
  return {
    salesCount: taken?.count ?? 0,
    cashSalesFen,
    changeFen,
    cashRefundsFen,
    payInFen,
    payOutFen,
    expectedFen: shift.floatFen + cashSalesFen - changeFen - cashRefundsFen + payInFen - payOutFen,
  }
}

export async function closeShift(
  db: Db,
  actor: Actor,
  shiftId: string,
  input: { denominations: Partial<Record<string, number>>; note?: string },
) {
  const s = await visibleShift(db, actor, shiftId)
  if (s.status !== "open") throw problem(409, "shift_closed", "This shift is already closed.")
  const counted = Object.fromEntries(
    Object.entries(input.denominations).flatMap(([face, n]) => (n ? [[face, n] as const] : [])),
  )
  const countedFen = Object.entries(counted).reduce((sum, [face, n]) => sum + Number(face) * n, 0)
  const summary = await cashSummary(db, s)
  const now = Date.now()
  const closed = await db
    .update(shifts)
    .set({
      status: "closed",
      closedAt: now,
      closedBy: actor.id,
      expectedFen: summary.expectedFen,
      countedFen,
      differenceFen: countedFen - summary.expectedFen,
      denominations: counted,
      note: input.note ?? null,
      updatedAt: now,
    })
    .where(and(eq(shifts.id, shiftId), eq(shifts.status, "open")))
    .returning()
  if (!closed[0]) throw problem(409, "shift_closed", "This shift was closed meanwhile.")
  return { ...shiftView(closed[0]), ...summary }
}

export async function getShift(db: Db, actor: Actor, id: string) {
  const s = await visibleShift(db, actor, id)
  return { ...shiftView(s), ...(await cashSummary(db, s)) }
}

export const shiftView = (s: ShiftRow) => ({
  id: s.id,
  locationId: s.locationId,
  deviceId: s.deviceId,
  cashierId: s.cashierId,
  status: s.status,
  floatFen: s.floatFen,
  openedAt: iso(s.openedAt)!,
  closedAt: iso(s.closedAt),
  closedBy: s.closedBy,
  countedFen: s.countedFen,
  differenceFen: s.differenceFen,
  denominations: s.denominations,
  note: s.note,
})
