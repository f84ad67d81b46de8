// The seed-scale chain, generated deterministically (seeded PRNG): the same scale gives the same
// stores, catalogue, opening balances and sales history on every run, which is what lets an
// interrupted seed resume — the import jobs recognise chunks they have already applied.
import { ean13 } from "./seed-demo.mjs"

/** mulberry32: small, fast, good enough for test data. */
export function prng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const seedOf = (...parts) => {
  let h = 2166136261
  for (const ch of parts.join("|")) h = Math.imul(h ^ ch.charCodeAt(0), 16777619)
  return h >>> 0
}
const pick = (rand, list) => list[Math.floor(rand() * list.length)]
const weighted = (rand, pairs) => {
  let r = rand() * pairs.reduce((s, [, w]) => s + w, 0)
  for (const [v, w] of pairs) {
    r -= w
    if (r < 0) return v
  }
  return pairs.at(-1)[0]
}
const yuan = (fen) => (fen / 100).toFixed(2)

export const REGIONS = ["华东", "华南", "华北", "西南"]
const CITIES = {
  华东: ["上海", "杭州", "南京", "苏州"],
  华南: ["广州", "深圳", "佛山", "厦门"],
  华北: ["北京", "天津", "济南", "石家庄"],
  西南: ["成都", "重庆", "昆明", "贵阳"],
}

/** Counts for a scale (1 = the reference chain). */
export function sizes(scale) {
  const n = (full, min) => Math.max(min, Math.round(full * scale))
  return {
    stores: n(120, 4),
    styles: n(800, 10), // × 4 colours × 5 sizes
    convenience: n(9500, 60),
    weighed: n(500, 10),
    members: n(3000, 50),
    promotions: n(36, 8),
    peakOrders: n(35_000, 300),
    days: 90,
    // Per store: 10 styles (200 SKUs) + 300 convenience + 20 weighed = 520; warehouses hold more.
    storeStyles: 10,
    storeConvenience: 300,
    storeWeighed: 20,
    warehouseSkus: n(1500, 200),
  }
}

export function locationsOf(size) {
  const out = [
    { name: "华东中心仓", kind: "warehouse", region: "华东", address: "上海市嘉定区安亭镇墨玉路 88 号" },
    { name: "华南中心仓", kind: "warehouse", region: "华南", address: "广州市白云区太和镇 18 号" },
  ]
  for (let i = 0; i < size.stores; i++) {
    const region = REGIONS[i % REGIONS.length]
    const city = CITIES[region][Math.floor(i / REGIONS.length) % 4]
    out.push({
      name: `${city}${String(i + 1).padStart(3, "0")}店`,
      kind: "store",
      region,
      address: `${city}市 第 ${i + 1} 号门店`,
      businessHours: { open: "09:00", close: "22:00" },
    })
  }
  return out
}

// ── catalogue ─────────────────────────────────────────────────────────────────

const GARMENTS = [
  ["T恤", "上装", 5990],
  ["衬衫", "上装", 12900],
  ["卫衣", "上装", 15900],
  ["针织衫", "上装", 19900],
  ["牛仔裤", "下装", 19900],
  ["休闲裤", "下装", 15900],
  ["短裤", "下装", 7900],
  ["夹克", "外套", 32900],
  ["羽绒服", "外套", 49900],
  ["风衣", "外套", 39900],
]
const STYLE_WORDS = ["纯棉", "修身", "宽松", "复古", "基础款", "轻薄", "加厚", "条纹", "印花", "商务"]
const COLORS = ["黑", "白", "藏青", "卡其", "灰", "米", "酒红", "军绿"]
const SIZES = ["S", "M", "L", "XL", "XXL"]
const GOODS = [
  ["矿泉水 550ml", "便利/饮料", 200],
  ["绿茶 500ml", "便利/饮料", 350],
  ["可乐 330ml", "便利/饮料", 300],
  ["咖啡饮料 280ml", "便利/饮料", 650],
  ["牛奶 250ml", "便利/乳品", 450],
  ["酸奶 200g", "便利/乳品", 600],
  ["薯片 70g", "便利/零食", 800],
  ["饼干 200g", "便利/零食", 990],
  ["巧克力 100g", "便利/零食", 1590],
  ["方便面 五连包", "便利/速食", 1590],
  ["八宝粥 360g", "便利/速食", 450],
  ["纸巾 10包", "便利/日化", 1290],
  ["洗手液 500ml", "便利/日化", 2590],
  ["电池 AA 4节", "便利/日用", 1990],
]
const PERISHABLE = new Set(["便利/乳品", "便利/速食"])
const FRESH = [
  ["苹果", 1598],
  ["香蕉", 798],
  ["橙子", 1198],
  ["西红柿", 698],
  ["土豆", 398],
  ["猪里脊", 3998],
  ["三文鱼", 15800],
  ["葡萄", 1998],
]

/** Every SKU: { code, name, category, priceFen, costFen, unit, kind, lots, barcode, color?, size? }. */
export function catalogueOf(size) {
  const rand = prng(seedOf("catalogue"))
  const skus = []
  for (let s = 0; s < size.styles; s++) {
    const [garment, group, base] = GARMENTS[s % GARMENTS.length]
    const name = `${pick(rand, STYLE_WORDS)}${garment} 款${String(s + 1).padStart(4, "0")}`
    const priceFen = Math.round((base * (0.8 + rand() * 0.6)) / 100) * 100 - 10
    const colors = [...COLORS].sort(() => rand() - 0.5).slice(0, 4)
    for (const [ci, color] of colors.entries())
      for (const [si, sz] of SIZES.entries())
        skus.push({
          kind: "apparel",
          style: s,
          code: `AP${String(s + 1).padStart(5, "0")}-${ci + 1}${si + 1}`,
          barcode: ean13(`691${String(s + 1).padStart(5, "0")}${ci + 1}${si + 1}00`),
          name,
          category: `服装/${group}`,
          priceFen,
          costFen: Math.round(priceFen * 0.4),
          unit: "件",
          color,
          size: sz,
        })
  }
  for (let g = 0; g < size.convenience; g++) {
    const [item, category, base] = GOODS[g % GOODS.length]
    const priceFen = Math.max(100, Math.round((base * (0.7 + rand() * 0.8)) / 10) * 10)
    skus.push({
      kind: "convenience",
      code: `GR${String(g + 1).padStart(6, "0")}`,
      barcode: ean13(`692${String(g + 1).padStart(9, "0")}`),
      name: `${item} 品${String(g + 1).padStart(5, "0")}`,
      category,
      priceFen,
      costFen: Math.round(priceFen * 0.55),
      unit: "件",
      lots: PERISHABLE.has(category) ? 2 : 1,
    })
  }
  for (let f = 0; f < size.weighed; f++) {
    const [item, base] = FRESH[f % FRESH.length]
    const priceFen = Math.round((base * (0.8 + rand() * 0.5)) / 10) * 10 // per kilogram
    skus.push({
      kind: "weighed",
      code: `FR${String(f + 1).padStart(5, "0")}`,
      barcode: ean13(`20${String(10001 + f).padStart(5, "0")}00000`),
      name: `${item}（称重）${String(f + 1).padStart(4, "0")}`,
      category: "生鲜/果蔬",
      priceFen,
      costFen: Math.round(priceFen * 0.6),
      unit: "克",
    })
  }
  return skus
}

const CSV_HEADER = "商品名称,货号,条码,售价,成本,分类,品牌,单位,颜色,尺码,税率"
const csvRow = (s) =>
  [
    s.name,
    s.code,
    s.barcode,
    yuan(s.priceFen),
    yuan(s.costFen),
    s.category,
    "铺子自营",
    s.unit,
    s.color ?? "",
    s.size ?? "",
    s.kind === "weighed" ? "9%" : "13%",
  ].join(",")

/** CSV files of at most `rows` rows; a style's colours and sizes stay in one file. */
export function productCsvChunks(catalogue, rows = 5000) {
  const out = []
  let part = []
  for (let i = 0; i < catalogue.length; i++) {
    const s = catalogue[i]
    const styleStart = s.kind !== "apparel" || i === 0 || catalogue[i - 1].style !== s.style
    if (part.length >= rows - 20 && styleStart) {
      out.push(part)
      part = []
    }
    part.push(csvRow(s))
  }
  if (part.length) out.push(part)
  return out.map((p) => `\uFEFF${CSV_HEADER}\n${p.join("\n")}\n`)
}

// ── assortment and opening balances ─────────────────────────────────────────

/** Which SKUs each location stocks: a core range everyone carries plus a store-specific part. */
export function assortmentOf(size, catalogue, locationIndex, isWarehouse) {
  const rand = prng(seedOf("assortment", locationIndex))
  const byKind = { apparel: [], convenience: [], weighed: [] }
  for (const s of catalogue) byKind[s.kind].push(s)
  const styles = [...new Set(byKind.apparel.map((s) => s.style))]
  const sample = (list, n) => {
    const copy = [...list]
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1))
      ;[copy[i], copy[j]] = [copy[j], copy[i]]
    }
    return copy.slice(0, Math.min(n, copy.length))
  }
  if (isWarehouse) {
    const n = Math.min(size.warehouseSkus, catalogue.length)
    return sample(catalogue, n)
  }
  const chosenStyles = new Set(sample(styles, size.storeStyles))
  const core = byKind.convenience.slice(0, Math.floor(size.storeConvenience / 2))
  const rest = sample(byKind.convenience.slice(core.length), size.storeConvenience - core.length)
  return [
    ...byKind.apparel.filter((s) => chosenStyles.has(s.style)),
    ...core,
    ...rest,
    ...sample(byKind.weighed, size.storeWeighed),
  ]
}

const addDays = (day, n) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)

/** Opening-balance rows of one location: apparel by the piece, convenience goods in lots, fresh food in grams. */
export function openingRowsOf(locationId, locationIndex, skus, isWarehouse, today) {
  const rand = prng(seedOf("opening", locationIndex))
  const k = isWarehouse ? 10 : 1
  const rows = []
  for (const s of skus) {
    if (s.kind === "apparel") {
      rows.push({ locationId, skuCode: s.code, qty: k * (2 + Math.floor(rand() * 7)), unitCostFen: s.costFen })
    } else if (s.kind === "weighed") {
      const grams = k * 1000 * (5 + Math.floor(rand() * 25))
      rows.push({ locationId, skuCode: s.code, qty: grams, unitCostFen: Math.max(1, Math.round(s.costFen / 1000)) })
    } else {
      for (let l = 0; l < s.lots; l++) {
        const received = addDays(today, -20 + l * 15)
        rows.push({
          locationId,
          skuCode: s.code,
          qty: k * (6 + Math.floor(rand() * 40)),
          unitCostFen: s.costFen,
          lot: `L${received.replaceAll("-", "")}`,
          expiresOn: addDays(today, 10 + l * 60 + Math.floor(rand() * 30)),
        })
      }
    }
  }
  return rows
}

// ── sales history ─────────────────────────────────────────────────────────────

// Monday … Sunday: weekends are the peak (Saturday = 1).
const WEEKDAY = [0.62, 0.6, 0.63, 0.68, 0.82, 1.0, 0.95]

/** Orders per store for each of the last `days` business days (oldest first), ending yesterday. */
export function historyPlan(size, storeCount, today) {
  const rand = prng(seedOf("plan"))
  const weights = Array.from({ length: storeCount }, () => 0.5 + rand() * 1.3)
  const total = weights.reduce((s, w) => s + w, 0)
  const days = []
  for (let d = size.days; d >= 1; d--) {
    const day = addDays(today, -d)
    const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7
    const orders = Math.round(size.peakOrders * WEEKDAY[weekday] * (0.96 + rand() * 0.04))
    days.push({ day, orders, perStore: weights.map((w) => Math.round((orders * w) / total)) })
  }
  return days
}

/** Chunks of whole store-days (≤ maxOrders each), so each store-day's report is rebuilt once. */
export function historyChunks(plan, maxOrders = 5000) {
  const chunks = []
  for (const [dayIndex, d] of plan.entries()) {
    let from = 0
    let count = 0
    d.perStore.forEach((n, store) => {
      if (count > 0 && count + n > maxOrders) {
        chunks.push({ dayIndex, from, to: store, orders: count })
        from = store
        count = 0
      }
      count += n
    })
    if (count > 0) chunks.push({ dayIndex, from, to: d.perStore.length, orders: count })
  }
  return chunks
}

const TENDERS = [
  ["wechat", 55],
  ["alipay", 30],
  ["cash", 10],
  ["card", 5],
]

/** The orders of one store on one day: 1–4 lines from its assortment, open 09:00–22:00 (UTC+8). */
export function storeDayOrders(day, storeNo, locationId, count, assortment) {
  const rand = prng(seedOf("orders", day, storeNo))
  const goods = assortment.filter((s) => s.kind === "convenience")
  const clothes = assortment.filter((s) => s.kind === "apparel")
  const fresh = assortment.filter((s) => s.kind === "weighed")
  const compact = day.replaceAll("-", "")
  const out = []
  for (let n = 0; n < count; n++) {
    const lines = []
    const lineCount = weighted(rand, [
      [1, 45],
      [2, 30],
      [3, 17],
      [4, 8],
    ])
    const member = rand() < 0.25
    for (let l = 0; l < lineCount; l++) {
      const kind = weighted(rand, [
        [goods, 75],
        [clothes, 20],
        [fresh, 5],
      ])
      const sku = kind.length ? pick(rand, kind) : pick(rand, goods)
      if (lines.some((x) => x.skuCode === sku.code)) continue
      const qty =
        sku.kind === "weighed"
          ? 200 + Math.floor(rand() * 1300)
          : sku.kind === "apparel"
            ? 1
            : 1 + Math.floor(rand() * 3)
      const original = sku.kind === "weighed" ? Math.floor((qty * sku.priceFen + 500) / 1000) : qty * sku.priceFen
      const totalFen = member ? original - Math.floor(original / 10) : original
      lines.push({ skuCode: sku.code, qty, unitPriceFen: sku.priceFen, totalFen })
    }
    const minutes = 9 * 60 + Math.floor(rand() * 13 * 60)
    const hh = String(Math.floor(minutes / 60)).padStart(2, "0")
    const mm = String(minutes % 60).padStart(2, "0")
    const ss = String(Math.floor(rand() * 60)).padStart(2, "0")
    const total = lines.reduce((s, l) => s + l.totalFen, 0)
    out.push({
      externalId: `S${String(storeNo + 1).padStart(3, "0")}-${compact}-${String(n + 1).padStart(4, "0")}`,
      locationId,
      occurredAt: `${day}T${hh}:${mm}:${ss}+08:00`,
      lines,
      payments: [{ method: weighted(rand, TENDERS), amountFen: total }],
    })
  }
  return out
}

// ── members and promotions ────────────────────────────────────────────────────

const SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"]
const GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明"]

export function membersOf(size, storeIds) {
  const rand = prng(seedOf("members"))
  return Array.from({ length: size.members }, (_, i) => ({
    phone: `139${String(10_000_000 + i * 7919).slice(-8)}`,
    name: `${pick(rand, SURNAMES)}${pick(rand, GIVEN)}${rand() < 0.5 ? pick(rand, GIVEN) : ""}`,
    birthday: `19${70 + Math.floor(rand() * 30)}-${String(1 + Math.floor(rand() * 12)).padStart(2, "0")}-${String(1 + Math.floor(rand() * 28)).padStart(2, "0")}`,
    homeLocationId: storeIds[i % storeIds.length],
    consent: { version: "privacy-2026-01", accepted: true },
  }))
}

/** A few dozen promotions, each region's own: spend tiers, every-spend, and weekend percent off. */
export function promotionsOf(size, storesByRegion) {
  const out = []
  for (let i = 0; i < size.promotions; i++) {
    const region = REGIONS[i % REGIONS.length]
    const storeIds = storesByRegion[region] ?? []
    if (storeIds.length === 0) continue
    const n = Math.floor(i / REGIONS.length) + 1
    const variant = i % 3
    const rule =
      variant === 0
        ? {
            kind: "spend_tiers",
            tiers: [
              { minFen: 10000 * n, offFen: 1000 * n },
              { minFen: 20000 * n, offFen: 3000 * n },
            ],
          }
        : variant === 1
          ? { kind: "spend_every", everyFen: 10000, offFen: 500 + 100 * n }
          : { kind: "percent_off", offBp: 500 + 100 * (n % 5) }
    out.push({
      name: `${region}促销 ${String(i + 1).padStart(2, "0")}`,
      class: "order",
      rule,
      storeIds,
      ...(variant === 2 ? { window: { weekdays: [6, 7] } } : {}),
    })
  }
  return out
}
