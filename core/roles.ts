// Who may do what. The worker authorises every route with these; the PWA uses the same
// table to decide which tools to show, so the two never disagree.

export const ROLES = ["owner", "manager", "store_manager", "cashier", "clerk", "dealer"] as const
export type Role = (typeof ROLES)[number]

export const PERMISSIONS = [
  "users:manage",
  "devices:manage",
  "apikeys:manage",
  "locations:read",
  "locations:write",
  "catalog:read",
  "catalog:write",
  "stock:read",
  "stock:receive",
  "stock:adjust",
  "stock:audit",
  "transfers:write",
  // Counting (open, scan, cancel) is stocktake:write; posting the variances changes the books, so it is its own.
  "stocktake:write",
  "stocktake:post",
  "orders:read",
  "orders:write",
  "sales:read",
  "sales:write",
  "returns:write",
  "shifts:write",
  "members:read",
  "members:write",
  // HQ's duties to members' personal data (PIPL export and erasure, manual point corrections).
  "members:manage",
  "promotions:write",
  "replenishment:read",
  "replenishment:approve",
  "reports:read",
  // Data migration when a chain switches to puzi: products, opening balances, sales history (HQ only).
  "imports:run",
] as const
export type Permission = (typeof PERMISSIONS)[number]

const STORE_FLOOR: Permission[] = ["locations:read", "catalog:read", "stock:read", "orders:read", "members:read"]

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  owner: PERMISSIONS,
  // HQ: everything an owner does except what only an owner may (creating owners, the chain-wide audit).
  manager: PERMISSIONS.filter((p) => p !== "stock:audit"),
  store_manager: [
    ...STORE_FLOOR,
    "devices:manage",
    "stock:receive",
    "stock:adjust",
    "transfers:write",
    "stocktake:write",
    "stocktake:post",
    "orders:write",
    "sales:read",
    "sales:write",
    "returns:write",
    "shifts:write",
    "members:write",
    "replenishment:read",
    "replenishment:approve",
    "reports:read",
  ],
  cashier: [...STORE_FLOOR, "sales:read", "sales:write", "returns:write", "shifts:write", "members:write"],
  clerk: [...STORE_FLOOR, "stock:receive", "stock:adjust", "transfers:write", "stocktake:write", "replenishment:read"],
  dealer: ["locations:read", "catalog:read", "stock:read", "orders:read", "orders:write"],
}

/** Owners and managers see every location, including ones created later. */
export const seesAllLocations = (role: Role): boolean => role === "owner" || role === "manager"

export const can = (role: Role, permission: Permission): boolean => ROLE_PERMISSIONS[role].includes(permission)

/** Which roles a role may create: nobody but an owner makes an owner. */
export const mayCreateRole = (creator: Role, created: Role): boolean =>
  creator === "owner" || (creator === "manager" && created !== "owner")

/** The store tools, in home-screen order, and the permission each needs. */
export const TOOLS = [
  { id: "till", permission: "sales:write" },
  { id: "sales", permission: "sales:read" },
  { id: "stock", permission: "stock:read" },
  { id: "receiving", permission: "stock:receive" },
  { id: "transfers", permission: "transfers:write" },
  { id: "stocktake", permission: "stocktake:write" },
  { id: "members", permission: "members:read" },
  { id: "orders", permission: "orders:read" },
  { id: "replenishment", permission: "replenishment:read" },
  { id: "dashboard", permission: "reports:read" },
  { id: "catalog", permission: "catalog:write" },
  { id: "admin", permission: "users:manage" },
] as const satisfies readonly { id: string; permission: Permission }[]
export type ToolId = (typeof TOOLS)[number]["id"]

export const toolsFor = (role: Role): ToolId[] => TOOLS.filter((t) => can(role, t.permission)).map((t) => t.id)
