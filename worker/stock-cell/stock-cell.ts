// StockCell: one Durable Object per SKU × location (named `${locationId}:${skuId}`), the only
// writer of that quantity (ARCHITECTURE.md §3). Every public method is an RPC whose body is
// synchronous: check and write happen inside one storage transaction with nothing awaited in
// between, so concurrent callers are simply serialised. The alarm is the only async path: it
// expires holds and copies the outbox to D1 (and replenish signals to the REPLENISH queue).
import { DurableObject } from "cloudflare:workers"
import { sql as dsql } from "drizzle-orm"
import type { BatchItem } from "drizzle-orm/batch"
import { type LotStock, type LotTake, movingAverageCost, pickFefo } from "../../core/lots"
import { makeDb } from "../db/client"
import { stockLevels, stockMoves } from "../db/schema/stock"
import { log } from "../lib/log"
import { type Sql, sqlOf } from "./sql"
import type {
  AdjustInput,
  AdjustResult,
  CellCall,
  CellEvent,
  CellKey,
  CellSnapshot,
  CommitInput,
  CommitResult,
  HoldKind,
  HoldStatus,
  HoldView,
  Invalid,
  Limit,
  LimitInput,
  LimitResult,
  MoveKind,
  OfflineSaleInput,
  OfflineSaleResult,
  OpConflict,
  Policy,
  PolicyInput,
  PolicyResult,
  ReceiveInput,
  ReceiveResult,
  ReleaseInput,
  ReleaseResult,
  ReplenishMessage,
  ReserveInput,
  ReserveResult,
  SellInput,
  SellResult,
  StockRef,
  UnsellInput,
  UnsellResult,
} from "./types"

/** Outbox rows wait this long so a burst of changes reaches D1 as one batch. */
export const FLUSH_DELAY_MS = 500
/** Rows per D1 batch (one statement per row: D1 allows 100 bound parameters per statement). */
export const FLUSH_BATCH = 100
/** Retry after a failed flush: 1 s, 2 s, 4 s … capped at 5 minutes. */
export const flushBackoffMs = (attempts: number) => Math.min(1000 * 2 ** Math.max(attempts - 1, 0), 300_000)
/** Stored op results and closed holds are kept this long (replays older than this are new calls). */
export const RETENTION_MS = 90 * 24 * 3600 * 1000
const PRUNE_EVERY_MS = 3600 * 1000

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS cell (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    location_id TEXT, sku_id TEXT,
    on_hand INTEGER NOT NULL DEFAULT 0,
    lotless INTEGER NOT NULL DEFAULT 0,
    avg_cost_fen INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 0,
    below_reorder INTEGER NOT NULL DEFAULT 0,
    reorder_point INTEGER, max_qty INTEGER, safety_stock INTEGER,
    limit_per_customer INTEGER, limit_window_ms INTEGER, limit_until INTEGER,
    alarm_at INTEGER,
    flush_attempts INTEGER NOT NULL DEFAULT 0,
    flush_retry_at INTEGER NOT NULL DEFAULT 0,
    flushed_version INTEGER NOT NULL DEFAULT 0,
    flushed_seq INTEGER NOT NULL DEFAULT 0
  )`,
  "INSERT OR IGNORE INTO cell (id) VALUES (1)",
  `CREATE TABLE IF NOT EXISTS lots (
    lot TEXT PRIMARY KEY, expires_on TEXT, qty INTEGER NOT NULL CHECK (qty > 0), unit_cost_fen INTEGER NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS holds (
    hold_id TEXT PRIMARY KEY, qty INTEGER NOT NULL, expires_at INTEGER NOT NULL,
    status TEXT NOT NULL, kind TEXT NOT NULL, customer_id TEXT, ref TEXT NOT NULL,
    created_at INTEGER NOT NULL, closed_at INTEGER
  )`,
  "CREATE INDEX IF NOT EXISTS holds_status_expiry ON holds (status, expires_at)",
  "CREATE INDEX IF NOT EXISTS holds_customer ON holds (customer_id, created_at)",
  "CREATE INDEX IF NOT EXISTS holds_closed ON holds (closed_at)",
  `CREATE TABLE IF NOT EXISTS ops (
    op_id TEXT PRIMARY KEY, method TEXT NOT NULL, fingerprint TEXT NOT NULL, result TEXT NOT NULL, at INTEGER NOT NULL
  )`,
  "CREATE INDEX IF NOT EXISTS ops_at ON ops (at)",
  // AUTOINCREMENT: a seq is never reused after rows are deleted, so (cell, seq) stays unique in D1.
  "CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL)",
]

type CellRow = {
  location_id: string | null
  sku_id: string | null
  on_hand: number
  lotless: number
  avg_cost_fen: number
  version: number
  below_reorder: number
  reorder_point: number | null
  max_qty: number | null
  safety_stock: number | null
  limit_per_customer: number | null
  limit_window_ms: number | null
  limit_until: number | null
  alarm_at: number | null
  flush_attempts: number
  flush_retry_at: number
  flushed_version: number
  flushed_seq: number
}
type LotRow = { lot: string; expires_on: string | null; qty: number; unit_cost_fen: number }
type HoldRow = {
  hold_id: string
  qty: number
  expires_at: number
  status: HoldStatus
  kind: HoldKind
  customer_id: string | null
  ref: string
  created_at: number
  closed_at: number | null
}
type Levels = { onHand: number; reserved: number; available: number }

// ── input checks (refusals, not exceptions: RPC inputs may come from a bad request) ──

const invalid = (field: string, message: string): Invalid => ({ ok: false, code: "invalid", field, message })
const isText = (v: unknown, max = 200): v is string => typeof v === "string" && v.length > 0 && v.length <= max
const isPosInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0
const isNonNegInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0
const isDate = (v: unknown): v is string => typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v)
const isOptText = (v: unknown) => v === undefined || v === null || isText(v)

const checkCall = (c: CellCall): Invalid | null =>
  !isText(c.locationId)
    ? invalid("locationId", "a non-empty id")
    : !isText(c.skuId)
      ? invalid("skuId", "a non-empty id")
      : !isText(c.opId, 300)
        ? invalid("opId", "a non-empty id of at most 300 characters")
        : null
const checkRef = (r: StockRef | undefined, required: boolean): Invalid | null =>
  r === undefined
    ? required
      ? invalid("ref", "the document behind the change")
      : null
    : !isText(r.type, 50) || !isText(r.id) || !isText(r.actorId)
      ? invalid("ref", "{ type, id, actorId } as non-empty strings")
      : null
const checkLot = (lot: unknown, expiresOn: unknown): Invalid | null =>
  !isOptText(lot)
    ? invalid("lot", "a non-empty lot number")
    : expiresOn !== undefined && expiresOn !== null && !isDate(expiresOn)
      ? invalid("expiresOn", "a date YYYY-MM-DD")
      : expiresOn && !lot
        ? invalid("expiresOn", "only goods with a lot number carry an expiry date")
        : null
const first = (...checks: (Invalid | null)[]) => checks.find((c) => c !== null) ?? null

export class StockCell extends DurableObject<Env> {
  /** Test seam: tests move the cell's time through runInDurableObject instead of sleeping. */
  clock: () => number = () => Date.now()
  private readonly sql: Sql
  /**
   * The cell row and the reserved sum as last read within the current call, until a write to their
   * table: a decision reads them many times (levels, limits, moves, the alarm), each an SQLite
   * statement. Every write goes through sql.run, which forgets what its table feeds; so does every
   * public entry and a transaction that fails.
   */
  private row: CellRow | undefined
  private reserved: { now: number; qty: number } | undefined
  /** Old ops and closed holds are pruned at most this often per instance (they are kept 90 days). */
  private prunedAt = 0

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    const sql = sqlOf(ctx.storage.sql)
    this.sql = {
      ...sql,
      run: (strings, ...values) => {
        const text = strings.join("")
        if (/\bcell\b/.test(text)) this.row = undefined
        if (/\bholds\b/.test(text)) this.reserved = undefined
        return sql.run(strings, ...values)
      },
    }
    void ctx.blockConcurrencyWhile(async () => {
      for (const statement of SCHEMA) ctx.storage.sql.exec(statement)
    })
  }

  // ── goods in ─────────────────────────────────────────────────────────────

  /** Goods received (入库). Updates the moving-average cost (core/lots.ts movingAverageCost). */
  receive(input: ReceiveInput): ReceiveResult {
    const lot = input.lot ?? null
    const expiresOn = input.expiresOn ?? null
    const unitCost = input.unitCostFen ?? null
    const bad = first(
      isPosInt(input.qty) ? null : invalid("qty", "a positive integer in base units"),
      checkLot(lot, expiresOn),
      unitCost === null || isNonNegInt(unitCost) ? null : invalid("unitCostFen", "a non-negative integer (fen)"),
      checkRef(input.ref, true),
    )
    return this.op<ReceiveResult>("receive", input, [input.qty, lot, expiresOn, unitCost], bad, (now) => {
      if (lot !== null) {
        const existing = this.lot(lot)
        if (existing && expiresOn !== null && existing.expires_on !== expiresOn)
          return { ok: false, code: "lot_conflict", lot, expiresOn: existing.expires_on }
      }
      const c = this.cell()
      const cost = unitCost ?? c.avg_cost_fen
      const avg = movingAverageCost(c.avg_cost_fen, c.on_hand, input.qty, cost)
      this.sql.run`UPDATE cell SET avg_cost_fen = ${avg}`
      const reserved = this.levels(now).reserved
      this.addGoods(lot, expiresOn, input.qty, cost, "receive", input.ref, now, null, reserved)
      return { ok: true, qty: input.qty, lot, unitCostFen: cost, avgCostFen: avg, ...this.levels(now) }
    })
  }

  /**
   * A correction: damage, loss, found goods, a posted stocktake variance. Positive deltas add at
   * the lot's cost (or the moving average, which they leave unchanged); negative deltas take FEFO
   * (or from the named lot). Without `fact` a negative delta must fit in available; with it
   * (posted variance) it applies anyway, and a `discrepancy` event marks available below zero.
   */
  adjust(input: AdjustInput): AdjustResult {
    const lot = input.lot ?? null
    const expiresOn = input.expiresOn ?? null
    const fact = input.fact === true
    const bad = first(
      typeof input.delta === "number" && Number.isSafeInteger(input.delta) && input.delta !== 0
        ? null
        : invalid("delta", "a non-zero integer in base units"),
      checkLot(lot, expiresOn),
      isOptText(input.reason) ? null : invalid("reason", "a short reason code"),
      checkRef(input.ref, true),
    )
    const reason = input.reason ?? null
    return this.op<AdjustResult>("adjust", input, [input.delta, lot, expiresOn, fact], bad, (now) => {
      const existing = lot === null ? undefined : this.lot(lot)
      if (lot !== null && existing && expiresOn !== null && existing.expires_on !== expiresOn)
        return { ok: false, code: "lot_conflict", lot, expiresOn: existing.expires_on }
      const before = this.levels(now)
      let takes: LotTake[]
      if (input.delta > 0) {
        const cost = existing?.unit_cost_fen ?? this.cell().avg_cost_fen
        this.addGoods(lot, expiresOn, input.delta, cost, "adjust", input.ref, now, reason, before.reserved)
        takes = [{ lot, expiresOn, qty: input.delta, unitCostFen: cost, costFen: input.delta * cost }]
      } else {
        const qty = -input.delta
        const lotQty = existing?.qty ?? 0
        if (!fact && (qty > before.available || (lot !== null && qty > lotQty)))
          return {
            ok: false,
            code: "insufficient_stock",
            requested: qty,
            available: Math.max(0, lot === null ? before.available : Math.min(before.available, lotQty)),
          }
        takes =
          lot === null
            ? this.takeGoods(qty, fact, "adjust", input.ref, now, reason, before.reserved)
            : this.takeFromLot(lot, qty, "adjust", input.ref, now, reason, before.reserved)
      }
      const after = this.levels(now)
      const discrepancy = fact ? this.discrepancy(-input.delta, after, input.ref, now) : 0
      return {
        ok: true,
        delta: input.delta,
        takes,
        costFen: takes.reduce((s, t) => s + t.costFen, 0),
        discrepancy,
        overReserved: Math.max(0, after.reserved - after.onHand),
        ...after,
      }
    })
  }

  // ── holds ────────────────────────────────────────────────────────────────

  /**
   * Holds `qty` for `holdId` until `expiresAt`, all or nothing. A hold id is single use: the same
   * hold id under a new opId answers the existing hold only if it is still active with the same
   * qty, kind and customer (a retry that lost its opId); anything else — another qty, or a hold
   * already committed, released or expired — is `hold_exists`, so a committed or lapsed hold can
   * never be revived by a late duplicate.
   */
  reserve(input: ReserveInput): ReserveResult {
    const kind: HoldKind = input.kind ?? "sale"
    const customer = input.customerId ?? null
    const bad = first(
      isText(input.holdId) ? null : invalid("holdId", "a non-empty id"),
      isPosInt(input.qty) ? null : invalid("qty", "a positive integer in base units"),
      isPosInt(input.expiresAt) ? null : invalid("expiresAt", "epoch milliseconds"),
      kind === "sale" || kind === "shipment" ? null : invalid("kind", "sale or shipment"),
      isOptText(customer) ? null : invalid("customerId", "a non-empty id"),
      checkRef(input.ref, true),
    )
    const fp = [input.holdId, input.qty, kind, customer]
    return this.op<ReserveResult>("reserve", input, fp, bad, (now) => {
      if (input.expiresAt <= now) return invalid("expiresAt", "already past")
      const h = this.holdRow(input.holdId)
      if (h) {
        const status = effectiveStatus(h, now)
        if (status === "active" && h.qty === input.qty && h.kind === kind && h.customer_id === customer)
          return {
            ok: true,
            holdId: h.hold_id,
            qty: h.qty,
            expiresAt: h.expires_at,
            available: this.levels(now).available,
          }
        return { ok: false, code: "hold_exists", holdId: h.hold_id, status, qty: h.qty }
      }
      const limited = this.checkLimit(customer, input.qty, now)
      if (limited) return limited
      const { available } = this.levels(now)
      if (input.qty > available) return { ok: false, code: "insufficient_stock", requested: input.qty, available }
      this.sql.run`INSERT INTO holds (hold_id, qty, expires_at, status, kind, customer_id, ref, created_at)
        VALUES (${input.holdId}, ${input.qty}, ${input.expiresAt}, 'active', ${kind}, ${customer}, ${JSON.stringify(input.ref)}, ${now})`
      return {
        ok: true,
        holdId: input.holdId,
        qty: input.qty,
        expiresAt: input.expiresAt,
        available: available - input.qty,
      }
    })
  }

  /** Turns a hold into goods out (a sale, or a shipment for a transfer), lots FEFO, with cost of goods. */
  commit(input: CommitInput): CommitResult {
    const bad = first(isText(input.holdId) ? null : invalid("holdId", "a non-empty id"), checkRef(input.ref, false))
    return this.op<CommitResult>("commit", input, [input.holdId], bad, (now) => {
      const h = this.holdRow(input.holdId)
      if (!h) return { ok: false, code: "hold_not_found", holdId: input.holdId }
      const status = effectiveStatus(h, now)
      if (status === "committed" || status === "released")
        return { ok: false, code: status === "committed" ? "hold_committed" : "hold_released", holdId: h.hold_id }
      if (status === "expired") {
        this.sql
          .run`UPDATE holds SET status = 'expired', closed_at = ${now} WHERE hold_id = ${h.hold_id} AND status = 'active'`
        return { ok: false, code: "hold_expired", holdId: h.hold_id, expiresAt: h.expires_at }
      }
      const onHand = this.cell().on_hand
      if (onHand < h.qty) return { ok: false, code: "hold_short", holdId: h.hold_id, qty: h.qty, onHand }
      this.sql.run`UPDATE holds SET status = 'committed', closed_at = ${now} WHERE hold_id = ${h.hold_id}`
      const ref = input.ref ?? parseRef(h.ref)
      const takes = this.takeGoods(h.qty, false, h.kind, ref, now, null, this.levels(now).reserved)
      return { ok: true, kind: h.kind, ...this.taken(h.hold_id, h.qty, takes, now) }
    })
  }

  /** Gives a hold back. Releasing a hold that already lapsed or was released frees nothing and is fine. */
  release(input: ReleaseInput): ReleaseResult {
    const bad = first(isText(input.holdId) ? null : invalid("holdId", "a non-empty id"), checkRef(input.ref, false))
    const fence = input.fence === true
    return this.op<ReleaseResult>("release", input, fence ? [input.holdId, true] : [input.holdId], bad, (now) => {
      const h = this.holdRow(input.holdId)
      if (!h && fence) {
        this.sql.run`INSERT INTO holds (hold_id, qty, expires_at, status, kind, customer_id, ref, created_at, closed_at)
          VALUES (${input.holdId}, 0, ${now}, 'released', 'sale', NULL, ${JSON.stringify(input.ref ?? null)}, ${now}, ${now})`
        return { ok: true, holdId: input.holdId, released: 0, available: this.levels(now).available }
      }
      if (!h) return { ok: false, code: "hold_not_found", holdId: input.holdId }
      const status = effectiveStatus(h, now)
      if (status === "committed") return { ok: false, code: "hold_committed", holdId: h.hold_id }
      let released = 0
      if (status === "active") {
        this.sql.run`UPDATE holds SET status = 'released', closed_at = ${now} WHERE hold_id = ${h.hold_id}`
        released = h.qty
      } else if (h.status === "active") {
        this.sql.run`UPDATE holds SET status = 'expired', closed_at = ${now} WHERE hold_id = ${h.hold_id}`
      }
      return { ok: true, holdId: h.hold_id, released, available: this.levels(now).available }
    })
  }

  /** The till: reserve and commit in one call. The sale is kept as a committed hold (for limits). */
  sell(input: SellInput): SellResult {
    const holdId = input.holdId ?? input.opId
    const customer = input.customerId ?? null
    const bad = first(
      isPosInt(input.qty) ? null : invalid("qty", "a positive integer in base units"),
      isText(holdId, 300) ? null : invalid("holdId", "a non-empty id"),
      isOptText(customer) ? null : invalid("customerId", "a non-empty id"),
      checkRef(input.ref, true),
    )
    return this.op<SellResult>("sell", input, [holdId, input.qty, customer], bad, (now) => {
      const h = this.holdRow(holdId)
      if (h) return { ok: false, code: "hold_exists", holdId, status: effectiveStatus(h, now), qty: h.qty }
      const limited = this.checkLimit(customer, input.qty, now)
      if (limited) return limited
      const before = this.levels(now)
      if (input.qty > before.available)
        return { ok: false, code: "insufficient_stock", requested: input.qty, available: before.available }
      this.sql.run`INSERT INTO holds (hold_id, qty, expires_at, status, kind, customer_id, ref, created_at, closed_at)
        VALUES (${holdId}, ${input.qty}, ${now}, 'committed', 'sale', ${customer}, ${JSON.stringify(input.ref)}, ${now}, ${now})`
      const takes = this.takeGoods(input.qty, false, "sale", input.ref, now, null, before.reserved)
      return { ok: true, ...this.taken(holdId, input.qty, takes, now) }
    })
  }

  /**
   * Undoes a sale that could not stand (refused on another line, its money not taken): the lot
   * slices recorded by the op that took them (`takenBy`, its sell or commit) come back at the cost
   * they left at, and the hold is released, so the goods are on sale again and no longer count
   * against the customer's flash-sale limit. A hold already released (or fenced) gives back nothing.
   */
  unsell(input: UnsellInput): UnsellResult {
    const bad = first(
      isText(input.holdId, 300) ? null : invalid("holdId", "a non-empty id"),
      isText(input.takenBy, 300) ? null : invalid("takenBy", "the op id that took the goods"),
      checkRef(input.ref, true),
    )
    return this.op<UnsellResult>("unsell", input, [input.holdId, input.takenBy], bad, (now) => {
      const h = this.holdRow(input.holdId)
      if (!h) return { ok: false, code: "hold_not_found", holdId: input.holdId }
      if (h.status !== "committed") {
        if (effectiveStatus(h, now) === "active") return { ok: false, code: "hold_active", holdId: h.hold_id }
        return { ok: true, holdId: h.hold_id, qty: 0, takes: [], ...this.levels(now) }
      }
      const took = this.sql.one<{ result: string }>`SELECT result FROM ops WHERE op_id = ${input.takenBy}`
      const takes = took ? (JSON.parse(took.result) as { holdId?: string; takes?: LotTake[] }) : null
      if (!takes?.takes || takes.holdId !== h.hold_id) return { ok: false, code: "taken_unknown", holdId: h.hold_id }
      this.sql.run`UPDATE holds SET status = 'released', closed_at = ${now} WHERE hold_id = ${h.hold_id}`
      const reserved = this.levels(now).reserved
      for (const t of takes.takes) {
        const c = this.cell()
        this.sql
          .run`UPDATE cell SET avg_cost_fen = ${movingAverageCost(c.avg_cost_fen, c.on_hand, t.qty, t.unitCostFen)}`
        this.addGoods(t.lot, t.expiresOn, t.qty, t.unitCostFen, "receive", input.ref, now, null, reserved)
      }
      return { ok: true, holdId: h.hold_id, qty: h.qty, takes: takes.takes, ...this.levels(now) }
    })
  }

  /**
   * A sale that already happened in a store while it was offline. It is a fact: applied even
   * below zero (lots FEFO, the rest from the lot-less bucket, which may go negative). When it
   * leaves available below zero the cell also emits a `discrepancy` event. Limits don't apply.
   */
  recordOfflineSale(input: OfflineSaleInput): OfflineSaleResult {
    const bad = first(
      isPosInt(input.qty) ? null : invalid("qty", "a positive integer in base units"),
      isPosInt(input.occurredAt) ? null : invalid("occurredAt", "epoch milliseconds"),
      checkRef(input.ref, true),
    )
    return this.op<OfflineSaleResult>("recordOfflineSale", input, [input.qty], bad, (now) => {
      const before = this.levels(now)
      const takes = this.takeGoods(input.qty, true, "offline_sale", input.ref, input.occurredAt, null, before.reserved)
      const after = this.levels(now)
      const discrepancy = this.discrepancy(input.qty, after, input.ref, input.occurredAt)
      const costFen = takes.reduce((s, t) => s + t.costFen, 0)
      return { ok: true, qty: input.qty, takes, costFen, discrepancy, ...after }
    })
  }

  // ── settings ─────────────────────────────────────────────────────────────

  /** Reorder point, max and safety stock. Setting a point at or above available signals replenish once. */
  setPolicy(input: PolicyInput): PolicyResult {
    const okOrNull = (v: unknown) => v === null || isNonNegInt(v)
    const bad = first(
      okOrNull(input.reorderPoint) ? null : invalid("reorderPoint", "a non-negative integer or null"),
      okOrNull(input.max) ? null : invalid("max", "a non-negative integer or null"),
      okOrNull(input.safetyStock) ? null : invalid("safetyStock", "a non-negative integer or null"),
    )
    const fp = [input.reorderPoint, input.max, input.safetyStock]
    return this.op<PolicyResult>("setPolicy", input, fp, bad, () => {
      this.sql.run`UPDATE cell SET reorder_point = ${input.reorderPoint}, max_qty = ${input.max},
        safety_stock = ${input.safetyStock}`
      return { ok: true, policy: policyOf(this.cell()) }
    })
  }

  /** Flash-sale limit (限购): at most `perCustomer` units per customer within a sliding `windowMs`. */
  setLimit(input: LimitInput): LimitResult {
    const until = input.until ?? null
    const bad = first(
      input.perCustomer === null || isPosInt(input.perCustomer)
        ? null
        : invalid("perCustomer", "a positive integer or null"),
      isPosInt(input.windowMs) ? null : invalid("windowMs", "a positive number of milliseconds"),
      until === null || isPosInt(until) ? null : invalid("until", "epoch milliseconds or null"),
    )
    return this.op<LimitResult>("setLimit", input, [input.perCustomer, input.windowMs, until], bad, () => {
      this.sql.run`UPDATE cell SET limit_per_customer = ${input.perCustomer}, limit_window_ms = ${input.windowMs},
        limit_until = ${until}`
      return { ok: true, limit: limitOf(this.cell()) }
    })
  }

  // ── reads ────────────────────────────────────────────────────────────────

  /** The cell as it is now. `key` only names a cell that has never been written to. */
  snapshot(key?: CellKey): CellSnapshot {
    this.forget()
    const now = this.clock()
    const c = this.cell()
    const lv = this.levels(now)
    const active = this.sql.one<{ n: number }>`
      SELECT COUNT(*) AS n FROM holds WHERE status = 'active' AND expires_at > ${now}`
    const pending = this.sql.one<{ n: number }>`SELECT COUNT(*) AS n FROM outbox`
    return {
      locationId: c.location_id ?? key?.locationId ?? null,
      skuId: c.sku_id ?? key?.skuId ?? null,
      ...lv,
      lotless: c.lotless,
      lots: this.lots().map((l) => ({ lot: l.lot, expiresOn: l.expiresOn, qty: l.qty, unitCostFen: l.unitCostFen })),
      avgCostFen: c.avg_cost_fen,
      policy: policyOf(c),
      limit: limitOf(c),
      activeHolds: active?.n ?? 0,
      version: c.version,
      outboxPending: pending?.n ?? 0,
    }
  }

  /** One hold, for a caller (or the repair job) that needs to know whether its commit happened. */
  hold(holdId: string): HoldView | null {
    this.forget()
    const h = this.holdRow(holdId)
    if (!h) return null
    return {
      holdId: h.hold_id,
      qty: h.qty,
      expiresAt: h.expires_at,
      status: effectiveStatus(h, this.clock()),
      kind: h.kind,
      customerId: h.customer_id,
      ref: parseRef(h.ref),
    }
  }

  // ── the alarm: hold expiry + outbox flush, one schedule ─────────────────

  /**
   * Idempotent: marking expired holds and copying outbox rows (INSERT OR IGNORE, versioned upsert)
   * can run any number of times. Failures (D1 down, queue refusing) are caught here and retried
   * with backoff by re-arming the alarm ourselves: the platform's own retries are few.
   */
  override async alarm(): Promise<void> {
    this.sql.run`UPDATE cell SET alarm_at = NULL`
    const now = this.clock()
    try {
      this.atomically(() => this.expireHolds(now))
      await this.flush(now)
      this.prune(now)
    } catch (error) {
      const attempts = this.cell().flush_attempts + 1
      this.sql.run`UPDATE cell SET flush_attempts = ${attempts}, flush_retry_at = ${now + flushBackoffMs(attempts)}`
      const c = this.cell()
      log.warn("stock cell flush failed", { cell: `${c.location_id}:${c.sku_id}`, attempts, error: String(error) })
    }
    this.armAlarm(this.clock())
  }

  // ── internals ────────────────────────────────────────────────────────────

  /**
   * Every mutating call: check the input, learn/verify the cell's identity, answer a repeated
   * opId from storage, otherwise decide and write in one synchronous transaction, store the
   * answer under the opId, and schedule the alarm. Invalid input and refusals are answered but not stored.
   */
  private op<R extends { ok: boolean }>(
    method: string,
    input: CellCall,
    fingerprint: unknown[],
    bad: Invalid | null,
    decide: (now: number) => R | Invalid,
  ): R | Invalid | OpConflict {
    const badCall = checkCall(input) ?? bad
    if (badCall) return badCall
    const fp = JSON.stringify(fingerprint)
    const now = this.clock()
    this.forget()
    const result = this.atomically((): R | Invalid | OpConflict => {
      this.identify(input)
      const prior = this.sql.one<{ method: string; fingerprint: string; result: string }>`
        SELECT method, fingerprint, result FROM ops WHERE op_id = ${input.opId}`
      if (prior) {
        if (prior.method !== method || prior.fingerprint !== fp)
          return { ok: false, code: "op_conflict", opId: input.opId, method: prior.method }
        return { ...(JSON.parse(prior.result) as R), replayed: true }
      }
      const decided = decide(now)
      if (isInvalid(decided)) return decided
      // A refusal changed nothing, so it isn't remembered: a retry is decided afresh, and the hot
      // path of a flash sale (almost every call refused) writes nothing at all.
      if (!decided.ok) return decided
      this.afterChange(now, "ref" in input ? (input.ref as StockRef | undefined) : undefined)
      this.sql.run`INSERT INTO ops (op_id, method, fingerprint, result, at)
        VALUES (${input.opId}, ${method}, ${fp}, ${JSON.stringify(decided)}, ${now})`
      return decided
    })
    if (result.ok && !("replayed" in result)) this.armAlarm(now)
    return result
  }

  private identify(key: CellKey) {
    const c = this.cell()
    if (c.location_id === null || c.sku_id === null) {
      this.sql.run`UPDATE cell SET location_id = ${key.locationId}, sku_id = ${key.skuId}`
    } else if (c.location_id !== key.locationId || c.sku_id !== key.skuId) {
      throw new Error(`StockCell ${c.location_id}:${c.sku_id} was called as ${key.locationId}:${key.skuId}`)
    }
  }

  private cell(): CellRow {
    if (this.row) return this.row
    const c = this.sql.one<CellRow>`SELECT * FROM cell WHERE id = 1`
    if (!c) throw new Error("StockCell: cell row missing")
    this.row = c
    return c
  }

  /** A storage transaction; one that fails rolls its writes back, so the row read inside it is forgotten. */
  private atomically<T>(work: () => T): T {
    try {
      return this.ctx.storage.transactionSync(work)
    } catch (e) {
      this.forget()
      throw e
    }
  }

  private forget() {
    this.row = undefined
    this.reserved = undefined
  }

  private levels(now: number): Levels {
    const onHand = this.cell().on_hand
    if (this.reserved?.now !== now) {
      const r = this.sql.one<{ reserved: number }>`
        SELECT COALESCE(SUM(qty), 0) AS reserved FROM holds WHERE status = 'active' AND expires_at > ${now}`
      this.reserved = { now, qty: r?.reserved ?? 0 }
    }
    const reserved = this.reserved.qty
    return { onHand, reserved, available: onHand - reserved }
  }

  private lot(lot: string): LotRow | undefined {
    return this.sql.one<LotRow>`SELECT lot, expires_on, qty, unit_cost_fen FROM lots WHERE lot = ${lot}`
  }

  private lots(): LotStock[] {
    return this.sql
      .all<LotRow>`SELECT lot, expires_on, qty, unit_cost_fen FROM lots ORDER BY COALESCE(expires_on, '9999-12-31'), lot`.map(
      (l) => ({ lot: l.lot, expiresOn: l.expires_on, qty: l.qty, unitCostFen: l.unit_cost_fen }),
    )
  }

  private holdRow(holdId: string): HoldRow | undefined {
    return this.sql.one<HoldRow>`SELECT * FROM holds WHERE hold_id = ${holdId}`
  }

  private checkLimit(customer: string | null, qty: number, now: number) {
    const c = this.cell()
    const limit = limitOf(c)
    if (!limit || (limit.until !== null && now >= limit.until)) return null
    if (customer === null) return { ok: false, code: "customer_required" } as const
    const row = this.sql.one<{ bought: number }>`
      SELECT COALESCE(SUM(qty), 0) AS bought FROM holds
      WHERE customer_id = ${customer} AND created_at > ${now - limit.windowMs}
        AND (status = 'committed' OR (status = 'active' AND expires_at > ${now}))`
    const bought = row?.bought ?? 0
    if (bought + qty <= limit.perCustomer) return null
    return {
      ok: false,
      code: "limit_exceeded",
      perCustomer: limit.perCustomer,
      bought,
      requested: qty,
      windowMs: limit.windowMs,
    } as const
  }

  /** Adds goods to a lot (created if new, its cost averaged if not) or to the lot-less bucket: one move. */
  private addGoods(
    lot: string | null,
    expiresOn: string | null,
    qty: number,
    unitCostFen: number,
    kind: MoveKind,
    ref: StockRef,
    at: number,
    reason: string | null,
    reserved: number,
  ) {
    if (lot === null) {
      this.sql.run`UPDATE cell SET lotless = lotless + ${qty}`
    } else {
      const l = this.lot(lot)
      if (l) {
        const cost = movingAverageCost(l.unit_cost_fen, l.qty, qty, unitCostFen)
        this.sql.run`UPDATE lots SET qty = qty + ${qty}, unit_cost_fen = ${cost} WHERE lot = ${lot}`
      } else {
        this.sql
          .run`INSERT INTO lots (lot, expires_on, qty, unit_cost_fen) VALUES (${lot}, ${expiresOn}, ${qty}, ${unitCostFen})`
      }
    }
    // An existing lot keeps its date (a receive naming another date was refused as lot_conflict).
    const expiry = lot === null ? null : (this.lot(lot)?.expires_on ?? expiresOn)
    this.move(kind, qty, lot, unitCostFen, ref, at, reason, reserved, expiry)
  }

  /** Takes `qty` FEFO (core/lots.ts); each lot slice is one quantity change and one move. */
  private takeGoods(
    qty: number,
    allowNegative: boolean,
    kind: MoveKind,
    ref: StockRef,
    at: number,
    reason: string | null,
    reserved: number,
  ): LotTake[] {
    const c = this.cell()
    const pick = pickFefo(this.lots(), c.lotless, qty, { lotlessUnitCostFen: c.avg_cost_fen, allowNegative })
    if (pick.short > 0) throw new Error(`StockCell: ${qty} checked as available but only ${qty - pick.short} on hand`)
    for (const t of pick.takes) this.removeGoods(t, kind, ref, at, reason, reserved)
    return pick.takes
  }

  /** A fact against one named lot: what the lot holds, the rest from the lot-less bucket. */
  private takeFromLot(
    lot: string,
    qty: number,
    kind: MoveKind,
    ref: StockRef,
    at: number,
    reason: string | null,
    reserved: number,
  ): LotTake[] {
    const l = this.lot(lot)
    const fromLot = Math.min(l?.qty ?? 0, qty)
    const avg = this.cell().avg_cost_fen
    const takes: LotTake[] = []
    if (l && fromLot > 0) {
      const c = l.unit_cost_fen
      takes.push({ lot, expiresOn: l.expires_on, qty: fromLot, unitCostFen: c, costFen: fromLot * c })
    }
    if (qty > fromLot) {
      const rest = qty - fromLot
      takes.push({ lot: null, expiresOn: null, qty: rest, unitCostFen: avg, costFen: rest * avg })
    }
    for (const t of takes) this.removeGoods(t, kind, ref, at, reason, reserved)
    return takes
  }

  private removeGoods(t: LotTake, kind: MoveKind, ref: StockRef, at: number, reason: string | null, reserved: number) {
    if (t.lot === null) {
      this.sql.run`UPDATE cell SET lotless = lotless - ${t.qty}`
    } else {
      // Emptied lots go (qty > 0 is a CHECK); decide on the quantity before the take, not after.
      const emptied = this.sql.run`DELETE FROM lots WHERE lot = ${t.lot} AND qty = ${t.qty}`
      if (emptied === 0) this.sql.run`UPDATE lots SET qty = qty - ${t.qty} WHERE lot = ${t.lot} AND qty > ${t.qty}`
    }
    this.move(kind, -t.qty, t.lot, t.unitCostFen, ref, at, reason, reserved, t.expiresOn)
  }

  /** The one place on_hand changes, always together with its outbox event. */
  private move(
    kind: MoveKind,
    delta: number,
    lot: string | null,
    unitCostFen: number,
    ref: StockRef,
    at: number,
    reason: string | null,
    reserved: number,
    expiresOn: string | null = null,
  ) {
    this.sql.run`UPDATE cell SET on_hand = on_hand + ${delta}`
    const onHand = this.cell().on_hand
    this.emit({
      kind,
      delta,
      lot,
      expiresOn,
      unitCostFen,
      costFen: Math.abs(delta) * unitCostFen,
      onHandAfter: onHand,
      availableAfter: onHand - reserved,
      reason,
      ref,
      occurredAt: at,
    })
  }

  /** After a fact: when available is below zero, one extra `discrepancy` event (returns the units short). */
  private discrepancy(qty: number, after: Levels, ref: StockRef, at: number): number {
    if (after.available >= 0) return 0
    const shortfall = Math.min(qty, -after.available)
    this.emit({
      kind: "discrepancy",
      delta: 0,
      lot: null,
      unitCostFen: null,
      costFen: null,
      onHandAfter: after.onHand,
      availableAfter: after.available,
      reason: null,
      ref,
      occurredAt: at,
      data: { shortfall },
    })
    return shortfall
  }

  private emit(event: CellEvent) {
    this.sql.run`INSERT INTO outbox (event) VALUES (${JSON.stringify(event)})`
  }

  private taken(holdId: string, qty: number, takes: LotTake[], now: number) {
    return { holdId, qty, takes, costFen: takes.reduce((s, t) => s + t.costFen, 0), ...this.levels(now) }
  }

  /**
   * Bumps the version (stock_levels keeps the newest) and watches the reorder point: the first
   * time available is at or below it, one `replenish` event; another only after it rose above.
   */
  private afterChange(now: number, ref: StockRef | undefined) {
    this.sql.run`UPDATE cell SET version = version + 1`
    const c = this.cell()
    const lv = this.levels(now)
    const below = c.reorder_point !== null && lv.available <= c.reorder_point
    if (below && !c.below_reorder && c.reorder_point !== null) {
      this.emit({
        kind: "replenish",
        delta: 0,
        lot: null,
        unitCostFen: null,
        costFen: null,
        onHandAfter: lv.onHand,
        availableAfter: lv.available,
        reason: null,
        ref: ref ?? null,
        occurredAt: now,
        data: { reorderPoint: c.reorder_point, max: c.max_qty, safetyStock: c.safety_stock },
      })
    }
    if (below !== (c.below_reorder === 1)) this.sql.run`UPDATE cell SET below_reorder = ${below ? 1 : 0}`
  }

  private expireHolds(now: number) {
    const n = this.sql.run`
      UPDATE holds SET status = 'expired', closed_at = ${now} WHERE status = 'active' AND expires_at <= ${now}`
    if (n > 0) this.afterChange(now, undefined)
  }

  /**
   * One alarm for everything: the earliest active hold's expiry, or (when the outbox or the level
   * has something D1 hasn't seen) a short delay — never before a failed flush's backoff. An earlier
   * alarm than needed is harmless (the handler re-arms), so it is only ever moved earlier here.
   */
  private outboxHasRows() {
    return (this.sql.one<{ n: number }>`SELECT COUNT(*) AS n FROM (SELECT 1 FROM outbox LIMIT 1)`?.n ?? 0) > 0
  }

  private armAlarm(now: number) {
    const c = this.cell()
    const hold = this.sql.one<{ at: number | null }>`
      SELECT MIN(expires_at) AS at FROM holds WHERE status = 'active'`
    // A change not yet flushed is behind in version already (the common case): no need to look at the outbox.
    const pending = c.flushed_version < c.version || this.outboxHasRows()
    const flushAt = pending ? Math.max(now + FLUSH_DELAY_MS, c.flush_retry_at) : Number.POSITIVE_INFINITY
    const next = Math.min(hold?.at ?? Number.POSITIVE_INFINITY, flushAt)
    if (!Number.isFinite(next)) return
    if (c.alarm_at !== null && c.alarm_at <= next) return
    this.sql.run`UPDATE cell SET alarm_at = ${next}`
    void this.ctx.storage.setAlarm(next)
  }

  /**
   * Copies up to FLUSH_BATCH outbox rows (and, once the outbox is drained, the level) to D1 in one
   * batch, sends replenish signals to the queue, and only then deletes those rows. The level is
   * written only with the last moves it includes, so D1's levels always match D1's ledger.
   */
  private async flush(now: number): Promise<void> {
    const c = this.cell()
    if (c.location_id === null || c.sku_id === null) return
    const rows = this.sql.all<{ seq: number; event: string }>`
      SELECT seq, event FROM outbox ORDER BY seq LIMIT ${FLUSH_BATCH + 1}`
    const drains = rows.length <= FLUSH_BATCH
    const events = rows.slice(0, FLUSH_BATCH).map((r) => ({ seq: r.seq, e: JSON.parse(r.event) as CellEvent }))
    if (events.length === 0 && c.flushed_version >= c.version) return
    const cell = `${c.location_id}:${c.sku_id}`
    const locationId = c.location_id
    const skuId = c.sku_id
    const lastSeq = events.at(-1)?.seq ?? c.flushed_seq
    const db = makeDb(this.env.DB)
    const statements: BatchItem<"sqlite">[] = events.map(({ seq, e }) =>
      db
        .insert(stockMoves)
        .values({
          cell,
          seq,
          locationId,
          skuId,
          kind: e.kind,
          delta: e.delta,
          lot: e.lot,
          // Feeds stock_lots (migration 0015's trigger); events queued before this field have none.
          expiresOn: e.expiresOn ?? null,
          unitCostFen: e.unitCostFen,
          costFen: e.costFen,
          onHandAfter: e.onHandAfter,
          availableAfter: e.availableAfter,
          reason: e.reason,
          refType: e.ref?.type ?? null,
          refId: e.ref?.id ?? null,
          actorId: e.ref?.actorId ?? null,
          occurredAt: e.occurredAt,
          createdAt: now,
        })
        .onConflictDoNothing(),
    )
    const version = c.version
    if (drains) {
      const lv = this.levels(now)
      statements.push(
        db
          .insert(stockLevels)
          .values({
            cell,
            locationId,
            skuId,
            ...lv,
            reorderPoint: c.reorder_point,
            avgCostFen: c.avg_cost_fen,
            version,
            lastSeq,
            createdAt: now,
            updatedAt: now,
          })
          .onConflictDoUpdate({
            target: stockLevels.cell,
            set: {
              onHand: dsql`excluded.on_hand`,
              reserved: dsql`excluded.reserved`,
              available: dsql`excluded.available`,
              reorderPoint: dsql`excluded.reorder_point`,
              avgCostFen: dsql`excluded.avg_cost_fen`,
              version: dsql`excluded.version`,
              lastSeq: dsql`excluded.last_seq`,
              updatedAt: dsql`excluded.updated_at`,
            },
            setWhere: dsql`excluded.version > ${stockLevels.version}`,
          }),
      )
    }
    const [head, ...tail] = statements
    if (head) await db.batch([head, ...tail])
    const replenish: MessageSendRequest<ReplenishMessage>[] = events
      .filter(({ e }) => e.kind === "replenish")
      .map(({ seq, e }) => ({ body: replenishMessage(cell, locationId, skuId, seq, e) }))
    if (replenish.length > 0) await this.env.REPLENISH.sendBatch(replenish)
    // Only now that D1 (and the queue) have them may the rows go.
    this.atomically(() => {
      this.sql.run`DELETE FROM outbox WHERE seq <= ${lastSeq}`
      const flushedVersion = drains ? version : c.flushed_version
      this.sql.run`UPDATE cell SET flushed_seq = MAX(flushed_seq, ${lastSeq}),
        flushed_version = MAX(flushed_version, ${flushedVersion}), flush_attempts = 0, flush_retry_at = 0`
    })
  }

  private prune(now: number) {
    if (now - this.prunedAt < PRUNE_EVERY_MS) return
    this.prunedAt = now
    const before = now - RETENTION_MS
    this.sql.run`DELETE FROM ops WHERE at < ${before}`
    this.sql.run`DELETE FROM holds WHERE status <> 'active' AND closed_at < ${before}`
  }
}

const effectiveStatus = (h: HoldRow, now: number): HoldStatus =>
  h.status === "active" && h.expires_at <= now ? "expired" : h.status

const parseRef = (json: string) => JSON.parse(json) as StockRef

const isInvalid = (r: { ok: boolean; code?: string }): r is Invalid => !r.ok && r.code === "invalid"

const policyOf = (c: CellRow): Policy => ({
  reorderPoint: c.reorder_point,
  max: c.max_qty,
  safetyStock: c.safety_stock,
})

const limitOf = (c: CellRow): Limit | null =>
  c.limit_per_customer === null || c.limit_window_ms === null
    ? null
    : { perCustomer: c.limit_per_customer, windowMs: c.limit_window_ms, until: c.limit_until }

const replenishMessage = (cell: string, locationId: string, skuId: string, seq: number, e: CellEvent) => ({
  cell,
  locationId,
  skuId,
  seq,
  available: e.availableAfter,
  onHand: e.onHandAfter,
  reorderPoint: Number(e.data?.reorderPoint ?? 0),
  max: typeof e.data?.max === "number" ? e.data.max : null,
  safetyStock: typeof e.data?.safetyStock === "number" ? e.data.safetyStock : null,
  occurredAt: e.occurredAt,
})
