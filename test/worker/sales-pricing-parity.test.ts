// One rule book: carts with several promotions, a member and a coupon, priced by the server (POST /sales) and by
// the till's own offline pricing path (pwa/src/till/price.ts over what the till syncs: /skus, /promotions/active,
// the member lookup, /coupons/{code} with its promotion, /settings), answer the same fen on every line and in
// total. The chain here rounds to the jiao, so the rounding setting travels too.
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import type { PricedCart } from "../../core/pricing"
import type { RoundingPolicy } from "../../core/rounding"
import {
  type ApiPromotion,
  priceTillCart,
  type TillMember,
  type TillPricedLine,
  tillCoupon,
  tillPromotions,
} from "../../pwa/src/till/price"
import { call, uniq, withVars } from "./helpers"
import { cash, promotion, type Sale, shop, stock } from "./sales-helpers"

const CHAIN = withVars(env, { CHAIN_ROUNDING: "round_jiao" })

type ApiSku = TillPricedLine["sku"] & { skuCode: string }
type Page<T> = { items: T[]; nextCursor: string | null }

/** Everything the till would hold for this store, fetched the way its syncs fetch it. */
async function tillView(token: string, store: string) {
  const skus: ApiSku[] = []
  for (let cursor: string | null = null; ; ) {
    const q = new URLSearchParams({ updatedSince: "1970-01-01T00:00:00.000Z", limit: "100" })
    if (cursor) q.set("cursor", cursor)
    const page: Page<ApiSku> = (await call<Page<ApiSku>>("GET", `/skus?${q}`, { token, env: CHAIN })).body
    skus.push(...page.items)
    cursor = page.nextCursor
    if (!cursor) break
  }
  const promos = await call<Page<ApiPromotion>>("GET", `/promotions/active?locationId=${store}&channel=pos&limit=100`, {
    token,
    env: CHAIN,
  })
  const settings = await call<{ rounding: RoundingPolicy; timeZone: string }>("GET", "/settings", { token, env: CHAIN })
  return {
    skus: new Map(skus.map((s) => [s.id, s])),
    promotions: tillPromotions(promos.body.items),
    settings: settings.body,
  }
}

async function couponAtTill(token: string, code: string) {
  const coupon = await call<{ code: string; promotionId: string; memberId: string | null; redeemed: boolean }>(
    "GET",
    `/coupons/${code}`,
    { token },
  )
  const promo = await call<ApiPromotion>("GET", `/promotions/${coupon.body.promotionId}`, { token })
  return tillCoupon(coupon.body, promo.body)
}

async function product(owner: string, categoryId: string, variants: { priceFen: number; memberPriceFen?: number }[]) {
  const code = uniq("PP")
  const res = await call<{ skus: { id: string }[] }>("POST", "/products", {
    token: owner,
    body: {
      name: uniq("商品"),
      categoryId,
      variants: variants.map((v, i) => ({ skuCode: `${code}-${i}`, attributes: { 号: String(i) }, ...v })),
    },
  })
  if (res.status !== 201) throw new Error(`product: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.skus.map((s) => s.id)
}

const fen = (c: Pick<PricedCart, "subtotalFen" | "discountFen" | "roundingFen" | "totalFen">) => ({
  subtotalFen: c.subtotalFen,
  discountFen: c.discountFen,
  roundingFen: c.roundingFen,
  totalFen: c.totalFen,
})

describe("the same carts priced by the server and by the till's offline path", () => {
  it("agree to the fen per line and in total: member price, 第二件半价, buy 2 get 1, category 9折, 满减 tiers, a coupon", async () => {
    const { owner, store, cashier } = await shop({ skus: 1, qty: 0 })
    const category = (name: string) =>
      call<{ id: string }>("POST", "/categories", { token: owner, body: { name: uniq(name) } }).then((r) => r.body.id)
    const [drinks, snacks] = await Promise.all([category("饮料"), category("零食")])
    const [tee, tea] = await product(owner, drinks, [{ priceFen: 5990, memberPriceFen: 5390 }, { priceFen: 399 }])
    const [chips, nuts] = await product(owner, snacks, [{ priceFen: 850 }, { priceFen: 1299, memberPriceFen: 1199 }])
    await Promise.all([tee, tea, chips, nuts].map((s) => stock(store, s!, 100)))

    await promotion(owner, store, { name: "会员价", class: "item", rule: { kind: "member_price" }, priority: 10 })
    await promotion(owner, store, {
      name: "第二件半价",
      class: "item",
      rule: { kind: "nth_item", n: 2, offBp: 5000 },
      target: { skuIds: [tea] },
    })
    await promotion(owner, store, {
      name: "买二送一",
      class: "item",
      rule: { kind: "buy_x_get_y", buyQty: 2, getQty: 1, offBp: 10000 },
      target: { skuIds: [chips] },
    })
    await promotion(owner, store, {
      name: "零食9折",
      class: "item",
      rule: { kind: "percent_off", offBp: 1000 },
      target: { categoryIds: [snacks] },
      exclusiveGroup: uniq("snack"),
    })
    await promotion(owner, store, {
      name: "满50减5 满100减15",
      class: "order",
      rule: {
        kind: "spend_tiers",
        tiers: [
          { minFen: 5000, offFen: 500 },
          { minFen: 10000, offFen: 1500 },
        ],
      },
    })
    const couponPromo = await promotion(owner, store, {
      name: "满30减3券",
      class: "order",
      rule: { kind: "fixed_off", offFen: 300 },
      minSpendFen: 3000,
      couponOnly: true,
    })
    const batch = await call<{ codes: { code: string }[] }>("POST", "/coupons/batches", {
      token: owner,
      body: { promotionId: couponPromo, count: 3 },
    })
    expect(batch.status).toBe(201)
    const codes = batch.body.codes.map((c) => c.code)

    const phone = `137${String(Date.now() % 100_000_000).padStart(8, "0")}`
    const registered = await call("POST", "/members", {
      token: cashier.token,
      body: { phone, name: "赵会员", homeLocationId: store, consent: { version: "privacy-2026-01", accepted: true } },
    })
    expect(registered.status).toBe(201)
    const found = await call<TillMember>("GET", `/members/lookup?phone=${phone}`, { token: cashier.token })

    const till = await tillView(cashier.token, store)
    expect(till.settings.rounding).toBe("round_jiao")
    const carts: { lines: [string, number][]; member: boolean; coupon?: string }[] = [
      {
        lines: [
          [tee!, 1],
          [tea!, 3],
          [chips!, 3],
        ],
        member: true,
      },
      {
        lines: [
          [tea!, 2],
          [chips!, 5],
          [nuts!, 1],
        ],
        member: false,
        coupon: codes[0],
      },
      {
        lines: [
          [tee!, 2],
          [nuts!, 3],
          [chips!, 1],
        ],
        member: true,
        coupon: codes[1],
      },
      {
        lines: [
          [tea!, 1],
          [nuts!, 1],
        ],
        member: true,
      },
      {
        lines: [
          [chips!, 7],
          [tea!, 5],
          [tee!, 1],
          [nuts!, 2],
        ],
        member: false,
      },
    ]

    for (const [n, cart] of carts.entries()) {
      const coupons = cart.coupon ? [await couponAtTill(cashier.token, cart.coupon)] : []
      const offline = priceTillCart(
        cart.lines.map(([skuId, qty], i) => ({ lineId: String(i + 1), qty, sku: till.skus.get(skuId)! })),
        cart.member ? found.body : null,
        till.promotions,
        coupons,
        { storeId: store, at: Date.now(), timeZone: till.settings.timeZone, rounding: till.settings.rounding },
      )
      const sold = await call<Sale>("POST", "/sales", {
        token: cashier.token,
        key: uniq("parity"),
        env: CHAIN,
        body: {
          locationId: store,
          lines: cart.lines.map(([skuId, qty]) => ({ skuId, qty })),
          ...(cart.member ? { memberId: found.body.id } : {}),
          ...(cart.coupon ? { couponCodes: [cart.coupon] } : {}),
          payments: [cash(offline.totalFen + 10_000)],
        },
      })
      expect(sold.status, `cart ${n}: ${JSON.stringify(sold.body)}`).toBe(201)
      expect(fen(sold.body), `cart ${n}`).toEqual(fen(offline))
      expect(
        sold.body.lines.map((l) => [l.skuId, l.originalFen, l.discountFen, l.totalFen]),
        `cart ${n}`,
      ).toEqual(offline.lines.map((l) => [l.skuId, l.originalFen, l.discountFen, l.totalFen]))
      expect(sold.body.appliedPromotions.map((p) => [p.name, p.amountFen]).sort()).toEqual(
        offline.appliedPromotions.map((p) => [p.name, p.amountFen]).sort(),
      )
      expect(offline.discountFen, `cart ${n} has promotions`).toBeGreaterThan(0)
    }
  })
})
