// The seed-scale client: JSON calls with retries for what is safe to repeat, and an import job
// driven chunk by chunk with bounded concurrency, resuming after the last chunk the server has.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

export function client(url) {
  let token = null
  async function call(method, path, body, { csv = false, retry = false } = {}) {
    for (let attempt = 1; ; attempt++) {
      let res
      try {
        res = await fetch(`${url}/api/v1${path}`, {
          method,
          headers: {
            "content-type": csv ? "text/csv; charset=utf-8" : "application/json",
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: body === undefined ? undefined : csv ? body : JSON.stringify(body),
        })
      } catch (e) {
        // The server restarting or overloaded: repeatable calls wait and go again.
        if (!retry || attempt >= 8) throw e
        await sleep(1000 * attempt)
        continue
      }
      const text = await res.text()
      const parsed = text ? JSON.parse(text) : null
      if (retry && res.status >= 500 && attempt < 8) {
        await sleep(1000 * attempt)
        continue
      }
      return { status: res.status, body: parsed }
    }
  }
  const must = async (method, path, body, opts) => {
    const r = await call(method, path, body, opts)
    if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.body).slice(0, 2000)}`)
    return r.body
  }
  return {
    call,
    must,
    setToken: (t) => {
      token = t
    },
    /** Every item of a paged list. */
    async all(path) {
      const items = []
      let cursor = null
      do {
        const sep = path.includes("?") ? "&" : "?"
        const page = await must("GET", `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`)
        items.push(...page.items)
        cursor = page.nextCursor
      } while (cursor)
      return items
    },
  }
}

/** `fn` over items with at most `limit` in flight. */
export async function pool(items, limit, fn) {
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      await fn(items[i], i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

/**
 * Runs an import job to the end: opens it by key (an existing job is found again), starts after
 * its last chunk done, sends chunk bodies made by `make(n)` with `concurrency` in flight, finishes.
 * Chunks beyond lastChunk that a killed run had already sent are answered from their records.
 */
export async function runImport(api, { key, kind, path, chunks, make, concurrency = 2, csv = false, say }) {
  const job = await api.must("POST", "/imports", { key, kind })
  if (job.status === "done") {
    say(`${kind}: already done (${job.rows} rows: ${job.applied} applied, ${job.unchanged} unchanged)`)
    return { ...job, skipped: true }
  }
  const start = job.lastChunk + 1
  if (start > 0) say(`${kind}: resuming after chunk ${job.lastChunk} of ${chunks}`)
  const todo = Array.from({ length: chunks - start }, (_, i) => start + i)
  const began = Date.now()
  let done = 0
  let rows = 0
  await pool(todo, concurrency, async (n) => {
    const body = make(n)
    const r = await api.call("POST", `/imports/${job.id}/${path}/${n}`, body, { csv, retry: true })
    if (r.status !== 200) throw new Error(`${kind} chunk ${n} → ${r.status} ${JSON.stringify(r.body).slice(0, 3000)}`)
    done++
    rows += r.body.rows
    const secs = (Date.now() - began) / 1000
    const eta = ((todo.length - done) * secs) / done / 60
    if (done % Math.max(1, Math.floor(todo.length / 20)) === 0 || done === todo.length)
      say(
        `${kind}: chunk ${done}/${todo.length} (${rows.toLocaleString()} rows, ${Math.round(rows / secs).toLocaleString()} rows/s, ~${eta.toFixed(0)} min to go)${r.body.replayed ? " [replayed]" : ""}`,
      )
  })
  const finished = await api.must("POST", `/imports/${job.id}/finish`, { chunks })
  say(
    `${kind}: done — ${finished.rows.toLocaleString()} rows, ${finished.applied.toLocaleString()} applied, ${finished.unchanged.toLocaleString()} unchanged`,
  )
  return finished
}
