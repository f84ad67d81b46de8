// Shared by the attack tests (fuzz, permission matrix): the OpenAPI document read as a list of
// operations, a small chain with one of every resource in an own and another location, valid
// sample requests made from each operation's own schemas, and a fingerprint of the chain's state
// so a refused request can be shown to have changed nothing.
import { env } from "cloudflare:workers"
import fc from "fast-check"
import { expect } from "vitest"
import { cellStub } from "../../worker/stock-cell/client"
import { call, createLocation, ownerToken, type Res, staffToken, uniq } from "./helpers"
import { cash, member, newSkus, sell, stock } from "./sales-helpers"
import { flush } from "./stock-helpers"

// ---------- the OpenAPI document as operations ----------

export type Schema = {
  $ref?: string
  type?: string | string[]
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  anyOf?: Schema[]
  oneOf?: Schema[]
  allOf?: Schema[]
  enum?: unknown[]
  const?: unknown
  minimum?: number
  maximum?: number
  minLength?: number
  maxLength?: number
  minItems?: number
  pattern?: string
  format?: string
  example?: unknown
  additionalProperties?: boolean | Schema
}
export type Param = { in: "path" | "query" | "header"; name: string; required?: boolean; schema: Schema }
type RawOperation = {
  "x-permission"?: string
  parameters?: Param[]
  requestBody?: { content: Record<string, { schema: Schema }> }
}
export type Doc = {
  paths: Record<string, Record<string, RawOperation>>
  components: { schemas: Record<string, Schema> }
}

export type Operation = {
  /** "GET /api/v1/sales/{id}": the key of the expected-answer table. */
  key: string
  method: string
  path: string
  permission?: string
  params: Param[]
  body?: Schema
  needsKey: boolean
}

export async function loadDoc(): Promise<Doc> {
  const res = await call<Doc>("GET", "/openapi.json")
  if (res.status !== 200) throw new Error(`no OpenAPI document: ${res.status}`)
  return res.body
}

export function operations(doc: Doc): Operation[] {
  const out: Operation[] = []
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops)) {
      const params = op.parameters ?? []
      out.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        permission: op["x-permission"],
        params,
        body: op.requestBody?.content["application/json"]?.schema,
        needsKey: params.some((p) => p.in === "header" && p.name.toLowerCase() === "idempotency-key"),
      })
    }
  return out
}

export const resolve = (doc: Doc, s: Schema): Schema =>
  s.$ref ? resolve(doc, doc.components.schemas[s.$ref.split("/").pop()!]!) : s

/** The schema's non-null shape (nullable fields are `type: [T, "null"]` or `anyOf: [T, null]`). */
function shape(doc: Doc, raw: Schema): Schema {
  const s = resolve(doc, raw)
  const alts = s.anyOf ?? s.oneOf
  if (alts) return shape(doc, alts.find((a) => resolve(doc, a).type !== "null") ?? alts[0]!)
  if (Array.isArray(s.type)) return { ...s, type: s.type.find((t) => t !== "null") }
  return s
}

// ---------- a chain to attack ----------

export type Place = {
  location: string
  receipt: string
  adjustment: string
  order: string
  sale: string
  saleLine: string
  return: string
  parkedCart: string
  shift: string
  transfer: string
  stocktake: string
  device: string
  member: string
}

export type World = {
  owner: string
  skuIds: string[]
  product: string
  category: string
  brand: string
  promotion: string
  coupon: string
  tier: string
  /** Victims for the calls that revoke or change them, so the actors' own credentials survive. */
  victimUser: string
  victimKey: string
  /** A third location: the far end of transfers. */
  far: string
  own: Place
  other: Place
}

const created = async (res: Promise<Res>, what: string): Promise<Record<string, unknown>> => {
  const r = await res
  if (r.status !== 201 && r.status !== 200) throw new Error(`${what} failed: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body as Record<string, unknown>
}
const idOf = async (res: Promise<Res>, what: string) => String((await created(res, what)).id)

async function place(owner: string, location: string, far: string, skuIds: string[]): Promise<Place> {
  const sku = skuIds[0]!
  const post = (path: string, body: unknown, key?: string) => call("POST", path, { token: owner, body, key })
  const sale = await sell(owner, { locationId: location, lines: [{ skuId: sku, qty: 2 }], payments: [cash(100_000)] })
  if (sale.status !== 201) throw new Error(`sale failed: ${JSON.stringify(sale.body)}`)
  const saleLine = sale.body.lines[0]!.lineId
  return {
    location,
    receipt: await idOf(
      post("/stock/receipts", { locationId: location, lines: [{ skuId: sku, qty: 5 }] }, uniq()),
      "receipt",
    ),
    adjustment: await idOf(
      post("/stock/adjustments", { locationId: location, lines: [{ skuId: sku, delta: 1, reason: "found" }] }, uniq()),
      "adjustment",
    ),
    order: await idOf(
      post("/orders", { channel: "web", locationId: location, lines: [{ skuId: sku, qty: 1 }] }, uniq()),
      "order",
    ),
    sale: sale.body.id,
    saleLine,
    return: await idOf(
      post("/returns", { saleId: sale.body.id, lines: [{ lineId: saleLine, qty: 1 }] }, uniq()),
      "return",
    ),
    parkedCart: await idOf(
      post("/parked-carts", {
        locationId: location,
        deviceId: "dev_fixture",
        label: "挂单",
        lines: [{ skuId: sku, qty: 1 }],
      }),
      "parked cart",
    ),
    shift: await idOf(post("/shifts", { locationId: location, floatFen: 10_000 }), "shift"),
    transfer: await idOf(
      post("/transfers", { fromLocationId: location, toLocationId: far, lines: [{ skuId: sku, qty: 1 }] }, uniq()),
      "transfer",
    ),
    stocktake: await idOf(post("/stocktakes", { locationId: location }), "stocktake"),
    device: await idOf(post("/devices", { locationId: location, name: "收银台" }), "device"),
    member: await member(owner, location),
  }
}

/** A chain with stock, documents and people in two stores: `own` (the actors') and `other`. */
export async function buildWorld(): Promise<World> {
  const owner = await ownerToken()
  const [ownLoc, otherLoc, far] = await Promise.all([
    createLocation(owner),
    createLocation(owner),
    createLocation(owner),
  ])
  const skuIds = await newSkus(owner, 2, 1000)
  await Promise.all([ownLoc, otherLoc, far].flatMap((l) => skuIds.map((s) => stock(l, s, 50))))
  const post = (path: string, body: unknown) => call("POST", path, { token: owner, body })
  const sku = await call<{ productId: string }>("GET", `/skus/${skuIds[0]}`, { token: owner })
  const promotion = await idOf(
    post("/promotions", {
      name: uniq("券"),
      class: "order",
      rule: { kind: "percent_off", offBp: 100 },
      couponOnly: true,
      storeIds: [far],
    }),
    "promotion",
  )
  const batch = await created(post("/coupons/batches", { promotionId: promotion, count: 1 }), "coupons")
  const victim = await staffToken(owner, "cashier", [ownLoc])
  return {
    owner,
    skuIds,
    product: sku.body.productId,
    category: await idOf(post("/categories", { name: uniq("类") }), "category"),
    brand: await idOf(post("/brands", { name: uniq("牌") }), "brand"),
    promotion,
    coupon: (batch.codes as { code: string }[])[0]!.code,
    tier: await idOf(post("/member-tiers", { name: uniq("卡"), minSpendFen: 1, months: 12 }), "tier"),
    victimUser: victim.id,
    victimKey: await idOf(
      post("/api-keys", { name: "victim", permissions: ["catalog:read"], locationIds: [ownLoc] }),
      "key",
    ),
    far,
    own: await place(owner, ownLoc, far, skuIds),
    other: await place(owner, otherLoc, far, skuIds),
  }
}

// ---------- valid sample requests ----------

/** Which fixture a path's `{id}` names, by the collection before it. */
const PATH_IDS: [RegExp, (w: World, p: Place) => string][] = [
  [/\/users\/\{id\}/, (w) => w.victimUser],
  [/\/api-keys\/\{id\}/, (w) => w.victimKey],
  [/\/devices\/\{id\}/, (_, p) => p.device],
  [/\/locations\/\{id\}/, (_, p) => p.location],
  [/\/products\/\{id\}/, (w) => w.product],
  [/\/skus\/\{id\}/, (w) => w.skuIds[0]!],
  [/\/stock\/receipts\/\{id\}/, (_, p) => p.receipt],
  [/\/stock\/adjustments\/\{id\}/, (_, p) => p.adjustment],
  [/\/orders\/\{id\}/, (_, p) => p.order],
  [/\/sales\/\{id\}/, (_, p) => p.sale],
  [/\/returns\/\{id\}/, (_, p) => p.return],
  [/\/parked-carts\/\{id\}/, (_, p) => p.parkedCart],
  [/\/shifts\/\{id\}/, (_, p) => p.shift],
  [/\/transfers\/\{id\}/, (_, p) => p.transfer],
  [/\/stocktakes\/\{id\}/, (_, p) => p.stocktake],
  [/\/members\/\{id\}/, (_, p) => p.member],
  [/\/promotions\/\{id\}/, (w) => w.promotion],
  [/\/coupons\/\{code\}/, (w) => w.coupon],
  [/\/stock\/cells\/\{locationId\}/, (_, p) => p.location],
  [/\/\{skuId\}/, (w) => w.skuIds[0]!],
]

/** The operation's URL with real ids of `p`'s resources (an unknown id where none fits). */
export function fillPath(op: Operation, w: World, p: Place, query = ""): string {
  let url = op.path.replace(/^\/api\/v1/, "")
  for (const [re, id] of PATH_IDS) {
    const m = re.exec(url)
    if (m) url = url.replace(m[0], m[0].replace(/\{[^}]+\}/, encodeURIComponent(id(w, p))))
  }
  return url.replace(/\{[^}]+\}/g, "zz_unknown") + (query ? `?${query}` : "")
}

const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)
const phone = () => `139${String(crypto.getRandomValues(new Uint32Array(1))[0]! % 100_000_000).padStart(8, "0")}`
const ULID_CHARS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
const ulid = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(26)), (b, i) => ULID_CHARS[i === 0 ? b % 8 : b % 32]).join("")

/** A value a field of this name means in this chain (ids of real things), before its schema is asked. */
function byName(name: string, w: World, p: Place): unknown {
  const table: Record<string, () => unknown> = {
    locationId: () => p.location,
    homeLocationId: () => p.location,
    fromLocationId: () => p.location,
    toLocationId: () => w.far,
    skuId: () => w.skuIds[0],
    memberId: () => p.member,
    saleId: () => p.sale,
    lineId: () => p.saleLine,
    shiftId: () => p.shift,
    deviceId: () => p.device,
    productId: () => w.product,
    categoryId: () => w.category,
    brandId: () => w.brand,
    promotionId: () => w.promotion,
    tierId: () => w.tier,
    username: () => uniq("u"),
    password: () => "password-123",
    newPassword: () => "password-456",
    phone,
    skuCode: () => uniq("FZ"),
    name: () => uniq("名"),
    date: today,
    code: () => w.coupon,
    role: () => "cashier",
    id: ulid,
  }
  return table[name]?.()
}

const sampleString = (s: Schema): string => {
  if (s.format === "date-time") return new Date().toISOString()
  if (s.pattern) {
    const [source, flags] = s.pattern.endsWith("/u") ? [s.pattern.slice(0, -2), "u"] : [s.pattern, ""]
    return fc.sample(fc.stringMatching(new RegExp(source, flags), { maxLength: s.maxLength }), {
      numRuns: 1,
      seed: 7,
    })[0]!
  }
  if (typeof s.example === "string" && !s.example.includes("…")) return s.example
  return "样".repeat(Math.max(1, s.minLength ?? 1))
}

const ANCHORS = new Set(["locationId", "saleId", "consent"])

/** A valid value of schema `raw`: required properties only, real ids where the field names one. */
export function sample(doc: Doc, raw: Schema, w: World, p: Place, name = ""): unknown {
  const s = shape(doc, raw)
  if (s.const !== undefined) return s.const
  const known = byName(name, w, p)
  if (s.enum) return s.enum.includes(known) ? known : s.enum.find((v) => v !== null)
  if (known !== undefined && (s.type === "string" || s.type === undefined)) return known
  switch (s.type) {
    case "object": {
      const out: Record<string, unknown> = {}
      // Required fields, and the optional ones that say where (or for whom) the call acts.
      for (const [k, sub] of Object.entries(s.properties ?? {}))
        if ((s.required ?? []).includes(k) || ANCHORS.has(k)) out[k] = sample(doc, sub, w, p, k)
      return out
    }
    case "array":
      return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => sample(doc, s.items ?? {}, w, p, name))
    case "integer":
    case "number":
      return Math.min(Math.max(1, s.minimum ?? 1), s.maximum ?? Number.MAX_SAFE_INTEGER)
    case "boolean":
      return true
    case "string":
      return sampleString(s)
    default:
      return "x"
  }
}

/** Query parameters: the required ones always, `locationId` (the scope under test) when offered. */
export function sampleQuery(doc: Doc, op: Operation, w: World, p: Place): string {
  const q = new URLSearchParams()
  for (const prm of op.params.filter((x) => x.in === "query"))
    if (prm.required || prm.name === "locationId") q.set(prm.name, String(sample(doc, prm.schema, w, p, prm.name)))
  return q.toString()
}

export type Request = { method: string; url: string; token?: string; body?: unknown; key?: string }

/** A request to `op` that is valid in every part, aimed at `p`'s resources. */
export function validRequest(doc: Doc, op: Operation, w: World, p: Place): Request {
  return {
    method: op.method,
    url: fillPath(op, w, p, sampleQuery(doc, op, w, p)),
    body: op.body ? sample(doc, op.body, w, p) : undefined,
    key: op.needsKey ? uniq("atk") : undefined,
  }
}

export const send = (r: Request, headers?: Record<string, string>) =>
  call(r.method, r.url, { token: r.token, body: r.body, key: r.key, headers })

// ---------- what every refusal looks like ----------

export function expectProblem(res: Res, where: string) {
  expect(res.status, where).toBeGreaterThanOrEqual(400)
  expect(res.status, where).toBeLessThan(500)
  expect(res.headers.get("content-type"), where).toContain("application/problem+json")
  const b = res.body as Record<string, unknown>
  expect(typeof b.type, `${where}: type`).toBe("string")
  expect(typeof b.title, `${where}: title`).toBe("string")
  expect(b.status, `${where}: status`).toBe(res.status)
  expect(typeof b.code, `${where}: code`).toBe("string")
}

// ---------- the chain's state in one value ----------

// Written by what a refusal may legitimately do (count a failed login) or after an accepted
// request by the platform on its own schedule (the replenish queue's consumer).
const VOLATILE = new Set(["login_throttles", "replenish_signals", "d1_migrations", "_cf_KV", "sqlite_sequence"])

let tableNames: string[] | undefined
async function tables(): Promise<string[]> {
  tableNames ??= (
    await env.DB.prepare("select name from sqlite_master where type = 'table'").all<{ name: string }>()
  ).results
    .map((r) => r.name)
    .filter((n) => !VOLATILE.has(n) && !n.startsWith("_cf") && !n.startsWith("sqlite_"))
  return tableNames
}

/** Row counts of every table and the ledgers' sums: one D1 query, cheap enough for every request. */
export async function ledgerPrint(): Promise<Record<string, unknown>> {
  const counts = (await tables()).map((t) => `(select count(*) from "${t}") as "${t}"`).join(", ")
  const sums = [
    "(select coalesce(sum(delta), 0) from stock_moves) as stock_moves_sum",
    "(select coalesce(sum(delta), 0) from member_points) as points_sum",
    "(select coalesce(sum(delta), 0) from member_stored_value) as stored_value_sum",
  ].join(", ")
  return (await env.DB.prepare(`select ${counts}, ${sums}`).first()) ?? {}
}

/**
 * The world's cells: quantities, lots and live holds. Not the cell's version: an order refused for
 * its SKUs (422) may have reserved side by side with the catalog read and released at once, by
 * design (orders/service.ts), which leaves every quantity as it was.
 */
export async function cellsPrint(w: World): Promise<Record<string, unknown>> {
  const cells: Record<string, unknown> = {}
  for (const l of [w.own.location, w.other.location, w.far])
    for (const s of w.skuIds) {
      const c = await cellStub(env, l, s).snapshot({ locationId: l, skuId: s })
      cells[`${l}:${s}`] = [c.onHand, c.reserved, c.activeHolds, c.lotless, c.lots]
    }
  return cells
}

/** The ledgers and the cells, after the cells have flushed their outboxes to D1. */
export async function fingerprint(w: World): Promise<{ db: Record<string, unknown>; cells: Record<string, unknown> }> {
  await Promise.all([w.own.location, w.other.location, w.far].map((l) => flush(l, ...w.skuIds)))
  return { db: await ledgerPrint(), cells: await cellsPrint(w) }
}

/** Undoes what a fuzzed PATCH may have done to the world (a closed store, an archived SKU). */
export async function heal(w: World) {
  const patch = (path: string, body: unknown) => call("PATCH", path, { token: w.owner, body })
  await Promise.all([
    ...[w.own.location, w.other.location, w.far].map((l) => patch(`/locations/${l}`, { status: "active" })),
    ...w.skuIds.map((s) => patch(`/skus/${s}`, { status: "active" })),
    patch(`/products/${w.product}`, { status: "active" }),
  ])
}

/** A signed-in user of `role` who may act in `own` only (owners and managers see all anyway), in a session of its own. */
export const actor = (w: World, role: Parameters<typeof staffToken>[1]) =>
  role === "owner" ? ownerToken() : staffToken(w.owner, role, [w.own.location]).then((u) => u.token)
