import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core"
import type { Permission, Role } from "../../../core/roles"
import { createdAt, updatedAt } from "./columns"

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    username: text("username").notNull(),
    displayName: text("display_name").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: text("role").$type<Role>().notNull(),
    // Owners and managers see every location ("all"); everyone else a list of ids.
    locationIds: text("location_ids", { mode: "json" }).$type<string[] | "all">().notNull(),
    // "deleted" is final: the row stays for the sales, shifts and logs that name it (staff/service.ts).
    status: text("status").$type<"active" | "disabled" | "deleted">().notNull().default("active"),
    passwordChangedAt: integer("password_changed_at").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("users_username_uq").on(t.username)],
)

export const devices = sqliteTable(
  "devices",
  {
    id: text("id").primaryKey(),
    locationId: text("location_id").notNull(),
    name: text("name").notNull(),
    registeredBy: text("registered_by").notNull(),
    revokedAt: integer("revoked_at"),
    revokedBy: text("revoked_by"),
    lastSeenAt: integer("last_seen_at"),
    createdAt: createdAt(),
  },
  (t) => [index("devices_location_idx").on(t.locationId)],
)

export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    deviceId: text("device_id"),
    userAgent: text("user_agent"),
    expiresAt: integer("expires_at").notNull(),
    revokedAt: integer("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("sessions_token_uq").on(t.tokenHash),
    index("sessions_user_idx").on(t.userId),
    index("sessions_device_idx").on(t.deviceId),
  ],
)

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    keyHash: text("key_hash").notNull(),
    // First characters of the key, shown in lists so a person can tell keys apart.
    prefix: text("prefix").notNull(),
    permissions: text("permissions", { mode: "json" }).$type<Permission[]>().notNull(),
    locationIds: text("location_ids", { mode: "json" }).$type<string[] | "all">().notNull(),
    createdBy: text("created_by").notNull(),
    revokedAt: integer("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("api_keys_hash_uq").on(t.keyHash)],
)

// Till PINs (4–6 digits) for handing over a shared till offline: PBKDF2 with a per-user salt, in
// their own table so a PIN is never mistaken for a password. Devices get only device-bound
// verifiers derived from this hash (core/till-pin.ts), never the hash itself.
export const tillPins = sqliteTable("till_pins", {
  userId: text("user_id").primaryKey(),
  pinHash: text("pin_hash").notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
})

// Failed logins per username and per client, for rate limits and temporary lockout.
export const loginThrottles = sqliteTable("login_throttles", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull(),
  windowStart: integer("window_start").notNull(),
  lockedUntil: integer("locked_until").notNull().default(0),
})
