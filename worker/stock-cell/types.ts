// The StockCell's RPC vocabulary: what callers send and what they get back. Business refusals are
// values (`ok: false` with a stable `code`), never exceptions; exceptions mean a programmer error.
import type { LotTake } from "../../core/lots"

/** Who the cell is; every call carries it, the first one is stored, a different one later throws. */
export type CellKey = { locationId: string; skuId: string }

/** The document behind a change, copied into the ledger (stock_moves.ref_type / ref_id / actor_id). */
export type StockRef = { type: string; id: string; actorId: string }

/** Fields every mutating call carries. `opId`: a repeated one returns the stored result, changes nothing. */
export type CellCall = CellKey & { opId: string }

export type HoldKind = "sale" | "shipment"
export type HoldStatus = "active" | "committed" | "released" | "expired"

export type MoveKind = "receive" | "adjust" | "sale" | "shipment" | "offline_sale" | "discrepancy" | "replenish"

// ── inputs ─────────────────────────────────────────────────────────────────

export type ReceiveInput = CellCall & {
  qty: number
  lot?: string | null
  /** "YYYY-MM-DD"; only with a lot. */
  expiresOn?: string | null
  /** Without it the receipt is valued at the current moving average. */
  unitCostFen?: number | null
  ref: StockRef
}

export type AdjustInput = CellCall & {
  /** Non-zero integer: positive adds (at the moving average or the lot's cost), negative removes FEFO. */
  delta: number
  lot?: string | null
  expiresOn?: string | null
  reason?: string | null
  /** A posted stocktake variance: applied even below what is reserved or below zero. */
  fact?: boolean
  ref: StockRef
}

export type ReserveInput = CellCall & {
  /** Chosen by the caller: the order id or transfer id. Single use: see StockCell.reserve. */
  holdId: string
  qty: number
  /** Absolute epoch ms, so every cell of one order lapses at the order's own `expiresAt`. */
  expiresAt: number
  kind?: HoldKind
  customerId?: string | null
  ref: StockRef
}

export type CommitInput = CellCall & { holdId: string; ref?: StockRef }
export type ReleaseInput = CellCall & {
  holdId: string
  ref?: StockRef
  /**
   * Undoing a document that may still be selling: an unknown hold id is recorded as released, so
   * a reserve or sell under that id arriving late is refused (hold_exists) instead of taking goods.
   */
  fence?: boolean
}

/** Gives back, as they left, the goods a sale took under `holdId` by the op `takenBy` (its sell or commit). */
export type UnsellInput = CellCall & { holdId: string; takenBy: string; ref: StockRef }

export type SellInput = CellCall & {
  qty: number
  /** Defaults to the opId; a till passes the sale id (one sale, one hold, counted for limits). */
  holdId?: string
  customerId?: string | null
  ref: StockRef
}

export type OfflineSaleInput = CellCall & {
  qty: number
  /** When the sale happened at the store (epoch ms); the ledger records this time. */
  occurredAt: number
  ref: StockRef
}

export type PolicyInput = CellCall & {
  reorderPoint: number | null
  max: number | null
  safetyStock: number | null
}

export type LimitInput = CellCall & {
  /** null removes the limit. */
  perCustomer: number | null
  /** Sliding window: units bought by one customer in the last `windowMs` count. */
  windowMs: number
  /** Optional end of the flash sale (epoch ms); after it the limit no longer applies. */
  until?: number | null
}

// ── refusals ───────────────────────────────────────────────────────────────

export type Invalid = { ok: false; code: "invalid"; field: string; message: string }
export type OpConflict = { ok: false; code: "op_conflict"; opId: string; method: string }
export type InsufficientStock = { ok: false; code: "insufficient_stock"; requested: number; available: number }
export type HoldExists = { ok: false; code: "hold_exists"; holdId: string; status: HoldStatus; qty: number }
export type HoldNotFound = { ok: false; code: "hold_not_found"; holdId: string }
export type HoldExpired = { ok: false; code: "hold_expired"; holdId: string; expiresAt: number }
export type HoldClosed = { ok: false; code: "hold_committed" | "hold_released"; holdId: string }
/** A fact (offline sale, posted variance) left less on hand than this hold needs. */
export type HoldShort = { ok: false; code: "hold_short"; holdId: string; qty: number; onHand: number }
export type LimitExceeded = {
  ok: false
  code: "limit_exceeded"
  perCustomer: number
  bought: number
  requested: number
  windowMs: number
}
export type CustomerRequired = { ok: false; code: "customer_required" }
export type LotConflict = { ok: false; code: "lot_conflict"; lot: string; expiresOn: string | null }

export type Refusal =
  | Invalid
  | OpConflict
  | InsufficientStock
  | HoldExists
  | HoldNotFound
  | HoldExpired
  | HoldClosed
  | HoldShort
  | LimitExceeded
  | CustomerRequired
  | LotConflict

/** Present (true) when the answer is the stored result of an earlier call with the same opId. */
type Replay = { replayed?: true }
type Levels = { onHand: number; reserved: number; available: number }

// ── results ────────────────────────────────────────────────────────────────

export type ReceiveResult =
  | (Replay & Levels & { ok: true; qty: number; lot: string | null; unitCostFen: number; avgCostFen: number })
  | Invalid
  | OpConflict
  | LotConflict

export type AdjustResult =
  | (Replay &
      Levels & {
        ok: true
        delta: number
        /** Slices removed (negative adjust) or the one slice added (positive), with their cost. */
        takes: LotTake[]
        costFen: number
        /** Units by which a fact took available below zero (a discrepancy event was emitted). */
        discrepancy: number
        /** Units reserved beyond on hand after a fact: the holds that are now short. */
        overReserved: number
      })
  | Invalid
  | OpConflict
  | InsufficientStock
  | LotConflict

export type ReserveResult =
  | (Replay & { ok: true; holdId: string; qty: number; expiresAt: number; available: number })
  | Invalid
  | OpConflict
  | InsufficientStock
  | HoldExists
  | LimitExceeded
  | CustomerRequired

/** A hold turned into goods out: per-lot slices, cost of goods in fen. */
export type Taken = Levels & { holdId: string; qty: number; takes: LotTake[]; costFen: number }

export type CommitResult =
  | (Replay & Taken & { ok: true; kind: HoldKind })
  | Invalid
  | OpConflict
  | HoldNotFound
  | HoldExpired
  | HoldClosed
  | HoldShort

export type ReleaseResult =
  | (Replay & { ok: true; holdId: string; released: number; available: number })
  | Invalid
  | OpConflict
  | HoldNotFound
  | HoldClosed

export type SellResult =
  | (Replay & Taken & { ok: true })
  | Invalid
  | OpConflict
  | InsufficientStock
  | HoldExists
  | LimitExceeded
  | CustomerRequired

export type UnsellResult =
  | (Replay & Levels & { ok: true; holdId: string; qty: number; takes: LotTake[] })
  | Invalid
  | OpConflict
  | HoldNotFound
  | { ok: false; code: "hold_active" | "taken_unknown"; holdId: string }

export type OfflineSaleResult =
  | (Replay & Levels & { ok: true; qty: number; takes: LotTake[]; costFen: number; discrepancy: number })
  | Invalid
  | OpConflict

export type Policy = { reorderPoint: number | null; max: number | null; safetyStock: number | null }
export type Limit = { perCustomer: number; windowMs: number; until: number | null }

export type PolicyResult = (Replay & { ok: true; policy: Policy }) | Invalid | OpConflict
export type LimitResult = (Replay & { ok: true; limit: Limit | null }) | Invalid | OpConflict

export type HoldView = {
  holdId: string
  qty: number
  expiresAt: number
  /** "expired" also for an active hold past its time that the alarm has not swept yet. */
  status: HoldStatus
  kind: HoldKind
  customerId: string | null
  ref: StockRef
}

export type CellSnapshot = {
  locationId: string | null
  skuId: string | null
  onHand: number
  reserved: number
  available: number
  /** The lot-less bucket (the only quantity that may be negative). */
  lotless: number
  lots: { lot: string; expiresOn: string | null; qty: number; unitCostFen: number }[]
  avgCostFen: number
  policy: Policy
  limit: Limit | null
  activeHolds: number
  /** Bumped by every change; stock_levels keeps the row with the highest version. */
  version: number
  outboxPending: number
}

/** One outbox row as stored (JSON) and projected into stock_moves / sent to REPLENISH. */
export type CellEvent = {
  kind: MoveKind
  delta: number
  lot: string | null
  // The lot's expiry date (absent in events queued before moves carried it).
  expiresOn?: string | null
  unitCostFen: number | null
  costFen: number | null
  onHandAfter: number
  availableAfter: number
  reason: string | null
  ref: StockRef | null
  occurredAt: number
  data?: Record<string, number | string | null>
}

/** Body of a REPLENISH queue message; consumers de-duplicate by (cell, seq). */
export type ReplenishMessage = CellKey & {
  cell: string
  seq: number
  available: number
  onHand: number
  reorderPoint: number
  max: number | null
  safetyStock: number | null
  occurredAt: number
}
