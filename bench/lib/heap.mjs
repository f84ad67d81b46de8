// The Worker's JS heap, read through wrangler dev's inspector (DevTools protocol over Node 22's WebSocket).
// Local workerd does not enforce the 128 MB isolate limit that Cloudflare does, so a benchmark samples
// Runtime.getHeapUsage while its load runs and reports the peak. Locally the Worker and its Durable Objects
// share one isolate, so the figure is an upper bound for any single isolate in production.

export const ISOLATE_LIMIT_MB = 128
const MB = 1024 * 1024

/** A DevTools-protocol connection to wrangler dev's inspector on `port`: send(method, params) → result. */
export async function inspector(port) {
  const [target] = await (await fetch(`http://127.0.0.1:${port}/json`)).json()
  if (!target) throw new Error(`no inspector target on port ${port}`)
  // wrangler's inspector proxy accepts only local origins.
  const ws = new WebSocket(target.webSocketDebuggerUrl, { headers: { origin: "http://127.0.0.1" } })
  await new Promise((resolve, reject) => {
    ws.onopen = resolve
    ws.onerror = () => reject(new Error(`cannot open the inspector at ${target.webSocketDebuggerUrl}`))
  })
  let nextId = 1
  const waiting = new Map()
  ws.onmessage = (m) => {
    const msg = JSON.parse(String(m.data))
    if (msg.id && waiting.has(msg.id)) {
      waiting.get(msg.id)(msg.result ?? {})
      waiting.delete(msg.id)
    }
  }
  const send = (method, params = {}) =>
    new Promise((resolve) => {
      const id = nextId++
      waiting.set(id, resolve)
      ws.send(JSON.stringify({ id, method, params }))
    })
  return { send, close: () => ws.close() }
}

/** Samples the heap through an inspector connection every `everyMs` until stop(). */
export async function watchHeap({ send }, { everyMs = 200 } = {}) {
  const usage = async () => {
    const u = await send("Runtime.getHeapUsage")
    return { usedSize: u.usedSize ?? 0, totalSize: u.totalSize ?? 0 }
  }

  const peak = { usedSize: 0, totalSize: 0 }
  let samples = 0
  let polling = true
  const loop = (async () => {
    while (polling) {
      const u = await usage()
      samples++
      peak.usedSize = Math.max(peak.usedSize, u.usedSize)
      peak.totalSize = Math.max(peak.totalSize, u.totalSize)
      await new Promise((r) => setTimeout(r, everyMs))
    }
  })()
  const at = await usage()
  const idle = { usedMb: toMb(at.usedSize), totalMb: toMb(at.totalSize) }

  return {
    /** Stops sampling; answers the heap before the load, the peak during it, and the limit. */
    async stop() {
      polling = false
      await loop
      return {
        idleUsedMb: idle.usedMb,
        peakUsedMb: toMb(peak.usedSize),
        peakTotalMb: toMb(peak.totalSize),
        samples,
        limitMb: ISOLATE_LIMIT_MB,
        withinLimit: peak.totalSize < ISOLATE_LIMIT_MB * MB,
      }
    },
  }
}

const toMb = (bytes) => Math.round((bytes / MB) * 10) / 10

/** One line for the console. */
export const heapLine = (h) =>
  `Worker heap: idle ${h.idleUsedMb} MB used, peak ${h.peakUsedMb} MB used / ${h.peakTotalMb} MB allocated ` +
  `(${h.samples} samples; limit ${h.limitMb} MB: ${h.withinLimit ? "within" : "EXCEEDED"})`

/**
 * A CPU profile of the Worker's isolate while `fn` runs (BENCH_PROFILE=1): the functions with the most self
 * time, to say where a slow route spends it. Writes the whole profile next to the results for DevTools.
 */
export async function profileCpu({ send }, fn) {
  await send("Profiler.enable")
  await send("Profiler.setSamplingInterval", { interval: 1000 })
  await send("Profiler.start")
  const value = await fn()
  const { profile } = await send("Profiler.stop")
  return { value, profile, top: topSelf(profile) }
}

function topSelf(profile, n = 15) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const hits = new Map()
  for (const id of profile.samples ?? []) {
    const f = byId.get(id).callFrame
    const where = `${f.functionName || "(anonymous)"} ${f.url.split("/").at(-1)}:${f.lineNumber + 1}`
    hits.set(where, (hits.get(where) ?? 0) + 1)
  }
  const total = profile.samples?.length ?? 1
  return [...hits.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([where, count]) => ({ where, selfPct: Math.round((count / total) * 1000) / 10 }))
}
