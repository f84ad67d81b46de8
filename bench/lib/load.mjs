// A bounded load loop on loopback: `concurrency` workers pull task indexes until `total` are done,
// each HTTP call's latency recorded. Figures are meant to be read as ratios to a baseline measured
// in the same run on the same machine (ARCHITECTURE.md §10), never as absolute numbers.

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

/** A seeded generator (mulberry32): the same carts every run. `rand(n)` is an integer in [0, n). */
export function prng(seed) {
  let a = seed >>> 0
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)
  }
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
