import { createRoute } from "@hono/zod-openapi"
import { CHINESE_MOBILE_RE } from "../../../core/phone"
import type { Permission } from "../../../core/roles"
import { guard } from "../../lib/auth"
import { idempotent } from "../../lib/idempotency"
import { Id, jsonBody, jsonResponse, problemResponses, router, z } from "../../lib/openapi"
import { PageQuery, pageOf } from "../../lib/pagination"
import { IdempotencyHeader, IdParam, IsoTime } from "../../lib/schemas"
import * as members from "./service"
import * as tiers from "./tiers"

// Who may do what. A member belongs to the chain: staff of any store look them up at the till
// (members:read) and register or top them up (members:write).
/** The list is a management view (owner, manager, store_manager; a store manager sees their stores' members). */
const LIST: Permission = "reports:read"
/** PIPL export and erasure, and manual points corrections: HQ (owner, manager). */
const MANAGE: Permission = "members:manage"

// ─── shapes ───────────────────────────────────────────────────────────────────

const Phone = z
  .string()
  .regex(CHINESE_MOBILE_RE, "a mainland mobile number: 11 digits, 13x–19x")
  .openapi({ example: "13812341234" })
const Birthday = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD")
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`)
    return !Number.isNaN(t) && new Date(t).toISOString().startsWith(d) && d >= "1900-01-01" && t <= Date.now()
  }, "a real date, not in the future")
  .openapi({ example: "1990-05-17" })
const Gender = z.enum(["female", "male", "other"])
const Tag = z.string().trim().min(1).max(32)
const Name = z.string().trim().min(1).max(50).openapi({ example: "王小明" })
const Fen = z.number().int().min(1).max(100_000_000)

const Consent = z
  .strictObject({
    version: z.string().trim().min(1).max(32).openapi({ example: "privacy-2026-01" }),
    accepted: z.boolean(),
  })
  .openapi("MemberConsent", { description: "The privacy notice version the customer accepted (PIPL)." })

const Register = z
  .strictObject({
    phone: Phone,
    name: Name,
    birthday: Birthday.nullish(),
    gender: Gender.nullish(),
    tags: z.array(Tag).max(20).default([]),
    homeLocationId: Id("loc_01J…"),
    consent: Consent.optional().openapi({ description: "Required: without it the answer is 422 consent_required." }),
  })
  .openapi("MemberRegister")

const Patch = z
  .strictObject({
    phone: Phone.optional(),
    name: Name.optional(),
    birthday: Birthday.nullish(),
    gender: Gender.nullish(),
    tags: z.array(Tag).max(20).optional(),
    homeLocationId: Id("loc_01J…").optional(),
  })
  .openapi("MemberPatch")

const Status = z.enum(["active", "erased"])

const Member = z
  .object({
    id: z.string(),
    code: z.string().openapi({ description: "8 digits, the member card's barcode" }),
    phone: z
      .string()
      .nullable()
      .openapi({ description: "In full for roles with members:write, masked (138****1234) for others" }),
    phoneMasked: z.string().nullable(),
    name: z.string().nullable(),
    birthday: z.string().nullable(),
    gender: Gender.nullable(),
    tags: z.array(z.string()),
    homeLocationId: z.string(),
    tierId: z.string().nullable(),
    status: Status,
    pointsBalance: z.number().int(),
    storedValueFen: z.number().int(),
    consent: z.object({ version: z.string(), at: IsoTime, by: z.string() }),
    createdAt: IsoTime,
    updatedAt: IsoTime,
    erasedAt: IsoTime.nullable(),
  })
  .openapi("Member")

const MemberListItem = z
  .object({
    id: z.string(),
    code: z.string(),
    phoneMasked: z.string().nullable(),
    name: z.string().nullable(),
    homeLocationId: z.string(),
    tierId: z.string().nullable(),
    status: Status,
    pointsBalance: z.number().int(),
    storedValueFen: z.number().int(),
    createdAt: IsoTime,
  })
  .openapi("MemberListItem")

const MemberAtTill = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string().nullable(),
    phoneMasked: z.string(),
    tierId: z.string().nullable(),
    tierName: z.string().nullable(),
    birthdayMonth: z.number().int().nullable(),
    pointsBalance: z.number().int(),
    storedValueFen: z.number().int(),
  })
  .openapi("MemberAtTill")

const LedgerEntry = z
  .object({
    id: z.string(),
    delta: z.number().int(),
    kind: z.string(),
    refType: z.string(),
    refId: z.string(),
    balanceAfter: z.number().int(),
    note: z.string().nullable(),
    at: IsoTime,
  })
  .openapi("MemberLedgerEntry")

const TopUpMethod = z.enum(["cash", "wechat", "alipay", "unionpay", "card", "other"]).openapi({
  description: "How the customer paid (stored value and points can't buy stored value)",
})
const TopUp = z
  .strictObject({
    amountFen: Fen.openapi({ example: 50000 }),
    bonusFen: z.number().int().min(0).max(100_000_000).optional().openapi({ example: 5000 }),
    payments: z
      .array(z.strictObject({ method: TopUpMethod, amountFen: Fen }))
      .min(1)
      .max(5),
    locationId: Id("loc_01J…"),
  })
  .openapi("StoredValueTopUp")
const TopUpDone = z
  .object({
    id: z.string(),
    memberId: z.string(),
    locationId: z.string(),
    amountFen: z.number().int(),
    bonusFen: z.number().int(),
    payments: z.array(z.object({ method: z.string(), amountFen: z.number().int() })),
    balanceFen: z.number().int(),
    createdAt: IsoTime,
  })
  .openapi("StoredValueTopUpDone")

const Adjust = z
  .strictObject({
    delta: z
      .number()
      .int()
      .min(-10_000_000)
      .max(10_000_000)
      .refine((n) => n !== 0, "not zero"),
    reason: z.string().trim().min(1).max(200),
  })
  .openapi("PointsAdjustment")

const Tier = z
  .object({
    id: z.string(),
    name: z.string(),
    minSpendFen: z.number().int(),
    months: z.number().int(),
    createdAt: IsoTime,
  })
  .openapi("MemberTier")
const TierCreate = z
  .strictObject({
    name: z.string().trim().min(1).max(32).openapi({ example: "金卡" }),
    minSpendFen: z.number().int().min(0).max(100_000_000_000).openapi({ example: 500000 }),
    months: z.number().int().min(1).max(36).default(12),
  })
  .openapi("MemberTierCreate")

const tags = ["members"]

// ─── routes ───────────────────────────────────────────────────────────────────

const register = createRoute({
  method: "post",
  path: "/members",
  tags,
  summary: "Register a member (consent required)",
  ...guard("members:write"),
  request: jsonBody(Register),
  responses: { 201: jsonResponse(Member, "Registered"), ...problemResponses(400, 401, 403, 404, 409, 422) },
})
const list = createRoute({
  method: "get",
  path: "/members",
  tags,
  summary: "Members, phones masked (managers; a store manager sees their stores' members)",
  ...guard(LIST),
  request: {
    query: PageQuery.extend({
      q: z
        .string()
        .trim()
        .min(1)
        .max(50)
        .optional()
        .openapi({ description: "digits: the end of a phone or the start of a member code; text: in the name" }),
      tierId: Id("tier_01J…").optional(),
      homeLocationId: Id("loc_01J…").optional(),
      status: Status.optional(),
    }),
  },
  responses: { 200: jsonResponse(pageOf(MemberListItem), "Members"), ...problemResponses(400, 401, 403) },
})
const lookup = createRoute({
  method: "get",
  path: "/members/lookup",
  tags,
  summary: "Find a member at the till by phone or member code",
  ...guard("members:read"),
  request: {
    query: z
      .object({
        phone: Phone.optional(),
        code: z
          .string()
          .refine(members.isMemberCode, "a member code: 8 digits with a valid check digit")
          .optional()
          .openapi({ example: "12345674" }),
      })
      .refine((q) => (q.phone === undefined) !== (q.code === undefined), "send exactly one of phone and code"),
  },
  responses: { 200: jsonResponse(MemberAtTill, "The member"), ...problemResponses(400, 401, 403, 404) },
})
const get = createRoute({
  method: "get",
  path: "/members/{id}",
  tags,
  summary: "One member with balances",
  ...guard("members:read"),
  request: { params: IdParam },
  responses: { 200: jsonResponse(Member, "The member"), ...problemResponses(401, 403, 404) },
})
const patch = createRoute({
  method: "patch",
  path: "/members/{id}",
  tags,
  summary: "Change a member's details",
  ...guard("members:write"),
  request: { params: IdParam, ...jsonBody(Patch) },
  responses: { 200: jsonResponse(Member, "Updated"), ...problemResponses(400, 401, 403, 404, 409) },
})
const exportData = createRoute({
  method: "get",
  path: "/members/{id}/export",
  tags,
  summary: "Everything stored about a member, as JSON (PIPL data-subject request)",
  ...guard(MANAGE),
  request: { params: IdParam },
  responses: {
    200: jsonResponse(z.object({ member: Member }).passthrough(), "The member's data"),
    ...problemResponses(401, 403, 404),
  },
})
const erase = createRoute({
  method: "post",
  path: "/members/{id}/erase",
  tags,
  summary: "Erase a member's personal data (the record stays, anonymised; refused while stored value remains)",
  ...guard(MANAGE),
  request: {
    params: IdParam,
    ...jsonBody(z.strictObject({ reason: z.string().trim().min(1).max(200) }).openapi("MemberErase")),
  },
  responses: { 200: jsonResponse(Member, "Erased"), ...problemResponses(400, 401, 403, 404, 409) },
})
const points = createRoute({
  method: "get",
  path: "/members/{id}/points",
  tags,
  summary: "The member's points ledger, newest first",
  ...guard("members:read"),
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonResponse(pageOf(LedgerEntry), "Ledger"), ...problemResponses(400, 401, 403, 404) },
})
const adjust = createRoute({
  method: "post",
  path: "/members/{id}/points/adjustments",
  tags,
  summary: "Correct a member's points, with a reason (never below zero)",
  ...guard(MANAGE),
  request: { params: IdParam, ...jsonBody(Adjust) },
  responses: {
    201: jsonResponse(
      z.object({
        id: z.string(),
        memberId: z.string(),
        delta: z.number().int(),
        reason: z.string(),
        balance: z.number().int(),
      }),
      "Adjusted",
    ),
    ...problemResponses(400, 401, 403, 404, 409, 422),
  },
})
const storedValue = createRoute({
  method: "get",
  path: "/members/{id}/stored-value",
  tags,
  summary: "The member's stored-value balance and ledger, newest first",
  ...guard("members:read"),
  request: { params: IdParam, query: PageQuery },
  responses: {
    200: jsonResponse(pageOf(LedgerEntry).extend({ balanceFen: z.number().int() }), "Ledger"),
    ...problemResponses(400, 401, 403, 404),
  },
})
const topUp = createRoute({
  method: "post",
  path: "/members/{id}/stored-value/top-ups",
  tags,
  summary: "Top up stored value (with an optional bonus); needs Idempotency-Key",
  middleware: [...guard("members:write").middleware, idempotent()],
  "x-permission": "members:write",
  request: { params: IdParam, headers: IdempotencyHeader, ...jsonBody(TopUp) },
  responses: { 201: jsonResponse(TopUpDone, "Topped up"), ...problemResponses(400, 401, 403, 404, 409, 422) },
})
const createTier = createRoute({
  method: "post",
  path: "/member-tiers",
  tags,
  summary: "Add a member tier (spend over the last N months); its discount is a promotion for the tier",
  ...guard("promotions:write"),
  request: jsonBody(TierCreate),
  responses: { 201: jsonResponse(Tier, "Created"), ...problemResponses(400, 401, 403, 409) },
})
const listTiers = createRoute({
  method: "get",
  path: "/member-tiers",
  tags,
  summary: "Member tiers, lowest threshold first",
  ...guard("members:read"),
  responses: { 200: jsonResponse(pageOf(Tier), "Tiers"), ...problemResponses(401, 403) },
})

export const membersRoutes = router()
  .openapi(register, async (c) => c.json(await members.registerMember(c.var.db, c.var.actor, c.req.valid("json")), 201))
  .openapi(list, async (c) => c.json(await members.listMembers(c.var.db, c.var.actor, c.req.valid("query")), 200))
  .openapi(lookup, async (c) => c.json(await members.lookupMember(c.var.db, c.req.valid("query")), 200))
  .openapi(get, async (c) => c.json(await members.getMember(c.var.db, c.var.actor, c.req.valid("param").id), 200))
  .openapi(patch, async (c) =>
    c.json(await members.updateMember(c.var.db, c.var.actor, c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(exportData, async (c) => {
    const id = c.req.valid("param").id
    return c.json(await members.exportMember(c.var.db, c.var.actor, id), 200, {
      "content-disposition": `attachment; filename="member-${id}.json"`,
    })
  })
  .openapi(erase, async (c) =>
    c.json(await members.eraseMember(c.var.db, c.var.actor, c.req.valid("param").id, c.req.valid("json").reason), 200),
  )
  .openapi(points, async (c) =>
    c.json(await members.pointsLedger(c.var.db, c.req.valid("param").id, c.req.valid("query")), 200),
  )
  .openapi(adjust, async (c) =>
    c.json(await members.adjustPoints(c.var.db, c.var.actor, c.req.valid("param").id, c.req.valid("json")), 201),
  )
  .openapi(storedValue, async (c) => {
    const id = c.req.valid("param").id
    const page = await members.storedValueLedger(c.var.db, id, c.req.valid("query"))
    const { storedValueFen } = await members.getMember(c.var.db, c.var.actor, id)
    return c.json({ ...page, balanceFen: storedValueFen }, 200)
  })
  .openapi(topUp, async (c) =>
    c.json(await members.topUp(c.var.db, c.var.actor, c.req.valid("param").id, c.req.valid("json")), 201),
  )
  .openapi(createTier, async (c) => c.json(await tiers.createTier(c.var.db, c.var.actor, c.req.valid("json")), 201))
  .openapi(listTiers, async (c) => c.json(await tiers.listTiers(c.var.db), 200))
