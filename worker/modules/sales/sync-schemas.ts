// What an offline till sends to POST /api/v1/sales/sync, item by item (each is checked on its own).
import { TENDER_METHODS } from "../../../core/tenders"
import { isUlid } from "../../lib/ids"
import { z } from "../../lib/openapi"

const Ulid = z.string().refine(isUlid, "a ULID made by the till")
const Fen = z.number().int().min(0).max(100_000_000_000)
const Qty = z.number().int().min(1).max(1_000_000)
const Ref = z.string().min(1).max(64)
const At = z.iso.datetime({ offset: true })

export const OfflineSaleSchema = z
  .strictObject({
    id: Ulid,
    locationId: Ref,
    occurredAt: At,
    lines: z
      .array(z.strictObject({ skuId: Ref, qty: Qty, unitPriceFen: Fen.optional() }))
      .min(1)
      .max(200),
    payments: z
      .array(
        z.strictObject({
          method: z.enum(TENDER_METHODS),
          amountFen: Fen.min(1),
          authCode: z.string().max(64).optional(),
        }),
      )
      .min(1)
      .max(5),
    totalFen: Fen,
    memberId: Ref.nullish(),
    couponCodes: z.array(z.string().min(1).max(64)).max(10).optional(),
    cashierId: Ref.nullish(),
    shiftId: Ref.nullish(),
    deviceId: Ref.nullish(),
  })
  .openapi("OfflineSale")

export const OfflineReturnSchema = z
  .strictObject({
    id: Ulid,
    saleId: Ref,
    locationId: Ref,
    occurredAt: At,
    lines: z
      .array(
        z.strictObject({
          lineId: Ref,
          qty: Qty,
          restock: z.boolean().optional(),
          reason: z.string().max(200).optional(),
        }),
      )
      .min(1)
      .max(200),
    refunds: z.array(z.strictObject({ method: z.enum(TENDER_METHODS), amountFen: Fen.min(1) })).max(5),
    cashierId: Ref.nullish(),
    shiftId: Ref.nullish(),
    deviceId: Ref.nullish(),
  })
  .openapi("OfflineReturn")

export type OfflineSale = z.infer<typeof OfflineSaleSchema>
export type OfflineReturnItem = z.infer<typeof OfflineReturnSchema>
