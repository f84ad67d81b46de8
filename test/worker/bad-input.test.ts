// Every operation in the OpenAPI document, fed what a buggy client sends: never a 5xx, always
// problem+json, and nothing created by a refused request.
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { call, ownerToken } from "./helpers"

type Operation = { requestBody?: { content: Record<string, unknown> } }
type Doc = { paths: Record<string, Record<string, Operation>> }

const BAD_BODIES: { name: string; rawBody: string; contentType: string }[] = [
  { name: "malformed JSON", rawBody: '{"name": ', contentType: "application/json" },
  { name: "a JSON array", rawBody: "[1,2,3]", contentType: "application/json" },
  { name: "a JSON string", rawBody: '"hello"', contentType: "application/json" },
  { name: "null", rawBody: "null", contentType: "application/json" },
  { name: "unknown fields only", rawBody: '{"__proto__": {"admin": true}, "zzz": 1}', contentType: "application/json" },
  {
    name: "wrong types everywhere",
    rawBody: JSON.stringify({
      name: 1,
      kind: [],
      username: {},
      password: 5,
      locationIds: "x",
      lines: "x",
      variants: 7,
    }),
    contentType: "application/json",
  },
  {
    name: "hostile strings",
    rawBody: JSON.stringify({ name: "'; drop table users; --<script>", kind: "store\u0000" }),
    contentType: "application/json",
  },
  { name: "form data", rawBody: "name=x&kind=store", contentType: "application/x-www-form-urlencoded" },
  { name: "a huge body", rawBody: JSON.stringify({ name: "x".repeat(2_000_000) }), contentType: "application/json" },
]

const countRows = async () => {
  const tables = ["users", "locations", "products", "skus", "devices", "api_keys", "categories", "brands"]
  const counts: Record<string, unknown> = {}
  for (const t of tables) counts[t] = (await env.DB.prepare(`select count(*) as n from ${t}`).first())?.n
  return counts
}

describe("bad input on every endpoint", () => {
  it("answers each malformed body with a problem+json 4xx and changes nothing", { timeout: 120_000 }, async () => {
    const token = await ownerToken()
    const doc = (await call<Doc>("GET", "/openapi.json")).body
    const before = await countRows()
    let checked = 0
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!op.requestBody?.content["application/json"]) continue
        const url = path.replace(/^\/api\/v1/, "").replace(/\{[^}]+\}/g, "zz_missing")
        for (const bad of BAD_BODIES) {
          const res = await call(method.toUpperCase(), url, {
            token,
            rawBody: bad.rawBody,
            headers: { "content-type": bad.contentType, "idempotency-key": `bad-${checked}` },
          })
          const where = `${method.toUpperCase()} ${path} with ${bad.name}`
          expect(res.status, where).toBeGreaterThanOrEqual(400)
          expect(res.status, where).toBeLessThan(500)
          expect(res.headers.get("content-type"), where).toContain("application/problem+json")
          expect(typeof res.body.code, where).toBe("string")
          expect(JSON.stringify(res.body), where).not.toMatch(/at .+\(.+:\d+:\d+\)/) // no stack traces
          checked++
        }
      }
    }
    expect(checked).toBeGreaterThan(50)
    expect(await countRows()).toEqual(before)
  })

  it("answers hostile query strings on every list with a 4xx or a normal answer, never a 5xx", {
    timeout: 120_000,
  }, async () => {
    const token = await ownerToken()
    const doc = (await call<Doc>("GET", "/openapi.json")).body
    const queries = [
      "limit=-1",
      "limit=1e9",
      "limit=abc",
      "cursor=%00%ff",
      "cursor=W10",
      "q=%27%20or%201%3D1--",
      "updatedSince=yesterday",
    ]
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!ops.get || path.includes("{")) continue
      for (const q of queries) {
        const res = await call("GET", `${path.replace(/^\/api\/v1/, "")}?${q}`, { token })
        expect(res.status, `${path}?${q}`).toBeLessThan(500)
        if (res.status >= 400) expect(res.headers.get("content-type")).toContain("application/problem+json")
      }
    }
  })
})
