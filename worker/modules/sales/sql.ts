// Many rows in one statement: D1 binds at most 100 parameters per statement, so rows travel as
// one JSON parameter and SQLite unpacks them with json_each. Columns are taken from the table in
// definition order, so the select list can't drift from the insert list.
import { getTableColumns, type SQL, sql } from "drizzle-orm"
import type { SQLiteTable } from "drizzle-orm/sqlite-core"
import type { Db } from "../../db/client"
import { docCounters } from "../../db/schema"

export function insertRows<T extends SQLiteTable>(db: Db, table: T, rows: readonly T["$inferInsert"][]) {
  const columns = Object.entries(getTableColumns(table))
  const exprs: SQL[] = columns.map((_, i) => sql.raw(`json_extract(value, '$[${i}]')`))
  const tuples = rows.map((row) => {
    const r: Record<string, unknown> = row
    return columns.map(([key, col]) => r[key] ?? col.defaultFn?.() ?? col.default ?? null)
  })
  return db.insert(table).select(sql`select ${sql.join(exprs, sql`, `)} from json_each(${JSON.stringify(tuples)})`)
}

/** The business day of an instant (core's, re-exported for the sales module's callers). */
export { dayOf } from "../../../core/business-day"

/** The next document number of a business day, as a sub-select (the counter row is bumped in the same batch). */
export const numberSql = (prefix: string, day: string) => {
  const compact = day.replaceAll("-", "")
  return sql`(select ${`${prefix}${compact}-`} || printf('%04d', last) from doc_counters where prefix = ${prefix} and day = ${compact})`
}

/**
 * Whether the store's day is closed, decided inside the batch that writes the sale (so a close
 * committed a moment before is seen, and no round trip is spent asking first).
 */
export const dayClosedSql = (locationId: string, day: string) =>
  sql<boolean>`exists (select 1 from day_closes where location_id = ${locationId} and day = ${day})`

export const bumpCounter = (db: Db, prefix: string, day: string) =>
  db
    .insert(docCounters)
    .values({ prefix, day: day.replaceAll("-", ""), last: 1 })
    .onConflictDoUpdate({ target: [docCounters.prefix, docCounters.day], set: { last: sql`${docCounters.last} + 1` } })
