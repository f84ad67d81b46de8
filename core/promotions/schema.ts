// What a promotion is, as saved by HQ and as carried to the till. The worker validates a saved
// promotion with these schemas and the till trusts what it synced, so both sides read the same
// rules. Money in fen, rates in basis points (10000 = 100 %): 8折 is `offBp: 2000`.
import { z } from "zod"

const id = z.string().min(1).max(64)
const fen = z.number().int().min(0).max(1_000_000_000_00)
const positiveFen = fen.min(1)
const bp = z.number().int().min(1).max(10000)
const count = z.number().int().min(1).max(10000)
const day = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, "a date YYYY-MM-DD")
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time HH:MM")

/** Which lines a promotion looks at: a line matches if it matches any list given; no lists = every line. */
export const targetSchema = z
  .object({
    skuIds: z.array(id).max(5000).optional(),
    categoryIds: z.array(id).max(500).optional(),
    brandIds: z.array(id).max(500).optional(),
    tags: z.array(id).max(100).optional(),
  })
  .strict()

/**
 * When, in the chain's time zone: dates inclusive, ISO weekdays (1 Monday … 7 Sunday), and a daily
 * hour range [from, to) that wraps past midnight when `from` is later than `to` (22:00–02:00).
 */
export const windowSchema = z
  .object({
    startDate: day.optional(),
    endDate: day.optional(),
    weekdays: z.array(z.number().int().min(1).max(7)).min(1).max(7).optional(),
    hours: z
      .object({ from: clock, to: clock })
      .strict()
      .refine((h) => h.from !== h.to, "an hour range needs different start and end")
      .optional(),
  })
  .strict()
  .refine((w) => !w.startDate || !w.endDate || w.startDate <= w.endDate, "startDate is after endDate")

/** Who may have it: members only, certain tiers, only in the member's birthday month. */
export const memberConditionSchema = z
  .object({
    required: z.boolean().optional(),
    tierIds: z.array(id).min(1).max(50).optional(),
    birthdayMonth: z.boolean().optional(),
  })
  .strict()

const tierSchema = z.object({ minFen: positiveFen, offFen: positiveFen }).strict()

/**
 * The arithmetic. `percent_off` and `fixed_off` work at either class (item: per line / per piece;
 * order: once on the lines in scope); the others belong to one class (see RULE_CLASS).
 */
export const ruleSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("percent_off"), offBp: bp }).strict(),
  // item class: off each piece (a weighed line counts as one); order class: off once.
  z.object({ kind: z.literal("fixed_off"), offFen: positiveFen }).strict(),
  // 满100减10 / 满200减30: the highest tier reached.
  z.object({ kind: z.literal("spend_tiers"), tiers: z.array(tierSchema).min(1).max(20) }).strict(),
  // 每满100减20, at most `capFen` in all.
  z
    .object({
      kind: z.literal("spend_every"),
      everyFen: positiveFen,
      offFen: positiveFen,
      capFen: positiveFen.optional(),
    })
    .strict(),
  // Buy X get Y at offBp off (10000 = free); the cheapest pieces are the ones discounted.
  z
    .object({
      kind: z.literal("buy_x_get_y"),
      buyQty: count,
      getQty: count,
      offBp: bp,
      maxApplications: count.optional(),
      sameSku: z.boolean().optional(),
    })
    .strict(),
  // 第二件半价: every nth piece at offBp off, the cheapest of each n.
  z
    .object({
      kind: z.literal("nth_item"),
      n: z.number().int().min(2).max(100),
      offBp: bp,
      maxApplications: count.optional(),
      sameSku: z.boolean().optional(),
    })
    .strict(),
  // Any `qty` pieces of the target for `priceFen` (任选3件99元); the dearest pieces are bundled.
  z
    .object({
      kind: z.literal("bundle"),
      qty: z.number().int().min(2).max(100),
      priceFen: positiveFen,
      maxApplications: count.optional(),
    })
    .strict(),
  // The line's member price (memberPriceFen) instead of its list price, for members.
  z.object({ kind: z.literal("member_price") }).strict(),
])

export type Rule = z.infer<typeof ruleSchema>
export type RuleKind = Rule["kind"]
export type PromotionClass = "item" | "order"

/** Which class each kind may take. */
export const RULE_CLASS: Record<RuleKind, readonly PromotionClass[]> = {
  percent_off: ["item", "order"],
  fixed_off: ["item", "order"],
  spend_tiers: ["order"],
  spend_every: ["order"],
  buy_x_get_y: ["item"],
  nth_item: ["item"],
  bundle: ["item"],
  member_price: ["item"],
}

/** Kinds whose reward is triggered by quantity or spend (adding to the cart can unlock them). */
export const TRIGGERED_KINDS: readonly RuleKind[] = ["spend_tiers", "spend_every", "buy_x_get_y", "nth_item", "bundle"]

export const promotionSchema = z
  .object({
    id,
    name: z.string().min(1).max(100),
    class: z.enum(["item", "order"]),
    rule: ruleSchema,
    target: targetSchema.optional(),
    // At most one promotion of a group applies to a cart; null/absent: combines with any other.
    exclusiveGroup: id.nullable().optional(),
    // Higher applies earlier within its class, and wins ties.
    priority: z.number().int().min(0).max(1000).default(0),
    // Order class: the lines in scope must add up to this, after item promotions.
    minSpendFen: positiveFen.optional(),
    window: windowSchema.optional(),
    storeIds: z.array(id).min(1).max(5000).optional(),
    channels: z.array(id).min(1).max(20).optional(),
    member: memberConditionSchema.optional(),
    // Times one member may have it (the caller counts past uses); implies members only.
    limitPerMember: count.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (!RULE_CLASS[p.rule.kind].includes(p.class))
      ctx.addIssue({ code: "custom", path: ["class"], message: `${p.rule.kind} cannot be an ${p.class} promotion` })
    if (p.minSpendFen !== undefined && p.class !== "order")
      ctx.addIssue({ code: "custom", path: ["minSpendFen"], message: "only order promotions have a minimum spend" })
    if (p.rule.kind === "spend_tiers") {
      const tiers = p.rule.tiers
      tiers.forEach((t, i) => {
        const prev = tiers[i - 1]
        if (prev && (t.minFen <= prev.minFen || t.offFen <= prev.offFen))
          ctx.addIssue({
            code: "custom",
            path: ["rule", "tiers", i],
            message: "tiers must rise in spend and in discount",
          })
        if (t.offFen > t.minFen)
          ctx.addIssue({
            code: "custom",
            path: ["rule", "tiers", i],
            message: "a tier cannot take off more than its spend",
          })
      })
    }
    if (p.rule.kind === "spend_every" && p.rule.offFen > p.rule.everyFen)
      ctx.addIssue({ code: "custom", path: ["rule", "offFen"], message: "cannot take off more than each step" })
  })

export type Promotion = z.infer<typeof promotionSchema>
export type PromotionInput = z.input<typeof promotionSchema>

/**
 * A coupon presented at the till, as the caller resolved its code: the promotion it grants, the
 * member it belongs to (null: anyone's), and whether it was already used (single-use codes).
 */
export const couponSchema = z
  .object({
    code: z.string().min(1).max(64),
    promotion: promotionSchema,
    memberId: id.nullable().optional(),
    redeemed: z.boolean().default(false),
  })
  .strict()

export type Coupon = z.infer<typeof couponSchema>
