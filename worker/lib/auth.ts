// Authentication: a bearer token is either a staff session (`pzs_…`) or an API key (`pzk_…`).
// Both are random, stored only as hashes, expire or can be revoked.
import { and, eq, isNull } from "drizzle-orm"
import type { MiddlewareHandler } from "hono"
import type { Permission } from "../../core/roles"
import type { Db } from "../db/client"
import { apiKeys, devices, sessions, users } from "../db/schema"
import type { AppEnv } from "../env"
import { type Actor, assertPermission, userActor } from "./actor"
import { randomToken, sha256 } from "./crypto"
import { problem } from "./problem"

export const SESSION_PREFIX = "pzs_"
export const API_KEY_PREFIX = "pzk_"
export const newSessionToken = () => SESSION_PREFIX + randomToken()
export const newApiKey = () => API_KEY_PREFIX + randomToken()

const unauthenticated = (code: string, detail: string) =>
  problem(401, code, detail, { headers: { "WWW-Authenticate": 'Bearer realm="puzi"' } })

async function sessionActor(db: Db, tokenHash: string): Promise<Actor> {
  const [row] = await db
    .select({ session: sessions, user: users, deviceRevokedAt: devices.revokedAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(devices, eq(devices.id, sessions.deviceId))
    .where(eq(sessions.tokenHash, tokenHash))
    .limit(1)
  if (!row || row.session.revokedAt || row.session.expiresAt <= Date.now() || row.user.status !== "active")
    throw unauthenticated("invalid_token", "The token is unknown, expired or revoked: sign in again.")
  if (row.deviceRevokedAt)
    throw unauthenticated("device_revoked", "This device has been revoked by a manager; ask them to register it again.")
  return userActor(row.user, row.session)
}

async function apiKeyActor(db: Db, keyHash: string): Promise<Actor> {
  const [key] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
    .limit(1)
  if (!key) throw unauthenticated("invalid_token", "The API key is unknown or revoked.")
  return {
    kind: "api_key",
    id: key.id,
    name: key.name,
    role: "api",
    permissions: new Set(key.permissions),
    locationIds: key.locationIds,
  }
}

export const authenticate = (): MiddlewareHandler<AppEnv> =>
  async function authenticate(c, next) {
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")
    const token = match?.[1] ?? c.req.header("x-api-key")
    if (!token) throw unauthenticated("unauthenticated", "Sign in first: send Authorization: Bearer <token>.")
    c.set("actor", await actorFor(c.get("db"), token))
    await next()
  }

// Tokens verified in the last few seconds, per isolate: without this every request of a flash
// sale pays a D1 read just to learn who is calling. A revocation made in this isolate forgets them
// at once (forgetVerifiedTokens); other isolates follow within VERIFIED_MS.
const VERIFIED_MS = 5_000
const VERIFIED_MAX = 10_000
const verified = new Map<string, { actor: Actor; until: number }>()

export const forgetVerifiedTokens = () => verified.clear()

async function actorFor(db: Db, token: string): Promise<Actor> {
  const hash = await sha256(token)
  const now = Date.now()
  const hit = verified.get(hash)
  if (hit && hit.until > now) return hit.actor
  const actor = token.startsWith(API_KEY_PREFIX) ? await apiKeyActor(db, hash) : await sessionActor(db, hash)
  if (verified.size >= VERIFIED_MAX) verified.clear()
  verified.set(hash, { actor, until: now + VERIFIED_MS })
  return actor
}

/** Route guard: 403 before the body is even looked at (401 → 403 → 400 → 404 → 409). */
export const requires = (permission: Permission): MiddlewareHandler<AppEnv> =>
  async function requires(c, next) {
    assertPermission(c.get("actor"), permission)
    await next()
  }

/** A route's permission, enforced and documented (`x-permission` in the OpenAPI document). */
export const guard = (permission: Permission) => ({ middleware: [requires(permission)], "x-permission": permission })

/** A call about the signed-in user themselves: an API key has no user, password, session or PIN. */
export const usersOnly = (): MiddlewareHandler<AppEnv> =>
  async function usersOnly(c, next) {
    if (c.get("actor").kind !== "user") throw problem(403, "forbidden", "API keys have no user session.")
    await next()
  }
