// Import jobs and their chunks. A chunk is applied by its kind's service, then recorded here with
// the hash of its body and its counts; the job's counts are recomputed from its chunk records in
// the same batch, so a chunk recorded twice (two racing requests) can never count twice.
import { and, eq, sql } from "drizzle-orm"
import type { Db } from "../../db/client"
import { type ImportChunkRow, type ImportJobRow, type ImportKind, importChunks, importJobs } from "../../db/schema"
import { type Actor, assertPermission } from "../../lib/actor"
import { newId } from "../../lib/ids"
import { notFound, problem } from "../../lib/problem"

/** What each kind of import changes, hence what the caller's role must allow. */
const KIND_PERMISSION = {
  products: "catalog:write",
  opening_balances: "stock:receive",
  sales_history: "sales:write",
} as const

export type ChunkCounts = { rows: number; applied: number; unchanged: number }

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

export const jobView = (j: ImportJobRow) => ({
  id: j.id,
  key: j.key,
  kind: j.kind,
  status: j.status,
  note: j.note,
  chunksDone: j.chunksDone,
  lastChunk: j.lastChunk,
  rows: j.rows,
  applied: j.applied,
  unchanged: j.unchanged,
  createdAt: iso(j.createdAt)!,
  updatedAt: iso(j.updatedAt)!,
  finishedAt: iso(j.finishedAt),
})
export type JobView = ReturnType<typeof jobView>

/** Creates the job, or returns the one already made with this key (`created: false`). */
export async function openJob(
  db: Db,
  actor: Actor,
  input: { key: string; kind: ImportKind; note?: string | null },
): Promise<{ job: JobView; created: boolean }> {
  assertPermission(actor, KIND_PERMISSION[input.kind])
  const id = newId("ij")
  const inserted = await db
    .insert(importJobs)
    .values({ id, key: input.key, kind: input.kind, status: "running", note: input.note ?? null, createdBy: actor.id })
    .onConflictDoNothing()
    .returning({ id: importJobs.id })
  const [job] = await db.select().from(importJobs).where(eq(importJobs.key, input.key))
  if (!job) throw new Error("import job vanished")
  if (job.kind !== input.kind)
    throw problem(409, "import_key_reused", `The key ${input.key} belongs to a ${job.kind} import.`)
  return { job: jobView(job), created: inserted.length > 0 }
}

export async function getJob(db: Db, actor: Actor, id: string, kind?: ImportKind): Promise<ImportJobRow> {
  const [job] = await db.select().from(importJobs).where(eq(importJobs.id, id))
  if (!job) throw notFound("import job")
  assertPermission(actor, KIND_PERMISSION[job.kind])
  if (kind && job.kind !== kind)
    throw problem(409, "wrong_import_kind", `Import ${id} is a ${job.kind} import, not ${kind}.`)
  return job
}

async function bodyHash(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes)
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("")
}

export type ChunkResult = ChunkCounts & { chunk: number; replayed: boolean }

/**
 * What is already known about chunk n: its stored result when the same body was applied before
 * (a replay answers that and changes nothing), 409 `chunk_conflict` when another body was.
 * A finished job takes no new chunks.
 */
async function priorChunk(db: Db, job: ImportJobRow, chunkNo: number, hash: string) {
  const [prior] = await db
    .select()
    .from(importChunks)
    .where(and(eq(importChunks.jobId, job.id), eq(importChunks.chunkNo, chunkNo)))
  if (prior && prior.bodyHash !== hash)
    throw problem(409, "chunk_conflict", `Chunk ${chunkNo} of this import was applied with another content.`)
  if (prior) return chunkResult(prior, true)
  if (job.status === "done") throw problem(409, "import_finished", "This import is finished: it takes no new chunks.")
  if (job.status === "abandoned")
    throw problem(409, "import_abandoned", "This import was abandoned: it takes no new chunks; start a new one.")
  return null
}

const chunkResult = (c: ImportChunkRow, replayed: boolean): ChunkResult => ({
  chunk: c.chunkNo,
  rows: c.rows,
  applied: c.applied,
  unchanged: c.unchanged,
  replayed,
})

/** Records chunk n as done and refreshes the job's counts from all its chunks, in one batch. */
async function recordChunk(db: Db, jobId: string, chunkNo: number, hash: string, counts: ChunkCounts) {
  const now = Date.now()
  await db.batch([
    db
      .insert(importChunks)
      .values({ jobId, chunkNo, bodyHash: hash, ...counts, at: now })
      .onConflictDoNothing(),
    db
      .update(importJobs)
      .set({
        chunksDone: sql`(SELECT count(*) FROM import_chunks WHERE job_id = ${jobId})`,
        rows: sql`(SELECT coalesce(sum(rows), 0) FROM import_chunks WHERE job_id = ${jobId})`,
        applied: sql`(SELECT coalesce(sum(applied), 0) FROM import_chunks WHERE job_id = ${jobId})`,
        unchanged: sql`(SELECT coalesce(sum(unchanged), 0) FROM import_chunks WHERE job_id = ${jobId})`,
        // The first gap in 0, 1, 2, … minus one: chunks may arrive out of order from a parallel client.
        lastChunk: sql`(SELECT min(c.chunk_no) FROM (
            SELECT -1 AS chunk_no UNION ALL SELECT chunk_no FROM import_chunks WHERE job_id = ${jobId}
          ) c WHERE NOT EXISTS (
            SELECT 1 FROM import_chunks d WHERE d.job_id = ${jobId} AND d.chunk_no = c.chunk_no + 1))`,
        updatedAt: now,
      })
      .where(eq(importJobs.id, jobId)),
  ])
  return { chunk: chunkNo, ...counts, replayed: false }
}

/**
 * Chunk n of a job, once: answered from its record when the same body was done before, else
 * applied by `apply` and recorded with its counts. `body` is what the client sent (its hash
 * tells a resend from another chunk under the same number).
 */
export async function runChunk(
  db: Db,
  actor: Actor,
  ref: { id: string; chunk: number; kind: ImportKind },
  body: ArrayBuffer | Uint8Array,
  apply: () => Promise<ChunkCounts>,
): Promise<ChunkResult> {
  const job = await getJob(db, actor, ref.id, ref.kind)
  const hash = await bodyHash(body)
  const prior = await priorChunk(db, job, ref.chunk, hash)
  return prior ?? recordChunk(db, ref.id, ref.chunk, hash, await apply())
}

/** Marks the job done once chunks 0 … chunks-1 are all recorded; 409 `chunks_missing` lists the gaps. */
export async function finishJob(db: Db, actor: Actor, id: string, chunks: number): Promise<JobView> {
  const job = await getJob(db, actor, id)
  if (job.status === "abandoned") throw problem(409, "import_abandoned", "This import was abandoned: it can't finish.")
  if (job.status !== "done") {
    const done = await db
      .select({ n: importChunks.chunkNo })
      .from(importChunks)
      .where(and(eq(importChunks.jobId, id), sql`${importChunks.chunkNo} < ${chunks}`))
    const have = new Set(done.map((d) => d.n))
    const missing = Array.from({ length: chunks }, (_, n) => n).filter((n) => !have.has(n))
    if (missing.length > 0)
      throw problem(409, "chunks_missing", `${missing.length} chunk(s) of this import are not done yet.`, {
        errors: missing.slice(0, 100).map((n) => ({ path: `chunks.${n}`, message: "Not done yet.", chunk: n })),
      })
    const now = Date.now()
    await db.update(importJobs).set({ status: "done", finishedAt: now, updatedAt: now }).where(eq(importJobs.id, id))
  }
  return jobView(await getJob(db, actor, id))
}

/**
 * Gives a running import up (a wrong file, a client that will never come back): it takes no more
 * chunks and the owner's deep health stops warning about it. What its chunks applied stays applied
 * (goods received are real stock): a new import under a new key carries on. Asking again answers the same.
 */
export async function abandonJob(db: Db, actor: Actor, id: string): Promise<JobView> {
  const job = await getJob(db, actor, id)
  if (job.status === "done")
    throw problem(409, "import_finished", "This import is finished: there is nothing to abandon.")
  if (job.status === "running") {
    const now = Date.now()
    await db
      .update(importJobs)
      .set({ status: "abandoned", finishedAt: now, updatedAt: now })
      .where(and(eq(importJobs.id, id), eq(importJobs.status, "running")))
  }
  return jobView(await getJob(db, actor, id))
}
