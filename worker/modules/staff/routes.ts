import { createRoute } from "@hono/zod-openapi"
import { PERMISSIONS } from "../../../core/roles"
import { guard } from "../../lib/auth"
import { jsonBody, jsonResponse, problemResponses, router, z } from "../../lib/openapi"
import { PageQuery, pageOf } from "../../lib/pagination"
import { iterationsFrom } from "../../lib/password"
import { IdParam, IsoTime, Ok, Password, RoleSchema, Username } from "../../lib/schemas"
import { PublicUser, Session } from "../auth/routes"
import * as staff from "./service"

const manageUsers = guard("users:manage")
const LocationIds = z.array(z.string().min(1).max(64)).max(500)
const UserStatus = z.enum(["active", "disabled", "deleted"])
const StaffUser = PublicUser.extend({
  status: UserStatus.openapi({ description: "deleted is final: the account stays only for the records naming it" }),
}).openapi("StaffUser")

const createUser = createRoute({
  method: "post",
  path: "/users",
  tags: ["staff"],
  summary: "Create a staff account (owner, manager)",
  ...manageUsers,
  request: jsonBody(
    z.strictObject({
      username: Username,
      password: Password,
      role: RoleSchema,
      locationIds: LocationIds.optional(),
      displayName: z.string().min(1).max(64).optional(),
    }),
  ),
  responses: { 201: jsonResponse(StaffUser, "Created"), ...problemResponses(400, 401, 403, 409, 422) },
})
const listUsers = createRoute({
  method: "get",
  path: "/users",
  tags: ["staff"],
  summary: "Staff accounts",
  ...manageUsers,
  request: {
    query: PageQuery.extend({
      role: RoleSchema.optional(),
      status: UserStatus.optional().openapi({ description: "default: every account but the deleted ones" }),
    }),
  },
  responses: { 200: jsonResponse(pageOf(StaffUser), "Users"), ...problemResponses(400, 401, 403) },
})
const getUser = createRoute({
  method: "get",
  path: "/users/{id}",
  tags: ["staff"],
  summary: "One staff account",
  ...manageUsers,
  request: { params: IdParam },
  responses: { 200: jsonResponse(StaffUser, "User"), ...problemResponses(401, 403, 404) },
})
const updateUser = createRoute({
  method: "patch",
  path: "/users/{id}",
  tags: ["staff"],
  summary: "Change a user's name, role, locations or status (their sessions end on a scope change)",
  ...manageUsers,
  request: {
    params: IdParam,
    ...jsonBody(
      z.strictObject({
        displayName: z.string().min(1).max(64).optional(),
        role: RoleSchema.optional(),
        locationIds: LocationIds.optional(),
        status: z.enum(["active", "disabled"]).optional(),
      }),
    ),
  },
  responses: { 200: jsonResponse(StaffUser, "Updated"), ...problemResponses(400, 401, 403, 404, 409, 422) },
})
const deleteUser = createRoute({
  method: "delete",
  path: "/users/{id}",
  tags: ["staff"],
  summary:
    "Delete a staff account for good: its sessions, API keys and till PIN end, its records keep its name (repeatable)",
  ...manageUsers,
  request: { params: IdParam },
  responses: {
    200: jsonResponse(
      StaffUser.extend({
        revokedApiKeys: z
          .array(z.object({ id: z.string(), name: z.string() }))
          .openapi({ description: "the API keys this user issued, ended with the account: issue new ones" }),
      }),
      "Deleted",
    ),
    ...problemResponses(401, 403, 404, 422),
  },
})
const resetPassword = createRoute({
  method: "post",
  path: "/users/{id}/password",
  tags: ["staff"],
  summary: "Set a new password for a user (ends all their sessions)",
  ...manageUsers,
  request: { params: IdParam, ...jsonBody(z.strictObject({ password: Password })) },
  responses: { 200: jsonResponse(Ok, "Reset"), ...problemResponses(400, 401, 403, 404, 409) },
})
const userSessions = createRoute({
  method: "get",
  path: "/users/{id}/sessions",
  tags: ["staff"],
  summary: "A user's open sessions",
  ...manageUsers,
  request: { params: IdParam },
  responses: {
    200: jsonResponse(z.object({ items: z.array(Session) }), "Sessions"),
    ...problemResponses(401, 403, 404),
  },
})
const revokeUserSessions = createRoute({
  method: "post",
  path: "/users/{id}/sessions/revoke",
  tags: ["staff"],
  summary: "End every session of a user",
  ...manageUsers,
  request: { params: IdParam },
  responses: { 200: jsonResponse(Ok, "Revoked"), ...problemResponses(401, 403, 404) },
})

const Device = z
  .object({
    id: z.string(),
    locationId: z.string(),
    name: z.string(),
    revoked: z.boolean(),
    revokedAt: IsoTime.nullable(),
    createdAt: IsoTime,
  })
  .openapi("Device")
const manageDevices = guard("devices:manage")
const registerDevice = createRoute({
  method: "post",
  path: "/devices",
  tags: ["staff"],
  summary: "Register a till tablet or phone to a location",
  ...manageDevices,
  request: jsonBody(z.strictObject({ locationId: z.string().min(1).max(64), name: z.string().min(1).max(64) })),
  responses: { 201: jsonResponse(Device, "Registered"), ...problemResponses(400, 401, 403, 404) },
})
const listDevices = createRoute({
  method: "get",
  path: "/devices",
  tags: ["staff"],
  summary: "Devices of the locations I may see",
  ...manageDevices,
  request: { query: z.object({ locationId: z.string().max(64).optional() }) },
  responses: { 200: jsonResponse(pageOf(Device), "Devices"), ...problemResponses(401, 403) },
})
const revokeDevice = createRoute({
  method: "post",
  path: "/devices/{id}/revoke",
  tags: ["staff"],
  summary: "Revoke a lost device: its sessions end and its outbox is refused until reinstated",
  ...manageDevices,
  request: { params: IdParam },
  responses: { 200: jsonResponse(Device, "Revoked"), ...problemResponses(401, 403, 404) },
})
const reinstateDevice = createRoute({
  method: "post",
  path: "/devices/{id}/reinstate",
  tags: ["staff"],
  summary: "Reinstate a found device so its unsynced sales can be recovered",
  ...manageDevices,
  request: { params: IdParam },
  responses: { 200: jsonResponse(Device, "Reinstated"), ...problemResponses(401, 403, 404) },
})

const PinVerifier = z
  .object({
    userId: z.string(),
    username: z.string(),
    displayName: z.string(),
    role: RoleSchema,
    salt: z.string(),
    iterations: z.number().int(),
    check: z.string().openapi({ description: "HMAC of the PIN hash bound to this device and user, never the hash" }),
  })
  .openapi("TillPinVerifier")
const devicePins = createRoute({
  method: "get",
  path: "/devices/{id}/pins",
  tags: ["staff"],
  summary: "Till PIN verifiers of this device's store staff, for an offline hand-over (only from that device)",
  ...guard("sales:write"),
  request: { params: IdParam },
  responses: {
    200: jsonResponse(
      z.object({
        deviceId: z.string(),
        locationId: z.string(),
        issuedAt: IsoTime,
        expiresAt: IsoTime,
        items: z.array(PinVerifier),
      }),
      "Verifiers",
    ),
    ...problemResponses(401, 403, 404),
  },
})

const ApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    permissions: z.array(z.string()),
    locationIds: z.union([z.array(z.string()), z.literal("all")]),
    createdBy: z.string(),
    revokedAt: IsoTime.nullable(),
    createdAt: IsoTime,
  })
  .openapi("ApiKey")
const manageKeys = guard("apikeys:manage")
const createKey = createRoute({
  method: "post",
  path: "/api-keys",
  tags: ["staff"],
  summary: "Issue an API key for a mini-program backend or channel integration (the key is shown once)",
  ...manageKeys,
  request: jsonBody(
    z.strictObject({
      name: z.string().min(1).max(64),
      permissions: z.array(z.enum(PERMISSIONS)).min(1),
      locationIds: z.union([LocationIds.min(1), z.literal("all")]),
    }),
  ),
  responses: {
    201: jsonResponse(ApiKey.extend({ key: z.string() }), "Issued"),
    ...problemResponses(400, 401, 403, 422),
  },
})
const listKeys = createRoute({
  method: "get",
  path: "/api-keys",
  tags: ["staff"],
  summary: "API keys in use",
  ...manageKeys,
  responses: { 200: jsonResponse(pageOf(ApiKey), "Keys"), ...problemResponses(401, 403) },
})
const revokeKey = createRoute({
  method: "post",
  path: "/api-keys/{id}/revoke",
  tags: ["staff"],
  summary: "Revoke an API key",
  ...manageKeys,
  request: { params: IdParam },
  responses: { 200: jsonResponse(ApiKey, "Revoked"), ...problemResponses(401, 403, 404) },
})

const iterations = (env: Env) => iterationsFrom(env.PBKDF2_ITERATIONS)

export const staffRoutes = router()
  .openapi(createUser, async (c) =>
    c.json(await staff.createUser(c.var.db, iterations(c.env), c.var.actor, c.req.valid("json")), 201),
  )
  .openapi(listUsers, async (c) => c.json(await staff.listUsers(c.var.db, c.req.valid("query")), 200))
  .openapi(getUser, async (c) => c.json(await staff.getUser(c.var.db, c.req.valid("param").id), 200))
  .openapi(updateUser, async (c) =>
    c.json(await staff.updateUser(c.var.db, c.var.actor, c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(deleteUser, async (c) => c.json(await staff.deleteUser(c.var.db, c.var.actor, c.req.valid("param").id), 200))
  .openapi(resetPassword, async (c) => {
    await staff.resetPassword(
      c.var.db,
      iterations(c.env),
      c.var.actor,
      c.req.valid("param").id,
      c.req.valid("json").password,
    )
    return c.json({ ok: true as const }, 200)
  })
  .openapi(userSessions, async (c) => c.json(await staff.userSessions(c.var.db, c.req.valid("param").id), 200))
  .openapi(revokeUserSessions, async (c) => {
    await staff.revokeUserSessions(c.var.db, c.var.actor, c.req.valid("param").id)
    return c.json({ ok: true as const }, 200)
  })
  .openapi(registerDevice, async (c) =>
    c.json(await staff.registerDevice(c.var.db, c.var.actor, c.req.valid("json")), 201),
  )
  .openapi(listDevices, async (c) => c.json(await staff.listDevices(c.var.db, c.var.actor, c.req.valid("query")), 200))
  .openapi(revokeDevice, async (c) =>
    c.json(await staff.revokeDevice(c.var.db, c.var.actor, c.req.valid("param").id), 200),
  )
  .openapi(reinstateDevice, async (c) =>
    c.json(await staff.reinstateDevice(c.var.db, c.var.actor, c.req.valid("param").id), 200),
  )
  .openapi(devicePins, async (c) => c.json(await staff.devicePins(c.var.db, c.var.actor, c.req.valid("param").id), 200))
  .openapi(createKey, async (c) => c.json(await staff.createApiKey(c.var.db, c.var.actor, c.req.valid("json")), 201))
  .openapi(listKeys, async (c) => c.json(await staff.listApiKeys(c.var.db), 200))
  .openapi(revokeKey, async (c) => c.json(await staff.revokeApiKey(c.var.db, c.req.valid("param").id), 200))
