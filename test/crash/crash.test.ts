// Crash and restart (issue #6): the real dev server (workerd with D1, Durable Objects, Queues) takes a
// mixed load from concurrent clients — till sales, channel orders that are paid, transfers shipped and
// received, offline sync batches — and is killed with SIGKILL mid-load. Started again on the same
// state, the chain must hold: every acknowledged sale and order is there exactly once, what was never
// acknowledged gives one result when sent again with its Idempotency-Key, the repair job finishes the
// orders left paying, no hold outlives its time, and the stock audit finds no drift.
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ulid } from "ulid"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bundledWorker, startServer } from "../../scripts/lib/server.mjs"
import { type Answer, Api, acknowledged, eventually, server as origin, sleep, unknown } from "./api"

const SKUS = 6
const OPENING = 2_000
const PRICE_FEN = 1000
const ORDER_HOLD_SECONDS = 15
/** The kill comes once the load has run this long, has this many answers, and payments are in flight. */
const LOAD_MS = 4_000
const ACKNOWLEDGED_BEFORE_KILL = 40
const KILL_AT_THE_LATEST_MS = 30_000
const WATCH_FOR_PAYING_MS = 5_000
const CRON = "*/10 * * * *"

type Server = Awaited<ReturnType<typeof startServer>>
type Line = { skuId: string; qty: number }

let dir = ""
let extraArgs: string[] = []
let server: Server | null = null
let owner: Api
let cashier: Api
let store = ""
let warehouse = ""
let skuIds: string[] = []
/** Offline sale ids the tills made (their own keys). */
const offline = new Set<string>()
/** Orders found "paying" right after the restart: the repair job's work. */
let payingAtRestart: string[] = []

const rand = (n: number) => Math.floor(Math.random() * n)
const someLines = (max: number): Line[] => {
  const picked = new Set<string>()
  const n = 1 + rand(2)
  while (picked.size < n) picked.add(skuIds[rand(skuIds.length)]!)
  return [...picked].map((skuId) => ({ skuId, qty: 1 + rand(max) }))
}
let keys = 0
const key = (p: string) => `${p}-${process.pid}-${++keys}`

async function start() {
  server = await startServer({ persistTo: join(dir, "state"), seed: false, extraArgs })
  origin.url = server.url
}

/** SIGKILL to the whole process group (wrangler and its workerd): no shutdown, no flush, no goodbye. */
async function killHard() {
  const child = server!.child
  const gone = new Promise<void>((resolve) =>
    child.exitCode !== null ? resolve() : child.once("exit", () => resolve()),
  )
  process.kill(-child.pid!, "SIGKILL")
  await gone
  server = null
}

/** The scheduled jobs, now (cron triggers don't fire in wrangler dev; --test-scheduled exposes this). */
async function cron() {
  const res = await fetch(`${origin.url}/__scheduled?cron=${encodeURIComponent(CRON)}`)
  expect(res.status, await res.text()).toBe(200)
}

async function pages<T>(api: Api, path: string): Promise<T[]> {
  const out: T[] = []
  let cursor: string | null = null
  do {
    const sep = path.includes("?") ? "&" : "?"
    const res = await api.get(`${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    out.push(...(res.body.items as T[]))
    cursor = res.body.nextCursor as string | null
  } while (cursor)
  return out
}

// ── the load ────────────────────────────────────────────────────────────────

let killed = false
/** Orders whose payment request is on the wire right now. */
const paying = new Set<string>()
const alive = (a: Answer) => !killed && a.status !== 0

/**
 * Waits for the worst moment: enough done, and a payment half-way inside the Worker — recorded as
 * "paying" but not yet committed — so the kill leaves the repair job something to finish.
 */
async function killMoment() {
  const started = Date.now()
  const acked = () => owner.writes.filter((w) => acknowledged(w.answer)).length
  while (Date.now() - started < KILL_AT_THE_LATEST_MS) {
    const ready = Date.now() - started >= LOAD_MS && acked() >= ACKNOWLEDGED_BEFORE_KILL
    if (ready) {
      for (const id of paying) if ((await owner.get(`/orders/${id}`)).body.status === "paying") return
      // The window is milliseconds wide: after a while, any payment on the wire will do.
      if (Date.now() - started > LOAD_MS + WATCH_FOR_PAYING_MS && paying.size > 0) return
    }
    await sleep(ready ? 1 : 20)
  }
}

async function tillClient() {
  while (!killed) {
    const body = { locationId: store, lines: someLines(2), payments: [{ method: "cash", amountFen: 10_000 }] }
    if (!alive(await cashier.write("sale", "/sales", body, key("sale")))) return
  }
}

async function orderClient() {
  for (let n = 0; !killed; n++) {
    const body = { channel: "miniprogram", locationId: store, lines: someLines(2), holdSeconds: ORDER_HOLD_SECONDS }
    const o = await owner.write("order", "/orders", body, key("order"))
    if (!alive(o)) return
    // Every fourth order is never paid: its holds must lapse on their own.
    if (o.status !== 201 || n % 4 === 3) continue
    const payments = [{ method: "wechat", amountFen: o.body.totalFen }]
    paying.add(o.body.id!)
    const paid = await owner.write("pay", `/orders/${o.body.id}/pay`, { payments }, key("pay"))
    paying.delete(o.body.id!)
    if (!alive(paid)) return
  }
}

async function transferClient() {
  while (!killed) {
    const lines = someLines(3)
    const t = await owner.write(
      "transfer",
      "/transfers",
      { fromLocationId: warehouse, toLocationId: store, lines },
      key("trf"),
    )
    if (!alive(t) || t.status !== 201) return
    const id = t.body.id!
    if (!alive(await owner.write("ship", `/transfers/${id}/ship`, undefined, key("ship")))) return
    if (!alive(await owner.write("receive", `/transfers/${id}/receive`, { lines }, key("rcv")))) return
  }
}

async function syncClient() {
  while (!killed) {
    const sales = Array.from({ length: 4 }, () => {
      const lines = [{ skuId: skuIds[rand(skuIds.length)]!, qty: 1 }]
      const id = ulid()
      offline.add(id)
      return {
        id,
        locationId: store,
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
        lines: lines.map((l) => ({ ...l, unitPriceFen: PRICE_FEN })),
        payments: [{ method: "cash", amountFen: PRICE_FEN }],
        totalFen: PRICE_FEN,
      }
    })
    if (!alive(await cashier.write("sync", "/sales/sync", { sales }, null))) return
  }
}

// ── the story ───────────────────────────────────────────────────────────────

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "puzi-crash-"))
  // Bundled once: a shared checkout's edits must not restart the Worker under the test.
  extraArgs = [...(await bundledWorker(dir)), "--test-scheduled"]
  owner = new Api()
  await start()
  const setup = await owner.send("POST", "/setup", { username: "owner", password: "puzi-crash-owner" })
  expect(setup.status, JSON.stringify(setup.body)).toBe(201)
  const login = await owner.send("POST", "/auth/login", { username: "owner", password: "puzi-crash-owner" })
  owner = owner.as(login.body.token as string)

  const loc = async (name: string, kind: string) =>
    (await owner.send("POST", "/locations", { name, kind, region: "华东" })).body.id!
  store = await loc("崩溃测试店", "store")
  warehouse = await loc("崩溃测试仓", "warehouse")
  const product = await owner.send("POST", "/products", {
    name: "崩溃测试商品",
    variants: Array.from({ length: SKUS }, (_, i) => ({ skuCode: `CRASH-${i}`, priceFen: PRICE_FEN })),
  })
  skuIds = (product.body.skus as { id: string }[]).map((s) => s.id)
  for (const locationId of [store, warehouse]) {
    const lines = skuIds.map((skuId) => ({ skuId, qty: OPENING, unitCostFen: 400 }))
    const r = await owner.send("POST", "/stock/receipts", { locationId, lines }, key("rk"))
    expect(r.status, JSON.stringify(r.body)).toBe(201)
  }
  const user = { username: "crash-cashier", password: "password-123", role: "cashier", locationIds: [store] }
  expect((await owner.send("POST", "/users", user)).status).toBe(201)
  const c = await owner.send("POST", "/auth/login", { username: user.username, password: user.password })
  cashier = owner.as(c.body.token as string)
}, 240_000)

afterAll(async () => {
  if (server) await server.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe("a server killed with SIGKILL in the middle of a mixed load", () => {
  it("is killed while every kind of write is in flight, then comes back on the same state", async () => {
    const clients = [
      ...Array.from({ length: 4 }, tillClient),
      ...Array.from({ length: 5 }, orderClient),
      ...Array.from({ length: 2 }, transferClient),
      ...Array.from({ length: 2 }, syncClient),
    ]
    await killMoment()
    killed = true
    await killHard()
    await Promise.all(clients)
    const w = owner.writes
    console.log(
      `load: ${w.length} writes, ${w.filter((x) => acknowledged(x.answer)).length} acknowledged, ` +
        `${w.filter((x) => unknown(x.answer)).length} cut off by the kill`,
    )
    expect(w.filter((x) => acknowledged(x.answer)).length).toBeGreaterThan(20)
    expect(w.some((x) => x.answer.status === 0)).toBe(true)

    await start()
    const health = await owner.get("/health")
    expect(health.status).toBe(200)
  })

  it("still has every acknowledged sale, order payment and synced sale", async () => {
    for (const x of owner.writes.filter((w) => acknowledged(w.answer))) {
      if (x.kind === "sale") {
        const sale = await owner.get(`/sales/${x.answer.body.id}`)
        expect(sale.status, `sale ${x.answer.body.id}`).toBe(200)
        expect(sale.body.totalFen).toBe(x.answer.body.totalFen)
      } else if (x.kind === "order" || x.kind === "pay") {
        const order = await owner.get(`/orders/${x.answer.body.id}`)
        expect(order.status, `order ${x.answer.body.id}`).toBe(200)
        if (x.kind === "pay") expect(order.body.status).toBe("paid")
      } else if (x.kind === "sync") {
        for (const r of x.answer.body.results as { id: string; status: string }[]) {
          expect(r.status).toBe("applied")
          expect((await owner.get(`/sales/${r.id}`)).status, `offline sale ${r.id}`).toBe(200)
        }
      }
    }
    // Payments cut off half-way are the repair job's (not resent here): note which were left paying.
    const cutPays = owner.writes.filter((w) => w.kind === "pay" && unknown(w.answer))
    const states = await Promise.all(
      cutPays.map(async (w) => [w, (await owner.get(w.path.slice(0, -4))).body] as const),
    )
    payingAtRestart = states.filter(([, o]) => o.status === "paying").map(([, o]) => o.id as string)
    console.log(`payments cut off: ${cutPays.length}, of which left "paying": ${payingAtRestart.length}`)
  })

  it("gives one result to every unacknowledged request sent again with its Idempotency-Key", async () => {
    const cut = owner.writes.filter(
      (w) => unknown(w.answer) && !(w.kind === "pay" && payingAtRestart.includes(w.path.split("/")[2]!)),
    )
    // A key whose request died stays "in flight" for a minute before a retry may take it over.
    const deadline = Date.now() + 150_000
    for (const w of cut) {
      const first = await owner.resend(w, deadline)
      const again = await owner.resend(w, deadline)
      const where = `${w.kind} ${w.path} ${w.key ?? ""}`
      expect(unknown(first), `${where}: ${JSON.stringify(first.body)}`).toBe(false)
      // A state answer (409 hold_expired for a payment the crash cut off before it was recorded) is a result too.
      expect(first.body.code, where).not.toBe("idempotency_in_flight")
      expect([again.status, again.body.id], where).toEqual([first.status, first.body.id])
      if (w.kind === "sync") {
        const statuses = (first.body.results as { status: string }[]).map((r) => r.status)
        expect(
          statuses.every((s) => s === "applied" || s === "duplicate"),
          where,
        ).toBe(true)
        expect(
          (again.body.results as { status: string }[]).every((r) => r.status === "duplicate"),
          where,
        ).toBe(true)
      } else if (acknowledged(first)) expect(again.replayed, where).toBe(true)
      w.answer = first
    }
    console.log(`resent ${cut.length} unacknowledged writes`)
    // Transfers the kill stopped between steps are taken to the end, as their clerk would.
    for (const t of await pages<{ id: string }>(owner, `/transfers?locationId=${warehouse}`)) await finishTransfer(t.id)
  }, 240_000)

  it("finishes the orders left paying through the repair job", async () => {
    await eventually("orders left paying are paid by the repair job", 120_000, async () => {
      await cron()
      const states = await Promise.all(
        payingAtRestart.map(async (id) => (await owner.get(`/orders/${id}`)).body.status),
      )
      return states.every((s) => s === "paid") ? true : undefined
    })
  }, 150_000)

  it("lets no hold outlive its time: the cells and, after their alarms, D1 hold nothing", async () => {
    await cron()
    const cells = [store, warehouse].flatMap((loc) => skuIds.map((sku) => [loc, sku] as const))
    await eventually("every cell's held quantity is 0", (ORDER_HOLD_SECONDS + 30) * 1000, async () => {
      const snaps = await Promise.all(cells.map(async ([l, s]) => (await owner.get(`/stock/cells/${l}/${s}`)).body))
      return snaps.every((c) => c.reserved === 0) ? true : undefined
    })
    await eventually("D1's levels show nothing held", 60_000, async () => {
      const levels = [
        ...(await pages<{ reserved: number }>(owner, `/stock/levels?locationId=${store}`)),
        ...(await pages<{ reserved: number }>(owner, `/stock/levels?locationId=${warehouse}`)),
      ]
      return levels.length === cells.length && levels.every((l) => l.reserved === 0) ? true : undefined
    })
    const open = await pages<{ id: string }>(owner, `/orders?locationId=${store}&status=reserved`)
    expect(open).toEqual([])
  }, 150_000)

  it("counts every sale and paid order exactly once in the stock", async () => {
    const told = new Set<string>([
      ...owner.writes.filter((w) => w.kind === "sale" && acknowledged(w.answer)).map((w) => w.answer.body.id!),
      ...offline,
    ])
    const sold = new Map<string, number>()
    const take = (lines: Line[]) => {
      for (const l of lines) sold.set(l.skuId, (sold.get(l.skuId) ?? 0) + l.qty)
    }
    // Every sale the server keeps is one a till was told about (no sale made twice by a retry).
    const kept = await pages<{ id: string }>(owner, `/sales?locationId=${store}`)
    expect(kept.filter((s) => !told.has(s.id)).map((s) => s.id)).toEqual([])
    for (const s of kept) {
      take((await owner.get(`/sales/${s.id}`)).body.lines as Line[])
    }
    for (const o of await pages<{ id: string }>(owner, `/orders?locationId=${store}&status=paid`))
      take((await owner.get(`/orders/${o.id}`)).body.lines as Line[])
    const arrived = new Map<string, number>()
    const left = new Map<string, number>()
    for (const t of await pages<{ id: string }>(owner, `/transfers?locationId=${warehouse}`)) {
      const full = (await owner.get(`/transfers/${t.id}`)).body
      for (const l of full.lines as { skuId: string; shippedQty: number | null; receivedQty: number | null }[]) {
        left.set(l.skuId, (left.get(l.skuId) ?? 0) + (l.shippedQty ?? 0))
        arrived.set(l.skuId, (arrived.get(l.skuId) ?? 0) + (l.receivedQty ?? 0))
      }
    }
    for (const skuId of skuIds) {
      const atStore = (await owner.get(`/stock/cells/${store}/${skuId}`)).body.onHand
      const atWarehouse = (await owner.get(`/stock/cells/${warehouse}/${skuId}`)).body.onHand
      expect(atStore, `store ${skuId}`).toBe(OPENING + (arrived.get(skuId) ?? 0) - (sold.get(skuId) ?? 0))
      expect(atWarehouse, `warehouse ${skuId}`).toBe(OPENING - (left.get(skuId) ?? 0))
    }
  }, 120_000)

  it("finds no drift between the cells and the D1 ledger", async () => {
    for (const locationId of [store, warehouse]) {
      const audit = await eventually("an audit with nothing pending", 60_000, async () => {
        const a = await owner.get(`/stock/audit?locationId=${locationId}`)
        return a.status === 200 && (a.body.pending as unknown[]).length === 0 ? a.body : undefined
      })
      expect(audit.drift).toEqual([])
      expect(audit.cellsChecked).toBe(SKUS)
    }
  }, 150_000)
})

/** Ships (if not yet) and receives a transfer whose earlier step was cut off by the crash. */
async function finishTransfer(id: string) {
  const t = (await owner.get(`/transfers/${id}`)).body
  const lines = (t.lines as Line[]).map((l) => ({ skuId: l.skuId, qty: l.qty }))
  if (t.status === "reserved") {
    const shipped = await owner.write("ship", `/transfers/${id}/ship`, undefined, key("ship"))
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(200)
  }
  const now = (await owner.get(`/transfers/${id}`)).body.status
  if (now === "in_transit") {
    const got = await owner.write("receive", `/transfers/${id}/receive`, { lines }, key("rcv"))
    expect(got.status, JSON.stringify(got.body)).toBe(200)
  }
}
