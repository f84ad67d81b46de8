// Incremental sync for the tills' offline caches (catalog, a store's members). Rows come in commit order,
// by the table's sync_seq, which triggers number as each write commits (migrations/0013_sync_seq_triggers.sql).
// The token a till keeps is the last number it saw: a row written later (even one that stamped an older
// updated_at, or shares an updated_at with a thousand others) always has a higher number, so it comes next time,
// and a row changed again while a till pages moves to the end and comes again in the same pass.
import { z } from "@hono/zod-openapi"
import { encodeCursor, PageQuery } from "./pagination"
import { problem } from "./problem"

/** Sync pages may be larger than lists' (100): a 26,000-SKU catalog in 26 calls. */
export const SYNC_MAX_LIMIT = 1000

const TAG = "sync"

/** `limit` up to SYNC_MAX_LIMIT (only a sync may use more than lists' 100), and the till's `syncToken`. */
export const SyncPageQuery = PageQuery.extend({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(SYNC_MAX_LIMIT)
    .default(50)
    .openapi({ example: 50, description: `1–100; up to ${SYNC_MAX_LIMIT} when syncing (updatedSince or syncToken)` }),
  syncToken: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: "incremental sync: what changed after the position this token marks (from a sync page)" }),
})

export const syncTokenOf = (seq: number) => encodeCursor([TAG, seq])

/** The position a sync token or a sync page's cursor marks; anything this API did not give out is a 400. */
export function decodeSyncToken(token: string | undefined, field: "syncToken" | "cursor"): number | undefined {
  if (token === undefined) return undefined
  let key: unknown
  try {
    key = JSON.parse(atob(token.replaceAll("-", "+").replaceAll("_", "/")))
  } catch {}
  if (Array.isArray(key) && key.length === 2 && key[0] === TAG && Number.isSafeInteger(key[1]) && key[1] >= 0)
    return key[1] as number
  throw problem(
    400,
    field === "cursor" ? "invalid_cursor" : "invalid_sync_token",
    `The ${field} is not one this API gave out.`,
    {
      errors: [{ path: field, message: "Not a position this API gave out." }],
    },
  )
}

/** A list's limit is 1–100; only a sync page may ask for more. */
export function assertListLimit(limit: number) {
  if (limit > 100)
    throw problem(400, "validation_failed", "The request query is not valid.", {
      errors: [{ path: "limit", message: `At most 100, or ${SYNC_MAX_LIMIT} with updatedSince or syncToken.` }],
    })
}

/**
 * One sync page from rows fetched in sync_seq order with limit + 1: `nextCursor` while more rows wait now,
 * and always `syncToken`, the position after this page (the one given when nothing changed), for the next pass.
 */
export function syncPage<R, T>(rows: R[], limit: number, from: number, seqOf: (r: R) => number, map: (r: R) => T) {
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  const token = syncTokenOf(last ? seqOf(last) : from)
  return { items: page.map(map), nextCursor: rows.length > limit ? token : null, syncToken: token }
}
