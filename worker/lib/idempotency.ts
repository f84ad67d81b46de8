// Idempotency-Key for the POSTs that create sales, orders, payments, transfers and receipts.
// Same key + same body → the first answer; same key + another body → 422; a key still being
// worked on → 409. Only successful answers are stored: a failed request changed nothing, so
// its retry may run again. A request whose worker died stays "in flight" for STALE_MS, then a
// retry takes it over (the services below are idempotent per document, so that is safe).
import { and, eq, lt, sql } from "drizzle-orm"
import type { Context, MiddlewareHandler } from "hono"
import type { Db } from "../db/client"
import { idempotencyKeys } from "../db/schema"
import type { AppEnv } from "../env"
import { sha256 } from "./crypto"
import { problem } from "./problem"

export const IDEMPOTENCY_TTL_MS = 7 * 24 * 3600 * 1000
const STALE_MS = 60_000
const KEY_RE = /^[\x21-\x7e]{1,255}$/

/** The request's Idempotency-Key, checked: 400 when it is missing or malformed. */
function keyOf(c: Context<AppEnv>): string {
  const key = c.req.header("idempotency-key")
  if (!key) throw problem(400, "idempotency_key_missing", "This call needs an Idempotency-Key header.")
  if (!KEY_RE.test(key))
    throw problem(400, "idempotency_key_invalid", "Idempotency-Key: 1–255 visible ASCII characters.")
  return key
}

/** What "the same request" means for a key: method, path and the body as sent. */
export const requestHash = async (c: Context<AppEnv>) => sha256(`${c.req.method} ${c.req.path}\n${await c.req.text()}`)

/**
 * For a service that keeps its own record per key in the rows it writes anyway (a till sale's
 * intent: same key and body → the first answer, another body → 422, in flight → 409): the header is
 * checked here, and the service compares `requestHash`. Saves the claim and answer rows, two D1
 * writes on the hottest POST.
 */
export const idempotencyKeyed = (): MiddlewareHandler<AppEnv> =>
  async function idempotencyKeyed(c, next) {
    keyOf(c)
    await next()
  }

export const keyReused = () =>
  problem(422, "idempotency_key_reused", "This Idempotency-Key was used with a different request.")

export const idempotent = (): MiddlewareHandler<AppEnv> =>
  async function idempotent(c, next) {
    const key = keyOf(c)
    const db = c.get("db")
    const actorId = c.get("actor").id
    const hash = await requestHash(c)
    const now = Date.now()

    const claimed = await claim(db, { actorId, key, requestHash: hash, now })
    if (!claimed) {
      const [prior] = await db
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.actorId, actorId), eq(idempotencyKeys.key, key)))
      if (prior && prior.requestHash !== hash) throw keyReused()
      if (prior?.state === "done")
        return new Response(prior.body, {
          status: prior.status ?? 200,
          headers: { "content-type": "application/json", "idempotent-replayed": "true" },
        })
      throw problem(409, "idempotency_in_flight", "The first request with this key is still being processed.", {
        headers: { "Retry-After": "1" },
      })
    }

    await next()
    const where = and(eq(idempotencyKeys.actorId, actorId), eq(idempotencyKeys.key, key))
    if (c.res.status >= 200 && c.res.status < 300) {
      const body = await c.res.clone().text()
      await db.update(idempotencyKeys).set({ state: "done", status: c.res.status, body }).where(where)
    } else {
      // Nothing was made, so a retry may run again: free the key, without making the caller wait for it.
      const release = db.delete(idempotencyKeys).where(where)
      try {
        c.executionCtx.waitUntil(release.then(() => undefined))
      } catch {
        await release // no execution context (a test's app.request)
      }
    }
  }

/** Insert the key as in flight; or take over an expired or stale row with the same body. */
async function claim(db: Db, k: { actorId: string; key: string; requestHash: string; now: number }): Promise<boolean> {
  const inserted = await db
    .insert(idempotencyKeys)
    .values({ ...k, state: "in_flight", createdAt: k.now, expiresAt: k.now + IDEMPOTENCY_TTL_MS })
    .onConflictDoUpdate({
      target: [idempotencyKeys.actorId, idempotencyKeys.key],
      set: {
        requestHash: k.requestHash,
        state: "in_flight",
        status: null,
        body: null,
        createdAt: k.now,
        expiresAt: k.now + IDEMPOTENCY_TTL_MS,
      },
      // Take over only what nobody can still be relying on.
      setWhere: sql`${idempotencyKeys.expiresAt} < ${k.now} or (${idempotencyKeys.state} = 'in_flight' and ${idempotencyKeys.createdAt} < ${k.now - STALE_MS} and ${idempotencyKeys.requestHash} = ${k.requestHash})`,
    })
    .returning({ key: idempotencyKeys.key })
  return inserted.length > 0
}

export const purgeExpiredIdempotencyKeys = (db: Db, now = Date.now()) =>
  db.delete(idempotencyKeys).where(lt(idempotencyKeys.expiresAt, now))
