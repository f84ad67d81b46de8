// Data migration: the jobs a chain runs when it switches to puzi (products, opening balances,
// sales history). A job is sent in numbered chunks; each chunk done is recorded with the hash of
// its body, so a client that was interrupted asks the job where it stopped and sends the rest,
// and a chunk sent twice is answered from its record instead of being applied again.
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core"
import { createdAt, updatedAt } from "./columns"

export type ImportKind = "products" | "opening_balances" | "sales_history"
/** abandoned: given up by the chain (what its chunks applied stays); it takes no more chunks. */
export type ImportStatus = "running" | "done" | "abandoned"

export const importJobs = sqliteTable(
  "import_jobs",
  {
    // ij_<ULID>
    id: text("id").primaryKey(),
    // Chosen by the client ("switch-2026-11:stock"): creating a job with a known key returns that job.
    key: text("key").notNull(),
    kind: text("kind").$type<ImportKind>().notNull(),
    status: text("status").$type<ImportStatus>().notNull(),
    note: text("note"),
    // Sums over the job's chunks, rewritten from import_chunks with each chunk (never incremented blindly).
    chunksDone: integer("chunks_done").notNull().default(0),
    // The highest n with chunks 0…n all done (-1: none): where a resumed client carries on.
    lastChunk: integer("last_chunk").notNull().default(-1),
    rows: integer("rows").notNull().default(0),
    applied: integer("applied").notNull().default(0),
    unchanged: integer("unchanged").notNull().default(0),
    createdBy: text("created_by").notNull(),
    finishedAt: integer("finished_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("import_jobs_key_uq").on(t.key), index("import_jobs_created_idx").on(t.createdAt, t.id)],
)

export const importChunks = sqliteTable(
  "import_chunks",
  {
    jobId: text("job_id").notNull(),
    chunkNo: integer("chunk_no").notNull(),
    // sha-256 of the body: the same chunk number with another body is refused (chunk_conflict).
    bodyHash: text("body_hash").notNull(),
    rows: integer("rows").notNull(),
    // Rows that changed something now / rows that were already there (a re-run, a resumed chunk).
    applied: integer("applied").notNull(),
    unchanged: integer("unchanged").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.chunkNo] })],
)

export type ImportJobRow = typeof importJobs.$inferSelect
export type ImportChunkRow = typeof importChunks.$inferSelect
