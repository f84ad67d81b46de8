// Column shapes every table shares: text ids, epoch-millisecond timestamps.
import { integer } from "drizzle-orm/sqlite-core"

export const createdAt = () =>
  integer("created_at", { mode: "number" })
    .notNull()
    .$defaultFn(() => Date.now())
export const updatedAt = () =>
  integer("updated_at", { mode: "number" })
    .notNull()
    .$defaultFn(() => Date.now())
    .$onUpdateFn(() => Date.now())
