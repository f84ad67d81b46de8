// Documents that move stock (receipts 入库, adjustments 报损/报溢) and the stock audit's runs.
// A document is written before its cells are called ("posting") and marked "posted" after, so a
// worker that dies half-way leaves a row that the repair job finishes with the same cell opIds.
import {
  type AnySQLiteColumn,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core"
import { createdAt, updatedAt } from "./columns"

export type StockDocStatus = "posting" | "posted" | "refused"
export type AdjustmentReason = "damage" | "loss" | "found" | "expired" | "sample" | "count" | "other"

/** Why a document was refused after it was written: the problem's code and its per-line errors. */
export type DocRefusal = { code: string; detail: string; errors: Record<string, unknown>[] }

// What every stock document carries: a number once posted, its status, who made it, the request
// that made it and, if refused after being written, why.
const docColumns = () => ({
  id: text("id").primaryKey(),
  // RK20261125-0001, given when the document is posted (a refused one never takes a number).
  number: text("number"),
  locationId: text("location_id").notNull(),
  status: text("status").$type<StockDocStatus>().notNull(),
  note: text("note"),
  // Receipts: Σ qty × the unit cost booked; adjustments: signed cost of goods added minus removed.
  totalCostFen: integer("total_cost_fen"),
  // `${actorId}:${Idempotency-Key}`: a retry that outlived its first worker resumes this document.
  requestKey: text("request_key"),
  refusal: text("refusal", { mode: "json" }).$type<DocRefusal>(),
  createdBy: text("created_by").notNull(),
  postedAt: integer("posted_at"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
})

const docIndexes = (
  name: string,
  t: {
    number: AnySQLiteColumn
    requestKey: AnySQLiteColumn
    locationId: AnySQLiteColumn
    createdAt: AnySQLiteColumn
    status: AnySQLiteColumn
    updatedAt: AnySQLiteColumn
  },
) => [
  uniqueIndex(`${name}_number_uq`).on(t.number),
  uniqueIndex(`${name}_request_uq`).on(t.requestKey),
  index(`${name}_location_created_idx`).on(t.locationId, t.createdAt),
  index(`${name}_status_updated_idx`).on(t.status, t.updatedAt),
]

export const receipts = sqliteTable("receipts", { ...docColumns(), supplierRef: text("supplier_ref") }, (t) =>
  docIndexes("receipts", t),
)

export const receiptLines = sqliteTable(
  "receipt_lines",
  {
    receiptId: text("receipt_id").notNull(),
    lineNo: integer("line_no").notNull(),
    skuId: text("sku_id").notNull(),
    qty: integer("qty").notNull(),
    lot: text("lot"),
    expiresOn: text("expires_on"),
    // As sent; null means "at the cell's moving average".
    unitCostFen: integer("unit_cost_fen"),
    // The unit cost the cell actually booked (known once posted).
    bookedUnitCostFen: integer("booked_unit_cost_fen"),
  },
  (t) => [primaryKey({ columns: [t.receiptId, t.lineNo] }), index("receipt_lines_sku_idx").on(t.skuId)],
)

export const adjustments = sqliteTable("adjustments", docColumns(), (t) => docIndexes("adjustments", t))

export const adjustmentLines = sqliteTable(
  "adjustment_lines",
  {
    adjustmentId: text("adjustment_id").notNull(),
    lineNo: integer("line_no").notNull(),
    skuId: text("sku_id").notNull(),
    delta: integer("delta").notNull(),
    reason: text("reason").$type<AdjustmentReason>().notNull(),
    lot: text("lot"),
    expiresOn: text("expires_on"),
    // Signed cost the cell booked for this line (known once posted).
    costFen: integer("cost_fen"),
  },
  (t) => [primaryKey({ columns: [t.adjustmentId, t.lineNo] }), index("adjustment_lines_sku_idx").on(t.skuId)],
)

export type AuditRunStatus = "running" | "done"

// The chain-wide stock audit: too many cells for one request, so a run walks stock_levels in
// chunks by cell name; `cursor` is the last cell checked, and whoever holds the lease advances it.
export const auditRuns = sqliteTable(
  "audit_runs",
  {
    id: text("id").primaryKey(),
    status: text("status").$type<AuditRunStatus>().notNull(),
    trigger: text("trigger").$type<"nightly" | "manual">().notNull(),
    requestedBy: text("requested_by"),
    cursor: text("cursor"),
    cellsChecked: integer("cells_checked").notNull().default(0),
    // Cells busy copying their outbox when looked at: not compared in this run.
    cellsPending: integer("cells_pending").notNull().default(0),
    driftCount: integer("drift_count").notNull().default(0),
    leaseUntil: integer("lease_until").notNull().default(0),
    startedAt: integer("started_at").notNull(),
    finishedAt: integer("finished_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("audit_runs_status_idx").on(t.status, t.finishedAt)],
)

export const auditDrift = sqliteTable(
  "audit_drift",
  {
    runId: text("run_id").notNull(),
    cell: text("cell").notNull(),
    locationId: text("location_id").notNull(),
    skuId: text("sku_id").notNull(),
    cellOnHand: integer("cell_on_hand").notNull(),
    ledgerOnHand: integer("ledger_on_hand").notNull(),
    createdAt: createdAt(),
  },
  // A chunk checked twice (a lease that lapsed) writes the same rows: the key makes it harmless.
  (t) => [primaryKey({ columns: [t.runId, t.cell] })],
)
