// A bounded load loop on loopback: `concurrency` workers pull task indexes until `total` are done,
// each HTTP call's latency recorded. Figures are meant to be read as ratios to a baseline measured
// in the same run on the same machine (ARCHITECTURE.md §10), never as absolute numbers.
import { mkdirSync, writeFileSync } from "node:fs"
import { availableParallelism, cpus, loadavg } from "node:os"
import { prng as seededUnit } from "../../scripts/lib/scale-data.mjs"

export const percentile = (sorted, p) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]

/** One request, timed. Returns { status, body, ms }; network errors come back as status 0. */
export async function timed(url, init = {}) {
  const t = performance.now()
  try {
    const res = await fetch(url, init)
    const text = await res.text()
    let body = text
    try {
      body = JSON.parse(text)
    } catch {}
    return { status: res.status, body, ms: performance.now() - t }
  } catch (e) {
    return { status: 0, body: String(e), ms: performance.now() - t }
  }
}

/** Where one or more loads pour their measurements (so interleaved segments add up to one figure). */
export const sink = () => ({ latencies: [], statuses: {}, codes: {}, completed: 0, tasks: 0, seconds: 0 })

/**
 * Runs `task(i, record)` for i in [0, total) with at most `concurrency` in flight. A task makes
 * one or more timed calls and passes each to `record`, and returns whether it succeeded. The
 * measurements go into `into` (a fresh sink unless given); the summary of that sink is returned.
 */
export async function runLoad({ total, concurrency, task, into = sink() }) {
  const record = (r) => {
    into.latencies.push(r.ms)
    into.statuses[r.status] = (into.statuses[r.status] ?? 0) + 1
    if (r.status >= 300 || r.status === 0) {
      const code = `${r.status} ${typeof r.body === "object" && r.body ? r.body.code : String(r.body).slice(0, 80)}`
      into.codes[code] = (into.codes[code] ?? 0) + 1
    }
    return r
  }
  let next = 0
  const started = performance.now()
  const worker = async () => {
    for (;;) {
      const i = next++
      if (i >= total) return
      if (await task(i, record)) into.completed++
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker))
  into.seconds += (performance.now() - started) / 1000
  into.tasks += total
  return summarize(into)
}

export function summarize(s) {
  const sorted = [...s.latencies].sort((a, b) => a - b)
  return {
    tasks: s.tasks,
    completed: s.completed,
    requests: sorted.length,
    seconds: round(s.seconds, 3),
    requestsPerSecond: round(sorted.length / s.seconds, 1),
    completedPerSecond: round(s.completed / s.seconds, 1),
    p50Ms: round(percentile(sorted, 50), 2),
    p99Ms: round(percentile(sorted, 99), 2),
    maxMs: round(sorted.at(-1) ?? 0, 2),
    statuses: s.statuses,
    codes: s.codes,
  }
}

/** A seeded generator (the seed-scale data's mulberry32): the same carts every run. `rand(n)` is an integer in [0, n). */
export function prng(seed) {
  const unit = seededUnit(seed)
  return (n) => Math.floor(unit() * n)
}

export const round = (x, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits

/** A tiny JSON client for setting the bench up (not measured). */
export function client(url, token) {
  return async function api(method, path, body, headers = {}) {
    const res = await fetch(`${url}/api/v1${path}`, {
      method,
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text.slice(0, 500)}`)
    return text ? JSON.parse(text) : null
  }
}

/** Runs `fn` over items with at most `concurrency` at a time (setup work, not measured). */
export async function pool(items, concurrency, fn) {
  const out = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (;;) {
        const i = next++
        if (i >= items.length) return
        out[i] = await fn(items[i], i)
      }
    }),
  )
  return out
}

/** A task for runLoad: one GET /api/v1/health, the baseline every benchmark is compared with. */
export const healthTask = (url) => async (_i, record) => record(await timed(`${url}/api/v1/health`)).status === 200

/** A load's figures as multiples of the baseline's (throughput higher is better, latency lower). */
export const ratios = (load, base) => ({
  throughputRatio: round(load.requestsPerSecond / base.requestsPerSecond, 3),
  p50Ratio: round(load.p50Ms / base.p50Ms, 2),
  p99Ratio: round(load.p99Ms / base.p99Ms, 2),
  ...(load.serverCpuMsPerTask && base.serverCpuMsPerTask
    ? { serverCpuRatio: round(load.serverCpuMsPerTask / base.serverCpuMsPerTask, 2) }
    : {}),
})

/**
 * Runs `total` tasks cut into `segments`, each preceded by a health segment of `healthRequests / segments`;
 * each side's segments add up to one figure. On a shared two-core machine the baseline drifts by ±30 % over
 * minutes; interleaving keeps the ratio about the code, not about what else the machine was doing.
 */
export async function interleaved({ url, total, concurrency, healthRequests, task, segments = 4, cpuSeconds }) {
  const base = sink()
  const load = sink()
  const per = Math.ceil(total / segments)
  // The server's CPU per task on each side (when `cpuSeconds` reads it): less sensitive to a busy machine.
  const cpu = { base: 0, load: 0 }
  const measured = async (side, run) => {
    const before = cpuSeconds?.() ?? 0
    await run()
    cpu[side] += (cpuSeconds?.() ?? 0) - before
  }
  for (let done = 0; done < total; done += per) {
    const health = healthTask(url)
    const healthN = Math.ceil(healthRequests / segments)
    await measured("base", () => runLoad({ total: healthN, concurrency, task: health, into: base }))
    const n = Math.min(per, total - done)
    const offset = done
    await measured("load", () =>
      runLoad({ total: n, concurrency, task: (i, record) => task(offset + i, record), into: load }),
    )
  }
  const perTask = (side, s) => (cpuSeconds ? { serverCpuMsPerTask: round((cpu[side] * 1000) / s.tasks, 2) } : {})
  return {
    base: { ...summarize(base), ...perTask("base", base) },
    load: { ...summarize(load), ...perTask("load", load) },
  }
}

/** The machine, as every result file records it (the load average says how busy the others kept it). */
export const machine = () => ({
  cores: availableParallelism(),
  cpu: cpus()[0]?.model ?? "unknown",
  node: process.version,
  loadAverage: loadavg().map((x) => round(x, 2)),
})

/** Console lines stamped with the seconds since the benchmark started. */
export function stopwatch() {
  const started = Date.now()
  const elapsed = () => round((Date.now() - started) / 1000, 1)
  const say = (...a) => console.log(`[${String(elapsed()).padStart(5)} s]`, ...a)
  return { elapsed, say, left: (budgetMs) => budgetMs - (Date.now() - started) }
}

/** Writes bench/results/latest-<name>.json (gitignored) and answers its path. */
export function writeResult(name, results) {
  const out = new URL("../results/", import.meta.url)
  mkdirSync(out, { recursive: true })
  const file = new URL(`latest-${name}.json`, out)
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`)
  return `bench/results/latest-${name}.json`
}
