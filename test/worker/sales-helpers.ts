// Shared by the till stories (sales, returns, shifts, sync): a store with its own SKUs and stock
// (storage is shared inside a test file, so every story makes its own), staff, members and
// promotions through their HTTP routes, and sales rung up as a till would.

import { ROLE_PERMISSIONS } from "../../core/roles"
import type { Actor } from "../../worker/lib/actor"
import { call, createLocation, ownerToken, productSkus, type Res, staffToken, uniq } from "./helpers"
import { snapshot, stockIn } from "./stock-helpers"

export type Pay = { method: string; amountFen: number; authCode?: string }
export const cash = (amountFen: number): Pay => ({ method: "cash", amountFen })

export type SaleLine = {
  lineId: string
  skuId: string
  qty: number
  originalFen: number
  discountFen: number
  totalFen: number
  costFen: number
  discounts: { promotionId: string; name: string; amountFen: number }[]
}
export type Sale = {
  id: string
  number: string
  subtotalFen: number
  discountFen: number
  roundingFen: number
  totalFen: number
  changeFen: number
  tenderedFen: number
  pointsEarned: number
  lines: SaleLine[]
  payments: { id: string; method: string; amountFen: number; refundedFen: number }[]
  appliedPromotions: { promotionId: string; name: string; amountFen: number }[]
  code?: string
  errors?: Record<string, unknown>[]
}

/** `n` SKUs of one new product at `priceFen`, optionally in a category, through POST /products. */
export const newSkus = (owner: string, n = 1, priceFen = 1000, categoryId?: string) =>
  productSkus(owner, { n, priceFen, codePrefix: "XS", categoryId })

export { stub as cell } from "./stock-helpers"
export const onHand = async (locationId: string, skuId: string) => (await snapshot(locationId, skuId)).onHand
export const stock = (locationId: string, skuId: string, qty: number, unitCostFen = 600) =>
  stockIn(locationId, skuId, qty, { unitCostFen })

/** A store with `skus` SKUs at `priceFen` each holding `qty`, the owner and a cashier of that store. */
export async function shop(opts: { skus?: number; qty?: number; priceFen?: number } = {}) {
  const owner = await ownerToken()
  const store = await createLocation(owner)
  const skuIds = await newSkus(owner, opts.skus ?? 2, opts.priceFen ?? 1000)
  if (opts.qty !== 0) await Promise.all(skuIds.map((s) => stock(store, s, opts.qty ?? 10)))
  const cashier = await staffToken(owner, "cashier", [store])
  return { owner, store, skuIds, cashier }
}

export const sell = (token: string, body: Record<string, unknown>, key: string = uniq("sale")): Promise<Res<Sale>> =>
  call("POST", "/sales", { token, key, body })

const phone = () => {
  const [a, b] = crypto.getRandomValues(new Uint32Array(2))
  return `1${3 + (a! % 7)}${String(b! % 1_000_000_000).padStart(9, "0")}`
}

/** A member registered at `store`, with `storedValueFen` topped up. */
export async function member(token: string, store: string, storedValueFen = 0) {
  const res = await call<{ id: string }>("POST", "/members", {
    token,
    body: {
      phone: phone(),
      name: "李小红",
      homeLocationId: store,
      consent: { version: "privacy-2026-01", accepted: true },
    },
  })
  if (res.status !== 201) throw new Error(`member failed: ${res.status} ${JSON.stringify(res.body)}`)
  if (storedValueFen > 0) {
    const top = await call("POST", `/members/${res.body.id}/stored-value/top-ups`, {
      token,
      key: uniq("top"),
      body: { amountFen: storedValueFen, payments: [cash(storedValueFen)], locationId: store },
    })
    if (top.status !== 201) throw new Error(`top-up failed: ${top.status} ${JSON.stringify(top.body)}`)
  }
  return res.body.id
}

export const memberBalances = async (token: string, id: string) => {
  const res = await call<{ pointsBalance: number; storedValueFen: number }>("GET", `/members/${id}`, { token })
  return { points: res.body.pointsBalance, storedValueFen: res.body.storedValueFen }
}

/** A promotion for this store only (promotions are chain-wide; other stories must not see it). */
export async function promotion(owner: string, store: string, body: Record<string, unknown>) {
  const res = await call<{ id: string }>("POST", "/promotions", { token: owner, body: { storeIds: [store], ...body } })
  if (res.status !== 201) throw new Error(`promotion failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.id
}

/** A WeChat customer code (付款码): 18 digits starting 10–15. */
export const wechatCode = () => `13${String(Date.now()).padStart(16, "0").slice(-16)}`

/** A cashier of `store` as the auth middleware would build them, for stories that call the service directly. */
export const tillActor = (id: string, store: string): Actor => ({
  kind: "user",
  id,
  name: "cashier",
  role: "cashier",
  permissions: new Set(ROLE_PERMISSIONS.cashier),
  locationIds: [store],
})
