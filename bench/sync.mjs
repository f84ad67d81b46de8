// npm run bench:sync — not a test. Starts the real dev server (with its inspector), registers 10 till devices
// at 2 new stores (a store-bound cashier signed in on each), and lets them send 1,000 sales made offline
// (client ULIDs, occurredAt in the past hours, half with a member) through POST /api/v1/sales/sync all at
// once, each device its own outbox in batches of 50 as the contract shows; items answered `rejected`
// retry_later are sent again, as a till would. Then every batch is replayed.
// Prints the time until all 1,000 were acknowledged (applied or duplicate), the sync calls' p50/p99 next to
// the /api/v1/health baseline of this run, duplicates applied on replay, the Worker's peak heap, and checks
// afterwards that the cells, the sales ledger and the members' points ledgers equal what the 1,000 imply.
// Targets (issue 6): all acknowledged within 30 s; 0 duplicates applied; ledgers equal; heap < 128 MB.
import { ulid } from "ulid"
import { asOwner, benchMembers, benchSkus, benchStores, benchTills, openingStock } from "./lib/chain.mjs"
import { heapLine, inspector, watchHeap } from "./lib/heap.mjs"
import {
  healthTask,
  machine,
  pool,
  prng,
  ratios,
  round,
  runLoad,
  sink,
  stopwatch,
  summarize,
  timed,
  writeResult,
} from "./lib/load.mjs"
import { benchServer } from "./lib/server.mjs"

const SALES = Number(process.env.BENCH_SYNC_SALES ?? 1000)
const DEVICES = 10
const BATCH = 50
const STORES = 2
const SKUS = 100
const MEMBERS = 20
const STOCK = 1000
const HEALTH_REQUESTS = Number(process.env.BENCH_HEALTH_REQUESTS ?? 2000)
const TARGET_ACK_S = 30
const RETRY_FOR_MS = 120_000

const { elapsed, say } = stopwatch()
const tag = `s${process.pid}`
let keys = 0
const key = (p) => `${p}-${tag}-${++keys}`

const server = await benchServer({ name: "sync", inspector: true, say })
const { url } = server
const results = { bench: "sync", at: new Date().toISOString(), machine: machine(), sales: SALES, devices: DEVICES }

try {
  const { api } = await asOwner(url)
  say(`setting up ${STORES} stores, ${SKUS} SKUs × ${STOCK}, ${MEMBERS} members, ${DEVICES} devices …`)
  const storeIds = await benchStores(api, tag, STORES)
  const { skus } = await benchSkus(api, tag, SKUS)
  await openingStock(
    api,
    storeIds,
    skus.map((s) => s.id),
    STOCK,
    key,
  )
  const members = await benchMembers(api, storeIds, MEMBERS, 500)
  const tills = await benchTills(url, api, { storeIds, count: DEVICES, tag, shifts: false })
  const outboxes = offlineSales(tills, members, skus)

  const health = healthTask(url)
  await runLoad({ total: 300, concurrency: 64, task: health }) // warm-up
  results.health = await runLoad({ total: HEALTH_REQUESTS, concurrency: 64, task: health })

  const devtools = await inspector(server.inspectorPort)
  const heap = await watchHeap(devtools)
  say(`sending ${SALES} offline sales from ${DEVICES} devices at once, ${BATCH} per call …`)
  const first = await sendAll(tills, outboxes)
  say(`replaying every batch …`)
  const replay = await sendAll(tills, outboxes)
  results.heap = await heap.stop()
  devtools.close()
  results.first = first
  results.replay = replay
  results.firstCalls = { ...first.calls, ...ratios(first.calls, results.health) }

  say("checking cells, the sales ledger and the points ledgers …")
  const all = outboxes.flat()
  results.cells = await checkCells(api, storeIds, skus, all)
  results.salesLedger = await checkSales(api, storeIds, all)
  results.pointsLedger = await checkPoints(api, members, all)
  const H = results.health
  say(
    `health ${H.requestsPerSecond} req/s, p50 ${H.p50Ms} ms | first pass: ${first.acknowledged}/${SALES} acknowledged ` +
      `in ${first.ackSeconds} s (${first.statuses.applied ?? 0} applied, resent ${first.resent}, ` +
      `rejected ${JSON.stringify(first.rejectedCodes)}) | sync calls p50 ${first.calls.p50Ms} ms (${results.firstCalls.p50Ratio} × health), ` +
      `p99 ${first.calls.p99Ms} ms | replay: ${replay.statuses.duplicate ?? 0} duplicate, ${replay.statuses.applied ?? 0} applied`,
  )
  say(
    `cells off ${results.cells.off}/${results.cells.checked} | sales ledger: ${results.salesLedger.found} found, ` +
      `${results.salesLedger.missing} missing, ${results.salesLedger.extra} extra, total ${results.salesLedger.totalFen} fen ` +
      `(expected ${results.salesLedger.expectedFen}) | points: ${results.pointsLedger.off} members off, ` +
      `${results.pointsLedger.entries} ledger entries (expected ${results.pointsLedger.expectedEntries})`,
  )
  say(heapLine(results.heap))
} finally {
  await server.stop()
}

const v = {
  ackSeconds: results.first.ackSeconds,
  allAcknowledged: results.first.acknowledged === SALES,
  duplicatesApplied: results.replay.statuses.applied ?? 0,
  ledgersEqual:
    results.cells.off === 0 &&
    results.salesLedger.missing === 0 &&
    results.salesLedger.extra === 0 &&
    results.salesLedger.totalFen === results.salesLedger.expectedFen &&
    results.pointsLedger.off === 0,
  heapPeakMb: results.heap.peakTotalMb,
}
v.meetsTargets =
  v.allAcknowledged &&
  v.ackSeconds <= TARGET_ACK_S &&
  v.duplicatesApplied === 0 &&
  v.ledgersEqual &&
  results.heap.withinLimit
results.verdict = v
results.seconds = elapsed()
const file = writeResult("sync", results)
say(
  `cores: ${results.machine.cores} | ${results.first.acknowledged}/${SALES} acknowledged in ${v.ackSeconds} s (target ≤ ${TARGET_ACK_S}) | ` +
    `duplicates applied: ${v.duplicatesApplied} | stock and ledgers ${v.ledgersEqual ? "equal" : "NOT equal"} | ` +
    `heap peak ${v.heapPeakMb} MB (limit 128) | ${v.meetsTargets ? "targets met" : "targets NOT met"} | ${file}`,
)
process.exit(v.allAcknowledged && v.duplicatesApplied === 0 && v.ledgersEqual ? 0 : 1)

// ── helpers ────────────────────────────────────────────────────────────────

/** Each device's outbox: its share of the sales, in the order they happened over the last three hours. */
function offlineSales(tills, members, skus) {
  const rand = prng(20261126)
  const start = Date.now() - 3 * 3600_000
  const outboxes = tills.map(() => [])
  for (let i = 0; i < SALES; i++) {
    const till = tills[i % tills.length]
    const at = start + i * Math.floor((2.5 * 3600_000) / SALES)
    const picked = new Set()
    const count = 1 + rand(5)
    while (picked.size < count) picked.add(skus[rand(skus.length)])
    const lines = [...picked].map((s) => ({ skuId: s.id, qty: 1 + rand(3), unitPriceFen: s.priceFen }))
    const totalFen = lines.reduce((sum, l) => sum + l.qty * l.unitPriceFen, 0)
    const local = members.filter((m) => m.storeId === till.storeId)
    const member = i % 2 === 0 ? local[rand(local.length)] : null
    outboxes[i % tills.length].push({
      id: ulid(at),
      locationId: till.storeId,
      occurredAt: new Date(at).toISOString(),
      lines,
      payments: [{ method: "cash", amountFen: totalFen }],
      totalFen,
      ...(member ? { memberId: member.id } : {}),
      cashierId: till.userId,
      deviceId: till.deviceId,
    })
  }
  return outboxes
}

/**
 * Every device sends its outbox at the same moment, batch after batch; what comes back `rejected` with
 * retry_later goes again until acknowledged (or RETRY_FOR_MS passed). Answers the statuses of the first answer
 * for each sale, when the last one was acknowledged, and the calls' latencies.
 */
async function sendAll(tills, outboxes) {
  const calls = sink()
  const statuses = {}
  const rejectedCodes = {}
  let acknowledged = 0
  let resent = 0
  let lastAckMs = 0
  const t0 = performance.now()
  const started = Date.now()
  await Promise.all(
    tills.map(async (till, d) => {
      let waiting = outboxes[d]
      let firstAnswer = true
      while (waiting.length > 0 && Date.now() - started < RETRY_FOR_MS) {
        const again = []
        for (let i = 0; i < waiting.length; i += BATCH) {
          const batch = waiting.slice(i, i + BATCH)
          const res = await timed(`${url}/api/v1/sales/sync`, {
            method: "POST",
            headers: { authorization: `Bearer ${till.token}`, "content-type": "application/json" },
            body: JSON.stringify({ sales: batch }),
          })
          calls.latencies.push(res.ms)
          calls.statuses[res.status] = (calls.statuses[res.status] ?? 0) + 1
          if (res.status !== 200) {
            again.push(...batch)
            continue
          }
          res.body.results.forEach((r, k) => {
            if (firstAnswer) statuses[r.status] = (statuses[r.status] ?? 0) + 1
            if (r.status === "applied" || r.status === "duplicate") {
              acknowledged++
              lastAckMs = performance.now() - t0
            } else {
              const code = r.problem?.code ?? "unknown"
              rejectedCodes[code] = (rejectedCodes[code] ?? 0) + 1
              if (code === "retry_later") again.push(batch[k])
            }
          })
        }
        firstAnswer = false
        resent += again.length
        waiting = again
      }
    }),
  )
  calls.seconds = (performance.now() - t0) / 1000
  calls.tasks = calls.latencies.length
  return {
    acknowledged,
    ackSeconds: round(lastAckMs / 1000, 2),
    resent,
    statuses,
    rejectedCodes,
    calls: summarize(calls),
  }
}

async function checkCells(api, storeIds, skus, sales) {
  const sold = new Map()
  for (const s of sales)
    for (const l of s.lines)
      sold.set(`${s.locationId}:${l.skuId}`, (sold.get(`${s.locationId}:${l.skuId}`) ?? 0) + l.qty)
  const pairs = storeIds.flatMap((storeId) => skus.map((s) => ({ storeId, skuId: s.id })))
  const cells = await pool(pairs, 16, (p) => api("GET", `/stock/cells/${p.storeId}/${p.skuId}`))
  const off = cells.filter(
    (c, i) => c.onHand !== STOCK - (sold.get(`${pairs[i].storeId}:${pairs[i].skuId}`) ?? 0),
  ).length
  return { checked: cells.length, off }
}

/** Every sale once in the stores' sales lists, with the total the till sent. */
async function checkSales(api, storeIds, sales) {
  const sent = new Map(sales.map((s) => [s.id, s]))
  const seen = new Map()
  for (const locationId of storeIds) {
    let cursor = null
    do {
      const q = new URLSearchParams({ locationId, limit: "100", ...(cursor ? { cursor } : {}) })
      const page = await api("GET", `/sales?${q}`)
      for (const s of page.items) seen.set(s.id, (seen.get(s.id) ?? 0) + 1)
      cursor = page.nextCursor
    } while (cursor)
  }
  let totalFen = 0
  const listed = await pool(
    [...sent.keys()].filter((id) => seen.has(id)),
    16,
    (id) => api("GET", `/sales/${id}`),
  )
  for (const s of listed) totalFen += s.totalFen
  return {
    found: listed.length,
    missing: [...sent.keys()].filter((id) => !seen.has(id)).length,
    extra: [...seen.values()].filter((n) => n > 1).length + [...seen.keys()].filter((id) => !sent.has(id)).length,
    totalFen,
    expectedFen: sales.reduce((s, x) => s + x.totalFen, 0),
  }
}

/** Each member's ledger holds one entry per member sale, of floor(total / ¥1) points, and the balance is their sum. */
async function checkPoints(api, members, sales) {
  const bySale = new Map(sales.filter((s) => s.memberId).map((s) => [s.id, s]))
  let entries = 0
  let off = 0
  for (const m of members) {
    const ledger = []
    let cursor = null
    do {
      const q = new URLSearchParams({ limit: "100", ...(cursor ? { cursor } : {}) })
      const page = await api("GET", `/members/${m.id}/points?${q}`)
      ledger.push(...page.items)
      cursor = page.nextCursor
    } while (cursor)
    const mine = [...bySale.values()].filter((s) => s.memberId === m.id)
    const expected = mine.reduce((sum, s) => sum + Math.floor(s.totalFen / 100), 0)
    const fromSales = ledger.filter((e) => bySale.has(e.refId))
    entries += fromSales.length
    const member = await api("GET", `/members/${m.id}`)
    const sum = fromSales.reduce((s, e) => s + e.delta, 0)
    if (fromSales.length !== mine.length || sum !== expected || member.pointsBalance !== expected) off++
  }
  return { members: members.length, entries, expectedEntries: bySale.size, off }
}
