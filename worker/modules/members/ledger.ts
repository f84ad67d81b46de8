// The two member ledgers, points and stored value (储值), and the only code that moves them.
//
// Every movement is one D1 batch of plain SQL, so the statements are visible here:
//   1. INSERT the ledger row … SELECT FROM members WHERE the member is active [AND the balance
//      covers it] ON CONFLICT (ref_type, ref_id, kind) DO NOTHING
//   2. UPDATE the member's cached balance WHERE the row from 1 (by its fresh id) exists
//   3. SELECT the ledger row for (ref_type, ref_id, kind) and the member's balance, to answer.
// Why this is as strong as a Durable Object per account: D1 runs a batch as one transaction on a
// single-threaded database, statement after statement, with nothing from another request in
// between. The balance check (1) and the write (2) therefore see the same balance, and 2 happens
// if and only if 1 did; two spends racing for the last yuan are serialised by D1 itself, and the
// loser's INSERT finds the balance short and writes nothing. The unique (ref, kind) makes every
// movement idempotent: a retried sale finds its row and changes nothing. The CHECK on
// members.stored_value_fen (>= 0) would abort the whole batch if the logic above were ever wrong.
// A Durable Object would add a network hop per payment and a second store to reconcile, for no
// extra guarantee; the cost is that all balances of the chain share one D1 writer (fine: a
// movement is a handful of indexed statements).
import type { Db } from "../../db/client"
import type { PointsKind, StoredValueKind } from "../../db/schema"
import { newId } from "../../lib/ids"
import { notFound, problem } from "../../lib/problem"

type LedgerSpec = {
  table: "member_points" | "member_stored_value"
  balance: "points_balance" | "stored_value_fen"
  prefix: string
  what: string
}
export const POINTS: LedgerSpec = { table: "member_points", balance: "points_balance", prefix: "mpt", what: "points" }
export const STORED_VALUE: LedgerSpec = {
  table: "member_stored_value",
  balance: "stored_value_fen",
  prefix: "msv",
  what: "stored value",
}

export type Movement = {
  memberId: string
  delta: number
  kind: PointsKind | StoredValueKind
  refType: string
  refId: string
  at: number
  /** Refuse the movement unless the balance stays at or above zero. */
  floor: boolean
  note?: string | null
  by?: string | null
}

export type Moved =
  | { outcome: "applied" | "replayed"; balance: number; entryId: string }
  | { outcome: "refused"; balance: number }
  | { outcome: "erased" }

/** Statements 1 and 2 above; `id` is the new ledger row's id. */
export function movementStatements(d1: D1Database, l: LedgerSpec, m: Movement, id: string): D1PreparedStatement[] {
  const floor = m.floor ? ` and ${l.balance} + ? >= 0` : ""
  const insert = d1
    .prepare(
      `insert into ${l.table} (id, member_id, delta, kind, ref_type, ref_id, balance_after, note, created_by, at, created_at)
       select ?, id, ?, ?, ?, ?, ${l.balance} + ?, ?, ?, ?, ?
       from members where id = ? and status = 'active'${floor}
       on conflict (ref_type, ref_id, kind) do nothing`,
    )
    .bind(
      id,
      m.delta,
      m.kind,
      m.refType,
      m.refId,
      m.delta,
      m.note ?? null,
      m.by ?? null,
      m.at,
      Date.now(),
      m.memberId,
      ...(m.floor ? [m.delta] : []),
    )
  const update = d1
    .prepare(
      // updated_at too: tills refresh their cached balances by it (members/till-cache.ts).
      `update members set ${l.balance} = ${l.balance} + ?, updated_at = ?
       where id = ? and exists (select 1 from ${l.table} where id = ?)`,
    )
    .bind(m.delta, Date.now(), m.memberId, id)
  return [insert, update]
}

type EntryRow = { id: string; memberId: string; delta: number }
type BalanceRow = { status: "active" | "erased"; balance: number }

export async function move(db: Db, l: LedgerSpec, m: Movement): Promise<Moved> {
  if (!Number.isSafeInteger(m.delta) || m.delta === 0) throw new RangeError(`${l.what}: not a movement: ${m.delta}`)
  const d1 = db.$client
  const id = newId(l.prefix)
  const results = await d1.batch([
    ...movementStatements(d1, l, m, id),
    d1
      .prepare(`select id, member_id as memberId, delta from ${l.table} where ref_type = ? and ref_id = ? and kind = ?`)
      .bind(m.refType, m.refId, m.kind),
    d1.prepare(`select status, ${l.balance} as balance from members where id = ?`).bind(m.memberId),
  ])
  const entry = results[2]?.results[0] as EntryRow | undefined
  const member = results[3]?.results[0] as BalanceRow | undefined
  if (!member) throw notFound("member")
  if (entry) {
    if (entry.memberId !== m.memberId || entry.delta !== m.delta)
      throw problem(
        409,
        "ref_reused",
        `${m.refType} ${m.refId} already has a ${l.what} ${m.kind} of ${entry.delta} for member ${entry.memberId}.`,
      )
    return { outcome: entry.id === id ? "applied" : "replayed", balance: member.balance, entryId: entry.id }
  }
  if (member.status !== "active") return { outcome: "erased" }
  return { outcome: "refused", balance: member.balance }
}

const whole = (n: number, what: string, min: number) => {
  if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`${what} must be a whole number ≥ ${min}: ${n}`)
}

export type PointsMove = { memberId: string; points: number; refType: string; refId: string; at: number }
export type StoredValueMove = { memberId: string; amountFen: number; refType: string; refId: string; at: number }

/** Points a sale earned. Idempotent by (refType, refId, "earn"); nothing for 0 points or an erased member. */
export async function awardPoints(db: Db, p: PointsMove): Promise<void> {
  whole(p.points, "points", 0)
  if (p.points === 0) return
  await move(db, POINTS, { ...p, delta: p.points, kind: "earn", floor: false })
}

/**
 * The same earning as statements 1 and 2, for the caller's own batch (a sale's write): no answer is
 * read back, which is fine for an earning (never refused; a replay inserts nothing and moves nothing).
 */
export function awardPointsStatements(d1: D1Database, p: PointsMove): D1PreparedStatement[] {
  whole(p.points, "points", 0)
  if (p.points === 0) return []
  return movementStatements(d1, POINTS, { ...p, delta: p.points, kind: "earn", floor: false }, newId(POINTS.prefix))
}

/** Points used as a tender; refused (not thrown) when the balance is short. Idempotent by (refType, refId, "redeem"). */
export async function spendPoints(
  db: Db,
  p: PointsMove,
): Promise<{ ok: true; balance: number } | { ok: false; code: "insufficient_points"; balance: number }> {
  whole(p.points, "points", 1)
  const r = await move(db, POINTS, { ...p, delta: -p.points, kind: "redeem", floor: true })
  if (r.outcome === "applied" || r.outcome === "replayed") return { ok: true, balance: r.balance }
  return { ok: false, code: "insufficient_points", balance: r.outcome === "refused" ? r.balance : 0 }
}

/**
 * Takes back `points` (a return reversing what its lines earned); a negative number gives points
 * back instead (a refunded points tender). May leave the balance below zero: the member spent
 * points that are now taken back, and later earnings pay it off (spending needs a positive
 * balance). One call per (refType, refId): net the two directions, or use two refTypes.
 */
export async function reversePoints(db: Db, p: PointsMove): Promise<void> {
  if (!Number.isSafeInteger(p.points)) throw new RangeError(`points must be a whole number: ${p.points}`)
  if (p.points === 0) return
  await move(db, POINTS, { ...p, delta: -p.points, kind: "reverse", floor: false })
}

/** Pays with stored value, atomically: never below zero. Idempotent by (refType, refId, "pay"). */
export async function chargeStoredValue(
  db: Db,
  p: StoredValueMove,
): Promise<{ ok: true; balanceFen: number } | { ok: false; code: "insufficient_stored_value"; balanceFen: number }> {
  whole(p.amountFen, "amountFen", 1)
  const r = await move(db, STORED_VALUE, { ...p, delta: -p.amountFen, kind: "pay", floor: true })
  if (r.outcome === "applied" || r.outcome === "replayed") return { ok: true, balanceFen: r.balance }
  return { ok: false, code: "insufficient_stored_value", balanceFen: r.outcome === "refused" ? r.balance : 0 }
}

/**
 * Puts a stored-value payment back (a return or a voided sale). Idempotent by (refType, refId,
 * "refund"). An erased member has no account to refund to: 409 member_erased, so the caller
 * refunds to another tender instead of the money vanishing.
 */
export async function refundStoredValue(db: Db, p: StoredValueMove): Promise<void> {
  whole(p.amountFen, "amountFen", 1)
  const r = await move(db, STORED_VALUE, { ...p, delta: p.amountFen, kind: "refund", floor: false })
  if (r.outcome === "erased")
    throw problem(409, "member_erased", "This member's data was erased: refund to another tender.")
}

/**
 * The movement a document made, if any: how the till's repair job learns what a request that died
 * half-way had already taken (a stored-value payment, points redeemed) before it gives it back.
 */
export async function findMovement(
  db: Db,
  ledger: "points" | "stored_value",
  ref: { refType: string; refId: string; kind: PointsKind | StoredValueKind },
): Promise<{ memberId: string; delta: number } | null> {
  const l = ledger === "points" ? POINTS : STORED_VALUE
  const row = await db.$client
    .prepare(`select member_id as memberId, delta from ${l.table} where ref_type = ? and ref_id = ? and kind = ?`)
    .bind(ref.refType, ref.refId, ref.kind)
    .first<{ memberId: string; delta: number }>()
  return row ?? null
}
