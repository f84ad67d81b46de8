import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core"
import { createdAt, updatedAt } from "./columns"

export type LocationKind = "store" | "warehouse" | "dealer"
export type BusinessHours = { open: string; close: string }

export const locations = sqliteTable(
  "locations",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    kind: text("kind").$type<LocationKind>().notNull(),
    region: text("region"),
    address: text("address"),
    latitude: real("latitude"),
    longitude: real("longitude"),
    timeZone: text("time_zone").notNull().default("Asia/Shanghai"),
    businessHours: text("business_hours", { mode: "json" }).$type<BusinessHours>(),
    status: text("status").$type<"active" | "closed">().notNull().default("active"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    archivedAt: integer("archived_at"),
  },
  (t) => [index("locations_kind_idx").on(t.kind), index("locations_region_idx").on(t.region)],
)
