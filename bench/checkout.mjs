// npm run bench:checkout — not a test. Starts the real dev server (with its inspector), sets up 4 stores with
// 64 tills (a registered device each, a store-bound cashier signed in on it, an open shift), 200 SKUs, three
// promotions (满减 tiers, 第二件半价, member prices) and members, then rings up a fixed number of 5-line
// sales (POST /api/v1/sales: half with a member, a third with mixed card + cash) from all 64 tills at once,
// interleaved with the /api/v1/health baseline of the same run.
// Prints throughput and p50/p99 as ratios to health plus the absolute figures, the server's CPU per sale and per
// health request, errors by code, whether each 409 was a real shortage, the Worker's peak heap, and checks every
// cell against what was sold.
// Targets (issue 6): p50 ≤ 3 × health p50; no error but 409 for real shortages; Worker heap < 128 MB.
import { writeFileSync } from "node:fs"
import {
  asOwner,
  benchMembers,
  benchPromotions,
  benchSkus,
  benchStores,
  benchTills,
  openingStock,
} from "./lib/chain.mjs"
import { heapLine, inspector, profileCpu, watchHeap } from "./lib/heap.mjs"
import {
  healthTask,
  interleaved,
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

const TILLS = Number(process.env.BENCH_TILLS ?? 64)
const SALES = Number(process.env.BENCH_CHECKOUT_SALES ?? 2000)
const HEALTH_REQUESTS = Number(process.env.BENCH_HEALTH_REQUESTS ?? 4000)
const STORES = 4
const SKUS = 200
const MEMBERS = 64
const STOCK = Number(process.env.BENCH_CHECKOUT_STOCK ?? 10_000)
const LINES = 5
const TARGET_P50_RATIO = 3
const WARM = Math.min(64, SALES)
// BENCH_PROFILE=1: a CPU profile of the Worker during the measured sales (slows it; figures are then not comparable).
const PROFILE = process.env.BENCH_PROFILE === "1"

const { elapsed, say } = stopwatch()
const tag = `${process.pid}`
let keys = 0
const key = (p) => `${p}-${tag}-${++keys}`

const server = await benchServer({ name: "checkout", inspector: true, say })
const { url } = server
const results = { bench: "checkout", at: new Date().toISOString(), machine: machine(), tills: TILLS, sales: SALES }

try {
  const { api } = await asOwner(url)
  say(`setting up ${STORES} stores, ${SKUS} SKUs × ${STOCK} each, promotions, ${MEMBERS} members, ${TILLS} tills …`)
  const storeIds = await benchStores(api, tag, STORES)
  const { skus, categories } = await benchSkus(api, tag, SKUS)
  await openingStock(
    api,
    storeIds,
    skus.map((s) => s.id),
    STOCK,
    key,
  )
  results.promotions = await benchPromotions(api, storeIds, categories)
  const members = await benchMembers(api, storeIds, MEMBERS)
  const tills = await benchTills(url, api, { storeIds, count: TILLS, tag })
  const carts = plannedCarts(tills, members, skus)

  const sold = new Map()
  const shortages = { real: 0, unexplained: 0 }
  const ring = async (cart, record) => {
    const res = await sell(cart, record)
    if (res.status === 201) for (const l of res.body.lines) addSold(sold, cart.till.storeId, l.skuId, l.qty)
    if (res.status === 409) shortages[realShortage(res.body) ? "real" : "unexplained"]++
    return res.status === 201
  }
  await runLoad({ total: 300, concurrency: TILLS, task: healthTask(url) }) // warm-up
  await runLoad({ total: WARM, concurrency: TILLS, task: (i, record) => ring(carts[i], record) })
  say(`warm: ${WARM} sales; measuring ${SALES} more …`)

  const devtools = await inspector(server.inspectorPort)
  const heap = await watchHeap(devtools)
  const measure = () =>
    interleaved({
      url,
      total: SALES,
      concurrency: TILLS,
      healthRequests: HEALTH_REQUESTS,
      cpuSeconds: server.cpuSeconds,
      task: (i, record) => ring(carts[WARM + i], record),
    })
  let measured
  if (PROFILE) {
    const profiled = await profileCpu(devtools, measure)
    measured = profiled.value
    results.cpuTop = profiled.top
    writeFileSync(new URL("results/checkout.cpuprofile", import.meta.url), JSON.stringify(profiled.profile))
    say(
      `CPU profile (bench/results/checkout.cpuprofile), self time: ${profiled.top.map((t) => `${t.where} ${t.selfPct}%`).join(" | ")}`,
    )
  } else measured = await measure()
  const { base, load } = measured
  results.heap = await heap.stop()
  devtools.close()
  results.health = base
  results.checkout = { ...load, ...ratios(load, base) }
  const unexpected = Object.entries(load.codes).filter(([code]) => !code.startsWith("409 insufficient_stock"))
  results.errors = { byCode: load.codes, shortages, unexpected: Object.fromEntries(unexpected) }

  say("checking every cell against the sales …")
  results.cells = await checkCells(api, storeIds, skus, sold)
  const c = results.checkout
  say(
    `health ${base.requestsPerSecond} req/s, p50 ${base.p50Ms} ms, p99 ${base.p99Ms} ms | ` +
      `checkout ${c.requestsPerSecond} sales/s (${c.throughputRatio} × health), p50 ${c.p50Ms} ms (${c.p50Ratio} ×), ` +
      `p99 ${c.p99Ms} ms (${c.p99Ratio} ×) | server CPU ${c.serverCpuMsPerTask} ms per sale vs ${base.serverCpuMsPerTask} ms per health (${c.serverCpuRatio} ×) | sold ${c.completed}/${SALES} | errors ${JSON.stringify(load.codes)} ` +
      `(409 real shortages ${shortages.real}, unexplained ${shortages.unexplained}) | cells off ${results.cells.off}/${results.cells.checked}`,
  )
  say(heapLine(results.heap))
} finally {
  await server.stop()
}

results.verdict = {
  p50Ratio: results.checkout.p50Ratio,
  unexpectedErrors:
    Object.values(results.errors.unexpected).reduce((s, n) => s + n, 0) + results.errors.shortages.unexplained,
  cellsOff: results.cells.off,
  heapPeakMb: results.heap.peakTotalMb,
}
results.verdict.meetsTargets =
  results.verdict.p50Ratio <= TARGET_P50_RATIO &&
  results.verdict.unexpectedErrors === 0 &&
  results.verdict.cellsOff === 0 &&
  results.heap.withinLimit
results.seconds = elapsed()
const file = writeResult("checkout", results)
say(
  `cores: ${results.machine.cores} | checkout p50 ${results.verdict.p50Ratio} × health (target ≤ ${TARGET_P50_RATIO}) | ` +
    `unexpected errors ${results.verdict.unexpectedErrors} (target 0) | cells off ${results.cells.off} | ` +
    `heap peak ${results.heap.peakTotalMb} MB (limit 128) | ${results.verdict.meetsTargets ? "targets met" : "targets NOT met"} | ${file}`,
)
process.exit(results.verdict.unexpectedErrors === 0 && results.cells.off === 0 ? 0 : 1)

// ── helpers ────────────────────────────────────────────────────────────────

/** The same carts every run: 5 distinct SKUs, 1–2 of each; every other sale a member's, every third part card. */
function plannedCarts(tills, members, skus) {
  const rand = prng(20261125)
  return Array.from({ length: WARM + SALES }, (_, i) => {
    const till = tills[i % tills.length]
    const picked = new Set()
    while (picked.size < LINES) picked.add(skus[rand(skus.length)])
    const lines = [...picked].map((s) => ({ skuId: s.id, qty: 1 + rand(2) }))
    const listFen = [...picked].reduce((sum, s, k) => sum + s.priceFen * lines[k].qty, 0)
    const local = members.filter((m) => m.storeId === till.storeId)
    const member = i % 2 === 0 ? local[rand(local.length)] : null
    // Discounts only lower the total, so cash at list price always covers it (the rest is change).
    const payments =
      i % 3 === 0
        ? [
            { method: "card", amountFen: 500 },
            { method: "cash", amountFen: listFen },
          ]
        : [{ method: "cash", amountFen: listFen }]
    return { till, lines, payments, memberId: member?.id ?? null }
  })
}

function sell(cart, record) {
  const { till } = cart
  return timed(`${url}/api/v1/sales`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${till.token}`,
      "content-type": "application/json",
      "idempotency-key": key("sale"),
    },
    body: JSON.stringify({
      locationId: till.storeId,
      lines: cart.lines,
      memberId: cart.memberId,
      shiftId: till.shiftId,
      deviceId: till.deviceId,
      payments: cart.payments,
    }),
  }).then(record)
}

/** A 409 is a real shortage when the server names a line whose available is below what was asked. */
function realShortage(body) {
  return body?.code === "insufficient_stock" && (body.errors ?? []).some((e) => e.available < e.requested)
}

function addSold(sold, storeId, skuId, qty) {
  const k = `${storeId}:${skuId}`
  sold.set(k, (sold.get(k) ?? 0) + qty)
}

/** Every cell's on-hand must be the opening stock less what the answered sales (warm-up included) took. */
async function checkCells(api, storeIds, skus, sold) {
  const pairs = storeIds.flatMap((storeId) => skus.map((s) => ({ storeId, skuId: s.id })))
  const cells = await pool(pairs, 16, (p) => api("GET", `/stock/cells/${p.storeId}/${p.skuId}`))
  let off = 0
  cells.forEach((cell, i) => {
    const k = `${pairs[i].storeId}:${pairs[i].skuId}`
    if (cell.onHand !== STOCK - (sold.get(k) ?? 0) || cell.reserved !== 0) off++
  })
  return { checked: cells.length, off }
}
