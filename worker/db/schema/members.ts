// Members (会员): personal data kept as the PIPL expects, and two ledgers, points and stored
// value (储值). A ledger row is the truth; the balance columns on `members` are caches written in
// the same D1 batch as their ledger row (tests prove Σ ledger = cache). Stored value never goes
// below zero: the CHECK below is the last line of defence behind the conditional writes.
import { sql } from "drizzle-orm"
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core"
import { createdAt, updatedAt } from "./columns"

export type MemberStatus = "active" | "erased"
export type Gender = "female" | "male" | "other"

export const members = sqliteTable(
  "members",
  {
    id: text("id").primaryKey(),
    // 8 digits, the last a Luhn check digit: printed as the member card's barcode.
    code: text("code").notNull(),
    // 11 digits (1[3-9]…). Personal fields are null once the member is erased.
    phone: text("phone"),
    name: text("name"),
    birthday: text("birthday"),
    gender: text("gender").$type<Gender>(),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default([]),
    homeLocationId: text("home_location_id").notNull(),
    tierId: text("tier_id"),
    status: text("status").$type<MemberStatus>().notNull().default("active"),
    pointsBalance: integer("points_balance").notNull().default(0),
    storedValueFen: integer("stored_value_fen").notNull().default(0),
    // PIPL: which consent text the member agreed to, when, and which staff user (or API key) recorded it.
    consentVersion: text("consent_version").notNull(),
    consentAt: integer("consent_at").notNull(),
    consentBy: text("consent_by").notNull(),
    erasedAt: integer("erased_at"),
    erasedBy: text("erased_by"),
    eraseReason: text("erase_reason"),
    // Commit order for the tills' member cache, set by a trigger like skus.sync_seq (see there).
    syncSeq: integer("sync_seq").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("members_code_uq").on(t.code),
    index("members_home_sync_seq_idx").on(t.homeLocationId, t.syncSeq),
    // Erased members have no phone: SQLite lets many NULLs share a unique index.
    uniqueIndex("members_phone_uq").on(t.phone),
    index("members_home_id_idx").on(t.homeLocationId, t.id),
    index("members_tier_idx").on(t.tierId),
    check("members_stored_value_nonneg", sql`${t.storedValueFen} >= 0`),
  ],
)

export type PointsKind = "earn" | "redeem" | "reverse" | "adjust" | "expire"

/** The points ledger. One row per (ref, kind): a retried sale can never earn or redeem twice. */
export const memberPoints = sqliteTable(
  "member_points",
  {
    id: text("id").primaryKey(),
    memberId: text("member_id").notNull(),
    delta: integer("delta").notNull(),
    kind: text("kind").$type<PointsKind>().notNull(),
    refType: text("ref_type").notNull(),
    refId: text("ref_id").notNull(),
    balanceAfter: integer("balance_after").notNull(),
    note: text("note"),
    createdBy: text("created_by"),
    at: integer("at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("member_points_ref_uq").on(t.refType, t.refId, t.kind),
    index("member_points_member_idx").on(t.memberId, t.id),
  ],
)

export type StoredValueKind = "top_up" | "bonus" | "pay" | "refund" | "adjust"

/** The stored-value ledger, in fen; one row per (ref, kind) as for points. */
export const memberStoredValue = sqliteTable(
  "member_stored_value",
  {
    id: text("id").primaryKey(),
    memberId: text("member_id").notNull(),
    delta: integer("delta").notNull(),
    kind: text("kind").$type<StoredValueKind>().notNull(),
    refType: text("ref_type").notNull(),
    refId: text("ref_id").notNull(),
    balanceAfter: integer("balance_after").notNull(),
    note: text("note"),
    createdBy: text("created_by"),
    at: integer("at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("member_stored_value_ref_uq").on(t.refType, t.refId, t.kind),
    index("member_stored_value_member_idx").on(t.memberId, t.id),
  ],
)

export type TopUpPayment = { method: string; amountFen: number }

/** A top-up at a store: the money taken (payments) and the bonus given; the ledger holds both. */
export const memberTopUps = sqliteTable(
  "member_top_ups",
  {
    id: text("id").primaryKey(),
    memberId: text("member_id").notNull(),
    locationId: text("location_id").notNull(),
    amountFen: integer("amount_fen").notNull(),
    bonusFen: integer("bonus_fen").notNull(),
    payments: text("payments", { mode: "json" }).$type<TopUpPayment[]>().notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("member_top_ups_member_idx").on(t.memberId, t.id),
    index("member_top_ups_location_idx").on(t.locationId, t.createdAt),
  ],
)

/** A tier is earned by spending at least minSpendFen over the last `months` months. */
export const memberTiers = sqliteTable(
  "member_tiers",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    minSpendFen: integer("min_spend_fen").notNull(),
    months: integer("months").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("member_tiers_name_uq").on(t.name)],
)

/**
 * Every tier change the nightly job made (from → to, when), so an offline sale synced after a change
 * is priced with the tier the member held when it happened: the tier at T is the `from` of the
 * first change after T, or the current tier when there is none.
 */
export const memberTierChanges = sqliteTable(
  "member_tier_changes",
  {
    // `${memberId}:${at}`: the job's run time, so a re-run of the same pass writes nothing new.
    id: text("id").primaryKey(),
    memberId: text("member_id").notNull(),
    fromTierId: text("from_tier_id"),
    toTierId: text("to_tier_id"),
    at: integer("at").notNull(),
  },
  (t) => [index("member_tier_changes_member_at_idx").on(t.memberId, t.at)],
)

/**
 * What each sale (or return, negative) counted toward a member's tier, appended by the sales
 * module through recordSpend(); one row per sale, so a replayed sale counts once.
 */
export const memberSpend = sqliteTable(
  "member_spend",
  {
    saleId: text("sale_id").primaryKey(),
    memberId: text("member_id").notNull(),
    amountFen: integer("amount_fen").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("member_spend_member_at_idx").on(t.memberId, t.at)],
)
