import { createRoute } from "@hono/zod-openapi"
import { promotionSchema } from "../../../core/promotions"
import { assertLocation } from "../../lib/actor"
import { guard } from "../../lib/auth"
import { Id, jsonBody, jsonResponse, problemResponses, router, z } from "../../lib/openapi"
import { PageQuery, pageOf } from "../../lib/pagination"
import { problem } from "../../lib/problem"
import { IsoTime } from "../../lib/schemas"
import { activeMemberIds } from "../members"
import * as promotions from "./service"

// ─── shapes ───────────────────────────────────────────────────────────────────

// The body is core's promotionSchema without its id (the server names promotions). Its
// cross-field rules (class per rule kind, rising tiers…) are checked by core's schema itself in
// the service, answering 400 with the same field paths.
const { id: _serverOwned, ...fields } = promotionSchema.shape
const Status = z.enum(["active", "paused", "ended"])

const PromotionCreate = z
  .strictObject({
    ...fields,
    couponOnly: z
      .boolean()
      .optional()
      .openapi({ description: "Applies only with one of its coupon codes (POST /coupons/batches)" }),
    status: z.enum(["active", "paused"]).optional().openapi({ description: "default active" }),
  })
  .openapi("PromotionCreate", { description: "core's Promotion without id; conflicts answer 422 promotion_conflict" })

// Fields core keeps optional may be sent as null to remove them.
const PromotionPatch = z
  .strictObject({
    name: fields.name.optional(),
    class: fields.class.optional(),
    rule: fields.rule.optional(),
    target: fields.target.nullable(),
    exclusiveGroup: fields.exclusiveGroup,
    priority: z.number().int().min(0).max(1000).optional(),
    minSpendFen: fields.minSpendFen.nullable(),
    window: fields.window.nullable(),
    storeIds: fields.storeIds.nullable(),
    channels: fields.channels.nullable(),
    member: fields.member.nullable(),
    limitPerMember: fields.limitPerMember.nullable(),
    status: Status.optional().openapi({ description: "ended is final" }),
  })
  .openapi("PromotionPatch")

const Promotion = z
  .object({
    ...fields,
    id: z.string(),
    status: Status,
    couponOnly: z.boolean(),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  })
  .openapi("Promotion")
const TillPromotion = Promotion.extend({
  applies: z.boolean().openapi({ description: "false: paused, ended or no longer for this store/channel — drop it" }),
}).openapi("TillPromotion")

const IsoInstant = z.iso.datetime({ offset: true }).openapi({ example: "2026-12-01T00:00:00+08:00" })

const CouponBatchCreate = z
  .strictObject({
    promotionId: Id("prm_01J…"),
    count: z.number().int().min(1).max(10_000).optional(),
    memberIds: z.array(Id("mbr_01J…")).min(1).max(1000).optional().openapi({ description: "one code for each" }),
  })
  .refine((b) => (b.count === undefined) !== (b.memberIds === undefined), "send count, or memberIds (one code each)")
  .openapi("CouponBatchCreate")
const CouponBatch = z
  .object({
    id: z.string(),
    promotionId: z.string(),
    count: z.number().int(),
    codes: z.array(z.object({ code: z.string(), memberId: z.string().nullable() })),
    createdAt: IsoTime,
  })
  .openapi("CouponBatch")
const Coupon = z
  .object({
    code: z.string(),
    batchId: z.string(),
    promotionId: z.string(),
    promotionName: z.string(),
    memberId: z.string().nullable(),
    status: z.enum(["issued", "redeemed"]),
    redeemed: z.boolean(),
    saleId: z.string().nullable(),
    redeemedAt: IsoTime.nullable(),
    createdAt: IsoTime,
  })
  .openapi("Coupon")

const IdParam = z.object({ id: Id("prm_01J…") })
const tags = ["promotions"]

// ─── routes ───────────────────────────────────────────────────────────────────

const create = createRoute({
  method: "post",
  path: "/promotions",
  tags,
  summary: "Save a promotion, checked against every active one (conflicts are refused here, not at the till)",
  ...guard("promotions:write"),
  request: jsonBody(PromotionCreate),
  responses: { 201: jsonResponse(Promotion, "Saved"), ...problemResponses(400, 401, 403, 409, 422) },
})
const list = createRoute({
  method: "get",
  path: "/promotions",
  tags,
  summary: "Promotions, by id",
  ...guard("catalog:read"),
  request: {
    query: PageQuery.extend({
      status: Status.optional(),
      couponOnly: z
        .enum(["true", "false"])
        .transform((v) => v === "true")
        .optional(),
    }),
  },
  responses: { 200: jsonResponse(pageOf(Promotion), "Promotions"), ...problemResponses(400, 401, 403) },
})
const active = createRoute({
  method: "get",
  path: "/promotions/active",
  tags,
  summary: "What a till prices with at a store and channel (cached offline), or every change since an instant",
  ...guard("catalog:read"),
  request: {
    query: PageQuery.extend({
      locationId: Id("loc_01J…"),
      channel: z.string().min(1).max(64).default("pos"),
      updatedSince: IsoInstant.optional().openapi({
        description: "incremental sync: promotions changed at or after this instant, by (updatedAt, id), with applies",
      }),
    }),
  },
  responses: { 200: jsonResponse(pageOf(TillPromotion), "Promotions"), ...problemResponses(400, 401, 403, 404) },
})
const get = createRoute({
  method: "get",
  path: "/promotions/{id}",
  tags,
  summary: "One promotion",
  ...guard("catalog:read"),
  request: { params: IdParam },
  responses: { 200: jsonResponse(Promotion, "Promotion"), ...problemResponses(401, 403, 404) },
})
const patch = createRoute({
  method: "patch",
  path: "/promotions/{id}",
  tags,
  summary: "Change, pause, resume or end a promotion (checked like a new one)",
  ...guard("promotions:write"),
  request: { params: IdParam, ...jsonBody(PromotionPatch) },
  responses: { 200: jsonResponse(Promotion, "Saved"), ...problemResponses(400, 401, 403, 404, 409, 422) },
})
const createBatch = createRoute({
  method: "post",
  path: "/coupons/batches",
  tags,
  summary: "Generate single-use codes for a coupon-only promotion, optionally one per member",
  ...guard("promotions:write"),
  request: jsonBody(CouponBatchCreate),
  responses: { 201: jsonResponse(CouponBatch, "Generated"), ...problemResponses(400, 401, 403, 404, 409, 422) },
})
const getCoupon = createRoute({
  method: "get",
  path: "/coupons/{code}",
  tags,
  summary: "A coupon by its code (dashes and case ignored)",
  ...guard("members:read"),
  request: { params: z.object({ code: z.string().min(1).max(64).openapi({ example: "K7QX-M2PA-9HRT" }) }) },
  responses: { 200: jsonResponse(Coupon, "Coupon"), ...problemResponses(401, 403, 404) },
})

export const promotionsRoutes = router()
  .openapi(create, async (c) =>
    c.json(await promotions.createPromotion(c.var.db, c.var.actor, c.req.valid("json")), 201),
  )
  .openapi(list, async (c) => c.json(await promotions.listPromotions(c.var.db, c.req.valid("query")), 200))
  .openapi(active, async (c) => {
    const q = c.req.valid("query")
    assertLocation(c.var.actor, q.locationId, "store")
    return c.json(await promotions.promotionsForTill(c.var.db, q), 200)
  })
  .openapi(get, async (c) => c.json(await promotions.getPromotion(c.var.db, c.req.valid("param").id), 200))
  .openapi(patch, async (c) =>
    c.json(await promotions.updatePromotion(c.var.db, c.var.actor, c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(createBatch, async (c) => {
    const body = c.req.valid("json")
    if (body.memberIds) {
      const known = await activeMemberIds(c.var.db, body.memberIds)
      const unknown = body.memberIds.filter((id) => !known.has(id))
      if (unknown.length > 0)
        throw problem(422, "unknown_members", `No active member: ${unknown.slice(0, 20).join(", ")}.`, {
          errors: unknown.map((id) => ({
            path: `memberIds.${body.memberIds!.indexOf(id)}`,
            message: "No such member.",
          })),
        })
    }
    return c.json(await promotions.createCouponBatch(c.var.db, c.var.actor, body), 201)
  })
  .openapi(getCoupon, async (c) => c.json(await promotions.getCoupon(c.var.db, c.req.valid("param").code), 200))
