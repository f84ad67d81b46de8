// npm run seed:scale [-- --scale=0.1] [-- --fresh]
//
// A chain the size of our reference case, made through the import API only (the path a real chain
// takes when it switches to puzi): 120 stores and 2 warehouses in 4 regions, 26,000 SKUs, ≥ 500 SKUs
// stocked per store with opening balances in lots, 3,000 members, a few dozen promotions, and 90 days
// of sales history with weekly seasonality (~35,000 orders on peak days). Deterministic (seeded), so an
// interrupted run (Ctrl-C, kill) started again resumes: each import job carries on after its last chunk
// and a chunk sent twice changes nothing. Ends with the chain-wide stock audit, then prints the time
// taken and the size of the state. The state lives in .wrangler/scale (PUZI_SCALE_STATE), apart from the
// demo's; --fresh wipes it first. --scale=0.1 makes a tenth of everything but the 90 days.
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { availableParallelism, loadavg } from "node:os"
import { join, resolve } from "node:path"
import { client, pool, runImport } from "./lib/scale-client.mjs"
import {
  assortmentOf,
  catalogueOf,
  historyChunks,
  historyPlan,
  locationsOf,
  membersOf,
  openingRowsOf,
  productCsvChunks,
  promotionsOf,
  sizes,
  storeDayOrders,
} from "./lib/scale-data.mjs"
import { bundledWorker, startServer } from "./lib/server.mjs"

const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}`))
const scale = Number(arg("scale")?.split("=")[1] ?? 1)
if (!(scale > 0 && scale <= 1)) throw new Error("--scale must be in (0, 1]")
const dir = resolve(process.env.PUZI_SCALE_STATE ?? (scale === 1 ? ".wrangler/scale" : `.wrangler/scale-${scale}`))
const OWNER = { username: "owner", password: "puzi-demo-owner" }

const started = Date.now()
let server = null
const serverSeconds = () => (server && existsSync("/proc") ? serverCpu(server.child.pid) : 0)
const say = (...a) => {
  const cpu = server ? ` | server cpu ${serverSeconds().toFixed(0).padStart(4)} s` : ""
  console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s${cpu}]`, ...a)
}
/**
 * CPU seconds the server (wrangler and workerd, one process group) has used: on a machine that
 * others are loading, wall time says little, CPU time says what this work costs.
 */
function serverCpu(pgid) {
  let ticks = 0
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      if (Number(f[2]) === pgid) ticks += Number(f[11]) + Number(f[12])
    } catch {}
  }
  return ticks / 100
}
// The live server deletes cells' -wal files while du walks the tree: du then exits 1 with a total still right.
const du = () => spawnSync("du", ["-sh", dir], { encoding: "utf8" }).stdout.split("\t")[0]

if (arg("fresh")) rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })
// Everything generated is keyed to the day the chain was first seeded, so a resume next morning
// still generates the same history.
const metaFile = join(dir, "seed-scale.json")
const meta = existsSync(metaFile)
  ? JSON.parse(readFileSync(metaFile, "utf8"))
  : { scale, today: new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date()), done: [] }
if (meta.scale !== scale) throw new Error(`${dir} holds a chain at scale ${meta.scale}: use --fresh or that scale`)
const saveMeta = () => writeFileSync(metaFile, JSON.stringify(meta, null, 2))
saveMeta()
/** A phase once: skipped when an earlier run finished it; its wall and server-CPU seconds kept in the meta file. */
const step = async (name, fn) => {
  if (meta.done.includes(name)) return say(`${name}: done in an earlier run`)
  const [wall, cpu] = [Date.now(), serverSeconds()]
  const result = await fn()
  meta.done.push(name)
  const took = { seconds: Math.round((Date.now() - wall) / 1000), serverCpuSeconds: Math.round(serverSeconds() - cpu) }
  // A job an earlier run finished (before phases were recorded) took nothing now: keep no figure for it.
  if (!result?.skipped) meta.phases = { ...meta.phases, [name]: took }
  saveMeta()
}

say(
  `seed:scale ×${scale} on ${availableParallelism()} cores (load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}), state in ${dir}`,
)
// A run killed with SIGKILL leaves its wrangler dev (its own process group) serving this state:
// stop it, or two runtimes would write the same files.
const pidFile = join(dir, "server.pid")
if (existsSync(pidFile)) {
  const old = Number(readFileSync(pidFile, "utf8"))
  try {
    if (readFileSync(`/proc/${old}/cmdline`, "utf8").includes(dir)) {
      say(`stopping the server a killed run left behind (pid ${old})`)
      process.kill(-old, "SIGKILL")
    }
  } catch {}
}
const extraArgs = await bundledWorker(dir)
server = await startServer({ persistTo: dir, seed: false, extraArgs })
writeFileSync(pidFile, String(server.child.pid))
let stopping = false
const stop = async (code) => {
  if (stopping) return
  stopping = true
  await server.stop()
  process.exit(code)
}
process.on("SIGINT", () => {
  say("interrupted: run it again to resume")
  void stop(130)
})
process.on("SIGTERM", () => void stop(143))
say(`server up at ${server.url}`)

try {
  const api = client(server.url)
  const setup = await api.must("GET", "/setup")
  if (setup.needed) await api.must("POST", "/setup", OWNER)
  api.setToken((await api.must("POST", "/auth/login", OWNER)).token)

  const size = sizes(scale)
  const wanted = locationsOf(size)
  const have = new Map((await api.all("/locations")).map((l) => [l.name, l]))
  for (const l of wanted) if (!have.has(l.name)) have.set(l.name, await api.must("POST", "/locations", l))
  const locations = wanted.map((l) => have.get(l.name))
  const stores = locations.filter((l) => l.kind === "store")
  say(`locations: ${stores.length} stores and ${locations.length - stores.length} warehouses in 4 regions`)

  const catalogue = catalogueOf(size)
  const csv = productCsvChunks(catalogue)
  await step("products", () =>
    runImport(api, {
      key: `seed-scale:${scale}:products`,
      kind: "products",
      path: "products",
      chunks: csv.length,
      make: (n) => csv[n],
      csv: true,
      concurrency: 1,
      say,
    }),
  )

  const assortments = locations.map((l, i) => assortmentOf(size, catalogue, i, l.kind === "warehouse"))
  const openingRows = locations.flatMap((l, i) =>
    openingRowsOf(l.id, i, assortments[i], l.kind === "warehouse", meta.today),
  )
  // Small enough that a chunk answers within fetch's 300 s header timeout even on a loaded machine.
  const OPENING_CHUNK = 1000
  say(
    `opening balances: ${openingRows.length.toLocaleString()} rows into ${assortments.reduce((s, a) => s + a.length, 0).toLocaleString()} cells`,
  )
  await step("opening balances", () =>
    runImport(api, {
      key: `seed-scale:${scale}:opening`,
      kind: "opening_balances",
      path: "opening-balances",
      chunks: Math.ceil(openingRows.length / OPENING_CHUNK),
      make: (n) => ({ rows: openingRows.slice(n * OPENING_CHUNK, (n + 1) * OPENING_CHUNK) }),
      concurrency: 2,
      say,
    }),
  )

  await step("members", async () => {
    let made = 0
    await pool(
      membersOf(
        size,
        stores.map((s) => s.id),
      ),
      6,
      async (m) => {
        const r = await api.call("POST", "/members", m, { retry: true })
        if (r.status === 201) made++
        else if (r.body?.code !== "duplicate_phone") throw new Error(`member → ${r.status} ${JSON.stringify(r.body)}`)
      },
    )
    say(`members: ${size.members.toLocaleString()} (${made.toLocaleString()} new)`)
  })
  await step("promotions", async () => {
    const byRegion = {}
    for (const s of stores) {
      byRegion[s.region] ??= []
      byRegion[s.region].push(s.id)
    }
    const existing = new Set((await api.all("/promotions")).map((p) => p.name))
    const promos = promotionsOf(size, byRegion).filter((p) => !existing.has(p.name))
    for (const p of promos) await api.must("POST", "/promotions", p)
    say(`promotions: ${size.promotions} (${promos.length} new)`)
  })

  const plan = historyPlan(size, stores.length, meta.today)
  const chunks = historyChunks(plan)
  const totalOrders = plan.reduce((s, d) => s + d.perStore.reduce((a, b) => a + b, 0), 0)
  say(
    `sales history: ${totalOrders.toLocaleString()} orders over ${plan.length} days (peak ${Math.max(...plan.map((d) => d.orders)).toLocaleString()}/day) in ${chunks.length} chunks`,
  )
  await step("sales history", () =>
    runImport(api, {
      key: `seed-scale:${scale}:history`,
      kind: "sales_history",
      path: "sales",
      chunks: chunks.length,
      make: (n) => {
        const c = chunks[n]
        const d = plan[c.dayIndex]
        const orders = []
        for (let s = c.from; s < c.to; s++)
          orders.push(...storeDayOrders(d.day, s, stores[s].id, d.perStore[s], assortments[s + 2]))
        return { orders }
      },
      concurrency: 2,
      say,
    }),
  )

  say("stock audit: every cell against its ledger …")
  // Each call checks the next chunk of cells of the running audit (the cron would, every 10 minutes).
  const auditAll = async () => {
    let run = await api.must("POST", "/stock/audit/run")
    while (run.status !== "done") run = await api.must("POST", "/stock/audit/run")
    return run
  }
  let run = await auditAll()
  for (let tries = 0; run.cellsPending > 0 && tries < 3; tries++) {
    say(`audit: ${run.cellsPending} cells were still flushing their outbox; auditing again`)
    await new Promise((r) => setTimeout(r, 5000))
    run = await auditAll()
  }
  const audit = await api.must("GET", "/stock/audit")
  const clean = audit.driftCount === 0 && audit.cellsPending === 0
  meta.audit = { cellsChecked: audit.cellsChecked, drift: audit.driftCount, pending: audit.cellsPending, clean }
  say(
    `stock audit: ${audit.cellsChecked.toLocaleString()} cells checked, ${audit.driftCount} drift, ${audit.cellsPending} pending — ${clean ? "CLEAN" : "NOT CLEAN"}`,
  )
  const minutes = ((Date.now() - started) / 60_000).toFixed(1)
  const state = du()
  meta.finished = {
    at: new Date().toISOString(),
    minutesThisRun: Number(minutes),
    state,
    cores: availableParallelism(),
  }
  saveMeta()
  say(`seed:scale ×${scale} finished in ${minutes} min; state ${state} in ${dir} (load ${loadavg()[0].toFixed(1)})`)
  await stop(clean ? 0 : 1)
} catch (e) {
  console.error(e)
  say("failed: run it again to resume where it stopped")
  await stop(1)
}
