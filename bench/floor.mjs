// npm run bench:floor — not a test. The least any 5-line till sale must do under puzi's architecture
// (bench/floor/worker.js: five StockCell transactions and three D1 round trips, nothing else) at
// bench:checkout's 64-way concurrency on local workerd, against a bare /api/v1/health (no middleware).
// It tells how much of bench:checkout's ratio is the architecture on this machine and how much is
// puzi's own work per sale (pricing, ledger and outbox, projection to D1, logging). Mind the baseline:
// puzi's /health runs its middleware (request id, log line, headers, CORS), the bare one does not, so
// compare the server CPU per sale of both benchmarks as well as their ratios.
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { bin, toolEnv } from "../scripts/lib/run.mjs"
import { freePort } from "../scripts/lib/server.mjs"
import { interleaved, machine, ratios, stopwatch, timed, writeResult } from "./lib/load.mjs"
import { groupCpuSeconds } from "./lib/server.mjs"

const SALES = Number(process.env.BENCH_FLOOR_SALES ?? 2000)
const HEALTH_REQUESTS = Number(process.env.BENCH_HEALTH_REQUESTS ?? 4000)
const CONCURRENCY = 64

const { say } = stopwatch()
const state = mkdtempSync(join(tmpdir(), "puzi-bench-floor-"))
const port = await freePort()
const env = toolEnv({ CI: "1", WRANGLER_SEND_METRICS: "false", X_LOCAL_OBSERVABILITY: "false", NO_COLOR: "1" })
const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", state]
const child = spawn(bin("wrangler"), [...args, "--show-interactive-dev-session=false"], {
  cwd: new URL("floor/", import.meta.url).pathname,
  env,
  stdio: "ignore",
  detached: true,
})
const url = `http://127.0.0.1:${port}`
try {
  for (let i = 0; ; i++) {
    if ((await timed(`${url}/api/v1/health`)).status === 200) break
    if (i > 600 || child.exitCode !== null) throw new Error("the floor Worker did not start")
    await new Promise((r) => setTimeout(r, 200))
  }
  const sale = (i, record) => timed(`${url}/sale?n=${i}`).then((r) => record(r).status === 200)
  say("warming up …")
  await interleaved({ url, total: 300, concurrency: CONCURRENCY, healthRequests: 500, task: sale })
  say(`measuring ${SALES} floor sales against ${HEALTH_REQUESTS} health requests, ${CONCURRENCY} at a time …`)
  const { base, load } = await interleaved({
    url,
    total: SALES,
    concurrency: CONCURRENCY,
    healthRequests: HEALTH_REQUESTS,
    cpuSeconds: () => groupCpuSeconds(child.pid),
    task: sale,
  })
  const floor = { ...load, ...ratios(load, base) }
  const file = writeResult("floor", {
    bench: "floor",
    at: new Date().toISOString(),
    machine: machine(),
    health: base,
    floor,
  })
  say(
    `cores: ${machine().cores} | health ${base.requestsPerSecond} req/s, p50 ${base.p50Ms} ms | floor sale ` +
      `${floor.requestsPerSecond}/s, p50 ${floor.p50Ms} ms = ${floor.p50Ratio} × health (bench:checkout's target: ≤ 3) | ` +
      `server CPU ${floor.serverCpuMsPerTask} ms per floor sale vs ${base.serverCpuMsPerTask} ms per health | ${file}`,
  )
} finally {
  try {
    process.kill(-child.pid, "SIGTERM")
  } catch {}
  rmSync(state, { recursive: true, force: true })
}
