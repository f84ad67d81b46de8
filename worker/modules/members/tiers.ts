// Member tiers: a member holds the highest tier whose spend rule they meet (at least minSpendFen
// over that tier's last `months` months), recomputed nightly from member_spend, which the sales
// module appends to through recordSpend(). Discounts for a tier are promotions with
// member.tierIds: the tier itself carries no arithmetic.
import { and, asc, eq, gt, type SQL, sql } from "drizzle-orm"
import type { SQLiteColumn } from "drizzle-orm/sqlite-core"
import type { Db } from "../../db/client"
import { memberSpend, members, memberTierChanges, memberTiers } from "../../db/schema"
import type { Actor } from "../../lib/actor"
import { newId } from "../../lib/ids"
import { problem } from "../../lib/problem"

type TierRow = typeof memberTiers.$inferSelect

const toTier = (t: TierRow) => ({
  id: t.id,
  name: t.name,
  minSpendFen: t.minSpendFen,
  months: t.months,
  createdAt: new Date(t.createdAt).toISOString(),
})

export async function createTier(db: Db, actor: Actor, input: { name: string; minSpendFen: number; months: number }) {
  try {
    const [t] = await db
      .insert(memberTiers)
      .values({ id: newId("tier"), ...input, createdBy: actor.id })
      .returning()
    return toTier(t!)
  } catch (e) {
    if (String((e as { cause?: unknown }).cause ?? e).includes("member_tiers.name"))
      throw problem(409, "duplicate_tier_name", "A tier with this name exists.", {
        errors: [{ path: "name", message: "Already used." }],
      })
    throw e
  }
}

/** Lowest threshold first. A chain has a handful of tiers: one page holds them all. */
export async function listTiers(db: Db) {
  const rows = await db.select().from(memberTiers).orderBy(asc(memberTiers.minSpendFen), asc(memberTiers.id))
  return { items: rows.map(toTier), nextCursor: null }
}

/** `months` calendar months before `now` (day clamped: 31 March − 1 month = 28/29 February). */
export function monthsBefore(now: number, months: number): number {
  const d = new Date(now)
  const day = d.getUTCDate()
  d.setUTCDate(1)
  d.setUTCMonth(d.getUTCMonth() - months)
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()
  d.setUTCDate(Math.min(day, last))
  return d.getTime()
}

/** The tier a member with these spends (by tier id) holds: the highest threshold met, or none. */
export function bestTier(tiers: readonly TierRow[], spendByTier: ReadonlyMap<string, number>): string | null {
  let best: TierRow | null = null
  for (const t of tiers)
    if ((spendByTier.get(t.id) ?? 0) >= t.minSpendFen && (!best || t.minSpendFen > best.minSpendFen)) best = t
  return best?.id ?? null
}

const CHUNK = 500

// One bound parameter however many ids (D1 allows 100 per statement).
const inJson = (column: SQLiteColumn, values: readonly string[]): SQL =>
  sql`${column} in (select value from json_each(${JSON.stringify(values)}))`

/** The tier a member held at `at` (an offline sale's time): see member_tier_changes. */
export async function tierAt(db: Db, memberId: string, currentTierId: string | null, at: number) {
  return tierFrom(await tierChangeAfter(db, memberId, at), currentTierId)
}

/** tierAt's read, for a caller's own batch (an offline sale's sync): decode with tierFrom. */
export const tierChangeAfter = (db: Db, memberId: string, at: number) =>
  db
    .select({ fromTierId: memberTierChanges.fromTierId })
    .from(memberTierChanges)
    .where(and(eq(memberTierChanges.memberId, memberId), gt(memberTierChanges.at, at)))
    .orderBy(asc(memberTierChanges.at))
    .limit(1)

/** The first change after the instant says what the tier was then; none: it is still the current one. */
export const tierFrom = ([next]: { fromTierId: string | null }[], currentTierId: string | null) =>
  next ? next.fromTierId : currentTierId

/**
 * The nightly job: every active member's tier from their spend, a chunk of members at a time
 * (one grouped query per distinct window per chunk, then one UPDATE per new tier per chunk).
 * Safe to run again or to stop half-way: each chunk's answer depends only on member_spend.
 */
export async function recomputeTiers(db: Db, now = Date.now()) {
  const tiers = await db.select().from(memberTiers)
  const windows = [...new Set(tiers.map((t) => t.months))].map((months) => ({
    months,
    since: monthsBefore(now, months),
  }))
  let checked = 0
  let changed = 0
  let after = ""
  for (;;) {
    const chunk = await db
      .select({ id: members.id, tierId: members.tierId })
      .from(members)
      .where(and(eq(members.status, "active"), gt(members.id, after)))
      .orderBy(asc(members.id))
      .limit(CHUNK)
    if (chunk.length === 0) break
    after = chunk.at(-1)!.id
    checked += chunk.length
    const ids = chunk.map((m) => m.id)
    const spendByWindow = new Map<number, Map<string, number>>()
    for (const w of windows) {
      const sums = await db
        .select({ memberId: memberSpend.memberId, total: sql<number>`sum(${memberSpend.amountFen})` })
        .from(memberSpend)
        .where(and(inJson(memberSpend.memberId, ids), sql`${memberSpend.at} >= ${w.since}`))
        .groupBy(memberSpend.memberId)
      spendByWindow.set(w.months, new Map(sums.map((s) => [s.memberId, s.total])))
    }
    const moves = new Map<string | null, string[]>()
    for (const m of chunk) {
      const spend = new Map(tiers.map((t) => [t.id, spendByWindow.get(t.months)?.get(m.id) ?? 0]))
      const tierId = bestTier(tiers, spend)
      if (tierId === m.tierId) continue
      moves.set(tierId, [...(moves.get(tierId) ?? []), m.id])
    }
    // Each move logged before it is made (the log reads the tier being left), in the same batch.
    const updates = [...moves].flatMap(([tierId, memberIds]) => [
      db.insert(memberTierChanges).select(
        db
          .select({
            id: sql<string>`${members.id} || ':' || ${now}`.as("id"),
            memberId: members.id,
            fromTierId: members.tierId,
            toTierId: sql<string | null>`${tierId}`.as("to_tier_id"),
            at: sql<number>`${now}`.as("at"),
          })
          .from(members)
          .where(and(inJson(members.id, memberIds), eq(members.status, "active"))),
      ),
      db
        .update(members)
        .set({ tierId })
        .where(and(inJson(members.id, memberIds), eq(members.status, "active"))),
    ])
    const [first, ...rest] = updates
    if (first) await db.batch([first, ...rest])
    for (const memberIds of moves.values()) changed += memberIds.length
  }
  return { checked, changed }
}
