// npm run bench — every benchmark, one after another (each starts and stops its own dev server), then
// bench/results/latest.json (gitignored) and a short table: each figure, its target, pass or fail.
// bench:reports runs only when bench/reports.mjs exists and seed-scale state exists (`npm run seed:scale`);
// otherwise the table says it was skipped and why. BENCH_ONLY=checkout,sync runs a subset.
import { spawn } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { toolEnv } from "../scripts/lib/run.mjs"
import { machine, round, stopwatch } from "./lib/load.mjs"

const BENCHES = ["stock", "checkout", "sync", "reports", "pwa"]
const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim())
// BENCH_TABLE_ONLY=1: no runs, the table and latest.json from each benchmark's last result file.
const TABLE_ONLY = process.env.BENCH_TABLE_ONLY === "1"
const { elapsed, say } = stopwatch()
const here = (p) => new URL(p, import.meta.url)

// Where `npm run seed:scale` leaves its state; the reports benchmark reads it (override with PUZI_SCALE_STATE).
const SCALE_STATE = process.env.PUZI_SCALE_STATE ?? new URL("../.wrangler/scale", import.meta.url).pathname

const runs = {}
for (const name of BENCHES) {
  if (only && !only.includes(name)) continue
  const skip = skipReason(name)
  if (skip) {
    say(`bench:${name} skipped: ${skip}`)
    runs[name] = { skipped: skip }
    continue
  }
  say(TABLE_ONLY ? `bench:${name}: reading its last result` : `bench:${name} …`)
  const exitCode = TABLE_ONLY ? 0 : await node(`bench/${name}.mjs`)
  const file = here(`results/latest-${name}.json`)
  const result = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null
  // A result older than this run belongs to an earlier one: the benchmark failed before writing its own.
  const fresh = result && (TABLE_ONLY || Date.parse(result.at) >= Date.now() - elapsed() * 1000 - 1000)
  runs[name] = { exitCode, result: fresh ? result : null }
}

const rows = Object.entries(runs).flatMap(([name, run]) => figures(name, run))
const summary = { at: new Date().toISOString(), machine: machine(), seconds: elapsed(), rows, runs }
mkdirSync(here("results"), { recursive: true })
writeFileSync(here("results/latest.json"), `${JSON.stringify(summary, null, 2)}\n`)
printTable(rows)
say(
  `cores: ${summary.machine.cores} | load average ${summary.machine.loadAverage.join(" ")} | bench/results/latest.json`,
)
process.exit(rows.some((r) => r.status === "fail" || r.status === "error") ? 1 : 0)

function skipReason(name) {
  if (name !== "reports") return null
  if (!existsSync(here("reports.mjs"))) return "bench/reports.mjs does not exist yet"
  if (!existsSync(`${SCALE_STATE}/seed-scale.json`))
    return `no seed-scale state in ${SCALE_STATE}: run \`npm run seed:scale\` first`
  return null
}

function node(script) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script], {
      cwd: here("..").pathname,
      stdio: "inherit",
      env: toolEnv({ PUZI_SCALE_STATE: SCALE_STATE }),
    })
    child.on("exit", (code) => resolve(code ?? 1))
  })
}

function row(bench, figure, value, target, ok) {
  return { bench, figure, value, target, status: ok === null ? "info" : ok ? "pass" : "fail" }
}

/** The figures each benchmark is judged by, read from its own result file. */
function figures(name, run) {
  if (run.skipped) return [{ bench: name, figure: "—", value: "skipped", target: run.skipped, status: "skipped" }]
  const r = run.result
  if (!r) return [{ bench: name, figure: "—", value: `exit ${run.exitCode}`, target: "a result", status: "error" }]
  const byName = {
    stock: () => [
      row(name, "oversold units", r.verdict.oversoldTotal, "0", r.verdict.oversoldTotal === 0),
      row(
        name,
        "hot-cell throughput × health",
        r.verdict.hotCellThroughputRatio,
        "≥ 0.4",
        r.verdict.hotCellThroughputRatio >= 0.4,
      ),
      row(name, "hot-cell p99 × health p99", r.verdict.hotCellP99Ratio, "≤ 4", r.verdict.hotCellP99Ratio <= 4),
    ],
    checkout: () => [
      row(name, "p50 × health p50", r.checkout.p50Ratio, "≤ 3", r.checkout.p50Ratio <= 3),
      row(name, "p99 × health p99", r.checkout.p99Ratio, "—", null),
      row(
        name,
        "sales/s (× health req/s)",
        `${r.checkout.requestsPerSecond} (${r.checkout.throughputRatio})`,
        "—",
        null,
      ),
      row(name, "errors but real 409s", r.verdict.unexpectedErrors, "0", r.verdict.unexpectedErrors === 0),
      row(name, "cells off after", r.cells.off, "0", r.cells.off === 0),
      row(name, "Worker heap peak MB", r.heap.peakTotalMb, "< 128", r.heap.withinLimit),
    ],
    sync: () => [
      row(
        name,
        `${r.sales} sales acknowledged in s`,
        r.verdict.ackSeconds,
        "≤ 30",
        r.verdict.allAcknowledged && r.verdict.ackSeconds <= 30,
      ),
      row(name, "duplicates applied on replay", r.verdict.duplicatesApplied, "0", r.verdict.duplicatesApplied === 0),
      row(name, "stock and ledgers equal", r.verdict.ledgersEqual, "true", r.verdict.ledgersEqual),
      row(name, "Worker heap peak MB", r.heap.peakTotalMb, "< 128", r.heap.withinLimit),
    ],
    reports: () => reportRows(r),
    pwa: () => [
      row(name, "first catalog sync s", r.firstSync.seconds, "≤ 20", r.firstSync.seconds <= 20),
      row(
        name,
        "second sync rows (s)",
        `${r.secondSync.rows} (${r.secondSync.seconds})`,
        "incremental",
        r.secondSync.incremental,
      ),
      row(name, "scan-to-cart p95 ms", r.scan.p95Ms, "≤ 50", r.scan.p95Ms <= 50),
      row(name, "page JS heap MB", r.heap.usedMb, "≤ 100", r.heap.usedMb <= 100),
      row(name, "first-load JS KB gzip", r.firstLoadJs.shellGzipKb, "≤ 120", r.firstLoadJs.shellGzipKb <= 120),
    ],
  }
  return byName[name]()
}

/** bench:reports writes its own shape; read p99 per query where it gives one. */
function reportRows(r) {
  const queries = r.queries ?? r.runs ?? []
  const list = Array.isArray(queries) ? queries : Object.entries(queries).map(([name, q]) => ({ name, ...q }))
  if (list.length === 0) return [row("reports", "result", "see latest-reports.json", "p99 ≤ 200 ms", null)]
  return list.map((q) => row("reports", `${q.name ?? q.query} p99 ms`, q.p99Ms, "≤ 200", q.p99Ms <= 200))
}

function printTable(rows) {
  const cols = ["bench", "figure", "value", "target", "status"]
  const cells = rows.map((r) => cols.map((c) => String(r[c])))
  const width = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)))
  const line = (r) => r.map((v, i) => v.padEnd(width[i])).join("  ")
  console.log(`\n${line(cols)}\n${line(width.map((w) => "─".repeat(w)))}`)
  for (const r of cells) console.log(line(r))
  console.log(`(${round(elapsed() / 60, 1)} min)`)
}
