// The Idempotency-Key contract, on a throwaway app with the real middleware and real D1:
// a till that retries after a timeout must never create the document twice.
import { env } from "cloudflare:workers"
import { OpenAPIHono } from "@hono/zod-openapi"
import { describe, expect, it } from "vitest"
import { makeDb } from "../../worker/db/client"
import type { AppEnv } from "../../worker/env"
import { idempotent, purgeExpiredIdempotencyKeys } from "../../worker/lib/idempotency"
import { onError } from "../../worker/lib/problem"
import { uniq } from "./helpers"

function receiptApp() {
  const created: string[] = []
  let gate: Promise<void> = Promise.resolve()
  let failNext = false
  const app = new OpenAPIHono<AppEnv>()
  app.onError(onError)
  app.use("*", async (c, next) => {
    c.set("db", makeDb(env.DB))
    c.set("actor", {
      kind: "user",
      id: c.req.header("x-actor") ?? "usr_a",
      name: "t",
      role: "owner",
      permissions: new Set(),
      locationIds: "all",
    })
    await next()
  })
  app.post("/receipts", idempotent(), async (c) => {
    await gate
    if (failNext) {
      failNext = false
      return c.json({ code: "insufficient_stock" }, 409)
    }
    const body = await c.req.json<{ qty: number }>()
    const id = `rk_${created.length + 1}`
    created.push(id)
    return c.json({ id, qty: body.qty }, 201)
  })
  return {
    created,
    hold: () => {
      let release!: () => void
      gate = new Promise((r) => {
        release = r
      })
      return release
    },
    failOnce: () => {
      failNext = true
    },
    post: (key: string | undefined, body: unknown, actor = "usr_a") =>
      app.request("/receipts", {
        method: "POST",
        headers: { "content-type": "application/json", "x-actor": actor, ...(key ? { "idempotency-key": key } : {}) },
        body: JSON.stringify(body),
      }),
  }
}

/** Wait (without a clock) until the first request has claimed its key. */
async function untilClaimed(key: string) {
  for (;;) {
    const row = await env.DB.prepare("select state from idempotency_keys where key = ?").bind(key).first()
    if (row?.state === "in_flight") return
    await scheduler.wait(1)
  }
}

describe("Idempotency-Key", () => {
  it("a retry with the same key and body returns the first answer and creates nothing new", async () => {
    const app = receiptApp()
    const key = uniq("k")
    const first = await app.post(key, { qty: 5 })
    const second = await app.post(key, { qty: 5 })
    expect(first.status).toBe(201)
    expect(second.status).toBe(201)
    expect(await second.json()).toEqual(await first.json())
    expect(second.headers.get("idempotent-replayed")).toBe("true")
    expect(app.created).toHaveLength(1)
  })

  it("the same key with another body is 422 idempotency_key_reused", async () => {
    const app = receiptApp()
    const key = uniq("k")
    await app.post(key, { qty: 5 })
    const res = await app.post(key, { qty: 6 })
    expect(res.status).toBe(422)
    expect(((await res.json()) as { code: string }).code).toBe("idempotency_key_reused")
    expect(app.created).toHaveLength(1)
  })

  it("a key still being processed answers 409 and the document is made once", async () => {
    const app = receiptApp()
    const key = uniq("k")
    const release = app.hold()
    const first = app.post(key, { qty: 1 })
    await untilClaimed(key)
    const concurrent = await app.post(key, { qty: 1 })
    expect(concurrent.status).toBe(409)
    expect(((await concurrent.json()) as { code: string }).code).toBe("idempotency_in_flight")
    release()
    expect((await first).status).toBe(201)
    expect(app.created).toHaveLength(1)
  })

  it("a missing key is 400 and nothing is created", async () => {
    const app = receiptApp()
    const res = await app.post(undefined, { qty: 1 })
    expect(res.status).toBe(400)
    expect(res.headers.get("content-type")).toContain("application/problem+json")
    expect(((await res.json()) as { code: string }).code).toBe("idempotency_key_missing")
    expect(app.created).toHaveLength(0)
  })

  it("a failed attempt is not stored, so the retry runs for real", async () => {
    const app = receiptApp()
    const key = uniq("k")
    app.failOnce()
    expect((await app.post(key, { qty: 1 })).status).toBe(409)
    expect((await app.post(key, { qty: 1 })).status).toBe(201)
    expect(app.created).toHaveLength(1)
  })

  it("keys belong to their caller: two tills may use the same key", async () => {
    const app = receiptApp()
    const key = uniq("k")
    expect((await app.post(key, { qty: 1 }, "usr_a")).status).toBe(201)
    expect((await app.post(key, { qty: 2 }, "usr_b")).status).toBe(201)
    expect(app.created).toHaveLength(2)
  })

  it("answers are kept for at least 7 days, then purged", async () => {
    const app = receiptApp()
    const key = uniq("k")
    await app.post(key, { qty: 1 })
    const db = makeDb(env.DB)
    await purgeExpiredIdempotencyKeys(db, Date.now() + 6.9 * 24 * 3600 * 1000)
    expect((await app.post(key, { qty: 1 })).headers.get("idempotent-replayed")).toBe("true")
    await purgeExpiredIdempotencyKeys(db, Date.now() + 7.1 * 24 * 3600 * 1000)
    const row = await env.DB.prepare("select count(*) as n from idempotency_keys where key = ?").bind(key).first()
    expect(row?.n).toBe(0)
  })
})
