// Promotions as HQ saved them (the definition is core's Promotion, validated by core's schema) and
// coupons: single-use codes for a coupon-only promotion, optionally assigned to a member.
import { sql } from "drizzle-orm"
import { check, index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core"
import type { Promotion } from "../../../core/promotions"
import { createdAt, updatedAt } from "./columns"

export type PromotionStatus = "active" | "paused" | "ended"

export const promotions = sqliteTable(
  "promotions",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    status: text("status").$type<PromotionStatus>().notNull(),
    // Applies only when one of its coupon codes is presented; never in the till's automatic list.
    couponOnly: integer("coupon_only", { mode: "boolean" }).notNull().default(false),
    definition: text("definition", { mode: "json" }).$type<Promotion>().notNull(),
    // Copies of the definition's scope, so lists filter in SQL (null = every store / channel / date).
    storeIds: text("store_ids", { mode: "json" }).$type<string[]>(),
    channels: text("channels", { mode: "json" }).$type<string[]>(),
    endDate: text("end_date"),
    createdBy: text("created_by").notNull(),
    updatedBy: text("updated_by").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("promotions_status_id_idx").on(t.status, t.id),
    // The till's incremental sync: every change since an instant, by (updatedAt, id).
    index("promotions_updated_idx").on(t.updatedAt, t.id),
  ],
)

/**
 * Every saved state of a promotion, in force from `effectiveFrom` until `effectiveUntil` (null: still
 * in force), so an offline sale synced days later is priced with the promotions as they were when it
 * happened, not as HQ left them since. Each save writes one, copied from the row it just wrote, in the
 * same batch (and closes the previous one at the same instant).
 */
export const promotionRevisions = sqliteTable(
  "promotion_revisions",
  {
    promotionId: text("promotion_id").notNull(),
    // 1, 2, … per promotion.
    revision: integer("revision").notNull(),
    status: text("status").$type<PromotionStatus>().notNull(),
    couponOnly: integer("coupon_only", { mode: "boolean" }).notNull(),
    definition: text("definition", { mode: "json" }).$type<Promotion>().notNull(),
    storeIds: text("store_ids", { mode: "json" }).$type<string[]>(),
    channels: text("channels", { mode: "json" }).$type<string[]>(),
    effectiveFrom: integer("effective_from").notNull(),
    effectiveUntil: integer("effective_until"),
    changedBy: text("changed_by").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.promotionId, t.revision] }),
    // A sync reads the revisions in force during its sales' span: open ones, and those closed after it began.
    index("promotion_revisions_until_idx").on(t.effectiveUntil),
  ],
)

/**
 * One row whose revision every promotion save bumps in the same batch as its write, so two saves
 * that were each checked against the other's absence can't both land (optimistic concurrency).
 */
export const promotionSet = sqliteTable("promotion_set", {
  id: text("id").primaryKey(),
  // A save whose expected revision is stale writes null here, which NOT NULL refuses, rolling its batch back.
  revision: integer("revision").notNull(),
})

export const couponBatches = sqliteTable(
  "coupon_batches",
  {
    id: text("id").primaryKey(),
    promotionId: text("promotion_id").notNull(),
    count: integer("count").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("coupon_batches_promotion_idx").on(t.promotionId, t.id)],
)

export type CouponStatus = "issued" | "redeemed"

export const coupons = sqliteTable(
  "coupons",
  {
    // Upper-case, no separators (see normalizeCouponCode).
    code: text("code").primaryKey(),
    batchId: text("batch_id").notNull(),
    promotionId: text("promotion_id").notNull(),
    memberId: text("member_id"),
    status: text("status").$type<CouponStatus>().notNull().default("issued"),
    saleId: text("sale_id"),
    // The member whose sale used it (null: a sale without a member).
    redeemedMemberId: text("redeemed_member_id"),
    redeemedAt: integer("redeemed_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("coupons_batch_idx").on(t.batchId, t.code),
    index("coupons_member_idx").on(t.memberId),
    index("coupons_sale_idx").on(t.saleId),
    check("coupons_status_ck", sql`${t.status} in ('issued', 'redeemed')`),
  ],
)

/** Which promotions a member had in which sale, for limitPerMember; one row per (sale, promotion). */
export const promotionUsage = sqliteTable(
  "promotion_usage",
  {
    saleId: text("sale_id").notNull(),
    promotionId: text("promotion_id").notNull(),
    memberId: text("member_id").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.saleId, t.promotionId] }),
    index("promotion_usage_member_idx").on(t.memberId, t.promotionId),
  ],
)
