// Saving promotions (validated by core, conflicts refused at save time, never discovered at the
// till), the till's list of what to price with, and coupons.
import { and, asc, eq, gt, gte, isNull, lte, or, type SQL, sql } from "drizzle-orm"
import type { SQLiteColumn } from "drizzle-orm/sqlite-core"
import {
  type Coupon,
  inWindow,
  localTime,
  type Promotion,
  type PromotionConflict,
  promotionSchema,
  validatePromotionSet,
} from "../../../core/promotions"
import type { Db } from "../../db/client"
import {
  coupons,
  locations,
  type PromotionStatus,
  promotionRevisions,
  promotionSet,
  promotions,
  promotionUsage,
} from "../../db/schema"
import type { Actor } from "../../lib/actor"
import { errorText } from "../../lib/db-errors"
import { newId } from "../../lib/ids"
import { decodeCursor, toPage } from "../../lib/pagination"
import { notFound, problem } from "../../lib/problem"

type Row = typeof promotions.$inferSelect

const DEFAULT_TIME_ZONE = "Asia/Shanghai"
const iso = (ms: number) => new Date(ms).toISOString()

export const toPromotion = (r: Row) => ({
  ...r.definition,
  status: r.status,
  couponOnly: r.couponOnly,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
})

// One bound parameter however many values (D1 allows 100 per statement).
const inJson = (column: SQLiteColumn, values: readonly string[]): SQL =>
  sql`${column} in (select value from json_each(${JSON.stringify(values)}))`

// ─── saving ───────────────────────────────────────────────────────────────────

/** The fields a client sends: a core Promotion without its id (the server names it). */
export type PromotionFields = Omit<Promotion, "id">

const SET_ID = "chain"
const MAX_SAVE_ATTEMPTS = 5

const stale = (e: unknown): boolean => errorText(e).includes("NOT NULL constraint failed: promotion_set.revision")

type Saving = { definition: Promotion; status: PromotionStatus; write: (check: ReturnType<typeof bump>) => Batch }
type Batch = Parameters<Db["batch"]>[0]

/**
 * Saves one promotion after checking it with every other active one. Two saves that were each
 * checked without the other must not both land: each batch first moves the set's revision from
 * the one it read to the next (writing null, which NOT NULL refuses, if another save moved it
 * in between), so the loser's batch rolls back whole and is read and checked again.
 */
async function save(db: Db, targetId: string | null, build: (current: Row | undefined) => Saving) {
  for (let attempt = 1; ; attempt++) {
    await db.insert(promotionSet).values({ id: SET_ID, revision: 0 }).onConflictDoNothing()
    // One batch, so the revision, the active set and the row being changed are one snapshot.
    const [set, active, target] = await db.batch([
      db.select().from(promotionSet).where(eq(promotionSet.id, SET_ID)),
      db.select().from(promotions).where(eq(promotions.status, "active")),
      db
        .select()
        .from(promotions)
        .where(eq(promotions.id, targetId ?? "")),
    ])
    const { definition, status, write } = build(target[0])
    if (status === "active") {
      const others = active.filter((r) => r.id !== definition.id).map((r) => r.definition)
      const conflicts = validatePromotionSet([...others, definition]).filter((c) =>
        c.promotionIds.includes(definition.id),
      )
      if (conflicts.length > 0) throw conflictProblem(conflicts, active)
    }
    try {
      await db.batch(write(bump(db, set[0]!.revision)))
      return
    } catch (e) {
      if (!stale(e)) throw e
      if (attempt >= MAX_SAVE_ATTEMPTS)
        throw problem(409, "promotions_busy", "Promotions are being changed by someone else right now: try again.")
    }
  }
}

const bump = (db: Db, revision: number) =>
  db
    .update(promotionSet)
    .set({
      revision: sql`case when ${promotionSet.revision} = ${revision} then ${promotionSet.revision} + 1 else null end`,
    })
    .where(eq(promotionSet.id, SET_ID))

function conflictProblem(conflicts: PromotionConflict[], active: Row[]) {
  const names = new Map(active.map((r) => [r.id, r.name]))
  return problem(
    422,
    "promotion_conflict",
    `It conflicts with ${conflicts.length === 1 ? "an active promotion" : `${conflicts.length} active promotions`}: ${conflicts.map((c) => c.message).join(" ")}`,
    {
      conflicts: conflicts.map((c) => ({
        ...c,
        promotions: c.promotionIds.map((id) => ({ id, name: names.get(id) ?? null })),
      })),
    },
  )
}

/** core's schema is the judge of a definition; its issues come back as a 400 with their paths. */
function parseDefinition(raw: unknown): Promotion {
  const parsed = promotionSchema.safeParse(raw)
  if (parsed.success) return parsed.data
  throw problem(400, "validation_failed", "The promotion is not valid.", {
    errors: parsed.error.issues.map((i) => ({
      path: i.path.map(String).join(".") || "(root)",
      message: i.message,
      code: i.code,
    })),
  })
}

/**
 * The promotion's row as just written becomes its next revision, in force from `at`; the one before it
 * ends at that same instant. For the save's own batch, after the row's write.
 */
const revisionStatements = (db: Db, id: string, at: number) =>
  [
    db
      .update(promotionRevisions)
      .set({ effectiveUntil: at })
      .where(and(eq(promotionRevisions.promotionId, id), isNull(promotionRevisions.effectiveUntil))),
    db.insert(promotionRevisions).select(
      db
        .select({
          promotionId: promotions.id,
          revision:
            sql<number>`coalesce((select max(r.revision) from promotion_revisions r where r.promotion_id = ${id}), 0) + 1`.as(
              "revision",
            ),
          status: promotions.status,
          couponOnly: promotions.couponOnly,
          definition: promotions.definition,
          storeIds: promotions.storeIds,
          channels: promotions.channels,
          effectiveFrom: sql<number>`${at}`.as("effective_from"),
          effectiveUntil: sql<number | null>`null`.as("effective_until"),
          changedBy: promotions.updatedBy,
        })
        .from(promotions)
        .where(eq(promotions.id, id)),
    ),
  ] as const

const scopeColumns = (d: Promotion) => ({
  name: d.name,
  storeIds: d.storeIds ?? null,
  channels: d.channels ?? null,
  endDate: d.window?.endDate ?? null,
})

export async function createPromotion(
  db: Db,
  actor: Actor,
  input: PromotionFields & { couponOnly?: boolean; status?: "active" | "paused" },
) {
  const { couponOnly = false, status = "active", ...fields } = input
  const id = newId("prm")
  const definition = parseDefinition({ ...fields, id })
  await save(db, null, () => {
    const now = Date.now()
    return {
      definition,
      status,
      write: (check) => [
        check,
        db.insert(promotions).values({
          id,
          status,
          couponOnly,
          definition,
          ...scopeColumns(definition),
          createdBy: actor.id,
          updatedBy: actor.id,
          createdAt: now,
          updatedAt: now,
        }),
        ...revisionStatements(db, id, now),
      ],
    }
  })
  return getPromotion(db, id)
}

export type PromotionPatch = { [K in keyof PromotionFields]?: PromotionFields[K] | null } & {
  status?: PromotionStatus
}

/** Fields sent as null are removed; an ended promotion stays ended (create a new one). */
export async function updatePromotion(db: Db, actor: Actor, id: string, patch: PromotionPatch) {
  await save(db, id, (current) => {
    if (!current) throw notFound("promotion")
    if (current.status === "ended")
      throw problem(409, "promotion_ended", "An ended promotion can't be changed: create a new one.")
    const { status = current.status, ...fields } = patch
    const merged: Record<string, unknown> = { ...current.definition }
    for (const [k, v] of Object.entries(fields)) {
      if (v === null) delete merged[k]
      else if (v !== undefined) merged[k] = v
    }
    const definition = parseDefinition({ ...merged, id })
    const now = Date.now()
    return {
      definition,
      status,
      write: (check) => [
        check,
        db
          .update(promotions)
          .set({ status, definition, ...scopeColumns(definition), updatedBy: actor.id, updatedAt: now })
          .where(eq(promotions.id, id)),
        ...revisionStatements(db, id, now),
      ],
    }
  })
  return getPromotion(db, id)
}

export async function getPromotion(db: Db, id: string) {
  const [row] = await db.select().from(promotions).where(eq(promotions.id, id))
  if (!row) throw notFound("promotion")
  return toPromotion(row)
}

export async function listPromotions(
  db: Db,
  q: { limit: number; cursor?: string; status?: PromotionStatus; couponOnly?: boolean },
) {
  const after = decodeCursor(q.cursor)
  const rows = await db
    .select()
    .from(promotions)
    .where(
      and(
        q.status ? eq(promotions.status, q.status) : undefined,
        q.couponOnly !== undefined ? eq(promotions.couponOnly, q.couponOnly) : undefined,
        after ? gt(promotions.id, String(after[0])) : undefined,
      ),
    )
    .orderBy(asc(promotions.id))
    .limit(q.limit + 1)
  return toPage(rows, q.limit, (r) => [r.id], toPromotion)
}

// ─── what a till prices with ──────────────────────────────────────────────────

async function storeTimeZone(db: Db, locationId: string): Promise<string | null> {
  const [l] = await db.select({ timeZone: locations.timeZone }).from(locations).where(eq(locations.id, locationId))
  return l ? l.timeZone : null
}

const listHas = (column: SQLiteColumn, value: string): SQL =>
  sql`(${column} is null or exists (select 1 from json_each(${column}) where value = ${value}))`

const appliesAt = (r: Row, q: { locationId: string; channel: string }, today: string) =>
  r.status === "active" &&
  !r.couponOnly &&
  (!r.storeIds || r.storeIds.includes(q.locationId)) &&
  (!r.channels || r.channels.includes(q.channel)) &&
  (!r.endDate || r.endDate >= today)

/**
 * The automatic promotions of a store and channel that have not ended — ones starting later are
 * included so an offline till has them when they start; the engine checks each window at the
 * moment of sale. With `updatedSince`, every promotion changed since then instead, each with
 * `applies` (false: drop it from the till's cache), by (updatedAt, id).
 */
export async function promotionsForTill(
  db: Db,
  q: { locationId: string; channel: string; updatedSince?: string; limit: number; cursor?: string },
) {
  const timeZone = await storeTimeZone(db, q.locationId)
  if (!timeZone) throw notFound("store")
  const today = localTime(Date.now(), timeZone).date
  const after = decodeCursor(q.cursor)
  const bySync = q.updatedSince !== undefined
  const where: (SQL | undefined)[] = []
  if (bySync) {
    where.push(gte(promotions.updatedAt, Date.parse(q.updatedSince!)))
    if (after) {
      const [at, id] = after
      if (typeof at !== "number" || typeof id !== "string")
        throw problem(400, "invalid_cursor", "The cursor is not one this API gave out.")
      where.push(or(gt(promotions.updatedAt, at), and(eq(promotions.updatedAt, at), gt(promotions.id, id))))
    }
  } else {
    where.push(
      eq(promotions.status, "active"),
      eq(promotions.couponOnly, false),
      listHas(promotions.storeIds, q.locationId),
      listHas(promotions.channels, q.channel),
      sql`(${promotions.endDate} is null or ${promotions.endDate} >= ${today})`,
      after ? gt(promotions.id, String(after[0])) : undefined,
    )
  }
  const rows = await db
    .select()
    .from(promotions)
    .where(and(...where))
    .orderBy(...(bySync ? [asc(promotions.updatedAt), asc(promotions.id)] : [asc(promotions.id)]))
    .limit(q.limit + 1)
  return toPage(
    rows,
    q.limit,
    (r) => (bySync ? [r.updatedAt, r.id] : [r.id]),
    (r) => ({ ...toPromotion(r), applies: appliesAt(r, q, today) }),
  )
}

/** For the sales module: what the engine prices a sale at `at` with (window checked at that moment). */
export async function activePromotions(
  db: Db,
  q: { locationId: string; channel: string; at: number },
): Promise<Promotion[]> {
  const timeZone = await storeTimeZone(db, q.locationId)
  return promotionsInForce(await activePromotionRows(db, q), q.at, timeZone)
}

/** activePromotions' query, for a caller's own batch (the till's sale): filter its rows with promotionsInForce. */
export const activePromotionRows = (db: Db, q: { locationId: string; channel: string }) =>
  db
    .select()
    .from(promotions)
    .where(
      and(
        eq(promotions.status, "active"),
        eq(promotions.couponOnly, false),
        listHas(promotions.storeIds, q.locationId),
        listHas(promotions.channels, q.channel),
      ),
    )
    .orderBy(asc(promotions.id))

/** The promotions among `rows` whose time window holds `at` in the store's time zone. */
export const promotionsInForce = (rows: { definition: Promotion }[], at: number, timeZone: string | null) => {
  const local = localTime(at, timeZone ?? DEFAULT_TIME_ZONE)
  return rows.map((r) => r.definition).filter((p) => inWindow(p.window, local))
}

// ─── as they were: what an offline sale synced later is priced with ───────────

export type PromotionRevision = typeof promotionRevisions.$inferSelect

/**
 * The revisions that were in force (active) at some instant of [from, to], coupon-only ones included:
 * one query for a whole sync call, whose sales then each pick theirs with promotionsAsOf. Paused and
 * ended states price nothing, so they are not read; their start closes the active revision before.
 */
export const revisionsDuring = (db: Db, span: { from: number; to: number }) =>
  db
    .select()
    .from(promotionRevisions)
    .where(
      and(
        eq(promotionRevisions.status, "active"),
        lte(promotionRevisions.effectiveFrom, span.to),
        or(isNull(promotionRevisions.effectiveUntil), gt(promotionRevisions.effectiveUntil, span.from)),
      ),
    )
    .orderBy(asc(promotionRevisions.promotionId), asc(promotionRevisions.revision))

const inForceAt = (r: PromotionRevision, at: number) =>
  r.effectiveFrom <= at && (r.effectiveUntil === null || at < r.effectiveUntil)

/**
 * activePromotions as it would have answered at `at`: the automatic promotions of a store and channel
 * as they were then (a promotion created later, or ended, paused or edited since, as it was), each
 * window checked at that moment.
 */
export const promotionsAsOf = (
  revisions: readonly PromotionRevision[],
  q: { locationId: string; channel: string; at: number; timeZone: string | null },
) => {
  // One revision per promotion, the newest in force: intervals written by isolates whose clocks
  // disagree by a few ms could overlap, and a promotion must never apply twice.
  const latest = new Map<string, PromotionRevision>()
  for (const r of revisions)
    if (inForceAt(r, q.at) && r.revision > (latest.get(r.promotionId)?.revision ?? -1)) latest.set(r.promotionId, r)
  return promotionsInForce(
    [...latest.values()].filter(
      (r) =>
        !r.couponOnly &&
        (!r.storeIds || r.storeIds.includes(q.locationId)) &&
        (!r.channels || r.channels.includes(q.channel)),
    ),
    q.at,
    q.timeZone,
  )
}

// ─── coupons ──────────────────────────────────────────────────────────────────

// No 0/O, 1/I: read aloud and typed at a till without confusion.
const CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
const CODE_LENGTH = 12

/** As typed or scanned → as stored: upper case, no spaces or dashes. */
export const normalizeCouponCode = (code: string): string => code.replace(/[\s-]/g, "").toUpperCase()

function newCouponCode(): string {
  const r = crypto.getRandomValues(new Uint8Array(CODE_LENGTH))
  return Array.from(r, (n) => CODE_ALPHABET[n % CODE_ALPHABET.length]).join("")
}

const CODES_PER_STATEMENT = 1000

export async function createCouponBatch(
  db: Db,
  actor: Actor,
  input: { promotionId: string; count?: number; memberIds?: string[] },
) {
  const [promotion] = await db.select().from(promotions).where(eq(promotions.id, input.promotionId))
  if (!promotion) throw notFound("promotion")
  if (!promotion.couponOnly)
    throw problem(422, "not_a_coupon_promotion", "Coupons need a coupon-only promotion (couponOnly: true).", {
      errors: [{ path: "promotionId", message: "This promotion applies without a coupon." }],
    })
  if (promotion.status === "ended") throw problem(409, "promotion_ended", "This promotion has ended.")
  const owners: (string | null)[] = input.memberIds ?? Array.from({ length: input.count ?? 0 }, () => null)
  const id = newId("cpb")
  const now = Date.now()
  for (let attempt = 0; ; attempt++) {
    const issued = owners.map((memberId) => ({ code: newCouponCode(), memberId }))
    const chunks: (typeof issued)[] = []
    for (let i = 0; i < issued.length; i += CODES_PER_STATEMENT) chunks.push(issued.slice(i, i + CODES_PER_STATEMENT))
    const d1 = db.$client
    try {
      await d1.batch([
        d1
          .prepare(
            "insert into coupon_batches (id, promotion_id, count, created_by, created_at) values (?, ?, ?, ?, ?)",
          )
          .bind(id, promotion.id, issued.length, actor.id, now),
        ...chunks.map((chunk) =>
          d1
            .prepare(
              `insert into coupons (code, batch_id, promotion_id, member_id, status, created_at, updated_at)
               select json_extract(value, '$.code'), ?, ?, json_extract(value, '$.memberId'), 'issued', ?, ?
               from json_each(?)`,
            )
            .bind(id, promotion.id, now, now, JSON.stringify(chunk)),
        ),
      ])
      return {
        id,
        promotionId: promotion.id,
        count: issued.length,
        codes: issued,
        createdAt: iso(now),
      }
    } catch (e) {
      // 60 random bits per code: a collision is astronomically rare, but cheap to survive.
      if (attempt < 2 && /UNIQUE constraint failed: coupons\.code/.test(String(e))) continue
      throw e
    }
  }
}

const couponView = (c: typeof coupons.$inferSelect, promotionName: string) => ({
  code: c.code,
  batchId: c.batchId,
  promotionId: c.promotionId,
  promotionName,
  memberId: c.memberId,
  status: c.status,
  redeemed: c.status === "redeemed",
  saleId: c.saleId,
  redeemedAt: c.redeemedAt === null ? null : iso(c.redeemedAt),
  createdAt: iso(c.createdAt),
})

export async function getCoupon(db: Db, code: string) {
  const [row] = await db
    .select({ c: coupons, name: promotions.name })
    .from(coupons)
    .innerJoin(promotions, eq(promotions.id, coupons.promotionId))
    .where(eq(coupons.code, normalizeCouponCode(code)))
  if (!row) throw notFound("coupon")
  return couponView(row.c, row.name)
}

/**
 * The coupons presented at a sale, as core's Coupon (with its promotion and redeemed flag).
 * Unknown codes and codes of paused or ended promotions are left out: the caller tells the
 * customer so. A coupon meant for another member is returned as it is (memberId set): the engine
 * rejects it with the reason `other_member`, which the till can show.
 */
export async function resolveCoupons(
  db: Db,
  codes: string[],
  _memberId: string | null,
  asOf?: CouponsAsOf,
): Promise<Coupon[]> {
  const wanted = [...new Set(codes.map(normalizeCouponCode))].filter(Boolean)
  if (wanted.length === 0) return []
  const rows = await db
    .select({ c: coupons, p: promotions })
    .from(coupons)
    .innerJoin(promotions, eq(promotions.id, coupons.promotionId))
    .where(and(inJson(coupons.code, wanted), asOf ? undefined : eq(promotions.status, "active")))
  return rows.flatMap(({ c, p }) => {
    const then = asOf ? asOf.revisions.find((r) => r.promotionId === p.id && inForceAt(r, asOf.at)) : p
    return then
      ? [{ code: c.code, promotion: then.definition, memberId: c.memberId, redeemed: c.status === "redeemed" }]
      : []
  })
}

/** An offline sale's coupons carry their promotion as it was at the sale (revisionsDuring's rows). */
export type CouponsAsOf = { revisions: readonly PromotionRevision[]; at: number }

/**
 * Marks the codes used by `saleId`. Called once the sale stands, so every code that is still free
 * (and meant for anyone or for this member) is taken, each by one conditional UPDATE that only
 * one sale can win; replaying the same sale changes nothing. Codes that another sale already took,
 * or that belong to another member, are then reported with 409 coupon_unavailable (the others
 * stay redeemed: the customer had their discount); codes that don't exist with 422 unknown_coupon
 * (before anything is written).
 */
export async function redeemCoupons(
  db: Db,
  p: { codes: string[]; saleId: string; memberId: string | null; at: number },
): Promise<void> {
  const wanted = [...new Set(p.codes.map(normalizeCouponCode))].filter(Boolean)
  if (wanted.length === 0) return
  const found = await db.select({ code: coupons.code }).from(coupons).where(inJson(coupons.code, wanted))
  const missing = wanted.filter((c) => !found.some((f) => f.code === c))
  if (missing.length > 0)
    throw problem(422, "unknown_coupon", `No such coupon: ${missing.join(", ")}.`, { codes: missing })
  const [, rows] = await db.batch([
    db
      .update(coupons)
      .set({ status: "redeemed", saleId: p.saleId, redeemedMemberId: p.memberId, redeemedAt: p.at })
      .where(
        and(
          inJson(coupons.code, wanted),
          eq(coupons.status, "issued"),
          sql`(${coupons.memberId} is null or ${coupons.memberId} is ${p.memberId})`,
        ),
      ),
    db.select().from(coupons).where(inJson(coupons.code, wanted)),
  ])
  const refused = rows.filter((c) => c.saleId !== p.saleId).map((c) => c.code)
  if (refused.length > 0)
    throw problem(
      409,
      "coupon_unavailable",
      `Already used by another sale or meant for another member: ${refused.join(", ")}.`,
      { codes: refused },
    )
}

/** How often the member already had each promotion, for limitPerMember (0 when never). */
export async function promotionUsageOf(
  db: Db,
  memberId: string,
  promotionIds: string[],
): Promise<Record<string, number>> {
  const usage: Record<string, number> = Object.fromEntries(promotionIds.map((id) => [id, 0]))
  if (promotionIds.length === 0) return usage
  const rows = await db
    .select({ promotionId: promotionUsage.promotionId, n: sql<number>`count(*)` })
    .from(promotionUsage)
    .where(and(eq(promotionUsage.memberId, memberId), inJson(promotionUsage.promotionId, promotionIds)))
    .groupBy(promotionUsage.promotionId)
  for (const r of rows) usage[r.promotionId] = r.n
  return usage
}

/**
 * A member's use of every promotion they ever used (one row per promotion: few), for a caller's own
 * batch that doesn't know yet which promotions apply; promotionUsageOf asks about named ones.
 */
export const memberUsageRows = (db: Db, memberId: string) =>
  db
    .select({ promotionId: promotionUsage.promotionId, n: sql<number>`count(*)` })
    .from(promotionUsage)
    .where(eq(promotionUsage.memberId, memberId))
    .groupBy(promotionUsage.promotionId)

/** Once per (sale, promotion): a replayed sale counts once. */
export async function recordPromotionUsage(db: Db, p: { memberId: string; saleId: string; promotionIds: string[] }) {
  const insert = promotionUsageInsert(db, p)
  if (insert) await insert
}

/** recordPromotionUsage's statement (null when there is nothing to record), for a caller's own batch. */
export function promotionUsageInsert(db: Db, p: { memberId: string; saleId: string; promotionIds: string[] }) {
  const ids = [...new Set(p.promotionIds)]
  if (ids.length === 0) return null
  return db
    .insert(promotionUsage)
    .values(ids.map((promotionId) => ({ saleId: p.saleId, promotionId, memberId: p.memberId })))
    .onConflictDoNothing()
}

/** For a member's data export. */
export async function memberCoupons(db: Db, memberId: string) {
  const rows = await db
    .select({ c: coupons, name: promotions.name })
    .from(coupons)
    .innerJoin(promotions, eq(promotions.id, coupons.promotionId))
    .where(or(eq(coupons.memberId, memberId), eq(coupons.redeemedMemberId, memberId)))
  return rows.map((r) => couponView(r.c, r.name))
}

export async function memberPromotionUsage(db: Db, memberId: string) {
  return db
    .select({ saleId: promotionUsage.saleId, promotionId: promotionUsage.promotionId })
    .from(promotionUsage)
    .where(eq(promotionUsage.memberId, memberId))
}
