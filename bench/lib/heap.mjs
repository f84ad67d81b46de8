// The Worker's JS heap, read through wrangler dev's inspector (DevTools protocol over Node 22's WebSocket).
// Local workerd does not enforce the 128 MB isolate limit that Cloudflare does, so a benchmark samples
// Runtime.getHeapUsage while its load runs and reports the peak. Locally the Worker and its Durable Objects
// share one isolate, so the figure is an upper bound for any single isolate in production.

export const ISOLATE_LIMIT_MB = 128
const MB = 1024 * 1024

/** Connects to the inspector on `port` and samples the heap every `everyMs` until stop(). */
export async function watchHeap(port, { everyMs = 200 } = {}) {
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
      waiting.get(msg.id)(msg)
      waiting.delete(msg.id)
    }
  }
  const send = (method, params = {}) =>
    new Promise((resolve) => {
      const id = nextId++
      waiting.set(id, resolve)
      ws.send(JSON.stringify({ id, method, params }))
    })
  const usage = async () => (await send("Runtime.getHeapUsage")).result ?? { usedSize: 0, totalSize: 0 }

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
      ws.close()
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
