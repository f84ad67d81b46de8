// Members: registration with consent, lookup at the till, the member's own data on request
// (export) and its erasure, top-ups and manual points adjustments.
//
// A member belongs to the chain, not to a store: staff of any store find them at the till by
// phone or member code (members:read) and see a masked phone. The full phone is shown only on a
// member's detail, and only to roles that may edit members. The list is a management view, and
// a store manager's list holds the members whose home store is theirs.
import { and, asc, desc, eq, gt, like, lt, or, type SQL, sql } from "drizzle-orm"
import { formatCny } from "../../../core/money"
import { maskPhone } from "../../../core/phone"
import type { Db } from "../../db/client"
import {
  type Gender,
  memberPoints,
  memberSpend,
  memberStoredValue,
  members,
  memberTiers,
  memberTopUps,
} from "../../db/schema"
import { type Actor, assertLocation, locationFilter } from "../../lib/actor"
import { errorText } from "../../lib/db-errors"
import { newId } from "../../lib/ids"
import { decodeCursor, toPage } from "../../lib/pagination"
import { notFound, problem } from "../../lib/problem"
import { locationExists } from "../locations"
import { memberCoupons, memberPromotionUsage } from "../promotions"
import { move, movementStatements, POINTS, STORED_VALUE } from "./ledger"
import { tierAt } from "./tiers"

type Row = typeof members.$inferSelect

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

// ─── member codes ─────────────────────────────────────────────────────────────

/** The Luhn digit that makes `digits` + it pass the check (catches a mistyped digit at the till). */
function luhnDigit(digits: string): number {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i])
    if (i % 2 === 0) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return (10 - (sum % 10)) % 10
}

/** 8 digits, no leading zero, the last one a Luhn check digit. */
export const isMemberCode = (s: string): boolean => /^[1-9]\d{7}$/.test(s) && luhnDigit(s.slice(0, 7)) === Number(s[7])

function newMemberCode(): string {
  const r = crypto.getRandomValues(new Uint32Array(7))
  const body = Array.from(r, (n, i) => (i === 0 ? 1 + (n % 9) : n % 10)).join("")
  return body + luhnDigit(body)
}

// ─── shapes ───────────────────────────────────────────────────────────────────

export const birthdayMonth = (birthday: string | null): number | null =>
  birthday ? Number(birthday.slice(5, 7)) : null

function toDetail(r: Row, opts: { fullPhone: boolean }) {
  return {
    id: r.id,
    code: r.code,
    phone: r.phone === null ? null : opts.fullPhone ? r.phone : maskPhone(r.phone),
    phoneMasked: r.phone === null ? null : maskPhone(r.phone),
    name: r.name,
    birthday: r.birthday,
    gender: r.gender,
    tags: r.tags,
    homeLocationId: r.homeLocationId,
    tierId: r.tierId,
    status: r.status,
    pointsBalance: r.pointsBalance,
    storedValueFen: r.storedValueFen,
    consent: { version: r.consentVersion, at: iso(r.consentAt)!, by: r.consentBy },
    createdAt: iso(r.createdAt)!,
    updatedAt: iso(r.updatedAt)!,
    erasedAt: iso(r.erasedAt),
  }
}

const toListItem = (r: Row) => ({
  id: r.id,
  code: r.code,
  phoneMasked: r.phone === null ? null : maskPhone(r.phone),
  name: r.name,
  homeLocationId: r.homeLocationId,
  tierId: r.tierId,
  status: r.status,
  pointsBalance: r.pointsBalance,
  storedValueFen: r.storedValueFen,
  createdAt: iso(r.createdAt)!,
})

const seesFullPhone = (actor: Actor) => actor.permissions.has("members:write")

async function row(db: Db, id: string): Promise<Row> {
  const [r] = await db.select().from(members).where(eq(members.id, id))
  if (!r) throw notFound("member")
  return r
}

async function activeRow(db: Db, id: string): Promise<Row> {
  const r = await row(db, id)
  if (r.status !== "active") throw problem(409, "member_erased", "This member's personal data was erased.")
  return r
}

async function assertHomeStore(db: Db, actor: Actor, locationId: string) {
  assertLocation(actor, locationId, "store")
  if (!(await locationExists(db, locationId))) throw notFound("store")
}

const duplicatePhone = () =>
  problem(409, "duplicate_phone", "A member with this phone number already exists: look them up instead.", {
    errors: [{ path: "phone", message: "Already registered." }],
  })

const failedOn = (e: unknown, index: string): boolean => errorText(e).includes(`UNIQUE constraint failed: ${index}`)

// ─── register, read, edit ─────────────────────────────────────────────────────

export type RegisterInput = {
  phone: string
  name: string
  birthday?: string | null
  gender?: Gender | null
  tags: string[]
  homeLocationId: string
  consent?: { version: string; accepted: boolean }
}

export async function registerMember(db: Db, actor: Actor, input: RegisterInput) {
  // PIPL art. 13–14: no processing of a member's data without their consent to this text version.
  if (!input.consent?.accepted)
    throw problem(422, "consent_required", "The customer must accept the privacy notice before registering.", {
      errors: [{ path: "consent", message: "Record the customer's consent (version and accepted: true)." }],
    })
  await assertHomeStore(db, actor, input.homeLocationId)
  const now = Date.now()
  for (let attempt = 0; ; attempt++) {
    try {
      const [r] = await db
        .insert(members)
        .values({
          id: newId("mbr"),
          code: newMemberCode(),
          phone: input.phone,
          name: input.name,
          birthday: input.birthday ?? null,
          gender: input.gender ?? null,
          tags: input.tags,
          homeLocationId: input.homeLocationId,
          consentVersion: input.consent.version,
          consentAt: now,
          consentBy: actor.id,
        })
        .returning()
      return toDetail(r!, { fullPhone: seesFullPhone(actor) })
    } catch (e) {
      if (failedOn(e, "members.phone")) throw duplicatePhone()
      // A code already taken (1 in millions): draw another.
      if (failedOn(e, "members.code") && attempt < 5) continue
      throw e
    }
  }
}

export async function getMember(db: Db, actor: Actor, id: string) {
  return toDetail(await row(db, id), { fullPhone: seesFullPhone(actor) })
}

export async function lookupMember(db: Db, q: { phone?: string; code?: string }) {
  const [r] = await db
    .select({ m: members, tierName: memberTiers.name })
    .from(members)
    .leftJoin(memberTiers, eq(memberTiers.id, members.tierId))
    .where(and(q.phone ? eq(members.phone, q.phone) : eq(members.code, q.code!), eq(members.status, "active")))
  if (!r) throw notFound("member")
  const m = r.m
  return {
    id: m.id,
    code: m.code,
    name: m.name,
    phoneMasked: maskPhone(m.phone ?? ""),
    tierId: m.tierId,
    tierName: r.tierName,
    birthdayMonth: birthdayMonth(m.birthday),
    pointsBalance: m.pointsBalance,
    storedValueFen: m.storedValueFen,
  }
}

export type MemberQuery = {
  limit: number
  cursor?: string
  q?: string
  tierId?: string
  homeLocationId?: string
  status?: "active" | "erased"
}

export async function listMembers(db: Db, actor: Actor, q: MemberQuery) {
  const after = decodeCursor(q.cursor)
  const term = q.q?.trim()
  // Digits: the last digits of a phone (what a customer says) or the start of a member code.
  const search = term
    ? /^\d+$/.test(term)
      ? or(like(members.phone, `%${term}`), like(members.code, `${term}%`))
      : sql`instr(${members.name}, ${term}) > 0`
    : undefined
  const where: (SQL | undefined)[] = [
    locationFilter(actor, members.homeLocationId),
    q.homeLocationId ? eq(members.homeLocationId, q.homeLocationId) : undefined,
    q.tierId ? eq(members.tierId, q.tierId) : undefined,
    q.status ? eq(members.status, q.status) : undefined,
    search,
    after ? gt(members.id, String(after[0])) : undefined,
  ]
  const rows = await db
    .select()
    .from(members)
    .where(and(...where))
    .orderBy(asc(members.id))
    .limit(q.limit + 1)
  return toPage(rows, q.limit, (r) => [r.id], toListItem)
}

export type MemberPatch = Partial<Omit<RegisterInput, "consent">>

export async function updateMember(db: Db, actor: Actor, id: string, patch: MemberPatch) {
  await activeRow(db, id)
  if (patch.homeLocationId) await assertHomeStore(db, actor, patch.homeLocationId)
  if (Object.keys(patch).length === 0) return getMember(db, actor, id)
  try {
    const [r] = await db
      .update(members)
      .set(patch)
      .where(and(eq(members.id, id), eq(members.status, "active")))
      .returning()
    if (!r) throw problem(409, "member_erased", "This member's personal data was erased.")
    return toDetail(r, { fullPhone: seesFullPhone(actor) })
  } catch (e) {
    if (failedOn(e, "members.phone")) throw duplicatePhone()
    throw e
  }
}

// ─── PIPL: export and erasure ─────────────────────────────────────────────────

/** Everything stored about the member, for a data-subject request (PIPL art. 45). */
export async function exportMember(db: Db, actor: Actor, id: string) {
  const r = await row(db, id)
  const [points, storedValue, topUps, spend, coupons, usage] = await Promise.all([
    db.select().from(memberPoints).where(eq(memberPoints.memberId, id)).orderBy(asc(memberPoints.id)),
    db.select().from(memberStoredValue).where(eq(memberStoredValue.memberId, id)).orderBy(asc(memberStoredValue.id)),
    db.select().from(memberTopUps).where(eq(memberTopUps.memberId, id)).orderBy(asc(memberTopUps.id)),
    db.select().from(memberSpend).where(eq(memberSpend.memberId, id)).orderBy(asc(memberSpend.at)),
    memberCoupons(db, id),
    memberPromotionUsage(db, id),
  ])
  const entry = (e: {
    id: string
    delta: number
    kind: string
    refType: string
    refId: string
    balanceAfter: number
    note: string | null
    at: number
  }) => ({
    id: e.id,
    delta: e.delta,
    kind: e.kind,
    refType: e.refType,
    refId: e.refId,
    balanceAfter: e.balanceAfter,
    note: e.note,
    at: iso(e.at)!,
  })
  return {
    exportedAt: new Date().toISOString(),
    exportedBy: actor.id,
    member: toDetail(r, { fullPhone: true }),
    points: points.map(entry),
    storedValue: storedValue.map(entry),
    topUps: topUps.map((t) => ({
      id: t.id,
      locationId: t.locationId,
      amountFen: t.amountFen,
      bonusFen: t.bonusFen,
      payments: t.payments,
      at: iso(t.createdAt)!,
    })),
    spend: spend.map((s) => ({ saleId: s.saleId, amountFen: s.amountFen, at: iso(s.at)! })),
    coupons,
    promotionUsage: usage,
  }
}

/**
 * PIPL art. 47: personal fields are wiped, the row stays as "erased" so sales, ledgers and
 * coupons keep their member id (their numbers are untouched) but it leads to no person. Points
 * are forfeited through the ledger. Stored value is the member's money: while any is left the
 * erasure is refused (refund it first). The checks and the writes are one batch with the same
 * condition, so a top-up racing the erasure either lands first (and the erasure is refused) or
 * finds the member erased.
 */
export async function eraseMember(db: Db, actor: Actor, id: string, reason: string) {
  const before = await row(db, id)
  if (before.status === "erased") throw problem(409, "member_erased", "This member was already erased.")
  const d1 = db.$client
  const at = Date.now()
  const results = await d1.batch([
    d1
      .prepare(
        `insert into member_points (id, member_id, delta, kind, ref_type, ref_id, balance_after, note, created_by, at, created_at)
         select ?, id, -points_balance, 'expire', 'erasure', id, 0, 'forfeited on erasure', ?, ?, ?
         from members where id = ? and status = 'active' and stored_value_fen = 0 and points_balance <> 0
         on conflict (ref_type, ref_id, kind) do nothing`,
      )
      .bind(newId(POINTS.prefix), actor.id, at, at, id),
    d1
      .prepare(
        `update members set phone = null, name = null, birthday = null, gender = null, tags = '[]', tier_id = null,
           points_balance = 0, status = 'erased', erased_at = ?, erased_by = ?, erase_reason = ?, updated_at = ?
         where id = ? and status = 'active' and stored_value_fen = 0`,
      )
      .bind(at, actor.id, reason, at, id),
    d1.prepare("select status, stored_value_fen as storedValueFen from members where id = ?").bind(id),
  ])
  if ((results[1]?.meta.changes ?? 0) === 0) {
    const now = results[2]?.results[0] as { status: string; storedValueFen: number } | undefined
    if (now?.status === "erased") throw problem(409, "member_erased", "This member was already erased.")
    throw problem(
      409,
      "stored_value_remaining",
      `The member still has ${formatCny(now?.storedValueFen ?? 0)} of stored value: refund it before erasing their data.`,
      { storedValueFen: now?.storedValueFen ?? 0 },
    )
  }
  return getMember(db, actor, id)
}

// ─── stored value and points through the API ─────────────────────────────────

export type TopUpInput = {
  amountFen: number
  bonusFen?: number
  payments: { method: string; amountFen: number }[]
  locationId: string
}

/** A top-up and its bonus: the top-up record and both ledger rows in one batch. */
export async function topUp(db: Db, actor: Actor, memberId: string, input: TopUpInput) {
  assertLocation(actor, input.locationId, "store")
  if (!(await locationExists(db, input.locationId))) throw notFound("store")
  await activeRow(db, memberId)
  const paid = input.payments.reduce((s, p) => s + p.amountFen, 0)
  if (paid !== input.amountFen)
    throw problem(
      422,
      paid < input.amountFen ? "payment_short" : "payment_over",
      `The payments add up to ${paid} fen; the top-up is ${input.amountFen} fen.`,
      { errors: [{ path: "payments", message: "Must add up to amountFen." }] },
    )
  const d1 = db.$client
  const id = newId("mtu")
  const at = Date.now()
  const bonusFen = input.bonusFen ?? 0
  const ledger = (delta: number, kind: "top_up" | "bonus") =>
    movementStatements(
      d1,
      STORED_VALUE,
      { memberId, delta, kind, refType: "top_up", refId: id, at, floor: false, by: actor.id },
      newId(STORED_VALUE.prefix),
    )
  const results = await d1.batch([
    d1
      .prepare(
        `insert into member_top_ups (id, member_id, location_id, amount_fen, bonus_fen, payments, created_by, created_at)
         select ?, id, ?, ?, ?, ?, ?, ? from members where id = ? and status = 'active'`,
      )
      .bind(id, input.locationId, input.amountFen, bonusFen, JSON.stringify(input.payments), actor.id, at, memberId),
    ...ledger(input.amountFen, "top_up"),
    ...(bonusFen > 0 ? ledger(bonusFen, "bonus") : []),
    d1.prepare("select stored_value_fen as balance from members where id = ?").bind(memberId),
  ])
  if ((results[0]?.meta.changes ?? 0) === 0)
    throw problem(409, "member_erased", "This member's personal data was erased.")
  const balance = (results.at(-1)!.results[0] as { balance: number }).balance
  return {
    id,
    memberId,
    locationId: input.locationId,
    amountFen: input.amountFen,
    bonusFen,
    payments: input.payments,
    balanceFen: balance,
    createdAt: iso(at)!,
  }
}

/** A manager's correction, with its reason; never below zero. */
export async function adjustPoints(db: Db, actor: Actor, memberId: string, input: { delta: number; reason: string }) {
  await activeRow(db, memberId)
  const refId = newId("adj")
  const r = await move(db, POINTS, {
    memberId,
    delta: input.delta,
    kind: "adjust",
    refType: "manual",
    refId,
    at: Date.now(),
    floor: input.delta < 0,
    note: input.reason,
    by: actor.id,
  })
  if (r.outcome === "refused")
    throw problem(422, "insufficient_points", `The member has ${r.balance} points; they can't go below zero.`, {
      balance: r.balance,
    })
  if (r.outcome === "erased") throw problem(409, "member_erased", "This member's personal data was erased.")
  return { id: r.entryId, memberId, delta: input.delta, reason: input.reason, balance: r.balance }
}

type LedgerTable = typeof memberPoints | typeof memberStoredValue

async function ledgerPage(db: Db, table: LedgerTable, memberId: string, q: { limit: number; cursor?: string }) {
  await row(db, memberId)
  const after = decodeCursor(q.cursor)
  const rows = await db
    .select()
    .from(table)
    .where(and(eq(table.memberId, memberId), after ? lt(table.id, String(after[0])) : undefined))
    .orderBy(desc(table.id))
    .limit(q.limit + 1)
  return toPage(
    rows,
    q.limit,
    (r) => [r.id],
    (r) => ({
      id: r.id,
      delta: r.delta,
      kind: r.kind,
      refType: r.refType,
      refId: r.refId,
      balanceAfter: r.balanceAfter,
      note: r.note,
      at: iso(r.at)!,
    }),
  )
}

/** Newest first. */
export const pointsLedger = (db: Db, memberId: string, q: { limit: number; cursor?: string }) =>
  ledgerPage(db, memberPoints, memberId, q)
export const storedValueLedger = (db: Db, memberId: string, q: { limit: number; cursor?: string }) =>
  ledgerPage(db, memberStoredValue, memberId, q)

// ─── for the sales module ─────────────────────────────────────────────────────

/** `asOf`: an offline sale's time, so its tier discounts are the ones the member had then. */
export async function getMemberForSale(db: Db, memberId: string, asOf?: number) {
  const [r] = await memberRow(db, memberId)
  if (!r) return null
  return memberForSale(r, asOf === undefined ? r.tierId : await tierAt(db, r.id, r.tierId, asOf))
}

/** getMemberForSale's read, for a caller's own batch (the till's sale): decode with memberForSale. */
export const memberRow = (db: Db, memberId: string) => db.select().from(members).where(eq(members.id, memberId))

export const memberForSale = (r: typeof members.$inferSelect, tierId = r.tierId) => ({
  id: r.id,
  tierId,
  birthdayMonth: birthdayMonth(r.birthday),
  phoneMasked: r.phone === null ? "" : maskPhone(r.phone),
  pointsBalance: r.pointsBalance,
  storedValueFen: r.storedValueFen,
  status: r.status,
})

/** What a sale (or, negative, a return) counts toward tiers; once per saleId. */
export async function recordSpend(db: Db, p: { memberId: string; saleId: string; amountFen: number; at: number }) {
  await spendInsert(db, p)
}

/** recordSpend's statement, for a caller's own batch (a sale's write). */
export function spendInsert(db: Db, p: { memberId: string; saleId: string; amountFen: number; at: number }) {
  if (!Number.isSafeInteger(p.amountFen)) throw new RangeError(`amountFen must be a whole number: ${p.amountFen}`)
  return db
    .insert(memberSpend)
    .values({ saleId: p.saleId, memberId: p.memberId, amountFen: p.amountFen, at: p.at })
    .onConflictDoNothing()
}

/** Which of these ids are active members (for assigning coupons). */
export async function activeMemberIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await db
    .select({ id: members.id })
    .from(members)
    .where(
      and(sql`${members.id} in (select value from json_each(${JSON.stringify(ids)}))`, eq(members.status, "active")),
    )
  return new Set(rows.map((r) => r.id))
}
