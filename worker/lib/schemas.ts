// Small zod shapes the routes share.
import { z } from "@hono/zod-openapi"
import { ROLES } from "../../core/roles"
import { TENDER_METHODS } from "../../core/tenders"

export const Username = z
  .string()
  .min(2)
  .max(64)
  .regex(/^[A-Za-z0-9_.@-]+$/, "letters, digits and _ . @ - only")
  .openapi({ example: "owner" })
export const Password = z.string().min(8).max(200).openapi({ example: "puzi-demo-owner" })
export const RoleSchema = z.enum(ROLES)
export const IsoTime = z.string().openapi({ example: "2026-11-25T08:00:00.000Z" })
export const Ok = z.object({ ok: z.literal(true) })
export const IdParam = z.object({ id: z.string().min(1).max(64) })
/** The header every document-creating POST takes (see lib/idempotency.ts), declared so the OpenAPI document shows it. */
export const IdempotencyHeader = z.object({ "idempotency-key": z.string().min(1).max(255).optional() })
/** A payment the customer makes, for a till's sale or a channel order: one shape, so both take the same. */
export const PaymentIn = z
  .strictObject({
    method: z.enum(TENDER_METHODS),
    amountFen: z.number().int().min(1).max(100_000_000_000),
    // A customer's 付款码, scanned at the till; single use, never stored.
    authCode: z
      .string()
      .regex(/^\d{10,32}$/, "the digits of the customer's payment code")
      .optional(),
  })
  .refine((p) => !p.authCode || p.method === "wechat" || p.method === "alipay", {
    path: ["authCode"],
    message: "Only wechat and alipay payments carry a customer's payment code.",
  })
