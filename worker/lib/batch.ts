// One atomic D1 batch mixing Drizzle builders and raw `sql` statements. Drizzle's own
// `db.batch()` can't take `db.run(sql…)` on D1 (drizzle-orm 0.45: the raw item has no prepared
// statement), so the statements are rendered here and sent through the binding's batch.
import { is, SQL } from "drizzle-orm"
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core"

const dialect = new SQLiteAsyncDialect()

export type Statement = SQL | { toSQL(): { sql: string; params: unknown[] } } | D1PreparedStatement

export async function atomically(d1: D1Database, statements: readonly Statement[]) {
  await batchResults(d1, statements)
}

/** The same atomic batch, answering each statement's result (e.g. meta.changes: rows an insert really wrote). */
export async function batchResults(d1: D1Database, statements: readonly Statement[]): Promise<D1Result[]> {
  if (statements.length === 0) return []
  return d1.batch(statements.map((s) => prepared(d1, s)))
}

/** A statement as the binding takes it (one already prepared, e.g. a member ledger movement, as it is). */
export function prepared(d1: D1Database, s: Statement): D1PreparedStatement {
  if (!is(s, SQL) && !("toSQL" in s)) return s
  const q = is(s, SQL) ? dialect.sqlToQuery(s) : s.toSQL()
  return d1.prepare(q.sql).bind(...q.params)
}
