// The sale intent (sale_intents): what createSale is about to do, written before the first hold,
// so that a worker dying between taking the money and writing the sale leaves a record to finish.
// Who may decide its fate is a lease: the live request owns it until `leaseUntil`, then the repair
// job (or a client's retry with the same Idempotency-Key) claims it, one claimant at a time.
//   open ──(sale batch, owner only)──▶ done
//   open ──(claim to undo)──▶ rolling_back ──(everything given back)──▶ rolled_back
import { and, eq, inArray, lt, sql } from "drizzle-orm"
import type { PricedCart } from "../../../core/pricing"
import type { Db } from "../../db/client"
import {
  type SaleIntentRow,
  type SaleIntentState,
  type SaleLineRow,
  type SalePaymentRow,
  type SaleRow,
  saleIntents,
} from "../../db/schema"
import { newId } from "../../lib/ids"
import type { ApprovalRow } from "./approval"

/** The live request starts no money step or commit after this long (from the sale's start). */
export const SALE_WORK_MS = 60_000
/** Only after this long may the repair job take a sale over: any step started in time has ended. */
export const SALE_LEASE_MS = 90_000
/** How long the cells hold a sale's goods; a retry before then can still commit them. */
export const SALE_HOLD_MS = 120_000
/** A repair run's claim: if it dies too, the next run takes over after this. */
export const REPAIR_LEASE_MS = 60_000
/** Finished intents are kept as long as idempotency keys, then purged. */
export const INTENT_KEEP_MS = 7 * 24 * 3600 * 1000

/** Everything the sale's rows need that doesn't come from the cells (cost and lot slices do). */
export type SalePlan = {
  sale: Omit<SaleRow, "number" | "costFen" | "late">
  lines: Omit<SaleLineRow, "costFen" | "takes">[]
  /** One per tender; a customer-code payment's provider and reference are filled once settled. */
  payments: SalePaymentRow[]
  approvals: ApprovalRow[]
  rejectedCoupons: PricedCart["rejectedCoupons"]
  /** Customer-code payments the gateway confirmed (payment id → provider reference), as they settle. */
  settled?: Record<string, string>
  /** The Idempotency-Key's request (lib/idempotency requestHash): the same key with another body is 422. */
  requestHash?: string
  /**
   * How the goods leave the cells. "sell": at once, one call per line, when no tender can keep the
   * customer waiting (no customer code). "hold" (also intents written before this field): reserved
   * while a customer-code payment settles, then committed.
   */
  goods?: "sell" | "hold"
}

export type Intent = Omit<SaleIntentRow, "plan"> & { plan: SalePlan }

export const asIntent = (row: SaleIntentRow): Intent => ({ ...row, plan: row.plan as unknown as SalePlan })

export async function openIntent(
  db: Db,
  i: {
    id: string
    actorId: string
    idempotencyKey: string | null
    locationId: string
    input: Record<string, unknown>
    plan: SalePlan
    at: number
  },
): Promise<{ owner: string } | null> {
  const owner = newId("own")
  const rows = await db
    .insert(saleIntents)
    .values({
      id: i.id,
      actorId: i.actorId,
      idempotencyKey: i.idempotencyKey,
      locationId: i.locationId,
      input: i.input,
      plan: i.plan as unknown as Record<string, unknown>,
      state: "open",
      owner,
      leaseUntil: i.at + SALE_LEASE_MS,
      holdsUntil: i.at + SALE_HOLD_MS,
      attempts: 0,
      createdAt: i.at,
      updatedAt: i.at,
    })
    // Another request with the same key got here first: the caller answers "in flight".
    .onConflictDoNothing({ target: [saleIntents.actorId, saleIntents.idempotencyKey] })
    .returning({ id: saleIntents.id })
  return rows.length ? { owner } : null
}

export async function intentByKey(db: Db, actorId: string, key: string): Promise<Intent | null> {
  const [row] = await intentByKeyRow(db, actorId, key)
  return row ? asIntent(row) : null
}

/** intentByKey's read, for the till's batch of reads (decode with asIntent). */
export const intentByKeyRow = (db: Db, actorId: string, key: string) =>
  db
    .select()
    .from(saleIntents)
    .where(and(eq(saleIntents.actorId, actorId), eq(saleIntents.idempotencyKey, key)))

export async function intentById(db: Db, id: string): Promise<Intent | null> {
  const [row] = await db.select().from(saleIntents).where(eq(saleIntents.id, id))
  return row ? asIntent(row) : null
}

/**
 * Takes the intent over once its owner's lease has run out (the owner died or is hopelessly
 * late): a new owner, a fresh lease. Null when someone else holds it or it is finished.
 */
export async function claimIntent(db: Db, id: string, now: number): Promise<Intent | null> {
  const [row] = await db
    .update(saleIntents)
    .set({
      owner: newId("own"),
      leaseUntil: now + REPAIR_LEASE_MS,
      attempts: sql`${saleIntents.attempts} + 1`,
      updatedAt: now,
    })
    .where(
      and(
        eq(saleIntents.id, id),
        inArray(saleIntents.state, ["open", "rolling_back"]),
        lt(saleIntents.leaseUntil, now),
      ),
    )
    .returning()
  return row ? asIntent(row) : null
}

/** The owner decides to give everything back; false when it no longer owns an open intent. */
export async function startRollback(db: Db, id: string, owner: string, outcome: string, now = Date.now()) {
  const rows = await db
    .update(saleIntents)
    .set({ state: "rolling_back", outcome, leaseUntil: now + REPAIR_LEASE_MS, updatedAt: now })
    .where(and(eq(saleIntents.id, id), eq(saleIntents.owner, owner), eq(saleIntents.state, "open")))
    .returning({ id: saleIntents.id })
  return rows.length > 0
}

/** Refused before anything was taken (no stock, a cell unreachable): over at once, the key free. */
export const abandonIntent = (db: Db, id: string, owner: string, outcome: string, now = Date.now()) =>
  db
    .update(saleIntents)
    .set({ state: "rolled_back", outcome, idempotencyKey: null, updatedAt: now })
    .where(and(eq(saleIntents.id, id), eq(saleIntents.owner, owner), eq(saleIntents.state, "open")))

/**
 * A customer-code payment confirmed, recorded before the next step: a gateway that keeps no record
 * of its own (the manual one) can't tell the repair job later whether the customer paid.
 */
export const recordSettled = (db: Db, id: string, paymentId: string, providerRef: string) =>
  db
    .update(saleIntents)
    .set({ plan: sql`json_set(${saleIntents.plan}, ${`$.settled."${paymentId}"`}, ${providerRef})` })
    .where(eq(saleIntents.id, id))

/** Everything was given back: the attempt is over and its Idempotency-Key free for a new sale. */
export const finishRollback = (db: Db, id: string, owner: string, now = Date.now()) =>
  db
    .update(saleIntents)
    .set({ state: "rolled_back", idempotencyKey: null, updatedAt: now })
    .where(and(eq(saleIntents.id, id), eq(saleIntents.owner, owner), eq(saleIntents.state, "rolling_back")))

/**
 * The first statement of the sale's batch: 'done' for the owner of an open intent; for anyone else
 * a state the CHECK refuses, which aborts the whole batch (no sale, no number, nothing).
 */
export const markDone = (db: Db, id: string, owner: string, now: number) =>
  db
    .update(saleIntents)
    .set({
      state: sql<SaleIntentState>`case when ${saleIntents.owner} = ${owner} and ${saleIntents.state} = 'open' then 'done' else 'lease_lost' end`,
      updatedAt: now,
    })
    .where(eq(saleIntents.id, id))

/** Intents whose owner's lease ran out before they were finished, oldest first. */
export const staleIntents = (db: Db, now: number, limit: number) =>
  db
    .select({ id: saleIntents.id })
    .from(saleIntents)
    .where(and(inArray(saleIntents.state, ["open", "rolling_back"]), lt(saleIntents.leaseUntil, now)))
    .orderBy(saleIntents.leaseUntil)
    .limit(limit)

export const purgeFinishedIntents = (db: Db, now: number) =>
  db
    .delete(saleIntents)
    .where(and(inArray(saleIntents.state, ["done", "rolled_back"]), lt(saleIntents.leaseUntil, now - INTENT_KEEP_MS)))
