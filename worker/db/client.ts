import { drizzle } from "drizzle-orm/d1"
import * as schema from "./schema"

export type Db = ReturnType<typeof build>
const build = (d1: D1Database) => drizzle(d1, { schema })

// One Drizzle client per D1 binding, per isolate: building one walks the whole schema
// (extractTablesRelationalConfig), which every request paid for when it was built per request.
const clients = new WeakMap<D1Database, Db>()

export function makeDb(d1: D1Database): Db {
  let db = clients.get(d1)
  if (!db) {
    db = build(d1)
    clients.set(d1, db)
  }
  return db
}
