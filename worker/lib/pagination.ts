// Cursor paging: `limit` and an opaque `cursor` in, `{ items, nextCursor }` out.
import { z } from "@hono/zod-openapi"
import { problem } from "./problem"

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50).openapi({ example: 50 }),
  cursor: z.string().max(200).optional(),
})

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() })

export const encodeCursor = (key: readonly (string | number)[]): string =>
  btoa(JSON.stringify(key)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")

export function decodeCursor(cursor: string | undefined): (string | number)[] | undefined {
  if (!cursor) return undefined
  try {
    const key = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")))
    if (Array.isArray(key) && key.every((k) => typeof k === "string" || typeof k === "number")) return key
  } catch {}
  throw problem(400, "invalid_cursor", "The cursor is not one this API gave out.")
}

/** Rows were fetched with limit + 1; the extra one only tells us whether there is a next page. */
export function toPage<R, T>(rows: R[], limit: number, keyOf: (r: R) => (string | number)[], map: (r: R) => T) {
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return { items: page.map(map), nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null }
}
