// The demo chain, created through the public API on empty state (so it exercises the same
// paths a real chain's data takes): 1 warehouse and 3 stores in 2 regions, a catalog of about
// 40 products (apparel styles in colour × size, convenience goods with EAN-13, weighed fresh
// food), and users of every role.

export const DEMO_USERS = [
  { username: "owner", password: "puzi-demo-owner", role: "owner", displayName: "老板 王芳", at: "all" },
  { username: "manager", password: "puzi-demo-manager", role: "manager", displayName: "总部 李强", at: "all" },
  { username: "shopmgr1", password: "puzi-demo-store", role: "store_manager", displayName: "店长 陈静", at: [1] },
  { username: "cashier1", password: "puzi-demo-cashier", role: "cashier", displayName: "收银 刘洋", at: [1] },
  { username: "cashier2", password: "puzi-demo-cashier", role: "cashier", displayName: "收银 赵敏", at: [2] },
  { username: "clerk1", password: "puzi-demo-clerk", role: "clerk", displayName: "仓管 周伟", at: [0] },
  { username: "dealer1", password: "puzi-demo-dealer", role: "dealer", displayName: "经销商 孙丽", at: [4] },
]

const LOCATIONS = [
  { name: "华东中心仓", kind: "warehouse", region: "华东", address: "上海市嘉定区安亭镇墨玉路 88 号" },
  {
    name: "南京路店",
    kind: "store",
    region: "华东",
    address: "上海市黄浦区南京东路 300 号",
    businessHours: { open: "09:30", close: "22:00" },
  },
  {
    name: "西湖店",
    kind: "store",
    region: "华东",
    address: "杭州市上城区延安路 98 号",
    businessHours: { open: "10:00", close: "22:00" },
  },
  {
    name: "天河店",
    kind: "store",
    region: "华南",
    address: "广州市天河区天河路 208 号",
    businessHours: { open: "10:00", close: "22:30" },
  },
  { name: "佛山经销商", kind: "dealer", region: "华南", address: "佛山市禅城区季华五路 10 号" },
]

/** EAN-13 check digit over the first 12 digits. */
export function ean13(first12) {
  const sum = [...first12].reduce((s, d, i) => s + Number(d) * (i % 2 ? 3 : 1), 0)
  return first12 + ((10 - (sum % 10)) % 10)
}

const COLORS = ["黑", "白", "藏青", "卡其"]
const SIZES = ["S", "M", "L", "XL"]
const APPAREL = [
  ["纯棉圆领T恤", 5990, 2100],
  ["修身牛仔裤", 19900, 7800],
  ["连帽卫衣", 15900, 6200],
  ["羊毛针织衫", 29900, 11500],
  ["轻薄羽绒服", 49900, 21000],
  ["休闲衬衫", 12900, 4800],
  ["运动短裤", 7900, 2600],
  ["法兰绒格子衬衫", 16900, 6300],
  ["直筒西裤", 23900, 9100],
  ["摇粒绒外套", 18900, 7000],
  ["打底长袖T恤", 6990, 2400],
  ["工装夹克", 32900, 13200],
]
const GROCERY = [
  ["矿泉水 550ml", 200, 80],
  ["绿茶饮料 500ml", 350, 170],
  ["可乐 330ml", 300, 160],
  ["原味薯片 70g", 800, 420],
  ["牛奶 250ml", 450, 260],
  ["酸奶 200g", 600, 330],
  ["方便面 五连包", 1590, 950],
  ["纸巾 10包", 1290, 700],
  ["口香糖", 990, 450],
  ["巧克力 100g", 1590, 800],
  ["饼干 200g", 990, 520],
  ["咖啡饮料 280ml", 650, 340],
  ["电池 AA 4节", 1990, 900],
  ["洗手液 500ml", 2590, 1300],
  ["湿巾 80片", 1290, 650],
  ["八宝粥 360g", 450, 250],
  ["火腿肠 10支", 1290, 700],
  ["苏打水 400ml", 400, 190],
]
const FRESH = [
  ["苹果 (称重)", 1598],
  ["香蕉 (称重)", 798],
  ["橙子 (称重)", 1198],
  ["西红柿 (称重)", 698],
  ["土豆 (称重)", 398],
  ["鸡蛋 (称重)", 1398],
  ["猪里脊 (称重)", 3998],
  ["三文鱼 (称重)", 15800],
  ["葡萄 (称重)", 1998],
  ["黄瓜 (称重)", 598],
]

async function api(url, token, method, path, body, idempotencyKey) {
  const send = () =>
    fetch(`${url}/api/v1${path}`, {
      method,
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  // A call with an Idempotency-Key is safe to repeat: when wrangler dev reloads mid-request (503, a
  // dropped socket) or the first attempt is still running (409 in flight), wait and send it again.
  const retriable = async (res) =>
    res === null ||
    res.status === 503 ||
    (res.status === 409 && (await res.clone().text()).includes("idempotency_in_flight"))
  let res = null
  for (let attempt = 1; ; attempt++) {
    res = await send().catch((e) => (idempotencyKey && attempt < 12 ? null : Promise.reject(e)))
    if (!idempotencyKey || !(await retriable(res)) || attempt >= 12) break
    const after = Number(res?.headers.get("retry-after"))
    await new Promise((r) => setTimeout(r, after > 0 ? after * 1000 : 500 * attempt))
  }
  const text = await res.text()
  if (!res.ok) throw new Error(`seed: ${method} ${path} → ${res.status} ${text}`)
  return text ? JSON.parse(text) : null
}

/** Seeds only when the chain has no owner yet; returns whether it did. */
export async function seedDemo(url) {
  const { needed } = await api(url, null, "GET", "/setup")
  if (!needed) return false
  const ownerUser = DEMO_USERS[0]
  await api(url, null, "POST", "/setup", { username: ownerUser.username, password: ownerUser.password })
  const { token } = await api(url, null, "POST", "/auth/login", {
    username: ownerUser.username,
    password: ownerUser.password,
  })
  const call = (method, path, body, key) => api(url, token, method, path, body, key)

  const locations = []
  for (const l of LOCATIONS) locations.push(await call("POST", "/locations", l))
  for (const u of DEMO_USERS.slice(1)) {
    const locationIds = u.at === "all" ? undefined : u.at.map((i) => locations[i].id)
    await call("POST", "/users", {
      username: u.username,
      password: u.password,
      role: u.role,
      displayName: u.displayName,
      locationIds,
    })
  }

  const category = async (name, parentId) =>
    (await call("POST", "/categories", { name, ...(parentId ? { parentId } : {}) })).id
  const apparel = await category("服装")
  const tops = await category("上装", apparel)
  const bottoms = await category("下装", apparel)
  const grocery = await category("便利食品")
  const fresh = await category("生鲜")
  const brand = (await call("POST", "/brands", { name: "铺子自营" })).id

  const skus = { apparel: [], grocery: [], fresh: [] }
  let n = 0
  for (const [name, priceFen, costFen] of APPAREL) {
    n++
    const style = `AP${String(n).padStart(3, "0")}`
    const variants = []
    for (const [ci, color] of COLORS.entries())
      for (const [si, size] of SIZES.entries())
        variants.push({
          skuCode: `${style}-${ci + 1}${si + 1}`,
          barcode: ean13(`69${String(70000 + n).padStart(7, "0")}${ci + 1}${si + 1}0`),
          attributes: { 颜色: color, 尺码: size },
          priceFen,
          memberPriceFen: Math.round((priceFen * 9) / 10 / 10) * 10,
          costFen,
        })
    const categoryId = /裤/.test(name) ? bottoms : tops
    const product = await call("POST", "/products", {
      name,
      unit: "piece",
      categoryId,
      brandId: brand,
      vatRateBp: 1300,
      variants,
    })
    skus.apparel.push(...product.skus)
  }
  for (const [i, [name, priceFen, costFen]] of GROCERY.entries()) {
    const product = await call("POST", "/products", {
      name,
      unit: "piece",
      categoryId: grocery,
      vatRateBp: 1300,
      variants: [
        {
          skuCode: `GR${String(i + 1).padStart(3, "0")}`,
          barcode: ean13(`6901234${String(i + 1).padStart(5, "0")}`),
          priceFen,
          costFen,
        },
      ],
    })
    skus.grocery.push(product.skus[0])
  }
  for (const [i, [name, pricePerKgFen]] of FRESH.entries()) {
    // Weighed goods: base unit gram, price per kilogram; their labels carry in-store 2xxxxx codes.
    const product = await call("POST", "/products", {
      name,
      unit: "gram",
      categoryId: fresh,
      vatRateBp: 900,
      variants: [
        {
          skuCode: `FR${String(i + 1).padStart(3, "0")}`,
          barcode: ean13(`20${String(10001 + i).padStart(5, "0")}00000`),
          priceFen: pricePerKgFen,
          costFen: Math.round(pricePerKgFen * 0.6),
        },
      ],
    })
    skus.fresh.push(product.skus[0])
  }
  await receiveOpeningStock(call, locations, skus)
  return true
}

const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)

/** Opening stock: the warehouse holds more; groceries arrive in lots with expiry dates, fresh food by the gram. */
async function receiveOpeningStock(call, locations, skus) {
  for (const [i, location] of locations.entries()) {
    if (location.kind === "dealer") continue
    const big = location.kind === "warehouse"
    const lines = [
      ...skus.apparel.map((s, k) => ({ skuId: s.id, qty: big ? 40 : 2 + ((k + i) % 6), unitCostFen: s.costFen })),
      ...skus.grocery.flatMap((s, k) => [
        {
          skuId: s.id,
          qty: big ? 200 : 12,
          lot: `L${day(-20).replaceAll("-", "")}`,
          expiresOn: day(5 + k),
          unitCostFen: s.costFen,
        },
        {
          skuId: s.id,
          qty: big ? 300 : 24,
          lot: `L${day(-2).replaceAll("-", "")}`,
          expiresOn: day(90 + k),
          unitCostFen: s.costFen,
        },
      ]),
      ...skus.fresh.map((s) => ({ skuId: s.id, qty: big ? 0 : 20_000, unitCostFen: Math.round(s.costFen / 1000) })),
    ].filter((l) => l.qty > 0)
    for (let start = 0; start < lines.length; start += 100)
      await call(
        "POST",
        "/stock/receipts",
        { locationId: location.id, lines: lines.slice(start, start + 100), note: "期初库存 opening stock" },
        `seed-opening-${location.id}-${start}`,
      )
  }
}
