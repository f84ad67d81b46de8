// What the till benchmarks set up through the public API, as a chain's HQ would: stores of their own,
// SKUs (with member prices, in a category), opening stock, promotions, members, and tills — each a
// registered device with its own store-bound cashier signed in on it and, when asked, an open shift.
// Setup is not measured.
import { client, pool } from "./load.mjs"

const CONSENT = { version: "privacy-2026-01", accepted: true }
export const CASHIER_PASSWORD = "puzi-bench-cashier"

/** The demo chain's owner signed in: { token, api } (the API client setup uses). */
export async function asOwner(url) {
  const { token } = await client(url)("POST", "/auth/login", { username: "owner", password: "puzi-demo-owner" })
  return { token, api: client(url, token) }
}

/** A mobile number that no other run of this benchmark uses (the pid is in it). */
export const phoneFor = (n) => `13${String(process.pid % 1000).padStart(3, "0")}${String(n).padStart(6, "0")}`

/**
 * `count` SKUs over products of 50 variants: half apparel (¥99, member ¥89) in one category, half groceries
 * (¥5). Answers [{ id, priceFen, memberPriceFen, categoryId }].
 */
export async function benchSkus(api, tag, count) {
  const apparel = (await api("POST", "/categories", { name: `压测服装 ${tag}` })).id
  const grocery = (await api("POST", "/categories", { name: `压测食品 ${tag}` })).id
  const skus = []
  for (let start = 0; start < count; start += 50) {
    const isApparel = (start / 50) % 2 === 0
    const n = Math.min(50, count - start)
    const priceFen = isApparel ? 9900 : 500
    const product = await api("POST", "/products", {
      name: `${isApparel ? "压测T恤" : "压测饮料"} ${tag}-${start}`,
      categoryId: isApparel ? apparel : grocery,
      variants: Array.from({ length: n }, (_, i) => ({
        skuCode: `BN-${tag}-${start + i}`,
        attributes: { 号: String(i) },
        priceFen,
        ...(isApparel ? { memberPriceFen: 8900 } : {}),
        costFen: Math.round(priceFen / 2),
      })),
    })
    for (const s of product.skus)
      skus.push({ id: s.id, priceFen, memberPriceFen: isApparel ? 8900 : null, apparel: isApparel })
  }
  return { skus, categories: { apparel, grocery } }
}

/** Receives `qty` of every SKU at every store, 100 lines per receipt. */
export async function openingStock(api, storeIds, skuIds, qty, key) {
  const receipts = []
  for (const locationId of storeIds)
    for (let i = 0; i < skuIds.length; i += 100)
      receipts.push({ locationId, lines: skuIds.slice(i, i + 100).map((skuId) => ({ skuId, qty, unitCostFen: 300 })) })
  await pool(receipts, 4, (r) => api("POST", "/stock/receipts", r, { "idempotency-key": key("receipt") }))
}

/** 满100减10 / 满300减40, 第二件半价 on groceries and member prices on apparel, at these stores only. */
export async function benchPromotions(api, storeIds, categories) {
  const bodies = [
    {
      name: "满100减10 满300减40",
      class: "order",
      rule: {
        kind: "spend_tiers",
        tiers: [
          { minFen: 10000, offFen: 1000 },
          { minFen: 30000, offFen: 4000 },
        ],
      },
    },
    {
      name: "饮料第二件半价",
      class: "item",
      rule: { kind: "nth_item", n: 2, offBp: 5000 },
      target: { categoryIds: [categories.grocery] },
    },
    { name: "会员价", class: "item", rule: { kind: "member_price" }, target: { categoryIds: [categories.apparel] } },
  ]
  const ids = []
  for (const body of bodies) ids.push((await api("POST", "/promotions", { storeIds, ...body })).id)
  return ids
}

/** `count` members, spread over the stores; answers [{ id, storeId }]. */
export const benchMembers = (api, storeIds, count, firstPhone = 0) =>
  pool(
    Array.from({ length: count }, (_, i) => i),
    8,
    async (i) => {
      const storeId = storeIds[i % storeIds.length]
      const m = await api("POST", "/members", {
        phone: phoneFor(firstPhone + i),
        name: `会员${i}`,
        homeLocationId: storeId,
        consent: CONSENT,
      })
      return { id: m.id, storeId }
    },
  )

/**
 * `count` tills spread over the stores: a device registered at its store, a cashier bound to that store
 * signed in on it, and (with `shifts`) an open shift. Answers [{ storeId, deviceId, userId, token, shiftId }].
 */
export const benchTills = (url, api, { storeIds, count, tag, shifts = true }) =>
  pool(
    Array.from({ length: count }, (_, i) => i),
    8,
    async (i) => {
      const storeId = storeIds[i % storeIds.length]
      const device = await api("POST", "/devices", { locationId: storeId, name: `收银机 ${tag}-${i}` })
      const username = `bench-${tag}-${i}`
      const user = await api("POST", "/users", {
        username,
        password: CASHIER_PASSWORD,
        role: "cashier",
        displayName: `收银 ${i}`,
        locationIds: [storeId],
      })
      const login = await client(url)("POST", "/auth/login", {
        username,
        password: CASHIER_PASSWORD,
        deviceId: device.id,
      })
      const till = { storeId, deviceId: device.id, userId: user.id, token: login.token, shiftId: null }
      if (shifts) {
        const shift = await client(url, login.token)("POST", "/shifts", {
          locationId: storeId,
          deviceId: device.id,
          floatFen: 20000,
        })
        till.shiftId = shift.id
      }
      return till
    },
  )

/** New stores for this run (promotions and stock of other runs never reach them). */
export const benchStores = async (api, tag, count) => {
  const ids = []
  for (let i = 0; i < count; i++)
    ids.push((await api("POST", "/locations", { name: `压测店 ${tag}-${i}`, kind: "store", region: "华东" })).id)
  return ids
}
