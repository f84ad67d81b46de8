// The till's request and answer shapes (validated at the edge, published in the OpenAPI document).
import { TENDER_METHODS } from "../../../core/tenders"
import { Id, z } from "../../lib/openapi"
import { Password, PaymentIn, Username } from "../../lib/schemas"

const Fen = z.number().int().min(0).max(100_000_000_000)
const Qty = z.number().int().min(1).max(1_000_000)
export const Method = z.enum(TENDER_METHODS)
export const IsoInstant = z.iso.datetime({ offset: true }).openapi({ example: "2026-11-25T08:00:00.000Z" })
export const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD")
  .openapi({ example: "2026-11-25" })

export const Approval = z.strictObject({ username: Username, password: Password }).openapi("ManagerApproval", {
  description: "A store manager's (or manager's, owner's) own sign-in, checked on the server.",
})

export const SaleBody = z.strictObject({
  locationId: Id("loc_01JDZ…"),
  // Lines of the same SKU are summed (one hold per cell).
  lines: z
    .array(z.strictObject({ skuId: Id("sku_01JDZ…"), qty: Qty }))
    .min(1)
    .max(200),
  memberId: Id("mem_01JDZ…").nullish(),
  couponCodes: z.array(z.string().min(1).max(64)).max(10).optional(),
  shiftId: Id("sh_01JDZ…").nullish(),
  deviceId: Id("dev_01JDZ…").nullish(),
  payments: z.array(PaymentIn).min(1).max(10),
  // Manager controls: a cashier sends `approval` with them.
  priceOverrides: z
    .array(z.strictObject({ skuId: Id("sku_01JDZ…"), unitPriceFen: Fen }))
    .max(200)
    .optional(),
  manualDiscountFen: Fen.min(1).optional(),
  voidedLines: z
    .array(z.strictObject({ skuId: Id("sku_01JDZ…"), qty: Qty }))
    .max(200)
    .optional(),
  approval: Approval.optional(),
})

const Discount = z.object({
  promotionId: z.string(),
  name: z.string(),
  class: z.enum(["item", "order"]),
  couponCode: z.string().optional(),
  amountFen: z.number().int(),
})

export const SaleLine = z.object({
  lineId: z.string(),
  lineNo: z.number().int(),
  skuId: z.string(),
  name: z.string(),
  unit: z.enum(["piece", "gram"]),
  qty: z.number().int(),
  unitPriceFen: z.number().int(),
  originalFen: z.number().int(),
  discounts: z.array(Discount),
  discountFen: z.number().int(),
  roundingFen: z.number().int(),
  totalFen: z.number().int(),
  costFen: z.number().int(),
  pointsEarned: z.number().int(),
  returnedQty: z.number().int(),
})

const SalePayment = z.object({
  id: z.string(),
  method: Method,
  amountFen: z.number().int(),
  points: z.number().int().nullable(),
  provider: z.string(),
  withAuthCode: z.boolean(),
  refundedFen: z.number().int(),
})

export const SaleSummary = z
  .object({
    id: z.string(),
    number: z.string(),
    locationId: z.string(),
    source: z.enum(["till", "offline", "import"]),
    cashierId: z.string(),
    shiftId: z.string().nullable(),
    deviceId: z.string().nullable(),
    memberId: z.string().nullable(),
    memberPhoneMasked: z.string().nullable(),
    subtotalFen: z.number().int(),
    discountFen: z.number().int(),
    roundingFen: z.number().int(),
    totalFen: z.number().int(),
    tenderedFen: z.number().int(),
    changeFen: z.number().int(),
    pointsEarned: z.number().int(),
    occurredAt: z.string(),
    businessDay: z.string(),
    late: z.boolean(),
    createdAt: z.string(),
  })
  .openapi("SaleSummary")

export const Sale = SaleSummary.extend({
  costFen: z.number().int(),
  appliedPromotions: z.array(Discount),
  couponCodes: z.array(z.string()),
  lines: z.array(SaleLine),
  payments: z.array(SalePayment),
}).openapi("Sale")

export const SaleCreated = Sale.extend({
  rejectedCoupons: z.array(z.object({ code: z.string(), reason: z.string() })),
}).openapi("SaleCreated")

export const SaleListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
  locationId: Id("loc_01JDZ…").optional(),
  shiftId: Id("sh_01JDZ…").optional(),
  // A member's purchase history, still only at the stores the caller may see.
  memberId: Id("mbr_01JDZ…").optional(),
  from: IsoInstant.optional(),
  to: IsoInstant.optional(),
})

export const ReceiptQuery = z.object({
  format: z.enum(["json", "html"]).default("json"),
  width: z.enum(["58", "80"]).default("80"),
})

export const ReturnBody = z
  .strictObject({
    saleId: Id("xs_01JDZ…").optional(),
    saleNumber: z.string().min(1).max(40).optional(),
    // Only for a return without receipt.
    locationId: Id("loc_01JDZ…").optional(),
    lines: z
      .array(
        z.strictObject({
          lineId: z.string().min(1).max(100).optional(),
          skuId: Id("sku_01JDZ…").optional(),
          qty: Qty,
          restock: z.boolean().optional(),
          reason: z.string().min(1).max(200).optional(),
          unitPriceFen: Fen.optional(),
        }),
      )
      .min(1)
      .max(200),
    refunds: z
      .array(z.strictObject({ method: Method, amountFen: Fen.min(1) }))
      .max(5)
      .optional(),
    shiftId: Id("sh_01JDZ…").nullish(),
    deviceId: Id("dev_01JDZ…").nullish(),
    approval: Approval.optional(),
  })
  .refine((b) => !(b.saleId && b.saleNumber), { path: ["saleNumber"], message: "Send saleId or saleNumber, not both." })

export const Return = z
  .object({
    id: z.string(),
    number: z.string(),
    saleId: z.string().nullable(),
    locationId: z.string(),
    source: z.enum(["till", "offline"]),
    cashierId: z.string(),
    shiftId: z.string().nullable(),
    memberId: z.string().nullable(),
    refundFen: z.number().int(),
    pointsReversed: z.number().int(),
    approvedBy: z.string().nullable(),
    occurredAt: z.string(),
    businessDay: z.string(),
    late: z.boolean(),
    settled: z.boolean(),
    lines: z.array(
      z.object({
        lineNo: z.number().int(),
        saleLineId: z.string().nullable(),
        skuId: z.string(),
        qty: z.number().int(),
        refundFen: z.number().int(),
        restock: z.boolean(),
        reason: z.string().nullable(),
        pointsReversed: z.number().int(),
      }),
    ),
    refunds: z.array(
      z.object({
        id: z.string(),
        method: Method,
        amountFen: z.number().int(),
        points: z.number().int().nullable(),
        salePaymentId: z.string().nullable(),
      }),
    ),
  })
  .openapi("Return")

export const PriceException = z
  .object({
    id: z.string(),
    kind: z.enum([
      "price_mismatch",
      "refund_mismatch",
      "stored_value_short",
      "points_short",
      "coupon_conflict",
      "cashier_unverified",
      "member_erased",
    ]),
    refType: z.enum(["sale", "return"]),
    refId: z.string(),
    locationId: z.string(),
    expectedFen: z.number().int(),
    actualFen: z.number().int(),
    differenceFen: z.number().int(),
    detail: z.record(z.string(), z.unknown()),
    occurredAt: z.string(),
    createdAt: z.string(),
  })
  .openapi("PriceException")
