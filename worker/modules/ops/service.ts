// The owner's deep health check: what a small chain needs to trust the system without an ops
// team, each part read from what D1 already records, each with a plain ok/warn.
//   - queue backlog: reorder-point signals nobody has acted on (the REPLENISH consumer's output);
//   - dead letters: messages a queue gave up on (recorded by the dead-letter consumer);
//   - unsynced outbox: cells whose ledger in D1 is ahead of their level row, i.e. a flush that
//     copied some moves and has not come back for the rest (a cell flushes ~0.5 s after a change,
//     so anything older than a minute is stuck), plus the cells the last audit found still pending;
//   - the last chain-wide audit: when it ran and the drift it found;
//   - price exceptions from offline sales: how many, the latest;
//   - sales, returns, orders and transfers a dead worker left half-way, past the time the repair
//     job should have finished them;
//   - data imports left half-way: open import jobs that have had no chunk for an hour (a chain
//     switching to puzi must see that its opening stock or history is only partly in).
// A cell whose outbox never reached D1 at all is invisible here (D1 has never heard of it); the
// audit's pending count and the repair of the document that changed it cover that case.
import { sql } from "drizzle-orm"
import type { Db } from "../../db/client"
import { deadLetters, type ImportKind } from "../../db/schema"
import { lastAuditResult } from "../stock"

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** A flush that has not finished after this is stuck, not busy. */
export const OUTBOX_STUCK_MS = MINUTE
/** Signals open longer than this have been forgotten: replenishment is waiting on a person. */
export const BACKLOG_WARN_MS = DAY
/** Dead letters this recent still need someone to look at them. */
export const DEAD_LETTER_WARN_MS = 7 * DAY
/** An audit older than this says little about today. */
export const AUDIT_STALE_MS = 2 * DAY
/** Price exceptions this recent are HQ's open work. */
export const EXCEPTION_WARN_MS = DAY
/** The repair cron runs every 10 minutes; past this, it has not managed. */
export const REPAIR_OVERDUE_MS = 20 * MINUTE
/** An import client sends chunks back to back; an open job silent this long was abandoned or its client died. */
export const IMPORT_STALLED_MS = HOUR

export type Status = "ok" | "warn"

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString())
const worst = (...s: Status[]): Status => (s.includes("warn") ? "warn" : "ok")

async function one<T>(db: Db, query: ReturnType<typeof sql>): Promise<T> {
  const [row] = await db.all<T>(query)
  return row as T
}

async function queueBacklog(db: Db, now: number) {
  const r = await one<{ n: number; oldest: number | null }>(
    db,
    sql`SELECT COUNT(*) AS n, MIN(occurred_at) AS oldest FROM replenish_signals WHERE status = 'open'`,
  )
  const status: Status = r.oldest !== null && r.oldest < now - BACKLOG_WARN_MS ? "warn" : "ok"
  return { status, openSignals: r.n, oldestAt: iso(r.oldest) }
}

async function deadLetterReport(db: Db, now: number) {
  const r = await one<{ n: number; recent: number; latest: number | null }>(
    db,
    sql`SELECT COUNT(*) AS n, SUM(CASE WHEN received_at >= ${now - DEAD_LETTER_WARN_MS} THEN 1 ELSE 0 END) AS recent,
      MAX(received_at) AS latest FROM dead_letters`,
  )
  const recent = r.recent ?? 0
  return { status: (recent > 0 ? "warn" : "ok") as Status, total: r.n, lastWeek: recent, latestAt: iso(r.latest) }
}

const STUCK_LISTED = 10

async function outboxReport(db: Db, now: number, lastAuditPending: number) {
  // Per level row, one probe of the ledger's primary key (cell, seq) past the level's last seq.
  const rows = await db.all<{ cell: string; since: number }>(sql`
    SELECT l.cell AS cell, MIN(m.created_at) AS since
    FROM stock_levels l JOIN stock_moves m ON m.cell = l.cell AND m.seq > l.last_seq
    GROUP BY l.cell ORDER BY since LIMIT 1000`)
  const stuck = rows.filter((r) => r.since < now - OUTBOX_STUCK_MS)
  return {
    status: (stuck.length > 0 ? "warn" : "ok") as Status,
    cellsBehind: rows.length,
    cellsStuck: stuck.length,
    stuck: stuck.slice(0, STUCK_LISTED).map((r) => ({ cell: r.cell, since: iso(r.since) })),
    lastAuditPending,
  }
}

type Audit = Awaited<ReturnType<typeof lastAuditResult>>

const auditReport = (a: Audit, now: number) => {
  const at = a.checkedAt ? Date.parse(a.checkedAt) : null
  const status: Status = a.driftCount > 0 || at === null || at < now - AUDIT_STALE_MS ? "warn" : "ok"
  return {
    status,
    lastRunAt: a.checkedAt,
    cellsChecked: a.cellsChecked,
    cellsPending: a.cellsPending,
    driftCount: a.driftCount,
    drift: a.drift.slice(0, STUCK_LISTED),
    running: a.running !== null,
  }
}

async function priceExceptions(db: Db, now: number) {
  const r = await one<{ n: number; recent: number }>(
    db,
    sql`SELECT COUNT(*) AS n, SUM(CASE WHEN occurred_at >= ${now - EXCEPTION_WARN_MS} THEN 1 ELSE 0 END) AS recent
      FROM sale_exceptions`,
  )
  const [latest] = await db.all<{
    id: string
    kind: string
    refId: string
    locationId: string
    expectedFen: number
    actualFen: number
    occurredAt: number
  }>(sql`SELECT id, kind, ref_id AS refId, location_id AS locationId, expected_fen AS expectedFen,
      actual_fen AS actualFen, occurred_at AS occurredAt
    FROM sale_exceptions ORDER BY occurred_at DESC, id DESC LIMIT 1`)
  const recent = r.recent ?? 0
  return {
    status: (recent > 0 ? "warn" : "ok") as Status,
    total: r.n,
    lastDay: recent,
    latest: latest
      ? { ...latest, differenceFen: latest.actualFen - latest.expectedFen, occurredAt: iso(latest.occurredAt) }
      : null,
  }
}

type Stuck = { awaiting: number; overdue: number; oldestAt: string | null }

/** Rows the repair job is waiting for (`since` before `staleBefore`), and those past its deadline. */
async function stuckRows(db: Db, from: ReturnType<typeof sql>, since: ReturnType<typeof sql>, now: number) {
  const r = await one<{ n: number; overdue: number; oldest: number | null }>(
    db,
    sql`SELECT COUNT(*) AS n, SUM(CASE WHEN ${since} < ${now - REPAIR_OVERDUE_MS} THEN 1 ELSE 0 END) AS overdue,
      MIN(${since}) AS oldest FROM ${from}`,
  )
  return { awaiting: r.n, overdue: r.overdue ?? 0, oldestAt: iso(r.oldest) }
}

async function awaitingRepair(db: Db, now: number) {
  const [saleIntents, sales, returns, orders, transfers] = await Promise.all([
    // A till sale whose request died between its holds and its write (sales/repair.ts takes it once
    // the lease ends): goods held or taken, money perhaps taken, no sale yet.
    stuckRows(
      db,
      sql`sale_intents WHERE state IN ('open', 'rolling_back') AND lease_until < ${now}`,
      sql`lease_until`,
      now,
    ),
    // The repair jobs' own criteria (sales/post.ts, sales/returns-settle.ts, orders, transfers).
    stuckRows(db, sql`sales WHERE posted_at IS NULL AND created_at < ${now - MINUTE}`, sql`created_at`, now),
    stuckRows(db, sql`returns WHERE settled_at IS NULL AND created_at < ${now - MINUTE}`, sql`created_at`, now),
    stuckRows(
      db,
      sql`orders WHERE status IN ('paying', 'payment_pending') AND updated_at < ${now - 30_000}`,
      sql`updated_at`,
      now,
    ),
    stuckRows(
      db,
      sql`transfers WHERE status IN ('reserving', 'shipping', 'receiving', 'cancelling') AND updated_at < ${now - 2 * MINUTE}`,
      sql`updated_at`,
      now,
    ),
  ])
  const all: Stuck[] = [saleIntents, sales, returns, orders, transfers]
  return {
    status: (all.some((s) => s.overdue > 0) ? "warn" : "ok") as Status,
    saleIntents,
    sales,
    returns,
    orders,
    transfers,
  }
}

/**
 * Import jobs not finished, and the stalled ones among them (oldest activity first). A job's
 * updated_at is rewritten with every chunk recorded (imports/jobs.ts), so it is the time of its
 * last chunk, or its creation when none came. Few jobs ever exist: one query with window counts.
 */
async function importReport(db: Db, now: number) {
  const rows = await db.all<{
    id: string
    kind: ImportKind
    key: string
    note: string | null
    chunksDone: number
    lastChunk: number
    rows: number
    createdAt: number
    updatedAt: number
    open: number
    stalled: number
  }>(sql`SELECT id, kind, key, note, chunks_done AS chunksDone, last_chunk AS lastChunk, rows,
      created_at AS createdAt, updated_at AS updatedAt, COUNT(*) OVER () AS open,
      SUM(CASE WHEN updated_at < ${now - IMPORT_STALLED_MS} THEN 1 ELSE 0 END) OVER () AS stalled
    FROM import_jobs WHERE status = 'running' ORDER BY updated_at, id LIMIT ${STUCK_LISTED}`)
  const stalled = rows[0]?.stalled ?? 0
  return {
    status: (stalled > 0 ? "warn" : "ok") as Status,
    open: rows[0]?.open ?? 0,
    stalled,
    stalledJobs: rows
      .filter((r) => r.updatedAt < now - IMPORT_STALLED_MS)
      .map(({ createdAt, updatedAt, open: _o, stalled: _s, ...job }) => ({
        ...job,
        startedAt: iso(createdAt)!,
        lastActivityAt: iso(updatedAt)!,
      })),
  }
}

export async function deepHealth(db: Db, now = Date.now()) {
  const audit = await lastAuditResult(db)
  const [backlog, dead, outbox, exceptions, repair, imports] = await Promise.all([
    queueBacklog(db, now),
    deadLetterReport(db, now),
    outboxReport(db, now, audit.cellsPending),
    priceExceptions(db, now),
    awaitingRepair(db, now),
    importReport(db, now),
  ])
  const lastAudit = auditReport(audit, now)
  return {
    status: worst(
      backlog.status,
      dead.status,
      outbox.status,
      lastAudit.status,
      exceptions.status,
      repair.status,
      imports.status,
    ),
    checkedAt: iso(now)!,
    queueBacklog: backlog,
    deadLetters: dead,
    unsyncedOutbox: outbox,
    lastAudit,
    priceExceptions: exceptions,
    awaitingRepair: repair,
    imports,
  }
}

export type DeepHealth = Awaited<ReturnType<typeof deepHealth>>

/** The dead-letter consumer's record: one row per message id, however often it is delivered. */
export async function recordDeadLetters(db: Db, batch: MessageBatch) {
  const now = Date.now()
  const rows = batch.messages.map((m) => ({
    id: m.id,
    queue: batch.queue,
    body: m.body,
    attempts: m.attempts,
    receivedAt: now,
  }))
  // Five rows a statement keeps each under D1's 100 bound parameters.
  for (let i = 0; i < rows.length; i += 5)
    await db
      .insert(deadLetters)
      .values(rows.slice(i, i + 5))
      .onConflictDoNothing()
}
