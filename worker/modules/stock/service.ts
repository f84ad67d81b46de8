// Documents that move stock: receipts (入库) and adjustments (报损/报溢).
//
// Each one survives a crash half-way: the document and its lines are written first, in one
// db.batch, with status "posting"; then every line goes to its cell with opId `${docId}:${lineNo}`;
// then the document is numbered and marked "posted". Whoever finds a document still "posting" —
// a retry with the same Idempotency-Key, or the repair job — runs the same steps again: the cells
// answer the opIds they already applied from storage, so nothing is applied twice.
import { and, asc, eq, inArray, lt, type SQL, sql } from "drizzle-orm"
import type { BatchItem } from "drizzle-orm/batch"
import type { Db } from "../../db/client"
import {
  type AdjustmentReason,
  adjustmentLines,
  adjustments,
  type DocRefusal,
  receiptLines,
  receipts,
  skus,
} from "../../db/schema"
import type { Actor } from "../../lib/actor"
import { nextDocNumber } from "../../lib/doc-numbers"
import { newId } from "../../lib/ids"
import { log } from "../../lib/log"
import { type FieldError, notFound, ProblemError, problem } from "../../lib/problem"
import { cellStub } from "../../stock-cell/client"
import type { AdjustResult, CellSnapshot, Refusal, StockRef } from "../../stock-cell/types"
import { getLocation } from "../locations"
import { FANOUT, mapLimit, slices, snapshotOf } from "./fanout"

export type StockCtx = { db: Db; env: Env; actor: Actor }

export type ReceiptLineInput = {
  skuId: string
  qty: number
  lot?: string | null
  expiresOn?: string | null
  unitCostFen?: number | null
}
export type ReceiptInput = {
  locationId: string
  lines: ReceiptLineInput[]
  supplierRef?: string | null
  note?: string | null
}

export type AdjustmentLineInput = {
  skuId: string
  delta: number
  reason: AdjustmentReason
  lot?: string | null
  expiresOn?: string | null
}
export type AdjustmentInput = { locationId: string; lines: AdjustmentLineInput[]; note?: string | null }

/** A document left "posting" this long is taken to be abandoned by its worker. */
export const STUCK_AFTER_MS = 2 * 60_000

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
const requestKeyOf = (actor: Actor, key: string | undefined) => (key ? `${actor.id}:${key}` : null)
const lineOpId = (docId: string, lineNo: number) => `${docId}:${lineNo}`
const undoOpId = (docId: string, lineNo: number, k: number) => `${docId}:${lineNo}:undo:${k}`

// ── checks shared by both documents ─────────────────────────────────────────

/** Every SKU named must exist: 422 `unknown_sku` with each offending line's path. */
async function assertSkus(db: Db, lines: readonly { skuId: string }[]) {
  const ids = [...new Set(lines.map((l) => l.skuId))]
  const found = new Set<string>()
  for (const part of slices(ids)) {
    const rows = await db.select({ id: skus.id }).from(skus).where(inArray(skus.id, part))
    for (const r of rows) found.add(r.id)
  }
  const errors: FieldError[] = lines.flatMap((l, i) =>
    found.has(l.skuId) ? [] : [{ path: `lines.${i}.skuId`, message: "No such SKU.", skuId: l.skuId }],
  )
  if (errors.length > 0) throw problem(422, "unknown_sku", "Some lines name a SKU that does not exist.", { errors })
}

async function snapshots(env: Env, locationId: string, skuIds: readonly string[]) {
  const unique = [...new Set(skuIds)]
  const snaps = await mapLimit(unique, FANOUT, (skuId) => snapshotOf(env, locationId, skuId))
  return new Map(unique.map((skuId, i) => [skuId, snaps[i]!]))
}

/** A lot keeps the expiry it was first received with: a line giving another one is refused up front. */
function lotConflicts(
  lines: readonly { skuId: string; lot?: string | null; expiresOn?: string | null }[],
  snaps: Map<string, CellSnapshot>,
): FieldError[] {
  return lines.flatMap((l, i) => {
    if (!l.lot || !l.expiresOn) return []
    const existing = snaps.get(l.skuId)?.lots.find((x) => x.lot === l.lot)
    if (!existing || existing.expiresOn === l.expiresOn) return []
    return [
      {
        path: `lines.${i}.expiresOn`,
        message: `Lot ${l.lot} is on hand with expiry ${existing.expiresOn ?? "none"}.`,
        skuId: l.skuId,
        lot: l.lot,
        expiresOn: existing.expiresOn,
      },
    ]
  })
}

const lotConflictProblem = (errors: FieldError[]) =>
  problem(409, "lot_conflict", "A lot number is already on hand with another expiry date.", { errors })

/** The document's code: the cells' own when they agree on stock or lots, else a generic one. */
const refusalCode = (rs: Refusal[], fallback: string) =>
  rs.every((r) => r.code === "insufficient_stock")
    ? "insufficient_stock"
    : rs.some((r) => r.code === "lot_conflict")
      ? "lot_conflict"
      : fallback

const refusalProblem = (r: DocRefusal) => problem(409, r.code, r.detail, { errors: r.errors as FieldError[] })

/** A cell's refusal as a line error (the document's answer lists every refused line). */
function lineError(path: string, skuId: string, lot: string | null, r: Refusal): FieldError {
  if (r.code === "insufficient_stock")
    return { path, message: "Not enough stock.", skuId, lot, requested: r.requested, available: r.available }
  if (r.code === "lot_conflict")
    return { path, message: `Lot ${r.lot} is on hand with another expiry.`, skuId, lot, expiresOn: r.expiresOn }
  if (r.code === "invalid") return { path, message: `${r.field}: ${r.message}`, skuId, lot }
  return { path, message: r.code, skuId, lot }
}

// ── receipts ────────────────────────────────────────────────────────────────

type ReceiptRow = typeof receipts.$inferSelect
type ReceiptLineRow = typeof receiptLines.$inferSelect

const receiptView = (r: ReceiptRow, lines: ReceiptLineRow[]) => ({
  id: r.id,
  number: r.number,
  status: r.status,
  locationId: r.locationId,
  supplierRef: r.supplierRef,
  note: r.note,
  lines: lines.map((l) => ({
    skuId: l.skuId,
    qty: l.qty,
    lot: l.lot,
    expiresOn: l.expiresOn,
    unitCostFen: l.bookedUnitCostFen ?? l.unitCostFen,
    costFen: l.bookedUnitCostFen === null ? null : l.bookedUnitCostFen * l.qty,
  })),
  totalCostFen: r.totalCostFen,
  createdBy: r.createdBy,
  createdAt: iso(r.createdAt)!,
  postedAt: iso(r.postedAt),
})
export type ReceiptView = ReturnType<typeof receiptView>

export async function postReceipt(ctx: StockCtx, input: ReceiptInput, idempotencyKey?: string): Promise<ReceiptView> {
  const { db, env, actor } = ctx
  await getLocation(db, actor, input.locationId)
  await assertSkus(db, input.lines)
  const requestKey = requestKeyOf(actor, idempotencyKey)
  if (requestKey) {
    // The first request with this key died after writing its document: finish that one.
    const [prior] = await db.select({ id: receipts.id }).from(receipts).where(eq(receipts.requestKey, requestKey))
    if (prior) return finishReceipt(env, db, prior.id)
  }
  const conflicts = lotConflicts(
    input.lines,
    await snapshots(
      env,
      input.locationId,
      input.lines.map((l) => l.skuId),
    ),
  )
  if (conflicts.length > 0) throw lotConflictProblem(conflicts)

  const id = newId("rct")
  const lines = input.lines.map((l, lineNo) => ({
    receiptId: id,
    lineNo,
    skuId: l.skuId,
    qty: l.qty,
    lot: l.lot ?? null,
    expiresOn: l.expiresOn ?? null,
    unitCostFen: l.unitCostFen ?? null,
  }))
  await db.batch([
    db.insert(receipts).values({
      id,
      locationId: input.locationId,
      status: "posting",
      supplierRef: input.supplierRef ?? null,
      note: input.note ?? null,
      requestKey,
      createdBy: actor.id,
    }),
    ...slices(lines, 10).map((part) => db.insert(receiptLines).values(part)),
  ])
  return finishReceipt(env, db, id)
}

async function loadReceipt(db: Db, id: string) {
  const [doc] = await db.select().from(receipts).where(eq(receipts.id, id))
  if (!doc) throw notFound("receipt")
  const lines = await db
    .select()
    .from(receiptLines)
    .where(eq(receiptLines.receiptId, id))
    .orderBy(asc(receiptLines.lineNo))
  return { doc, lines }
}

export async function getReceipt(ctx: StockCtx, id: string): Promise<ReceiptView> {
  const { doc, lines } = await loadReceipt(ctx.db, id)
  await getLocation(ctx.db, ctx.actor, doc.locationId)
  return receiptView(doc, lines)
}

/**
 * Applies a written receipt to its cells and marks it posted; safe to run any number of times
 * (request, retry, repair job), concurrently too. A line a cell refuses (a lot received with
 * another expiry by a concurrent receipt since our check) undoes the lines already applied, as
 * facts so the undo itself can't be refused, and the receipt is refused as a whole.
 */
export async function finishReceipt(env: Env, db: Db, id: string): Promise<ReceiptView> {
  const { doc, lines } = await loadReceipt(db, id)
  if (doc.status === "posted") return receiptView(doc, lines)
  if (doc.status === "refused" && doc.refusal) throw refusalProblem(doc.refusal)
  const ref: StockRef = { type: "receipt", id, actorId: doc.createdBy }
  const results = await Promise.all(
    lines.map((l) =>
      cellStub(env, doc.locationId, l.skuId).receive({
        locationId: doc.locationId,
        skuId: l.skuId,
        opId: lineOpId(id, l.lineNo),
        qty: l.qty,
        lot: l.lot,
        expiresOn: l.expiresOn,
        unitCostFen: l.unitCostFen,
        ref,
      }),
    ),
  )
  const refused = results.flatMap((r, i) => (r.ok ? [] : [{ line: lines[i]!, refusal: r }]))
  if (refused.length > 0) {
    await Promise.all(
      results.map((r, i) => {
        const l = lines[i]!
        if (!r.ok) return null
        return cellStub(env, doc.locationId, l.skuId).adjust({
          locationId: doc.locationId,
          skuId: l.skuId,
          opId: undoOpId(id, l.lineNo, 0),
          delta: -l.qty,
          lot: l.lot,
          reason: "reversal",
          fact: true,
          ref,
        })
      }),
    )
    const refusal: DocRefusal = {
      code: refusalCode(
        refused.map((r) => r.refusal),
        "receipt_refused",
      ),
      detail: "A cell refused a line of this receipt; nothing was received.",
      errors: refused.map(({ line, refusal }) => lineError(`lines.${line.lineNo}`, line.skuId, line.lot, refusal)),
    }
    await refuse(db, receipts, id, refusal)
    throw refusalProblem(refusal)
  }

  const booked = results.flatMap((r) => (r.ok ? [r] : []))
  const totalCostFen = booked.reduce((s, r, i) => s + r.unitCostFen * lines[i]!.qty, 0)
  const number = await nextDocNumber(db, "RK", env.CHAIN_TIME_ZONE)
  await db.batch([
    db
      .update(receipts)
      .set({ status: "posted", number, totalCostFen, postedAt: Date.now() })
      .where(and(eq(receipts.id, id), eq(receipts.status, "posting"))),
    ...lines.map((l, i) =>
      db
        .update(receiptLines)
        .set({ bookedUnitCostFen: booked[i]!.unitCostFen })
        .where(and(eq(receiptLines.receiptId, id), eq(receiptLines.lineNo, l.lineNo))),
    ),
  ])
  const after = await loadReceipt(db, id)
  return receiptView(after.doc, after.lines)
}

/** Refused documents release their Idempotency-Key: a refusal changed nothing, so a retry may try again. */
async function refuse(db: Db, table: typeof receipts | typeof adjustments, id: string, refusal: DocRefusal) {
  await db
    .update(table)
    .set({ status: "refused", refusal, requestKey: null })
    .where(and(eq(table.id, id), eq(table.status, "posting")))
}

// ── adjustments ─────────────────────────────────────────────────────────────

type AdjustmentRow = typeof adjustments.$inferSelect
type AdjustmentLineRow = typeof adjustmentLines.$inferSelect

const adjustmentView = (a: AdjustmentRow, lines: AdjustmentLineRow[]) => ({
  id: a.id,
  number: a.number,
  status: a.status,
  locationId: a.locationId,
  note: a.note,
  lines: lines.map((l) => ({
    skuId: l.skuId,
    delta: l.delta,
    reason: l.reason,
    lot: l.lot,
    expiresOn: l.expiresOn,
    costFen: l.costFen,
  })),
  totalCostFen: a.totalCostFen,
  createdBy: a.createdBy,
  createdAt: iso(a.createdAt)!,
  postedAt: iso(a.postedAt),
})
export type AdjustmentView = ReturnType<typeof adjustmentView>

/**
 * Short lines against a snapshot: every negative line of a cell whose removals add up to more
 * than it has available (or than its named lot holds). Only a fast path for the common refusal:
 * the cells decide again when the lines are applied.
 */
function shortLines(lines: readonly AdjustmentLineInput[], snaps: Map<string, CellSnapshot>): FieldError[] {
  const wanted = new Map<string, number>()
  const wantedLot = new Map<string, number>()
  for (const l of lines) {
    if (l.delta >= 0) continue
    wanted.set(l.skuId, (wanted.get(l.skuId) ?? 0) - l.delta)
    if (l.lot) wantedLot.set(`${l.skuId}\u0000${l.lot}`, (wantedLot.get(`${l.skuId}\u0000${l.lot}`) ?? 0) - l.delta)
  }
  return lines.flatMap((l, i) => {
    if (l.delta >= 0) return []
    const s = snaps.get(l.skuId)
    const available = Math.max(0, s?.available ?? 0)
    const lotQty = l.lot ? (s?.lots.find((x) => x.lot === l.lot)?.qty ?? 0) : Number.POSITIVE_INFINITY
    const short =
      wanted.get(l.skuId)! > available || (l.lot ? wantedLot.get(`${l.skuId}\u0000${l.lot}`)! > lotQty : false)
    if (!short) return []
    return [
      {
        path: `lines.${i}.delta`,
        message: "Not enough stock.",
        skuId: l.skuId,
        lot: l.lot ?? null,
        requested: -l.delta,
        available: Math.min(available, lotQty),
      },
    ]
  })
}

const insufficient = (errors: FieldError[]) =>
  problem(409, "insufficient_stock", "Some lines remove more than is available; nothing was applied.", { errors })

export async function postAdjustment(
  ctx: StockCtx,
  input: AdjustmentInput,
  idempotencyKey?: string,
): Promise<AdjustmentView> {
  const { db, env, actor } = ctx
  await getLocation(db, actor, input.locationId)
  await assertSkus(db, input.lines)
  const requestKey = requestKeyOf(actor, idempotencyKey)
  if (requestKey) {
    const [prior] = await db
      .select({ id: adjustments.id })
      .from(adjustments)
      .where(eq(adjustments.requestKey, requestKey))
    if (prior) return finishAdjustment(env, db, prior.id)
  }
  const snaps = await snapshots(
    env,
    input.locationId,
    input.lines.map((l) => l.skuId),
  )
  const short = shortLines(input.lines, snaps)
  if (short.length > 0) throw insufficient(short)
  const conflicts = lotConflicts(
    input.lines.filter((l) => l.delta > 0),
    snaps,
  )
  if (conflicts.length > 0) throw lotConflictProblem(conflicts)

  const id = newId("adj")
  const lines = input.lines.map((l, lineNo) => ({
    adjustmentId: id,
    lineNo,
    skuId: l.skuId,
    delta: l.delta,
    reason: l.reason,
    lot: l.lot ?? null,
    expiresOn: l.expiresOn ?? null,
  }))
  await db.batch([
    db.insert(adjustments).values({
      id,
      locationId: input.locationId,
      status: "posting",
      note: input.note ?? null,
      requestKey,
      createdBy: actor.id,
    }),
    ...slices(lines, 10).map((part) => db.insert(adjustmentLines).values(part)),
  ])
  return finishAdjustment(env, db, id)
}

async function loadAdjustment(db: Db, id: string) {
  const [doc] = await db.select().from(adjustments).where(eq(adjustments.id, id))
  if (!doc) throw notFound("adjustment")
  const lines = await db
    .select()
    .from(adjustmentLines)
    .where(eq(adjustmentLines.adjustmentId, id))
    .orderBy(asc(adjustmentLines.lineNo))
  return { doc, lines }
}

export async function getAdjustment(ctx: StockCtx, id: string): Promise<AdjustmentView> {
  const { doc, lines } = await loadAdjustment(ctx.db, id)
  await getLocation(ctx.db, ctx.actor, doc.locationId)
  return adjustmentView(doc, lines)
}

type Applied = { line: AdjustmentLineRow; result: AdjustResult }

/**
 * All or nothing across cells, without locks. Our choice, and why:
 * - A snapshot pre-check (postAdjustment) answers the common refusal before anything is written,
 *   so a too-large write-off leaves no trace at all. It is racy, so it is only a fast path.
 * - The cells decide for real: removals first (the only lines that can be refused for stock), in
 *   parallel. If any is refused, the applied ones are put back — compensating moves with
 *   deterministic opIds `${id}:${line}:undo:${k}`, one per lot slice the removal took, so goods
 *   return to the very lots (and expiry) they left — and the document is refused with 409.
 * - Additions go only after every removal held, so a refusal never has to take back goods that
 *   someone may already have sold. (An addition can only be refused for a lot/expiry clash that
 *   raced our check; then everything applied is undone, additions as facts so the undo can't fail.)
 * Holding first (reserve, then adjust) was rejected: the cell's adjust checks available, which
 * our own hold would reduce, and adjusting as a fact over the hold would raise false discrepancy
 * events. The cost of compensation is visible, net-zero moves in the ledger in a rare race.
 * Every step replays by opId, so a crash anywhere is finished identically by a retry or the job.
 */
export async function finishAdjustment(env: Env, db: Db, id: string): Promise<AdjustmentView> {
  const { doc, lines } = await loadAdjustment(db, id)
  if (doc.status === "posted") return adjustmentView(doc, lines)
  if (doc.status === "refused" && doc.refusal) throw refusalProblem(doc.refusal)
  const ref: StockRef = { type: "adjustment", id, actorId: doc.createdBy }
  const apply = (l: AdjustmentLineRow) =>
    cellStub(env, doc.locationId, l.skuId).adjust({
      locationId: doc.locationId,
      skuId: l.skuId,
      opId: lineOpId(id, l.lineNo),
      delta: l.delta,
      lot: l.lot,
      expiresOn: l.delta > 0 ? l.expiresOn : null,
      reason: l.reason,
      ref,
    })
  const run = async (part: AdjustmentLineRow[]): Promise<Applied[]> =>
    (await Promise.all(part.map(apply))).map((result, i) => ({ line: part[i]!, result }))

  const removed = await run(lines.filter((l) => l.delta < 0))
  let applied = removed
  if (removed.every((a) => a.result.ok)) applied = [...removed, ...(await run(lines.filter((l) => l.delta > 0)))]
  const refused = applied.flatMap((a) => (a.result.ok ? [] : [{ line: a.line, refusal: a.result }]))
  if (refused.length > 0) {
    await undoAdjustment(env, doc.locationId, id, ref, applied)
    const refusal: DocRefusal = {
      code: refusalCode(
        refused.map((r) => r.refusal),
        "adjustment_refused",
      ),
      detail: "A cell refused a line of this adjustment; nothing was applied.",
      errors: refused.map(({ line, refusal }) =>
        lineError(`lines.${line.lineNo}.delta`, line.skuId, line.lot, refusal),
      ),
    }
    await refuse(db, adjustments, id, refusal)
    throw refusalProblem(refusal)
  }

  const costOf = (r: AdjustResult) => (r.ok ? Math.sign(r.delta) * r.costFen : 0)
  const byLine = new Map(applied.map((a) => [a.line.lineNo, costOf(a.result)]))
  const totalCostFen = [...byLine.values()].reduce((s, c) => s + c, 0)
  const number = await nextDocNumber(db, "TZ", env.CHAIN_TIME_ZONE)
  const statements: BatchItem<"sqlite">[] = lines.map((l) =>
    db
      .update(adjustmentLines)
      .set({ costFen: byLine.get(l.lineNo) ?? 0 })
      .where(and(eq(adjustmentLines.adjustmentId, id), eq(adjustmentLines.lineNo, l.lineNo))),
  )
  await db.batch([
    db
      .update(adjustments)
      .set({ status: "posted", number, totalCostFen, postedAt: Date.now() })
      .where(and(eq(adjustments.id, id), eq(adjustments.status, "posting"))),
    ...statements,
  ])
  const after = await loadAdjustment(db, id)
  return adjustmentView(after.doc, after.lines)
}

/** Puts back every applied line of a refused adjustment (see finishAdjustment). */
async function undoAdjustment(env: Env, locationId: string, id: string, ref: StockRef, applied: Applied[]) {
  const calls = applied.flatMap(({ line, result }) => {
    if (!result.ok) return []
    const stub = cellStub(env, locationId, line.skuId)
    const base = { locationId, skuId: line.skuId, reason: "reversal", ref }
    if (line.delta < 0)
      return result.takes.map((t, k) =>
        stub.adjust({
          ...base,
          opId: undoOpId(id, line.lineNo, k),
          delta: t.qty,
          lot: t.lot,
          expiresOn: t.lot ? t.expiresOn : null,
        }),
      )
    return [stub.adjust({ ...base, opId: undoOpId(id, line.lineNo, 0), delta: -line.delta, lot: line.lot, fact: true })]
  })
  const results = await Promise.all(calls)
  for (const r of results) if (!r.ok) log.error("adjustment undo refused", { adjustmentId: id, locationId, refusal: r })
}

// ── repair ──────────────────────────────────────────────────────────────────

/**
 * The frequent cron's repair: documents whose worker died while "posting" are finished with the
 * same opIds (applied lines replay, the rest apply once). Each document on its own: one failing
 * (its cell unreachable) is tried again next tick.
 */
export async function finishStuckDocuments(env: Env, db: Db, opts: { olderThanMs?: number; limit?: number } = {}) {
  const before = Date.now() - (opts.olderThanMs ?? STUCK_AFTER_MS)
  const limit = opts.limit ?? 50
  const stuck = (table: typeof receipts | typeof adjustments): SQL =>
    and(eq(table.status, "posting"), lt(table.updatedAt, before)) ?? sql`0`
  const rs = await db.select({ id: receipts.id }).from(receipts).where(stuck(receipts)).limit(limit)
  const as = await db.select({ id: adjustments.id }).from(adjustments).where(stuck(adjustments)).limit(limit)
  const outcome = { receipts: 0, adjustments: 0, refused: 0, failed: 0 }
  const attempt = async (kind: "receipts" | "adjustments", finish: () => Promise<unknown>, id: string) => {
    try {
      await finish()
      outcome[kind]++
    } catch (e) {
      if (e instanceof ProblemError && e.status === 409) outcome.refused++
      else {
        outcome.failed++
        log.error("stock document repair failed", { id, error: String(e) })
      }
    }
  }
  for (const r of rs) await attempt("receipts", () => finishReceipt(env, db, r.id), r.id)
  for (const a of as) await attempt("adjustments", () => finishAdjustment(env, db, a.id), a.id)
  return outcome
}
