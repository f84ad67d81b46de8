import { withCheckDigit } from "../../core/barcode"
import type { Promotion } from "../../core/promotions"
import { startSession } from "../../pwa/src/auth/session"
import { db, type SkuRecord } from "../../pwa/src/store/db"

export const STORE = "loc_store1"

export const signedInCashier = () =>
  startSession({
    token: "tok_cashier",
    user: { id: "usr_cashier", role: "cashier", locationIds: [STORE], username: "cashier1", displayName: "收银 刘洋" },
  })

const sku = (over: Partial<SkuRecord> & Pick<SkuRecord, "id" | "productName" | "priceFen">): SkuRecord => {
  const base = {
    productId: `prd_${over.id}`,
    skuCode: over.id.toUpperCase(),
    barcode: null,
    attributes: {},
    memberPriceFen: null,
    unit: "piece" as const,
    categoryId: "cat_grocery",
    status: "active" as const,
    updatedAt: "2026-11-25T00:00:00.000Z",
    ...over,
  }
  return { ...base, search: `${base.productName} ${base.skuCode} ${base.barcode ?? ""}`.toLowerCase() }
}

export const WATER = sku({
  id: "sku_water",
  productName: "矿泉水 550ml",
  priceFen: 200,
  barcode: withCheckDigit("690123400001"),
})
export const NOODLES = sku({
  id: "sku_noodles",
  productName: "方便面 五连包",
  priceFen: 1590,
  barcode: withCheckDigit("690123400007"),
})
export const TEE = sku({
  id: "sku_tee",
  productName: "纯棉圆领T恤",
  priceFen: 5990,
  memberPriceFen: 5390,
  barcode: withCheckDigit("690070001110"),
  attributes: { 颜色: "黑", 尺码: "S" },
  categoryId: "cat_tops",
})
/** Apples by weight: ¥15.98 per kilogram, scale code 10001. */
export const APPLES = sku({
  id: "sku_apples",
  productName: "苹果 (称重)",
  priceFen: 1598,
  unit: "gram",
  barcode: withCheckDigit("201000100000"),
  categoryId: "cat_fresh",
})

export const SPEND_20_OFF_5: Promotion = {
  id: "prm_spend",
  name: "满20减5",
  class: "order",
  rule: { kind: "spend_tiers", tiers: [{ minFen: 2000, offFen: 500 }] },
  priority: 0,
}

export const MEMBER_PRICE: Promotion = {
  id: "prm_member",
  name: "会员价",
  class: "item",
  rule: { kind: "member_price" },
  priority: 10,
}

/** The device already synced its catalog and the store's promotions. */
export const deviceHolds = async (skus: SkuRecord[], promotions: Promotion[] = []) => {
  const database = await db()
  for (const s of skus) await database.put("skus", s)
  for (const p of promotions) await database.put("promotions", { ...p, locationId: STORE })
  await database.put("meta", Date.now(), "catalog.syncedAt")
}
