// npm run bench:stock — not a test. Starts the real dev server (workerd with D1 and the StockCell
// Durable Objects) on fresh local state, measures /api/v1/health as the baseline, then:
//   1. flash sales: 2,000 single-unit orders for one cell holding 50, repeated; the winners pay;
//   2. a mixed load: 5-line orders over 1,000 cells, each paid when reserved.
// Every run prints `oversold: N` (checked against the cells themselves), the successful orders,
// reserve+commit throughput and p50/p99, and ratios to the health baseline of this same run.
// Targets (issue 3): oversold 0; hot-cell order throughput ≥ 0.4 × health; p99 ≤ 4 × health p99.
// Everything, server start included, stays within 10 minutes. Results: bench/results/latest-stock.json.
import {
  client,
  healthTask as healthOf,
  interleaved as interleavedWith,
  machine,
  pool,
  prng,
  ratios,
  runLoad,
  stopwatch,
  timed,
  writeResult,
} from "./lib/load.mjs"
import { benchServer } from "./lib/server.mjs"

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64)
const HEALTH_REQUESTS = Number(process.env.BENCH_HEALTH_REQUESTS ?? 6000)
const FLASH_ROUNDS = Number(process.env.BENCH_FLASH_ROUNDS ?? 3)
const FLASH_ORDERS = 2000
const FLASH_STOCK = 50
const MIXED_CELLS = 1000
const MIXED_ORDERS = Number(process.env.BENCH_MIXED_ORDERS ?? 1500)
const MIXED_STOCK = 10
const BUDGET_MS = 10 * 60 * 1000
const { elapsed, say, left: leftOf } = stopwatch()
const left = () => leftOf(BUDGET_MS)
let keyCounter = 0
const key = (p) => `${p}-${process.pid}-${++keyCounter}`

const server = await benchServer({ name: "stock", say })
const { url } = server

const results = {
  bench: "stock",
  at: new Date().toISOString(),
  machine: machine(),
  concurrency: CONCURRENCY,
  targets: { oversold: 0, hotCellThroughputRatio: 0.4, p99Ratio: 4 },
  health: null,
  runs: [],
}

try {
  const login = await client(url)("POST", "/auth/login", { username: "owner", password: "puzi-demo-owner" })
  const token = login.token
  const api = client(url, token)
  const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" }
  const store = await api("POST", "/locations", { name: `压测店 ${process.pid}`, kind: "store", region: "华东" })
  const locationId = store.id

  // ── baseline ────────────────────────────────────────────────────────────
  const healthTask = healthOf(url)
  const health = () => runLoad({ total: HEALTH_REQUESTS, concurrency: CONCURRENCY, task: healthTask })
  await runLoad({ total: 500, concurrency: CONCURRENCY, task: healthTask }) // warm-up
  results.health = await health()
  const H = results.health
  say(`health: ${H.requestsPerSecond} req/s, p50 ${H.p50Ms} ms, p99 ${H.p99Ms} ms (${H.requests} requests)`)

  // Each run is compared with health measured in the same minutes, interleaved with it (lib/load.mjs).
  const interleaved = (total, task) =>
    interleavedWith({ url, total, concurrency: CONCURRENCY, healthRequests: HEALTH_REQUESTS, task })
  const cell = (skuId) => api("GET", `/stock/cells/${locationId}/${skuId}`)
  const order = (lines) =>
    timed(`${url}/api/v1/orders`, {
      method: "POST",
      headers: { ...auth, "idempotency-key": key("o") },
      body: JSON.stringify({ channel: "miniprogram", locationId, lines, holdSeconds: 600 }),
    })
  const pay = (id, amountFen) =>
    timed(`${url}/api/v1/orders/${id}/pay`, {
      method: "POST",
      headers: { ...auth, "idempotency-key": key("p") },
      body: JSON.stringify({ payments: [{ method: "wechat", amountFen }] }),
    })
  const products = async (n, priceFen) => {
    const ids = []
    for (let start = 0; start < n; start += 500) {
      const count = Math.min(500, n - start)
      const code = key("BN")
      const p = await api("POST", "/products", {
        name: `压测商品 ${code}`,
        variants: Array.from({ length: count }, (_, i) => ({
          skuCode: `${code}-${i}`,
          attributes: { 号: String(i) },
          priceFen,
        })),
      })
      ids.push(...p.skus.map((s) => s.id))
    }
    return ids
  }
  const receive = async (skuIds, qty) => {
    const chunks = []
    for (let i = 0; i < skuIds.length; i += 100) chunks.push(skuIds.slice(i, i + 100))
    await pool(chunks, 4, (chunk) =>
      api(
        "POST",
        "/stock/receipts",
        { locationId, lines: chunk.map((skuId) => ({ skuId, qty, unitCostFen: 100 })) },
        { "idempotency-key": key("r") },
      ),
    )
  }

  // ── 1. flash sales on one hot cell ─────────────────────────────────────
  for (let r = 1; r <= FLASH_ROUNDS; r++) {
    if (left() < 150_000) {
      say(`flash sale ${r}: skipped, the 10-minute budget is nearly spent`)
      break
    }
    const [skuId] = await products(1, 990)
    await receive([skuId], FLASH_STOCK)
    const won = []
    const { base, load: reserve } = await interleaved(FLASH_ORDERS, async (_i, record) => {
      const res = record(await order([{ skuId, qty: 1 }]))
      if (res.status === 201) won.push(res.body)
      return res.status === 201 || res.status === 409
    })
    const commit = await runLoad({
      total: won.length,
      concurrency: CONCURRENCY,
      task: async (i, record) => record(await pay(won[i].id, won[i].totalFen)).status === 200,
    })
    const after = await cell(skuId)
    const granted = won.length
    const oversold = Math.max(0, granted - FLASH_STOCK) + Math.max(0, -after.available) + Math.max(0, -after.onHand)
    const consistent = after.onHand === FLASH_STOCK - commit.completed && after.reserved === granted - commit.completed
    const unexpected = Object.keys(reserve.statuses).filter((s) => s !== "201" && s !== "409")
    const run = {
      name: `flash sale ${r}`,
      oversold,
      successfulOrders: granted,
      paid: commit.completed,
      refused: reserve.statuses["409"] ?? 0,
      unexpectedStatuses: unexpected.map((s) => `${s}×${reserve.statuses[s]}`),
      cell: { onHand: after.onHand, reserved: after.reserved, available: after.available, consistent },
      health: base,
      reserve: { ...reserve, ...ratios(reserve, base) },
      commit: { ...commit, ...ratios(commit, base) },
    }
    results.runs.push(run)
    say(
      `${run.name}: oversold: ${oversold} | successful orders ${granted}/${FLASH_ORDERS}, paid ${commit.completed}` +
        ` | health ${base.requestsPerSecond} req/s, p99 ${base.p99Ms} ms` +
        ` | reserve ${reserve.requestsPerSecond} req/s (${run.reserve.throughputRatio} × health),` +
        ` p50 ${reserve.p50Ms} ms (${run.reserve.p50Ratio} ×), p99 ${reserve.p99Ms} ms (${run.reserve.p99Ratio} ×)` +
        ` | commit ${commit.requestsPerSecond} req/s, p99 ${commit.p99Ms} ms` +
        ` | cell ${after.onHand}/${after.reserved}/${after.available} ${consistent ? "consistent" : "INCONSISTENT"}` +
        (unexpected.length ? ` | unexpected ${run.unexpectedStatuses.join(", ")}` : ""),
    )
  }

  // ── 2. mixed: 5-line orders over 1,000 cells, reserve then pay ─────────
  if (left() > 150_000) {
    say(`mixed: creating ${MIXED_CELLS} SKUs and receiving ${MIXED_STOCK} of each …`)
    const skuIds = await products(MIXED_CELLS, 250)
    await receive(skuIds, MIXED_STOCK)
    const rand = prng(20261125)
    const carts = Array.from({ length: MIXED_ORDERS }, () => {
      const picked = new Set()
      while (picked.size < 5) picked.add(skuIds[rand(skuIds.length)])
      return [...picked].map((skuId) => ({ skuId, qty: 1 + rand(2) }))
    })
    const sold = new Map()
    let reserved = 0
    let refused = 0
    const unexpected = {}
    const { base, load: mixed } = await interleaved(MIXED_ORDERS, async (i, record) => {
      const o = record(await order(carts[i]))
      if (o.status === 409) {
        refused++
        return false
      }
      if (o.status !== 201) {
        unexpected[o.status] = (unexpected[o.status] ?? 0) + 1
        return false
      }
      reserved++
      const p = record(await pay(o.body.id, o.body.totalFen))
      if (p.status !== 200) {
        unexpected[`pay ${p.status}`] = (unexpected[`pay ${p.status}`] ?? 0) + 1
        return false
      }
      for (const l of o.body.lines) sold.set(l.skuId, (sold.get(l.skuId) ?? 0) + l.qty)
      return true
    })
    say("mixed: checking every cell …")
    const cells = await pool(skuIds, 16, (skuId) => cell(skuId))
    let oversold = 0
    let drift = 0
    cells.forEach((c, i) => {
      const s = sold.get(skuIds[i]) ?? 0
      oversold += Math.max(0, s - MIXED_STOCK) + Math.max(0, -c.available) + Math.max(0, -c.onHand)
      if (c.onHand !== MIXED_STOCK - s || c.reserved !== 0) drift++
    })
    const run = {
      name: "mixed 5-line orders over 1,000 cells",
      oversold,
      successfulOrders: mixed.completed,
      reserved,
      refused,
      cellsNotMatchingSales: drift,
      unexpectedStatuses: Object.entries(unexpected).map(([s, n]) => `${s}×${n}`),
      health: base,
      load: { ...mixed, ...ratios(mixed, base) },
      ordersPerSecond: mixed.completedPerSecond,
    }
    results.runs.push(run)
    say(
      `${run.name}: oversold: ${oversold} | successful orders ${mixed.completed}/${MIXED_ORDERS} (refused ${refused})` +
        ` | health ${base.requestsPerSecond} req/s, p99 ${base.p99Ms} ms` +
        ` | reserve+commit ${mixed.requestsPerSecond} req/s (${run.load.throughputRatio} × health), ${mixed.completedPerSecond} paid orders/s` +
        ` | p50 ${mixed.p50Ms} ms (${run.load.p50Ratio} ×), p99 ${mixed.p99Ms} ms (${run.load.p99Ratio} ×)` +
        ` | cells off: ${drift}` +
        (run.unexpectedStatuses.length ? ` | unexpected ${run.unexpectedStatuses.join(", ")}` : ""),
    )
  } else say("mixed: skipped, the 10-minute budget is nearly spent")

  // The baseline again, to show how much the machine drifted during the run.
  const healthAfter = await health()
  results.healthAfter = healthAfter
  say(`health again: ${healthAfter.requestsPerSecond} req/s, p99 ${healthAfter.p99Ms} ms`)
} finally {
  await server.stop()
}

const flash = results.runs.filter((r) => r.name.startsWith("flash"))
const verdict = {
  oversoldTotal: results.runs.reduce((s, r) => s + r.oversold, 0),
  hotCellThroughputRatio: flash.length ? Math.min(...flash.map((r) => r.reserve.throughputRatio)) : null,
  hotCellP99Ratio: flash.length ? Math.max(...flash.map((r) => r.reserve.p99Ratio)) : null,
}
verdict.meetsTargets =
  verdict.oversoldTotal === 0 &&
  verdict.hotCellThroughputRatio !== null &&
  verdict.hotCellThroughputRatio >= results.targets.hotCellThroughputRatio &&
  verdict.hotCellP99Ratio <= results.targets.p99Ratio
results.verdict = verdict
results.seconds = elapsed()
const file = writeResult("stock", results)
say(
  `cores: ${results.machine.cores} | oversold in all runs: ${verdict.oversoldTotal} | hot cell: ` +
    `${verdict.hotCellThroughputRatio} × health throughput (target ≥ 0.4), p99 ${verdict.hotCellP99Ratio} × (target ≤ 4)` +
    ` | ${verdict.meetsTargets ? "targets met" : "targets NOT met"} | ${file}`,
)
process.exit(verdict.oversoldTotal === 0 ? 0 : 1)
