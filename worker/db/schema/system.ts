import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core"

// Stored answers of POSTs sent with an Idempotency-Key, kept at least 7 days.
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    // Keys are namespaced per caller so two clients can't collide.
    actorId: text("actor_id").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    state: text("state").$type<"in_flight" | "done">().notNull(),
    status: integer("status"),
    body: text("body"),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.actorId, t.key] }), index("idempotency_expires_idx").on(t.expiresAt)],
)

// Per-day counters behind document numbers a person can read (RK20261125-0001).
export const docCounters = sqliteTable(
  "doc_counters",
  {
    prefix: text("prefix").notNull(),
    day: text("day").notNull(),
    last: integer("last").notNull(),
  },
  (t) => [primaryKey({ columns: [t.prefix, t.day] })],
)
