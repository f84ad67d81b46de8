// The stock audit: does each cell's on hand equal the sum of its moves in the D1 ledger?
//
// The ledger trails a cell by its outbox, so comparing a live cell with D1 naively reports every
// busy cell as drift. What we compare instead, per cell:
//   1. the cell's snapshot S (onHand, version, outboxPending), then
//   2. in one D1 statement, the cell's stock_levels row L (version, lastSeq) and Σ delta of its
//      stock_moves with seq ≤ L.lastSeq (the flush writes L together with the moves it covers).
// The comparison is exact when S.outboxPending = 0 (every move the cell ever made is in D1: the
// cell deletes outbox rows only after D1 has them, and the flush that empties the outbox writes L
// with the last seq) and L.version ≤ S.version (D1 has not already taken changes made after S;
// moves flushed after S in a partial batch have seq > L.lastSeq and are not summed). Then
// S.onHand must equal the sum; if not, that is drift. A cell with rows still in its outbox is
// "pending" — not compared, retried shortly — rather than guessed at. If L.version > S.version the
// cell changed after S; a second snapshot tells a change (pending) from a cell that is *behind*
// its own ledger (state lost), which is drift. No locks, no pausing the cell, no false alarms.
//
// Lots: when a cell is compared and D1 holds no move of it beyond L.lastSeq, stock_lots (the
// trigger's sum of those same moves per lot) must equal the snapshot's lots; a lot that differs
// is drift too (listed under `lots`, the cell's totals may agree). While reading, lots whose date
// D1 never learnt (flushed before moves carried it, see migration 0015) get it from the cell.
import { and, asc, desc, eq, gt, isNull, sql } from "drizzle-orm"
import type { Db } from "../../db/client"
import { auditDrift, auditRuns, stockLevels, stockLots } from "../../db/schema"
import { newId } from "../../lib/ids"
import { log } from "../../lib/log"
import type { CellSnapshot } from "../../stock-cell/types"
import { getLocation } from "../locations"
import { FANOUT, mapLimit, slices, snapshotOf } from "./fanout"
import type { StockCtx } from "./service"

export type CellRef = { cell: string; locationId: string; skuId: string }
export type LotDrift = { lot: string; cell: number; projected: number }
export type CellCheck = CellRef &
  (
    | { status: "ok" | "drift"; cellOnHand: number; ledgerOnHand: number; lots?: LotDrift[] }
    | { status: "pending"; outboxPending: number }
  )

type LedgerRow = { cell: string; version: number; lastSeq: number; ledger: number; beyond: number }
type ProjectedLot = { cell: string; lot: string; expiresOn: string | null; qty: number }

async function ledgerOf(db: Db, cells: readonly string[]): Promise<Map<string, LedgerRow>> {
  const out = new Map<string, LedgerRow>()
  for (const part of slices(cells)) {
    const rows = await db.all<LedgerRow>(sql`
      SELECT l.cell AS cell, l.version AS version, l.last_seq AS lastSeq,
        COALESCE((SELECT SUM(m.delta) FROM stock_moves m WHERE m.cell = l.cell AND m.seq <= l.last_seq), 0) AS ledger,
        EXISTS (SELECT 1 FROM stock_moves m WHERE m.cell = l.cell AND m.seq > l.last_seq) AS beyond
      FROM stock_levels l WHERE l.cell IN (${sql.join(
        part.map((c) => sql`${c}`),
        sql`, `,
      )})`)
    for (const r of rows) out.set(r.cell, r)
  }
  return out
}

async function projectedLotsOf(db: Db, cells: readonly string[]): Promise<Map<string, ProjectedLot[]>> {
  const out = new Map<string, ProjectedLot[]>()
  for (const part of slices(cells)) {
    const rows = await db.all<ProjectedLot>(sql`
      SELECT cell, lot, expires_on AS expiresOn, qty FROM stock_lots WHERE cell IN (${sql.join(
        part.map((c) => sql`${c}`),
        sql`, `,
      )})`)
    for (const r of rows) out.set(r.cell, [...(out.get(r.cell) ?? []), r])
  }
  return out
}

/** Lots whose quantity differs between the cell and stock_lots (a lot missing on one side counts as 0). */
function lotDrift(s: CellSnapshot, projected: readonly ProjectedLot[]): LotDrift[] {
  const qty = new Map<string, LotDrift>()
  for (const l of s.lots) qty.set(l.lot, { lot: l.lot, cell: l.qty, projected: 0 })
  for (const p of projected) qty.set(p.lot, { lot: p.lot, cell: qty.get(p.lot)?.cell ?? 0, projected: p.qty })
  return [...qty.values()].filter((d) => d.cell !== d.projected).sort((a, b) => a.lot.localeCompare(b.lot))
}

/** Dates D1 lacks (lots flushed before moves carried them), from the cells' snapshots: idempotent. */
async function fillLotDates(
  db: Db,
  cells: readonly CellRef[],
  snaps: readonly CellSnapshot[],
  lots: Map<string, ProjectedLot[]>,
) {
  const fills = cells.flatMap((c, i) =>
    (lots.get(c.cell) ?? []).flatMap((p) => {
      const known = p.expiresOn === null ? snaps[i]!.lots.find((l) => l.lot === p.lot)?.expiresOn : null
      if (!known) return []
      const at = and(eq(stockLots.cell, c.cell), eq(stockLots.lot, p.lot), isNull(stockLots.expiresOn))
      return [db.update(stockLots).set({ expiresOn: known }).where(at)]
    }),
  )
  const [head, ...tail] = fills
  if (head) await db.batch([head, ...tail])
}

/** Checks cells known to stock_levels (see the header); one snapshot each, a second only when needed. */
export async function checkCells(env: Env, db: Db, cells: readonly CellRef[]): Promise<CellCheck[]> {
  const first = await mapLimit(cells, FANOUT, (c) => snapshotOf(env, c.locationId, c.skuId))
  const ledger = await ledgerOf(
    db,
    cells.map((c) => c.cell),
  )
  const lots = await projectedLotsOf(
    db,
    cells.map((c) => c.cell),
  )
  await fillLotDates(db, cells, first, lots)
  const judge = (c: CellRef, s: CellSnapshot, l: LedgerRow): CellCheck => {
    const totals = { cellOnHand: s.onHand, ledgerOnHand: l.ledger }
    if (s.onHand !== l.ledger) return { ...c, status: "drift", ...totals }
    // Moves past L are in stock_lots but not in S: the lots are compared on a later look.
    const off = l.beyond ? [] : lotDrift(s, lots.get(c.cell) ?? [])
    return off.length > 0 ? { ...c, status: "drift", ...totals, lots: off } : { ...c, status: "ok", ...totals }
  }
  return mapLimit(cells, FANOUT, async (c, i) => {
    const s = first[i]!
    const l = ledger.get(c.cell)
    if (!l) return { ...c, status: "pending", outboxPending: s.outboxPending }
    if (s.outboxPending > 0) return { ...c, status: "pending", outboxPending: s.outboxPending }
    if (l.version <= s.version) return judge(c, s, l)
    const again = await snapshotOf(env, c.locationId, c.skuId)
    return again.version < l.version
      ? judge(c, again, l)
      : { ...c, status: "pending", outboxPending: again.outboxPending }
  })
}

/** How long a location audit waits for busy cells' outboxes (the cell flushes ~0.5 s after a change). */
const SETTLE_MS = 1_000
const SETTLE_ROUNDS = 2

const driftOf = (checks: CellCheck[]) =>
  checks.flatMap((c) =>
    c.status === "drift"
      ? [
          {
            locationId: c.locationId,
            skuId: c.skuId,
            cell: c.cellOnHand,
            ledger: c.ledgerOnHand,
            ...(c.lots ? { lots: c.lots } : {}),
          },
        ]
      : [],
  )

/** One location, now: every cell it has in stock_levels (or one SKU's). Busy cells get two short retries. */
export async function auditLocation(ctx: StockCtx, locationId: string, skuId?: string) {
  await getLocation(ctx.db, ctx.actor, locationId)
  const cells = await ctx.db
    .select({ cell: stockLevels.cell, locationId: stockLevels.locationId, skuId: stockLevels.skuId })
    .from(stockLevels)
    .where(and(eq(stockLevels.locationId, locationId), skuId ? eq(stockLevels.skuId, skuId) : undefined))
    .orderBy(asc(stockLevels.cell))
  let checks = await checkCells(ctx.env, ctx.db, cells)
  for (let round = 0; round < SETTLE_ROUNDS && checks.some((c) => c.status === "pending"); round++) {
    await new Promise((r) => setTimeout(r, SETTLE_MS))
    const settled = checks.filter((c) => c.status !== "pending")
    checks = [
      ...settled,
      ...(await checkCells(
        ctx.env,
        ctx.db,
        checks.filter((c) => c.status === "pending"),
      )),
    ]
  }
  const pending = checks.flatMap((c) =>
    c.status === "pending" ? [{ locationId: c.locationId, skuId: c.skuId, outboxPending: c.outboxPending }] : [],
  )
  return {
    locationId,
    cellsChecked: checks.length - pending.length,
    drift: driftOf(checks),
    pending,
    checkedAt: new Date().toISOString(),
  }
}

// ── the chain-wide run ──────────────────────────────────────────────────────

export const AUDIT_CHUNK = 100
/** Wall time one cron tick spends on a run before leaving the rest to the next tick. */
export const AUDIT_BUDGET_MS = 20_000
const LEASE_MS = 60_000

type RunRow = typeof auditRuns.$inferSelect

const runView = (r: RunRow) => ({
  id: r.id,
  status: r.status,
  trigger: r.trigger,
  cellsChecked: r.cellsChecked,
  cellsPending: r.cellsPending,
  driftCount: r.driftCount,
  startedAt: new Date(r.startedAt).toISOString(),
  finishedAt: r.finishedAt === null ? null : new Date(r.finishedAt).toISOString(),
})
export type AuditRunView = ReturnType<typeof runView>

/** Starts a run unless one is already going (then that one is returned): at most one at a time. */
export async function startAuditRun(db: Db, trigger: "nightly" | "manual", requestedBy: string | null) {
  const now = Date.now()
  const id = newId("aud")
  await db.run(sql`
    INSERT INTO audit_runs (id, status, trigger, requested_by, started_at, created_at, updated_at)
    SELECT ${id}, 'running', ${trigger}, ${requestedBy}, ${now}, ${now}, ${now}
    WHERE NOT EXISTS (SELECT 1 FROM audit_runs WHERE status = 'running')`)
  const [running] = await db
    .select()
    .from(auditRuns)
    .where(eq(auditRuns.status, "running"))
    .orderBy(asc(auditRuns.startedAt))
    .limit(1)
  return running ?? null
}

/**
 * One chunk of the running audit: whoever takes the lease checks the next `chunkSize` cells
 * after the cursor and advances it in one batch with the drift it found. A worker that dies
 * mid-chunk leaves the cursor where it was; the lease lapses and the next tick redoes the chunk
 * (drift rows are keyed by run and cell, the counters move only with the cursor). Returns
 * "done", "more", "busy" (someone else holds the lease) or "idle" (no run).
 */
export async function stepAuditRun(env: Env, db: Db, chunkSize = AUDIT_CHUNK) {
  const now = Date.now()
  const [run] = await db
    .update(auditRuns)
    .set({ leaseUntil: now + LEASE_MS })
    .where(
      and(
        eq(auditRuns.status, "running"),
        sql`${auditRuns.leaseUntil} < ${now}`,
        eq(auditRuns.id, sql`(SELECT id FROM audit_runs WHERE status = 'running' ORDER BY started_at LIMIT 1)`),
      ),
    )
    .returning()
  if (!run) {
    const [any] = await db.select({ id: auditRuns.id }).from(auditRuns).where(eq(auditRuns.status, "running")).limit(1)
    return any ? "busy" : "idle"
  }
  const cells = await db
    .select({ cell: stockLevels.cell, locationId: stockLevels.locationId, skuId: stockLevels.skuId })
    .from(stockLevels)
    .where(run.cursor === null ? undefined : gt(stockLevels.cell, run.cursor))
    .orderBy(asc(stockLevels.cell))
    .limit(chunkSize)
  const checks = await checkCells(env, db, cells)
  const drift = checks.flatMap((c) => (c.status === "drift" ? [c] : []))
  const pending = checks.filter((c) => c.status === "pending").length
  const done = cells.length < chunkSize
  const at = Date.now()
  await db.batch([
    db
      .update(auditRuns)
      .set({
        cursor: cells.at(-1)?.cell ?? run.cursor,
        cellsChecked: sql`${auditRuns.cellsChecked} + ${checks.length - pending}`,
        cellsPending: sql`${auditRuns.cellsPending} + ${pending}`,
        driftCount: sql`${auditRuns.driftCount} + ${drift.length}`,
        leaseUntil: 0,
        ...(done ? { status: "done" as const, finishedAt: at } : {}),
      })
      .where(and(eq(auditRuns.id, run.id), sql`${auditRuns.cursor} IS ${run.cursor}`)),
    ...slices(drift, 12).map((part) =>
      db
        .insert(auditDrift)
        .values(
          part.map((d) => ({
            runId: run.id,
            cell: d.cell,
            locationId: d.locationId,
            skuId: d.skuId,
            cellOnHand: d.cellOnHand,
            ledgerOnHand: d.ledgerOnHand,
          })),
        )
        .onConflictDoNothing(),
    ),
  ])
  return done ? "done" : "more"
}

/** The cron's share of work: chunks until the run is done or the tick's budget is spent. */
export async function continueAuditRuns(env: Env, db: Db, opts: { chunkSize?: number; budgetMs?: number } = {}) {
  const until = Date.now() + (opts.budgetMs ?? AUDIT_BUDGET_MS)
  let chunks = 0
  let state = "idle"
  do {
    state = await stepAuditRun(env, db, opts.chunkSize)
    if (state === "more" || state === "done") chunks++
  } while (state === "more" && Date.now() < until)
  if (chunks > 0) log.info("stock audit progressed", { chunks, state })
  return { chunks, state }
}

/** POST /stock/audit/run: start (or join) a run and do its first chunk now; the cron does the rest. */
export async function requestAuditRun(ctx: StockCtx) {
  const run = await startAuditRun(ctx.db, "manual", ctx.actor.id)
  if (run) await stepAuditRun(ctx.env, ctx.db)
  const [now] = run ? await ctx.db.select().from(auditRuns).where(eq(auditRuns.id, run.id)) : []
  if (!now) throw new Error("audit run vanished")
  return runView(now)
}

const MAX_DRIFT_LISTED = 1000

/** GET /stock/audit without a location: the last finished run (and the one in progress, if any). */
export async function lastAuditResult(db: Db) {
  const [last] = await db
    .select()
    .from(auditRuns)
    .where(eq(auditRuns.status, "done"))
    .orderBy(desc(auditRuns.finishedAt))
    .limit(1)
  const [running] = await db.select().from(auditRuns).where(eq(auditRuns.status, "running")).limit(1)
  const drift = last
    ? await db
        .select()
        .from(auditDrift)
        .where(eq(auditDrift.runId, last.id))
        .orderBy(asc(auditDrift.cell))
        .limit(MAX_DRIFT_LISTED)
    : []
  return {
    runId: last?.id ?? null,
    cellsChecked: last?.cellsChecked ?? 0,
    cellsPending: last?.cellsPending ?? 0,
    driftCount: last?.driftCount ?? 0,
    drift: drift.map((d) => ({ locationId: d.locationId, skuId: d.skuId, cell: d.cellOnHand, ledger: d.ledgerOnHand })),
    checkedAt: last?.finishedAt ? new Date(last.finishedAt).toISOString() : null,
    running: running ? runView(running) : null,
  }
}
