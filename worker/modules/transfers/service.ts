// Transfers (调拨): goods leave one location and arrive at another (ARCHITECTURE.md §4).
//
// Each step touches several cells, and D1 has no transaction that spans them, so every step is
// a small saga: claim it in D1 with one compare-and-set on `status` (reserved → shipping, …),
// call the cells with opIds derived from the transfer, the SKU and the step (a repeat replays the
// stored answer), then move the status and the read model in one atomic `db.batch`. Whoever
// finds a transfer in an -ing state — a retry, or the repair job — runs the same step again and
// lands in the same place; the status moves only when every cell has answered.
import { and, asc, desc, eq, inArray, lt, or, type SQL, sql } from "drizzle-orm"
import type { LotTake } from "../../../core/lots"
import type { Db } from "../../db/client"
import { type TransferLineRow, type TransferRow, type TransferStatus, transferLines, transfers } from "../../db/schema"
import { type Actor, assertLocation, may } from "../../lib/actor"
import { atomically, type Statement } from "../../lib/batch"
import { nextDocNumber } from "../../lib/doc-numbers"
import { newId } from "../../lib/ids"
import { log } from "../../lib/log"
import { decodeCursor, toPage } from "../../lib/pagination"
import { type FieldError, notFound, problem } from "../../lib/problem"
import { cellName, cellStub, commitAll, releaseAll, reserveAll, sumLines } from "../../stock-cell/client"
import type { AdjustResult, ReceiveResult, StockRef } from "../../stock-cell/types"
import { locationExists } from "../locations"
import { missingSkus } from "./skus"

/** Source holds last a week: long enough to pack and ship, short enough that a forgotten one lapses. */
export const TRANSFER_HOLD_MS = 7 * 24 * 3600 * 1000
/** Shipping needs the holds to outlive the commits by a margin (a lapsed hold can't be committed). */
const SHIP_MARGIN_MS = 10 * 60 * 1000
/** The repair job leaves a step alone this long: the request that started it may still be running. */
export const STALE_STEP_MS = 2 * 60 * 1000
/** A transfer still "reserving" after this was abandoned by its request: its holds are given back. */
export const ABANDONED_RESERVING_MS = 10 * 60 * 1000

export type ReceiveReason = "damage" | "loss" | "found" | "expired" | "sample" | "count" | "other"

export type Ctx = { env: Env; db: Db; actor: Actor }
export type Line = { skuId: string; qty: number }
export type CreateInput = { fromLocationId: string; toLocationId: string; lines: Line[]; note?: string | null }
export type ReceiveInput = { lines: { skuId: string; qty: number; reason?: ReceiveReason }[] }

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
const refOf = (t: TransferRow, actorId: string): StockRef => ({ type: "transfer", id: t.id, actorId })

export function toTransfer(t: TransferRow, lines: TransferLineRow[]) {
  return {
    id: t.id,
    number: t.number,
    status: t.status,
    fromLocationId: t.fromLocationId,
    toLocationId: t.toLocationId,
    note: t.note,
    lines: lines.map((l) => ({
      skuId: l.skuId,
      qty: l.qty,
      shippedQty: l.shippedTakes ? l.qty : null,
      shippedCostFen: l.shippedCostFen,
      // The lot slices that left the source, FEFO, each with its unit cost: they arrive as they left.
      lots: l.shippedTakes ?? [],
      receivedQty: l.receivedQty,
      varianceQty: l.varianceQty,
      varianceReason: l.varianceReason,
      varianceCostFen: l.varianceCostFen,
    })),
    holdExpiresAt: iso(t.holdExpiresAt),
    createdBy: t.createdBy,
    shippedBy: t.shippedBy,
    shippedAt: iso(t.shippedAt),
    receivedBy: t.receivedBy,
    receivedAt: iso(t.receivedAt),
    cancelledBy: t.cancelledBy,
    cancelledAt: iso(t.cancelledAt),
    createdAt: iso(t.createdAt)!,
    updatedAt: iso(t.updatedAt)!,
  }
}
export type Transfer = ReturnType<typeof toTransfer>

// ── reads ───────────────────────────────────────────────────────────────────

async function load(db: Db, id: string) {
  const [t] = await db.select().from(transfers).where(eq(transfers.id, id))
  if (!t) return null
  const lines = await db.select().from(transferLines).where(eq(transferLines.transferId, id))
  // Lines in the order they were written (skuId order is stable and readable).
  lines.sort((a, b) => (a.skuId < b.skuId ? -1 : a.skuId > b.skuId ? 1 : 0))
  return { t, lines }
}

/** A transfer the actor may see from `end` ("either": from either end); 404 otherwise. */
async function loadFor(ctx: Ctx, id: string, end: "from" | "to" | "either") {
  const found = await load(ctx.db, id)
  if (!found || found.t.status === "reserving") throw notFound("transfer")
  const { t } = found
  const visible =
    end === "from"
      ? may(ctx.actor, t.fromLocationId)
      : end === "to"
        ? may(ctx.actor, t.toLocationId)
        : may(ctx.actor, t.fromLocationId) || may(ctx.actor, t.toLocationId)
  if (!visible) throw notFound("transfer")
  return found
}

export async function getTransfer(ctx: Ctx, id: string) {
  const { t, lines } = await loadFor(ctx, id, "either")
  return toTransfer(t, lines)
}

export async function listTransfers(
  ctx: Ctx,
  q: { limit: number; cursor?: string; locationId?: string; status?: TransferStatus },
) {
  if (q.locationId) assertLocation(ctx.actor, q.locationId)
  const after = decodeCursor(q.cursor)
  const scope = ctx.actor.locationIds === "all" ? undefined : [...ctx.actor.locationIds, "\u0000none"]
  const where: (SQL | undefined)[] = [
    q.status ? eq(transfers.status, q.status) : sql`${transfers.status} <> 'reserving'`,
    q.locationId ? or(eq(transfers.fromLocationId, q.locationId), eq(transfers.toLocationId, q.locationId)) : undefined,
    scope ? or(inArray(transfers.fromLocationId, scope), inArray(transfers.toLocationId, scope)) : undefined,
    after ? lt(transfers.id, String(after[0])) : undefined,
  ]
  const rows = await ctx.db
    .select()
    .from(transfers)
    .where(and(...where.filter(Boolean)))
    .orderBy(desc(transfers.id))
    .limit(q.limit + 1)
  const ids = rows.slice(0, q.limit).map((r) => r.id)
  const lines = ids.length
    ? await ctx.db.select().from(transferLines).where(inArray(transferLines.transferId, ids))
    : []
  return toPage(
    rows,
    q.limit,
    (r) => [r.id],
    (r) =>
      toTransfer(
        r,
        lines.filter((l) => l.transferId === r.id),
      ),
  )
}

// ── create: reserve at the source ───────────────────────────────────────────

export async function createTransfer(ctx: Ctx, input: CreateInput, requestKey: string | null) {
  const { db, actor } = ctx
  // 404 for a source the caller can't see; the destination only has to exist (a store may send
  // goods to any location of the chain without seeing its stock).
  assertLocation(actor, input.fromLocationId)
  if (!(await locationExists(db, input.fromLocationId))) throw notFound("location")
  if (!(await locationExists(db, input.toLocationId)))
    throw problem(422, "unknown_location", "No such destination location.", {
      errors: [{ path: "toLocationId", message: "No such location." }],
    })
  const missing = await missingSkus(
    db,
    input.lines.map((l) => l.skuId),
  )
  if (missing.length > 0)
    throw problem(422, "unknown_sku", "Some lines name SKUs that don't exist.", {
      errors: input.lines.flatMap((l, i) =>
        missing.includes(l.skuId) ? [{ path: `lines.${i}.skuId`, message: "No such SKU.", skuId: l.skuId }] : [],
      ),
    })

  // A retry that took over a stale Idempotency-Key finds the transfer its first attempt made.
  if (requestKey) {
    const [prior] = await db
      .select()
      .from(transfers)
      .where(and(eq(transfers.createdBy, actor.id), eq(transfers.requestKey, requestKey)))
    if (prior) {
      if (prior.status === "reserving") return settleReservation(ctx, prior, input.lines)
      const found = await load(db, prior.id)
      return toTransfer(found!.t, found!.lines)
    }
  }

  const now = Date.now()
  const lines = sumLines(input.lines)
  const t: TransferRow = {
    id: newId("trf"),
    number: null,
    fromLocationId: input.fromLocationId,
    toLocationId: input.toLocationId,
    status: "reserving",
    note: input.note ?? null,
    createdBy: actor.id,
    requestKey,
    holdExpiresAt: now + TRANSFER_HOLD_MS,
    shippedBy: null,
    shippedAt: null,
    receivedBy: null,
    receivedAt: null,
    cancelledBy: null,
    cancelledAt: null,
    createdAt: now,
    updatedAt: now,
  }
  // The row exists before any cell is touched, so a request that dies mid-reserve leaves a trace
  // the repair job can find and undo (otherwise its holds would sit for a week).
  await db.batch([
    db.insert(transfers).values(t),
    db.insert(transferLines).values(lines.map((l) => ({ transferId: t.id, skuId: l.skuId, qty: l.qty }))),
  ])
  return settleReservation(ctx, t, input.lines)
}

async function settleReservation(ctx: Ctx, t: TransferRow, requested: Line[]) {
  const { env, db } = ctx
  const lines = await db.select().from(transferLines).where(eq(transferLines.transferId, t.id))
  const held = await reserveAll(env, t.id, lines, {
    locationId: t.fromLocationId,
    ref: refOf(t, t.createdBy),
    expiresAt: t.holdExpiresAt,
    kind: "shipment",
  })
  if (!held.ok) {
    // Nothing is held any more (reserveAll gave back what it got): the refused request leaves no
    // document behind, and its retry starts afresh under a new id (a hold id is single use).
    await forget(db, t.id)
    const pathOf = (skuId: string) =>
      `lines.${Math.max(
        0,
        requested.findIndex((l) => l.skuId === skuId),
      )}.qty`
    if (held.short.length > 0)
      throw problem(409, "insufficient_stock", "The source doesn't have enough available for every line.", {
        errors: held.short.map((s) => ({
          path: pathOf(s.skuId),
          message: `${s.available} available of ${s.requested} requested.`,
          skuId: s.skuId,
          requested: s.requested,
          available: s.available,
        })),
      })
    throw problem(409, "stock_refused", "The source refused to hold some lines.", {
      errors: held.refused.map((r) => ({ path: pathOf(r.skuId), message: r.refusal.code, skuId: r.skuId })),
    })
  }
  const number = await nextDocNumber(db, "DB", env.CHAIN_TIME_ZONE)
  await db
    .update(transfers)
    .set({ status: "reserved", number })
    .where(and(eq(transfers.id, t.id), eq(transfers.status, "reserving")))
  const found = await load(db, t.id)
  return toTransfer(found!.t, found!.lines)
}

/** A transfer that never held anything: its rows go (no cascade; lines first, in one batch). */
async function forget(db: Db, id: string) {
  await db.batch([
    db.delete(transferLines).where(eq(transferLines.transferId, id)),
    db.delete(transfers).where(and(eq(transfers.id, id), eq(transfers.status, "reserving"))),
  ])
}

// ── ship: commit at the source, in transit at the destination ───────────────

const wrongState = (t: TransferRow, doing: string) =>
  problem(409, "invalid_transfer_state", `A transfer that is ${t.status} can't be ${doing}.`, { state: t.status })

/** Moves status `from` → `to` (plus fields) only if nobody else did; true when this call did. */
async function claim(db: Db, id: string, from: TransferStatus, to: TransferStatus, set: Partial<TransferRow> = {}) {
  const done = await db
    .update(transfers)
    .set({ ...set, status: to })
    .where(and(eq(transfers.id, id), eq(transfers.status, from)))
    .returning({ id: transfers.id })
  return done.length > 0
}

export async function shipTransfer(ctx: Ctx, id: string): Promise<Transfer> {
  const { t } = await loadFor(ctx, id, "from")
  switch (t.status) {
    case "reserved": {
      const now = Date.now()
      if (t.holdExpiresAt <= now + SHIP_MARGIN_MS)
        throw problem(
          409,
          "hold_expired",
          "The source holds have lapsed (or are about to): cancel and make a new transfer.",
        )
      if (!(await claim(ctx.db, t.id, "reserved", "shipping", { shippedBy: ctx.actor.id, shippedAt: now })))
        return shipTransfer(ctx, id) // someone else moved it first: answer from its new state
      return finishShip(ctx.env, ctx.db, t.id)
    }
    case "shipping":
      return finishShip(ctx.env, ctx.db, t.id)
    case "in_transit":
    case "receiving":
    case "received":
      return getTransfer(ctx, id)
    default:
      throw wrongState(t, "shipped")
  }
}

/**
 * Commits every source hold (a replay for those already committed returns the lots and cost it
 * took then), then in one batch: records the lots on the lines, raises in_transit at the
 * destination and moves the status. The in_transit statements run only while the status is still
 * "shipping", so two finishers racing each other add it once.
 */
export async function finishShip(env: Env, db: Db, id: string): Promise<Transfer> {
  const found = await load(db, id)
  if (!found) throw notFound("transfer")
  const { t, lines } = found
  if (t.status !== "shipping") return toTransfer(t, lines)
  const committed = await commitAll(
    env,
    t.id,
    lines.map((l) => l.skuId),
    { locationId: t.fromLocationId, ref: refOf(t, t.shippedBy ?? t.createdBy) },
  )
  if (!committed.ok) {
    // hold_short: a fact (an offline sale, a posted count) left the source with less than the
    // hold; the ship finishes once the goods are back (a receipt), by a retry or the repair job.
    const errors: FieldError[] = committed.lines.flatMap((l) =>
      l.result.ok ? [] : [{ path: `lines.${l.skuId}`, message: l.result.code, skuId: l.skuId, code: l.result.code }],
    )
    log.warn("transfer ship blocked", { transferId: t.id, errors })
    throw problem(409, "ship_blocked", "Some source holds could not be committed; the transfer stays shipping.", {
      errors,
    })
  }
  const now = Date.now()
  const stillShipping = sql`exists (select 1 from ${transfers} where ${transfers.id} = ${t.id} and ${transfers.status} = 'shipping')`
  const statements: Statement[] = []
  for (const { skuId, result } of committed.lines) {
    if (!result.ok) continue
    const qty = lines.find((l) => l.skuId === skuId)!.qty
    statements.push(
      db
        .update(transferLines)
        .set({ shippedTakes: result.takes, shippedCostFen: result.costFen })
        .where(and(eq(transferLines.transferId, t.id), eq(transferLines.skuId, skuId))),
      // The destination's level row may not exist yet (nothing ever stocked there): create it.
      // The cells' flush never writes in_transit once the row exists; version 0 loses to any flush.
      sql`insert into stock_levels (cell, location_id, sku_id, on_hand, reserved, available, in_transit,
          avg_cost_fen, version, last_seq, created_at, updated_at)
        select ${cellName(t.toLocationId, skuId)}, ${t.toLocationId}, ${skuId}, 0, 0, 0, ${qty}, 0, 0, 0, ${now}, ${now}
        where ${stillShipping}
        on conflict (cell) do update set in_transit = in_transit + excluded.in_transit, updated_at = excluded.updated_at`,
    )
  }
  statements.push(
    db
      .update(transfers)
      .set({ status: "in_transit" })
      .where(and(eq(transfers.id, t.id), eq(transfers.status, "shipping"))),
  )
  await atomically(env.DB, statements)
  const after = await load(db, id)
  return toTransfer(after!.t, after!.lines)
}

// ── receive: counted in at the destination ──────────────────────────────────

type Counted = Map<string, { qty: number; reason: ReceiveReason | null }>

function countedLines(lines: TransferLineRow[], input: ReceiveInput): Counted {
  const counted: Counted = new Map()
  const errors: FieldError[] = []
  input.lines.forEach((l, i) => {
    if (!lines.some((x) => x.skuId === l.skuId))
      errors.push({ path: `lines.${i}.skuId`, message: "This SKU is not on the transfer.", skuId: l.skuId })
    else if (counted.has(l.skuId))
      errors.push({ path: `lines.${i}.skuId`, message: "Each SKU once per receipt.", skuId: l.skuId })
    else counted.set(l.skuId, { qty: l.qty, reason: l.reason ?? null })
  })
  for (const l of lines)
    if (!counted.has(l.skuId))
      errors.push({
        path: "lines",
        message: `Count every line: ${l.skuId} is missing (send 0 if none arrived).`,
        skuId: l.skuId,
      })
  if (errors.length > 0)
    throw problem(422, "invalid_receipt", "The counted lines don't match the transfer.", { errors })
  return counted
}

/** Short defaults to "loss" (it left and did not arrive), over to "count" (the pickers miscounted). */
const defaultReason = (variance: number): ReceiveReason | null =>
  variance < 0 ? "loss" : variance > 0 ? "count" : null

const sameCounts = (lines: TransferLineRow[], counted: Counted) =>
  lines.every((l) => {
    const c = counted.get(l.skuId)!
    const variance = c.qty - l.qty
    return l.receivedQty === c.qty && (l.varianceReason ?? null) === (c.reason ?? defaultReason(variance))
  })

export async function receiveTransfer(ctx: Ctx, id: string, input: ReceiveInput): Promise<Transfer> {
  const { db } = ctx
  const { t, lines } = await loadFor(ctx, id, "to")
  const counted = countedLines(lines, input)
  if (t.status === "in_transit") {
    const now = Date.now()
    const stillInTransit = sql`exists (select 1 from ${transfers} where ${transfers.id} = ${t.id} and ${transfers.status} = 'in_transit')`
    // The counts are written and the step claimed in one batch; the count updates run only while
    // the status is still in_transit, so of two different receipts racing, one wins whole.
    const statements: Statement[] = lines.map((l) => {
      const c = counted.get(l.skuId)!
      const variance = c.qty - l.qty
      return db
        .update(transferLines)
        .set({ receivedQty: c.qty, varianceQty: variance, varianceReason: c.reason ?? defaultReason(variance) })
        .where(and(eq(transferLines.transferId, t.id), eq(transferLines.skuId, l.skuId), stillInTransit))
    })
    statements.push(
      db
        .update(transfers)
        .set({ status: "receiving", receivedBy: ctx.actor.id, receivedAt: now })
        .where(and(eq(transfers.id, t.id), eq(transfers.status, "in_transit"))),
    )
    await atomically(ctx.env.DB, statements)
    return receiveTransfer(ctx, id, input)
  }
  if (t.status === "receiving" || t.status === "received") {
    if (!sameCounts(lines, counted))
      throw problem(409, "already_received", "This transfer was already counted in with other quantities.")
    return t.status === "receiving" ? finishReceive(ctx.env, db, t.id) : toTransfer(t, lines)
  }
  throw wrongState(t, "received")
}

/**
 * At the destination every lot slice that left the source is received as it left (lot, expiry,
 * unit cost), then the variance is booked as an adjustment with its reason — a loss against the
 * slices that left last, an over-count onto the last slice's lot — so the ledger says where the
 * difference went. Adjustments are facts: the goods are gone (or there) whatever was sold since.
 */
export async function finishReceive(env: Env, db: Db, id: string): Promise<Transfer> {
  const found = await load(db, id)
  if (!found) throw notFound("transfer")
  const { t, lines } = found
  if (t.status !== "receiving") return toTransfer(t, lines)
  const ref = refOf(t, t.receivedBy ?? t.createdBy)
  const results = await Promise.all(lines.map((l) => receiveLine(env, t, l, ref)))
  const refused = results.flatMap((r, i) =>
    r.refusal ? [{ path: `lines.${lines[i]!.skuId}`, message: r.refusal, skuId: lines[i]!.skuId }] : [],
  )
  if (refused.length > 0) {
    log.warn("transfer receive blocked", { transferId: t.id, refused })
    throw problem(409, "receive_blocked", "The destination refused some lines; the transfer stays receiving.", {
      errors: refused,
    })
  }
  const now = Date.now()
  const stillReceiving = sql`exists (select 1 from ${transfers} where ${transfers.id} = ${t.id} and ${transfers.status} = 'receiving')`
  const statements: Statement[] = []
  lines.forEach((l, i) => {
    statements.push(
      db
        .update(transferLines)
        .set({ varianceCostFen: results[i]!.varianceCostFen })
        .where(and(eq(transferLines.transferId, t.id), eq(transferLines.skuId, l.skuId))),
      sql`update stock_levels set in_transit = max(in_transit - ${l.qty}, 0), updated_at = ${now}
        where cell = ${cellName(t.toLocationId, l.skuId)} and ${stillReceiving}`,
    )
  })
  statements.push(
    db
      .update(transfers)
      .set({ status: "received" })
      .where(and(eq(transfers.id, t.id), eq(transfers.status, "receiving"))),
  )
  await atomically(env.DB, statements)
  const after = await load(db, id)
  return toTransfer(after!.t, after!.lines)
}

async function receiveLine(
  env: Env,
  t: TransferRow,
  l: TransferLineRow,
  ref: StockRef,
): Promise<{ refusal: string | null; varianceCostFen: number }> {
  const stub = cellStub(env, t.toLocationId, l.skuId)
  const key = { locationId: t.toLocationId, skuId: l.skuId }
  const slices: LotTake[] = l.shippedTakes ?? []
  const received: ReceiveResult[] = await Promise.all(
    slices.map((s, i) =>
      stub.receive({
        ...key,
        opId: `${t.id}:${l.skuId}:receive:${i}`,
        qty: s.qty,
        lot: s.lot,
        expiresOn: s.expiresOn,
        unitCostFen: s.unitCostFen,
        ref,
      }),
    ),
  )
  const bad = received.find((r) => !r.ok)
  if (bad && !bad.ok) return { refusal: bad.code, varianceCostFen: 0 }

  const variance = l.varianceQty ?? 0
  const reason = l.varianceReason ?? defaultReason(variance)
  const adjustments: { i: number; delta: number; lot: string | null; expiresOn: string | null }[] = []
  if (variance < 0) {
    // The loss is charged to the slices that left last (latest expiry first).
    let rest = -variance
    for (let i = slices.length - 1; i >= 0 && rest > 0; i--) {
      const q = Math.min(slices[i]!.qty, rest)
      adjustments.push({ i, delta: -q, lot: slices[i]!.lot, expiresOn: slices[i]!.expiresOn })
      rest -= q
    }
  } else if (variance > 0) {
    const last = slices.length - 1
    adjustments.push({
      i: last,
      delta: variance,
      lot: slices[last]?.lot ?? null,
      expiresOn: slices[last]?.expiresOn ?? null,
    })
  }
  const adjusted: AdjustResult[] = []
  for (const a of adjustments)
    adjusted.push(
      await stub.adjust({
        ...key,
        opId: `${t.id}:${l.skuId}:variance:${a.i}`,
        delta: a.delta,
        lot: a.lot,
        expiresOn: a.expiresOn,
        reason,
        fact: true,
        ref,
      }),
    )
  const badAdjust = adjusted.find((r) => !r.ok)
  if (badAdjust && !badAdjust.ok) return { refusal: badAdjust.code, varianceCostFen: 0 }
  const varianceCostFen = adjusted.reduce((s, r) => s + (r.ok ? Math.sign(r.delta) * r.costFen : 0), 0)
  return { refusal: null, varianceCostFen }
}

// ── cancel: give the holds back ─────────────────────────────────────────────

export async function cancelTransfer(ctx: Ctx, id: string): Promise<Transfer> {
  const { t } = await loadFor(ctx, id, "from")
  switch (t.status) {
    case "reserved":
      if (
        !(await claim(ctx.db, t.id, "reserved", "cancelling", { cancelledBy: ctx.actor.id, cancelledAt: Date.now() }))
      )
        return cancelTransfer(ctx, id)
      return finishCancel(ctx.env, ctx.db, t.id)
    case "cancelling":
      return finishCancel(ctx.env, ctx.db, t.id)
    case "cancelled":
      return getTransfer(ctx, id)
    default:
      throw wrongState(t, "cancelled (only a reserved transfer can)")
  }
}

export async function finishCancel(env: Env, db: Db, id: string): Promise<Transfer> {
  const found = await load(db, id)
  if (!found) throw notFound("transfer")
  const { t, lines } = found
  if (t.status !== "cancelling") return toTransfer(t, lines)
  const released = await releaseAll(
    env,
    t.id,
    lines.map((l) => l.skuId),
    { locationId: t.fromLocationId, ref: refOf(t, t.cancelledBy ?? t.createdBy) },
  )
  // A hold that lapsed meanwhile is fine; a committed one can't be (ship claims "shipping" first).
  if (!released.ok) throw problem(409, "cancel_blocked", "Some source holds could not be released.")
  await claim(db, t.id, "cancelling", "cancelled")
  const after = await load(db, id)
  return toTransfer(after!.t, after!.lines)
}

// ── repair: finish what a dead request started ──────────────────────────────

/**
 * Runs every few minutes: a transfer left in an -ing state by a request that died is finished
 * with the same opIds (so nothing applies twice); one left "reserving" is undone (its holds
 * released, its rows forgotten). Returns what it did, for the log and the tests.
 */
export async function repairTransfers(env: Env, db: Db, now = Date.now()) {
  const stuck = await db
    .select()
    .from(transfers)
    .where(
      and(
        inArray(transfers.status, ["reserving", "shipping", "receiving", "cancelling"]),
        lt(transfers.updatedAt, now - STALE_STEP_MS),
      ),
    )
    .orderBy(asc(transfers.updatedAt))
    .limit(50)
  const done: { id: string; from: TransferStatus; to: TransferStatus | "forgotten" | "failed" }[] = []
  for (const t of stuck) {
    try {
      if (t.status === "reserving") {
        if (t.updatedAt >= now - ABANDONED_RESERVING_MS) continue
        const lines = await db.select().from(transferLines).where(eq(transferLines.transferId, t.id))
        await releaseAll(
          env,
          t.id,
          lines.map((l) => l.skuId),
          { locationId: t.fromLocationId, ref: refOf(t, t.createdBy) },
        )
        await forget(db, t.id)
        done.push({ id: t.id, from: t.status, to: "forgotten" })
        continue
      }
      const finish = t.status === "shipping" ? finishShip : t.status === "receiving" ? finishReceive : finishCancel
      const after = await finish(env, db, t.id)
      done.push({ id: t.id, from: t.status, to: after.status })
    } catch (e) {
      log.error("transfer repair failed", { transferId: t.id, status: t.status, error: String(e) })
      // To the back of the queue, so a transfer that stays blocked can't starve the others.
      await db.update(transfers).set({ updatedAt: now }).where(eq(transfers.id, t.id))
      done.push({ id: t.id, from: t.status, to: "failed" })
    }
  }
  return done
}
