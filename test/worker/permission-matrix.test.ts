// Every role and an API key × every operation in the OpenAPI document × (own store, another
// store), each call valid in every part so that nothing but the caller decides the answer: 403
// where the role may not act, 404 where the store is not theirs, and never a leak of another
// store's ids. The expected answers live in permission-matrix.expected.ts.
import { beforeAll, describe, expect, it } from "vitest"
import { ROLES } from "../../core/roles"
import {
  actor,
  buildWorld,
  type Doc,
  expectProblem,
  loadDoc,
  type Operation,
  operations,
  type Place,
  send,
  validRequest,
  type World,
} from "./attack-helpers"
import { call, type Res, staffToken } from "./helpers"
import { API_KEY_PERMISSIONS, type Caller, expected, SCOPES, type Where } from "./permission-matrix.expected"

let doc: Doc
let world: World
let ops: Operation[]
// Signing out ends the caller's own session: it goes last.
const LAST = "POST /api/v1/auth/logout"

beforeAll(async () => {
  doc = await loadDoc()
  world = await buildWorld()
  ops = operations(doc).sort((a, b) => Number(a.key === LAST) - Number(b.key === LAST))
}, 120_000)

/** Ids that only someone who sees the other store may ever be shown. */
const otherIds = (p: Place) => [
  p.location,
  p.receipt,
  p.adjustment,
  p.order,
  p.sale,
  p.return,
  p.parkedCart,
  p.shift,
  p.transfer,
  p.stocktake,
  p.device,
  p.member,
]

/** What is wrong with an answer, in words (nothing: it is right). */
function judge(res: Res, exp: ReturnType<typeof expected>, hidden: string[]): string | undefined {
  const body = JSON.stringify(res.body)
  const got = `answered ${res.status} ${body.slice(0, 300)}`
  if (res.status >= 500) return got
  if (res.status >= 400) {
    const b = res.body as Record<string, unknown>
    const problemJson = res.headers.get("content-type")?.includes("application/problem+json")
    if (!problemJson || b.status !== res.status || typeof b.code !== "string" || typeof b.type !== "string")
      return `not a problem+json: ${got}`
  }
  if (exp.kind === "forbidden" && (res.status !== 403 || (res.body as { code: string }).code !== "forbidden"))
    return `expected 403 forbidden, ${got}`
  if (exp.kind === "hidden" && exp.inBody) {
    if (res.status !== 200 || !body.includes(exp.inBody) || !body.includes("not_found"))
      return `expected 200 refusing the item (not_found), ${got}`
  } else if (exp.kind === "hidden" && res.status !== 404) return `expected 404, ${got}`
  if (exp.kind === "allowed" && [401, 403, 404].filter((s) => !exp.alsoOwn.includes(s)).includes(res.status))
    return `expected an answer, ${got}`
  const mayShow = exp.kind === "allowed" && exp.showsOther
  if (res.status < 300 && !mayShow)
    for (const id of hidden) if (body.includes(id)) return `shows another store's ${id}: ${got}`
  return undefined
}

describe("the permission matrix", () => {
  it("every operation in the document has an expected answer", () => {
    const missing = ops.map((o) => o.key).filter((k) => !SCOPES[k])
    expect(missing, "add these to test/worker/permission-matrix.expected.ts").toEqual([])
    const stale = Object.keys(SCOPES).filter((k) => !ops.some((o) => o.key === k))
    expect(stale, "operations that no longer exist").toEqual([])
  })

  it("each role and an API key get 403, 404 or an answer exactly as the table says", { timeout: 240_000 }, async () => {
    const key = await call("POST", "/api-keys", {
      token: world.owner,
      body: { name: "渠道", permissions: API_KEY_PERMISSIONS, locationIds: [world.own.location] },
    })
    const callers: [Caller, string][] = [
      ...(await Promise.all(ROLES.map(async (r) => [r, await actor(world, r)] as [Caller, string]))),
      ["api_key", key.body.key as string],
    ]
    const wrong: string[] = []
    const allowedAnswers: number[] = []
    for (const op of ops.filter((o) => SCOPES[o.key])) // the first test names those without an entry
      for (const [caller, token] of callers)
        for (const where of ["own", "other"] as Where[]) {
          if (SCOPES[op.key] === "self" && where === "other") continue // about oneself: no other store
          const exp = expected(op.key, op.permission, caller, where)
          const res = await send({ ...validRequest(doc, op, world, world[where]), token })
          const sees = caller === "owner" || caller === "manager"
          if (exp.kind === "allowed") allowedAnswers.push(res.status)
          const fault = judge(res, exp, sees ? [] : otherIds(world.other))
          if (fault) wrong.push(`${caller} → ${op.key} (${where} store, ${op.permission ?? "no permission"}): ${fault}`)
        }
    expect(wrong, wrong.join("\n")).toEqual([])
    // The calls were valid enough to be carried out, not merely turned away at the body.
    const done = allowedAnswers.filter((s) => s < 300).length
    console.info("allowed calls answered 2xx", done, "of", allowedAnswers.length)
    expect(done / allowedAnswers.length).toBeGreaterThan(0.6)
  })
})

describe("credentials that no longer hold", () => {
  it("refuses the tokens of disabled and deleted users, revoked sessions and revoked API keys on every operation", {
    timeout: 120_000,
  }, async () => {
    const owner = world.owner
    const store = world.own.location
    const disabled = await staffToken(owner, "store_manager", [store])
    const loggedOut = await staffToken(owner, "cashier", [store])
    const revokedByManager = await staffToken(owner, "clerk", [store])
    const keyRes = await call("POST", "/api-keys", {
      token: owner,
      body: { name: "旧钥匙", permissions: API_KEY_PERMISSIONS, locationIds: [store] },
    })
    // A manager who left: their session and the channel key they issued both end with the account.
    const deleted = await staffToken(owner, "manager", [])
    const deletedsKey = await call("POST", "/api-keys", {
      token: deleted.token,
      body: { name: "离职经理的钥匙", permissions: API_KEY_PERMISSIONS, locationIds: [store] },
    })
    const dead = {
      "a disabled user": disabled.token,
      "a deleted user": deleted.token,
      "an API key of a deleted user": deletedsKey.body.key as string,
      "a signed-out session": loggedOut.token,
      "sessions revoked by a manager": revokedByManager.token,
      "a revoked API key": keyRes.body.key as string,
    }
    // Each works first (and is remembered by this isolate), then is ended.
    for (const token of Object.values(dead)) expect((await call("GET", "/locations", { token })).status).toBe(200)
    expect((await call("PATCH", `/users/${disabled.id}`, { token: owner, body: { status: "disabled" } })).status).toBe(
      200,
    )
    expect((await call("POST", "/auth/logout", { token: loggedOut.token })).status).toBeLessThan(300)
    expect((await call("POST", `/users/${revokedByManager.id}/sessions/revoke`, { token: owner })).status).toBeLessThan(
      300,
    )
    expect((await call("POST", `/api-keys/${keyRes.body.id}/revoke`, { token: owner })).status).toBe(200)
    expect((await call("DELETE", `/users/${deleted.id}`, { token: owner })).status).toBe(200)

    for (const op of ops) {
      if (SCOPES[op.key] === "public") continue
      for (const [who, token] of Object.entries(dead)) {
        const res = await send({ ...validRequest(doc, op, world, world.own), token })
        const where = `${who} → ${op.key}`
        expect(res.status, where).toBe(401)
        expectProblem(res, where)
      }
    }
  })

  it("refuses a revoked session at once while the user's other session goes on", async () => {
    const user = await staffToken(world.owner, "cashier", [world.own.location])
    const second = await call<{ token: string }>("POST", "/auth/login", {
      body: { username: user.username, password: user.password },
    })
    const sessions = await call<{ items: { id: string }[] }>("GET", "/me/sessions", { token: user.token })
    expect(sessions.status).toBe(200)
    expect(sessions.body.items).toHaveLength(2)
    const revoked = await call("POST", `/me/sessions/${sessions.body.items[0]!.id}/revoke`, { token: user.token })
    expect(revoked.status).toBeLessThan(300)
    const answers = await Promise.all([user.token, second.body.token].map((t) => call("GET", "/me", { token: t })))
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401])
  })
})
