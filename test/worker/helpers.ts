// Test helpers: call the Worker as a client would, through its fetch handler.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test"
import { exports } from "cloudflare:workers"
import type { Role } from "../../core/roles"
import worker from "../../worker/index"

export const BASE = "http://puzi.test/api/v1"

export type Res<T = Record<string, unknown>> = { status: number; body: T; headers: Headers }

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field with expect(); pass T for typed use.
export async function call<T = any>(
  method: string,
  path: string,
  opts: {
    token?: string
    body?: unknown
    rawBody?: string
    headers?: Record<string, string>
    key?: string
    /** Other chain settings (vars) for this one request: see withVars. */
    env?: Env
  } = {},
): Promise<Res<T>> {
  const headers: Record<string, string> = { ...opts.headers }
  if (opts.token) headers.authorization = `Bearer ${opts.token}`
  if (opts.key) headers["idempotency-key"] = opts.key
  let body: string | undefined = opts.rawBody
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body)
    headers["content-type"] ??= "application/json"
  }
  const req = new Request(BASE + path, { method, headers, body })
  const res = opts.env ? await fetchWith(opts.env, req) : await exports.default.fetch(req)
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {}
  return { status: res.status, body: parsed as T, headers: res.headers }
}

/** The Worker's own fetch with another env: the same D1, cells and queues, other vars. */
async function fetchWith(env: Env, req: Request) {
  const ctx = createExecutionContext()
  const res = await worker.fetch(req as Parameters<typeof worker.fetch>[0], env, ctx)
  await waitOnExecutionContext(ctx)
  return res
}

/** The test chain's env with some vars set otherwise (wrangler types makes each var a literal type). */
export const withVars = (base: Env, vars: Partial<Record<keyof Env, string>>): Env => ({ ...base, ...vars }) as Env

let counter = 0
/** A unique suffix so tests in one file (which share storage) never collide. */
export const uniq = (prefix = "t") => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`

export const OWNER = { username: "owner", password: "puzi-test-owner" }

/** The chain's owner: created through first-run setup the first time a file asks. */
export async function ownerToken(): Promise<string> {
  const status = await call<{ needed: boolean }>("GET", "/setup")
  if (status.body.needed) await call("POST", "/setup", { body: OWNER })
  const res = await call<{ token: string }>("POST", "/auth/login", { body: OWNER })
  if (res.status !== 200) throw new Error(`owner login failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.token
}

export async function createLocation(token: string, kind: "store" | "warehouse" | "dealer" = "store", name?: string) {
  const res = await call<{ id: string }>("POST", "/locations", {
    token,
    body: { name: name ?? uniq(kind === "store" ? "门店" : "仓库"), kind, region: "华东" },
  })
  if (res.status !== 201) throw new Error(`location failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.id
}

/** `n` SKUs (variants 号 0…n−1 of one new product) at `priceFen`, through POST /products; their ids. */
export async function productSkus(
  owner: string,
  o: { n: number; priceFen: number; codePrefix: string; unit?: "piece" | "gram"; categoryId?: string },
) {
  const code = uniq(o.codePrefix)
  const res = await call<{ skus: { id: string }[] }>("POST", "/products", {
    token: owner,
    body: {
      name: uniq("商品"),
      ...(o.unit ? { unit: o.unit } : {}),
      ...(o.categoryId ? { categoryId: o.categoryId } : {}),
      variants: Array.from({ length: o.n }, (_, i) => ({
        skuCode: `${code}-${i}`,
        attributes: { 号: String(i) },
        priceFen: o.priceFen,
      })),
    },
  })
  if (res.status !== 201) throw new Error(`product failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.skus.map((s) => s.id)
}

/** A user of the given role scoped to the given locations, signed in. */
export async function staffToken(owner: string, role: Role, locationIds: string[]) {
  const username = uniq(role.replace("_", ""))
  const password = "password-123"
  const res = await call("POST", "/users", { token: owner, body: { username, password, role, locationIds } })
  if (res.status !== 201) throw new Error(`user failed: ${res.status} ${JSON.stringify(res.body)}`)
  const login = await call<{ token: string }>("POST", "/auth/login", { body: { username, password } })
  return { token: login.body.token, id: res.body.id as string, username, password }
}
