import { createRoute } from "@hono/zod-openapi"
import { guard, usersOnly } from "../../lib/auth"
import { jsonBody, jsonResponse, problemResponses, router, z } from "../../lib/openapi"
import { iterationsFrom } from "../../lib/password"
import { problem } from "../../lib/problem"
import { IdParam, IsoTime, Ok, Password, RoleSchema, Username } from "../../lib/schemas"
import * as auth from "./service"

const PublicUser = z
  .object({
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    role: RoleSchema,
    allLocations: z.boolean(),
    locationIds: z.array(z.string()),
  })
  .openapi("User")

const LoginBody = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(200),
  deviceId: z.string().max(64).optional(),
})

const login = createRoute({
  method: "post",
  path: "/auth/login",
  tags: ["auth"],
  summary: "Sign in with username and password; returns a bearer token",
  request: jsonBody(LoginBody),
  responses: {
    200: jsonResponse(z.object({ token: z.string(), expiresAt: IsoTime, user: PublicUser }), "Signed in"),
    ...problemResponses(400, 401, 403, 429),
  },
})

const setupStatus = createRoute({
  method: "get",
  path: "/setup",
  tags: ["auth"],
  summary: "Whether this chain still needs its first owner",
  responses: { 200: jsonResponse(z.object({ needed: z.boolean() }), "Setup status") },
})

const setup = createRoute({
  method: "post",
  path: "/setup",
  tags: ["auth"],
  summary: "Create the chain's first owner (only while no user exists)",
  request: jsonBody(z.strictObject({ username: Username, password: Password })),
  responses: { 201: jsonResponse(PublicUser, "Owner created"), ...problemResponses(400, 409) },
})

/** Routes that need no token. */
export const publicAuthRoutes = router()
  .openapi(login, async (c) => {
    const body = c.req.valid("json")
    const result = await auth.login(c.var.db, iterationsFrom(c.env.PBKDF2_ITERATIONS), {
      ...body,
      userAgent: c.req.header("user-agent"),
      clientIp: c.req.header("cf-connecting-ip") ?? "local",
    })
    return c.json(result, 200)
  })
  .openapi(setupStatus, async (c) => c.json({ needed: await auth.needsSetup(c.var.db) }, 200))
  .openapi(setup, async (c) =>
    c.json(await auth.setupOwner(c.var.db, iterationsFrom(c.env.PBKDF2_ITERATIONS), c.req.valid("json")), 201),
  )

const Me = PublicUser.extend({ permissions: z.array(z.string()), deviceId: z.string().nullable() }).openapi("Me")
const Session = z
  .object({
    id: z.string(),
    deviceId: z.string().nullable(),
    userAgent: z.string().nullable(),
    createdAt: IsoTime,
    expiresAt: IsoTime,
  })
  .openapi("Session")

const logout = createRoute({
  method: "post",
  path: "/auth/logout",
  tags: ["auth"],
  middleware: [usersOnly()] as const,
  summary: "End this session",
  responses: { 200: jsonResponse(Ok, "Signed out"), ...problemResponses(401) },
})
const getMe = createRoute({
  method: "get",
  path: "/me",
  tags: ["auth"],
  middleware: [usersOnly()] as const,
  summary: "The signed-in user, with permissions",
  responses: { 200: jsonResponse(Me, "Me"), ...problemResponses(401, 403) },
})
const changePassword = createRoute({
  method: "post",
  path: "/me/password",
  tags: ["auth"],
  middleware: [usersOnly()] as const,
  summary: "Change my password (ends my other sessions)",
  request: jsonBody(z.strictObject({ currentPassword: z.string().min(1).max(200), newPassword: Password })),
  responses: { 200: jsonResponse(Ok, "Changed"), ...problemResponses(400, 401, 422) },
})
const mySessions = createRoute({
  method: "get",
  path: "/me/sessions",
  tags: ["auth"],
  middleware: [usersOnly()] as const,
  summary: "My open sessions",
  responses: { 200: jsonResponse(z.object({ items: z.array(Session) }), "Sessions"), ...problemResponses(401) },
})
const revokeMine = createRoute({
  method: "post",
  path: "/me/sessions/{id}/revoke",
  tags: ["auth"],
  middleware: [usersOnly()] as const,
  summary: "End one of my sessions (e.g. on a lost phone)",
  request: { params: IdParam },
  responses: { 200: jsonResponse(Ok, "Revoked"), ...problemResponses(401, 404) },
})

// Till PINs are for those who sell at a till.
const sellers = { ...guard("sales:write"), middleware: [usersOnly(), ...guard("sales:write").middleware] }
const TillPin = z
  .string()
  .regex(/^\d{4,6}$/, "4 to 6 digits")
  .openapi({ example: "482916" })
const PinStatus = z.object({ set: z.boolean() }).openapi("TillPinStatus")
const getPin = createRoute({
  method: "get",
  path: "/me/pin",
  tags: ["auth"],
  summary: "Whether I have a till PIN (for handing over a shared till offline)",
  ...sellers,
  responses: { 200: jsonResponse(PinStatus, "Status"), ...problemResponses(401) },
})
const setPin = createRoute({
  method: "put",
  path: "/me/pin",
  tags: ["auth"],
  summary: "Set my till PIN: 4–6 digits, checked offline by my store's registered tills (never a password)",
  ...sellers,
  request: jsonBody(z.strictObject({ pin: TillPin })),
  responses: { 200: jsonResponse(PinStatus, "Set"), ...problemResponses(400, 401, 403, 422) },
})
const clearPin = createRoute({
  method: "delete",
  path: "/me/pin",
  tags: ["auth"],
  summary: "Remove my till PIN (tills drop it at their next refresh)",
  ...sellers,
  responses: { 200: jsonResponse(PinStatus, "Removed"), ...problemResponses(401) },
})

export const authRoutes = router()
  .openapi(logout, async (c) => {
    await auth.logout(c.var.db, c.var.actor)
    return c.json({ ok: true as const }, 200)
  })
  .openapi(getMe, async (c) => c.json(await auth.me(c.var.db, c.var.actor), 200))
  .openapi(changePassword, async (c) => {
    if (c.var.actor.kind !== "user") throw problem(403, "forbidden", "API keys have no password.")
    await auth.changeOwnPassword(c.var.db, iterationsFrom(c.env.PBKDF2_ITERATIONS), c.var.actor, c.req.valid("json"))
    return c.json({ ok: true as const }, 200)
  })
  .openapi(mySessions, async (c) => c.json({ items: await auth.listSessions(c.var.db, c.var.actor.id) }, 200))
  .openapi(revokeMine, async (c) => {
    const result = await auth.revokeSessions(c.var.db, { sessionId: c.req.valid("param").id, userId: c.var.actor.id })
    if (result.meta.changes === 0) throw problem(404, "not_found", "No such open session.")
    return c.json({ ok: true as const }, 200)
  })
  .openapi(getPin, async (c) => c.json({ set: await auth.hasTillPin(c.var.db, c.var.actor.id) }, 200))
  .openapi(setPin, async (c) => {
    await auth.setTillPin(c.var.db, iterationsFrom(c.env.PBKDF2_ITERATIONS), c.var.actor, c.req.valid("json").pin)
    return c.json({ set: true }, 200)
  })
  .openapi(clearPin, async (c) => {
    await auth.clearTillPin(c.var.db, c.var.actor)
    return c.json({ set: false }, 200)
  })

export { PublicUser, Session }
