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
  "GET /api/v1/coupons/{code}": "chain",
}

/** Where the rule above does not give the answer: which extra statuses are right, and why. */
export const EXCEPTIONS: Record<string, { alsoOwn?: number[]; reason: string }> = {
  "DELETE /api/v1/parked-carts/{id}": {
    alsoOwn: [404],
    reason: "the first caller allowed to recall the cart takes it; for every later caller it is gone",
  },
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
  | { kind: "hidden" } // 404 not_found
  | { kind: "allowed"; alsoOwn: number[] } // neither 401, 403 nor 404 (unless listed)

const mayDo = (caller: Caller, permission: Permission) =>
  caller === "api_key" ? API_KEY_PERMISSIONS.includes(permission) : can(caller, permission)
const seesAll = (caller: Caller) => caller === "owner" || caller === "manager"

export function expected(key: string, permission: string | undefined, caller: Caller, where: Where): Expected {
  const scope = SCOPES[key]
  if (!scope) throw new Error(`${key} has no entry in test/worker/permission-matrix.expected.ts: say who may reach it`)
  const alsoOwn = EXCEPTIONS[key]?.alsoOwn ?? []
  // Public calls judge their body alone (a wrong password is 401); self-service ids are the caller's own.
  if (scope === "public") return { kind: "allowed", alsoOwn: [401, 404, ...alsoOwn] }
  if (scope === "self")
    return caller === "api_key" ? { kind: "forbidden" } : { kind: "allowed", alsoOwn: [404, ...alsoOwn] }
  if (!permission || !PERMISSIONS.includes(permission as Permission))
    throw new Error(`${key} declares no known x-permission (${permission})`)
  if (!mayDo(caller, permission as Permission)) return { kind: "forbidden" }
  if (scope === "location" && where === "other" && !seesAll(caller)) return { kind: "hidden" }
  return { kind: "allowed", alsoOwn }
}
