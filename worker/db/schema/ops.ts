// What the owner's deep health check reads that nothing else records.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core"

// Messages a queue gave up on (their retries spent), as the dead-letter consumer received them. The
// message id is the key: the dead-letter queue delivers at least once too.
export const deadLetters = sqliteTable(
  "dead_letters",
  {
    id: text("id").primaryKey(),
    // The dead-letter queue it arrived on, e.g. puzi-replenish-dlq.
    queue: text("queue").notNull(),
    body: text("body", { mode: "json" }).$type<unknown>().notNull(),
    attempts: integer("attempts").notNull(),
    receivedAt: integer("received_at").notNull(),
  },
  (t) => [index("dead_letters_received_idx").on(t.receivedAt)],
)
