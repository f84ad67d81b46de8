// Structured JSON logs: one object per line, so Workers Logs can filter by field. Every field
// passes through `scrub` first: secrets are never written and phone numbers are masked (PIPL), so
// a careless field in a caller can't leak what the log must not hold.
import type { Context, MiddlewareHandler } from "hono"
import { routePath } from "hono/route"
import type { AppEnv } from "../env"

type Fields = Record<string, unknown>

const SECRET_KEYS = /^(authorization|password|newPassword|currentPassword|token|secret|apiKey|key|pin|authCode)$/i
// A mainland mobile number anywhere in a string (11 digits starting 13–19), not inside a longer number.
const PHONE = /(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g

/** 13812345678 → 138****5678, wherever it appears in the text. */
export const maskPhones = (s: string) => s.replace(PHONE, "$1****$2")

/** A copy of `v` fit for a log line: secrets redacted, phones masked, depth and length bounded. */
export function scrub(v: unknown, depth = 0): unknown {
  if (typeof v === "string") return maskPhones(v.length > 2000 ? `${v.slice(0, 2000)}…` : v)
  if (v === null || typeof v !== "object") return v
  if (depth >= 5) return "[…]"
  if (Array.isArray(v)) return v.slice(0, 50).map((x) => scrub(x, depth + 1))
  if (v instanceof Error) return maskPhones(String(v))
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [k, SECRET_KEYS.test(k) ? "[redacted]" : scrub(x, depth + 1)]),
  )
}

const write = (level: "info" | "warn" | "error", msg: string, fields: Fields) =>
  console[level === "info" ? "log" : level](
    JSON.stringify({ level, msg, at: new Date().toISOString(), ...(scrub(fields) as Fields) }),
  )

export const log = {
  info: (msg: string, fields: Fields = {}) => write("info", msg, fields),
  warn: (msg: string, fields: Fields = {}) => write("warn", msg, fields),
  error: (msg: string, fields: Fields = {}) => write("error", msg, fields),
}

// ── the request log ─────────────────────────────────────────────────────────

const READS = new Set(["GET", "HEAD", "OPTIONS"])
const CELL_PATH = /\/stock\/cells\/([^/]+)\//

type Located = { locationId?: unknown; fromLocationId?: unknown; toLocationId?: unknown }

/** The locations a request names: its path, its query, or the JSON body a validator already read. */
async function locationsOf(c: Context<AppEnv>): Promise<string[]> {
  const found: unknown[] = [CELL_PATH.exec(c.req.path)?.[1], c.req.query("locationId")]
  const cache = c.req.bodyCache
  try {
    // Only a body someone already read: logging must not consume (or wait for) a stream.
    const body: unknown = cache.json ? await cache.json : cache.text ? JSON.parse(await cache.text) : null
    if (body && typeof body === "object") {
      const b = body as Located & { sales?: Located[]; returns?: Located[] }
      found.push(...[b, ...(b.sales ?? []), ...(b.returns ?? [])].flatMap((x) => [x?.locationId, x?.fromLocationId]))
      if (typeof b.toLocationId === "string") found.push(b.toLocationId)
    }
  } catch {
    // Not JSON: nothing to learn from it.
  }
  return [...new Set(found.filter((x): x is string => typeof x === "string" && x.length > 0 && x.length <= 64))]
}

/** A refusal's stable code, read from the problem+json answer (errors only: small bodies). */
async function problemCode(res: Response): Promise<string | undefined> {
  if (!res.headers.get("content-type")?.includes("json")) return undefined
  try {
    const code = ((await res.clone().json()) as { code?: unknown }).code
    return typeof code === "string" ? code : undefined
  } catch {
    return undefined
  }
}

/**
 * One line per request, after it: request id, method, the route's pattern (ids stay out of the
 * route name so lines group), status and outcome (ok / refused with its code / failed), time,
 * the actor and their role, and the location(s) the request is about. Writes say `write`.
 */
export const requestLog = (): MiddlewareHandler<AppEnv> =>
  async function requestLog(c, next) {
    const started = Date.now()
    await next()
    const status = c.res.status
    const locations = READS.has(c.req.method) && !c.req.query("locationId") ? [] : await locationsOf(c)
    const fields: Fields = {
      requestId: c.var.requestId,
      method: c.req.method,
      route: routePath(c, -1),
      path: c.req.path,
      status,
      outcome: status < 400 ? "ok" : status < 500 ? "refused" : "failed",
      code: status >= 400 ? await problemCode(c.res) : undefined,
      ms: Date.now() - started,
      actor: c.var.actor?.id,
      role: c.var.actor?.role,
      device: c.var.actor?.deviceId ?? undefined,
      locationId: locations.length > 1 ? locations : locations[0],
      replayed: c.res.headers.get("idempotent-replayed") === "true" || undefined,
    }
    write(status >= 500 ? "error" : "info", READS.has(c.req.method) ? "read" : "write", fields)
  }
