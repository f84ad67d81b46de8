// Bulk writes within D1's limits: at most 100 bound parameters per statement, and every
// related row in ONE db.batch (D1 has no interactive transactions). Many rows travel as a
// single JSON parameter unpacked by json_each, so 5,000 SKUs are a handful of statements.
import { getTableColumns, type SQL, sql } from "drizzle-orm"
import { getTableConfig, type SQLiteColumn, type SQLiteTable } from "drizzle-orm/sqlite-core"
import type { Db } from "../../db/client"
import { atomically, type Statement } from "../../lib/batch"
import { errorText } from "../../lib/db-errors"

// D1 allows 2 MB per value; UTF-8 makes a JS character up to 3 bytes.
const MAX_JSON_CHARS = 500_000

/** A statement for runBatch: any Drizzle insert/update/delete builder, or raw `sql`. */
export type Stmt = Statement

/** Inserts the rows as few statements, each with one JSON parameter (columns in table order). */
export function insertRows<T extends SQLiteTable>(table: T, rows: readonly T["$inferInsert"][]): Stmt[] {
  if (rows.length === 0) return []
  const columns = Object.entries(getTableColumns(table)) as [string, SQLiteColumn][]
  const names = sql.join(
    columns.map(([, col]) => sql.identifier(col.name)),
    sql`, `,
  )
  const picks = sql.join(
    columns.map((_, i) => sql.raw(`json_extract(value, '$[${i}]')`)),
    sql`, `,
  )
  const tuples = rows.map((row) => {
    const r = row as Record<string, unknown>
    return columns.map(([key, col]) => {
      const v = r[key] ?? col.defaultFn?.() ?? col.default ?? null
      return v === null ? null : col.mapToDriverValue(v)
    })
  })
  const into = sql.identifier(getTableConfig(table).name)
  return chunkJson(tuples).map((json) => sql`insert into ${into} (${names}) select ${picks} from json_each(${json})`)
}

/** Splits rows into JSON arrays small enough for one bound parameter. */
export function chunkJson(rows: readonly unknown[]): string[] {
  const out: string[] = []
  let part: string[] = []
  let size = 0
  for (const row of rows) {
    const s = JSON.stringify(row)
    if (part.length > 0 && size + s.length > MAX_JSON_CHARS) {
      out.push(`[${part.join(",")}]`)
      part = []
      size = 0
    }
    part.push(s)
    size += s.length + 1
  }
  if (part.length > 0) out.push(`[${part.join(",")}]`)
  return out
}

/** `column IN (values)` with one parameter however many values there are. */
export const inJson = (column: SQLiteColumn | SQL, values: readonly (string | number)[]): SQL =>
  sql`${column} in (select value from json_each(${JSON.stringify(values)}))`

/** One atomic D1 batch (D1 has no interactive transactions). */
export const runBatch = (db: Db, stmts: Stmt[]): Promise<void> => atomically(db.$client, stmts)

/** The unique index a failed write ran into, if that is why it failed. */
export const uniqueViolation = (e: unknown): string | undefined =>
  /UNIQUE constraint failed: ([\w.]+)/.exec(errorText(e))?.[1]
