import { createRoute } from "@hono/zod-openapi"
import { guard } from "../../lib/auth"
import { jsonBody, jsonResponse, problemResponses, router, z } from "../../lib/openapi"
import { PageQuery, pageOf } from "../../lib/pagination"
import { IdParam, IsoTime } from "../../lib/schemas"
import * as locations from "./service"

const Kind = z.enum(["store", "warehouse", "dealer"])
const HhMm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM")
const TimeZone = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz })
      return true
    } catch {
      return false
    }
  }, "an IANA time zone such as Asia/Shanghai")

const LocationFields = z.strictObject({
  name: z.string().trim().min(1).max(100),
  kind: Kind,
  region: z.string().max(64).nullish(),
  address: z.string().max(300).nullish(),
  latitude: z.number().min(-90).max(90).nullish(),
  longitude: z.number().min(-180).max(180).nullish(),
  timeZone: TimeZone.optional(),
  businessHours: z.strictObject({ open: HhMm, close: HhMm }).nullish(),
})

const Location = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: Kind,
    region: z.string().nullable(),
    address: z.string().nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    timeZone: z.string(),
    businessHours: z.object({ open: z.string(), close: z.string() }).nullable(),
    status: z.enum(["active", "closed"]),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  })
  .openapi("Location")

const create = createRoute({
  method: "post",
  path: "/locations",
  tags: ["locations"],
  summary: "Open a store, warehouse or dealer location",
  ...guard("locations:write"),
  request: jsonBody(LocationFields),
  responses: { 201: jsonResponse(Location, "Created"), ...problemResponses(400, 401, 403) },
})
const list = createRoute({
  method: "get",
  path: "/locations",
  tags: ["locations"],
  summary: "Locations the caller may see",
  ...guard("locations:read"),
  request: { query: PageQuery.extend({ kind: Kind.optional(), region: z.string().max(64).optional() }) },
  responses: { 200: jsonResponse(pageOf(Location), "Locations"), ...problemResponses(400, 401, 403) },
})
const get = createRoute({
  method: "get",
  path: "/locations/{id}",
  tags: ["locations"],
  summary: "One location",
  ...guard("locations:read"),
  request: { params: IdParam },
  responses: { 200: jsonResponse(Location, "Location"), ...problemResponses(401, 403, 404) },
})
const update = createRoute({
  method: "patch",
  path: "/locations/{id}",
  tags: ["locations"],
  summary: "Change a location's details",
  ...guard("locations:write"),
  request: {
    params: IdParam,
    ...jsonBody(LocationFields.partial().extend({ status: z.enum(["active", "closed"]).optional() })),
  },
  responses: { 200: jsonResponse(Location, "Updated"), ...problemResponses(400, 401, 403, 404) },
})

export const locationRoutes = router()
  .openapi(create, async (c) => c.json(await locations.createLocation(c.var.db, c.req.valid("json")), 201))
  .openapi(list, async (c) => c.json(await locations.listLocations(c.var.db, c.var.actor, c.req.valid("query")), 200))
  .openapi(get, async (c) => c.json(await locations.getLocation(c.var.db, c.var.actor, c.req.valid("param").id), 200))
  .openapi(update, async (c) =>
    c.json(await locations.updateLocation(c.var.db, c.var.actor, c.req.valid("param").id, c.req.valid("json")), 200),
  )
