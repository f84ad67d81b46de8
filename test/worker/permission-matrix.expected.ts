// The permission matrix's expected answers, in one place. The rule is core/roles.ts: a caller
// whose role (or API key) lacks an operation's x-permission gets 403; a caller that may act but
// not see the location a resource belongs to gets 404; anyone else gets an answer that is neither
// (2xx, or a 4xx about the body or the resource's state). What this file adds is each operation's
// scope, and the few exceptions to the rule, each with its reason. An operation missing from
// SCOPES fails the matrix: a new endpoint must say here who may reach it.
import { can, PERMISSIONS, type Permission, type Role } from "../../core/roles"

export type Scope =
  /** No token needed. */
  | "public"
  /** Any signed-in user, about themselves (an API key has no self: 403). */
  | "self"
  /** No location: the role alone decides (lists still show only what the caller may see). */
  | "chain"
  /** Names one location's resource (path id, body or query locationId): another's answers 404. */
  | "location"

export const SCOPES: Record<string, Scope> = {
  "GET /api/v1/health": "public",
  "POST /api/v1/auth/login": "public",
  "GET /api/v1/setup": "public",
  "POST /api/v1/setup": "public",
  "POST /api/v1/auth/logout": "self",
  "GET /api/v1/me": "self",
  "POST /api/v1/me/password": "self",
  "GET /api/v1/me/sessions": "self",
  "POST /api/v1/me/sessions/{id}/revoke": "self",
  "GET /api/v1/me/pin": "self",
  "PUT /api/v1/me/pin": "self",
  "DELETE /api/v1/me/pin": "self",
  "GET /api/v1/settings": "chain",
  "POST /api/v1/users": "chain",
  "GET /api/v1/users": "chain",
  "GET /api/v1/users/{id}": "chain",
  "PATCH /api/v1/users/{id}": "chain",
  "DELETE /api/v1/users/{id}": "chain",
  "POST /api/v1/users/{id}/password": "chain",
  "GET /api/v1/users/{id}/sessions": "chain",
  "POST /api/v1/users/{id}/sessions/revoke": "chain",
  "POST /api/v1/devices": "location",
  "GET /api/v1/devices": "location",
  "POST /api/v1/devices/{id}/revoke": "location",
  "POST /api/v1/devices/{id}/reinstate": "location",
  "GET /api/v1/devices/{id}/pins": "location",
  "POST /api/v1/api-keys": "chain",
  "GET /api/v1/api-keys": "chain",
  "POST /api/v1/api-keys/{id}/revoke": "chain",
  "POST /api/v1/locations": "chain",
  "GET /api/v1/locations": "chain",
  "GET /api/v1/locations/{id}": "location",
  "PATCH /api/v1/locations/{id}": "location",
  "GET /api/v1/locations/{id}/members": "location",
  "POST /api/v1/products": "chain",
  "GET /api/v1/products": "chain",
  "POST /api/v1/products/import": "chain",
  "GET /api/v1/products/{id}": "chain",
  "PATCH /api/v1/products/{id}": "chain",
  "POST /api/v1/products/{id}/variants": "chain",
  "GET /api/v1/skus": "chain",
  "GET /api/v1/skus/{id}": "chain",
  "PATCH /api/v1/skus/{id}": "chain",
  "POST /api/v1/skus/{id}/prices": "chain",
  "GET /api/v1/skus/{id}/prices": "chain",
  "POST /api/v1/categories": "chain",
  "GET /api/v1/categories": "chain",
  "POST /api/v1/brands": "chain",
  "GET /api/v1/brands": "chain",
  "POST /api/v1/stock/receipts": "location",
  "GET /api/v1/stock/receipts/{id}": "location",
  "POST /api/v1/stock/adjustments": "location",
  "GET /api/v1/stock/adjustments/{id}": "location",
  "GET /api/v1/stock/cells/{locationId}/{skuId}": "location",
  "GET /api/v1/stock/levels": "location",
  "GET /api/v1/skus/{id}/availability": "chain",
  "GET /api/v1/stock/moves": "location",
  "GET /api/v1/stock/audit": "location",
  "POST /api/v1/stock/audit/run": "chain",
  "GET /api/v1/stock/expiring": "location",
  "POST /api/v1/orders": "location",
  "GET /api/v1/orders": "location",
  "POST /api/v1/orders/{id}/pay": "location",
  "POST /api/v1/orders/{id}/cancel": "location",
  "GET /api/v1/orders/{id}": "location",
  "POST /api/v1/sales": "location",
  "GET /api/v1/sales": "location",
  "POST /api/v1/sales/sync": "location",
  "GET /api/v1/sales/price-exceptions": "location",
  "GET /api/v1/sales/{id}": "location",
  "GET /api/v1/sales/{id}/receipt": "location",
  "POST /api/v1/returns": "location",
  "GET /api/v1/returns/{id}": "location",
  "POST /api/v1/parked-carts": "location",
  "GET /api/v1/parked-carts": "location",
  "DELETE /api/v1/parked-carts/{id}": "location",
  "POST /api/v1/shifts": "location",
  "POST /api/v1/shifts/{id}/cash-moves": "location",
  "POST /api/v1/shifts/{id}/close": "location",
  "GET /api/v1/shifts/{id}": "location",
  "GET /api/v1/reports/day": "location",
  "POST /api/v1/reports/day/close": "location",
  "GET /api/v1/reports/summary": "location",
  "POST /api/v1/transfers": "location",
  "GET /api/v1/transfers": "location",
  "GET /api/v1/transfers/destinations": "chain",
  "POST /api/v1/transfers/{id}/ship": "location",
  "POST /api/v1/transfers/{id}/receive": "location",
  "POST /api/v1/transfers/{id}/cancel": "location",
  "GET /api/v1/transfers/{id}": "location",
  "POST /api/v1/stocktakes": "location",
  "GET /api/v1/stocktakes": "location",
  "POST /api/v1/stocktakes/{id}/counts": "location",
  "POST /api/v1/stocktakes/{id}/post": "location",
  "POST /api/v1/stocktakes/{id}/cancel": "location",
  "GET /api/v1/stocktakes/{id}": "location",
  "POST /api/v1/members": "location",
  "GET /api/v1/members": "chain",
  "GET /api/v1/members/lookup": "chain",
  "GET /api/v1/members/{id}": "chain",
  "PATCH /api/v1/members/{id}": "chain",
  "GET /api/v1/members/{id}/export": "chain",
  "POST /api/v1/members/{id}/erase": "chain",
  "GET /api/v1/members/{id}/points": "chain",
  "POST /api/v1/members/{id}/points/adjustments": "chain",
  "GET /api/v1/members/{id}/stored-value": "chain",
  "POST /api/v1/members/{id}/stored-value/top-ups": "location",
  "POST /api/v1/member-tiers": "chain",
  "GET /api/v1/member-tiers": "chain",
  "POST /api/v1/promotions": "chain",
  "GET /api/v1/promotions": "chain",
  "GET /api/v1/promotions/active": "location",
  "GET /api/v1/promotions/{id}": "chain",
  "PATCH /api/v1/promotions/{id}": "chain",
  "POST /api/v1/coupons/batches": "chain",
  // A chain's data migration (HQ): the import names locations inside its rows, never in its path.
  "POST /api/v1/imports": "chain",
  "GET /api/v1/imports/{id}": "chain",
  "POST /api/v1/imports/{id}/products/{chunk}": "chain",
  "POST /api/v1/imports/{id}/opening-balances/{chunk}": "chain",
  "POST /api/v1/imports/{id}/sales/{chunk}": "chain",
  "POST /api/v1/imports/{id}/finish": "chain",
  "POST /api/v1/imports/{id}/abandon": "chain",
  "GET /api/v1/ops/health/deep": "chain",
  "GET /api/v1/coupons/{code}": "chain",
}

/** Where the rule above does not give the answer: the answer that is right instead, and why. */
export type Exception = {
  reason: string
  /** Statuses that are right for a caller who may act. */
  alsoOwn?: number[]
  /** Callers refused (403) although their role has the declared permission. */
  forbiddenFor?: Caller[]
  /** The answer may name other stores' locations. */
  showsOther?: boolean
  /** Another store's resource is refused inside a 200 (a batch refuses items one by one). */
  hiddenInBody?: string
}

export const EXCEPTIONS: Record<string, Exception> = {
  "DELETE /api/v1/parked-carts/{id}": {
    alsoOwn: [404],
    reason: "the first caller allowed to recall the cart takes it; for every later caller it is gone",
  },
  "GET /api/v1/devices/{id}/pins": {
    alsoOwn: [403],
    reason: "till PINs go only to a session signed in on that very device (not_this_device), whatever the role",
  },
  "POST /api/v1/reports/day/close": {
    forbiddenFor: ["cashier"],
    reason: "closing a day needs a store manager's authority; a cashier's shifts:write covers only their shift",
  },
  "POST /api/v1/transfers/{id}/receive": {
    alsoOwn: [404],
    reason: "only the destination counts a transfer in; the matrix's transfer leaves the caller's own store",
  },
  "GET /api/v1/transfers/destinations": {
    showsOther: true,
    reason: "a store may send goods to any location of the chain, so it sees where it can send them",
  },
  "GET /api/v1/members/{id}": {
    showsOther: true,
    reason: "a member shops at every store: the till finds them chain-wide, home store included",
  },
  "PATCH /api/v1/members/{id}": { showsOther: true, reason: "as GET /members/{id}" },
  "POST /api/v1/sales/sync": {
    hiddenInBody: '"status":"rejected"',
    reason: "an offline batch answers 200 and refuses each sale alone (another store's: rejected, not_found)",
  },
  "GET /api/v1/imports/{id}": { alsoOwn: [404], reason: "the matrix makes no import job: its id is unknown to all" },
  "POST /api/v1/imports/{id}/products/{chunk}": { alsoOwn: [404], reason: "as GET /imports/{id}" },
  "POST /api/v1/imports/{id}/opening-balances/{chunk}": { alsoOwn: [404], reason: "as GET /imports/{id}" },
  "POST /api/v1/imports/{id}/sales/{chunk}": { alsoOwn: [404], reason: "as GET /imports/{id}" },
  "POST /api/v1/imports/{id}/finish": { alsoOwn: [404], reason: "as GET /imports/{id}" },
  "POST /api/v1/imports/{id}/abandon": { alsoOwn: [404], reason: "as GET /imports/{id}" },
}

/** The permissions of the API key in the matrix: a channel integration's (a mini-program backend). */
export const API_KEY_PERMISSIONS: Permission[] = [
  "locations:read",
  "catalog:read",
  "stock:read",
  "orders:read",
  "orders:write",
  "members:read",
]

export type Caller = Role | "api_key"
export type Where = "own" | "other"

export type Expected =
  | { kind: "forbidden" } // 403 forbidden
  | { kind: "hidden"; inBody?: string } // 404 not_found (or a 200 refusing the item inside)
  | { kind: "allowed"; alsoOwn: number[]; showsOther: boolean } // neither 401, 403 nor 404 (unless listed)

const mayDo = (caller: Caller, permission: Permission) =>
  caller === "api_key" ? API_KEY_PERMISSIONS.includes(permission) : can(caller, permission)
const seesAll = (caller: Caller) => caller === "owner" || caller === "manager"

export function expected(key: string, permission: string | undefined, caller: Caller, where: Where): Expected {
  const scope = SCOPES[key]
  if (!scope) throw new Error(`${key} has no entry in test/worker/permission-matrix.expected.ts: say who may reach it`)
  const ex = EXCEPTIONS[key] ?? { reason: "" }
  const allowed = (more: number[] = []): Expected => ({
    kind: "allowed",
    alsoOwn: [...more, ...(ex.alsoOwn ?? [])],
    showsOther: ex.showsOther ?? false,
  })
  // Public calls judge their body alone (a wrong password is 401).
  if (scope === "public") return allowed([401, 404])
  if (scope === "self" && caller === "api_key") return { kind: "forbidden" }
  if (permission !== undefined && !PERMISSIONS.includes(permission as Permission))
    throw new Error(`${key} declares an unknown x-permission ${permission}`)
  if (permission === undefined && scope !== "self") throw new Error(`${key} declares no x-permission`)
  if (permission && !mayDo(caller, permission as Permission)) return { kind: "forbidden" }
  if (ex.forbiddenFor?.includes(caller)) return { kind: "forbidden" }
  if (scope === "self") return allowed([404]) // an unknown session id of one's own
  if (scope === "location" && where === "other" && !seesAll(caller)) return { kind: "hidden", inBody: ex.hiddenInBody }
  return allowed()
}
