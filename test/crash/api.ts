// A client of the real dev server for the crash story: every write is remembered with its
// Idempotency-Key and body, so what was never acknowledged can be sent again exactly as it was.

export type Answer = {
  status: number
  body: Record<string, unknown> & { id?: string; code?: string }
  replayed: boolean
}

export type Write = {
  kind: "sale" | "order" | "pay" | "transfer" | "ship" | "receive" | "sync"
  path: string
  key: string | null
  body: unknown
  /** Keys are per caller: a resend must come from the same one. */
  token: string
  answer: Answer
}

/** 2xx: the server said it happened. Anything else that isn't a 4xx (no answer at all, 5xx) is unknown. */
export const acknowledged = (a: Answer) => a.status >= 200 && a.status < 300
export const unknown = (a: Answer) => a.status === 0 || a.status >= 500

/** The server's address, shared by every client, so a restart on another port moves them all. */
export const server = { url: "" }

export class Api {
  constructor(
    readonly token = "",
    // One log for every client, so the story can go through all writes after the crash.
    readonly writes: Write[] = [],
  ) {}

  as(token: string): Api {
    return new Api(token, this.writes)
  }

  async send(method: string, path: string, body?: unknown, key?: string): Promise<Answer> {
    const headers: Record<string, string> = { "content-type": "application/json" }
    if (this.token) headers.authorization = `Bearer ${this.token}`
    if (key) headers["idempotency-key"] = key
    try {
      const res = await fetch(`${server.url}/api/v1${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      })
      const text = await res.text()
      let parsed: Answer["body"] = {}
      try {
        parsed = JSON.parse(text)
      } catch {
        parsed = { text }
      }
      return { status: res.status, body: parsed, replayed: res.headers.get("idempotent-replayed") === "true" }
    } catch (e) {
      // The server died under the request: no answer is not a "no".
      return { status: 0, body: { error: String(e) }, replayed: false }
    }
  }

  get = (path: string) => this.send("GET", path)

  async write(kind: Write["kind"], path: string, body: unknown, key: string | null): Promise<Answer> {
    const answer = await this.send("POST", path, body, key ?? undefined)
    this.writes.push({ kind, path, key, body, token: this.token, answer })
    return answer
  }

  /** The same request again (same key, same body) until the server stops saying "still in flight". */
  async resend(w: Write, deadline: number): Promise<Answer> {
    for (;;) {
      const a = await this.as(w.token).send("POST", w.path, w.body, w.key ?? undefined)
      const busy = a.status === 409 && a.body.code === "idempotency_in_flight"
      if ((!busy && !unknown(a)) || Date.now() > deadline) return a
      await sleep(1_000)
    }
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Polls `check` until it returns a value (not undefined) or the deadline passes (then the last error). */
export async function eventually<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + ms
  let last: unknown = null
  for (;;) {
    try {
      const v = await check()
      if (v !== undefined) return v
    } catch (e) {
      last = e
    }
    if (Date.now() > until) throw new Error(`${what}: not within ${ms / 1000} s${last ? ` (${String(last)})` : ""}`)
    await sleep(500)
  }
}
