// Channel orders (ARCHITECTURE.md §4): reserve every line in the StockCells under hold id = order
// id, then write the order in one D1 batch; pay records the payments, commits every hold and marks
// the order paid. Stock decisions happen only in the cells; D1 says what was ordered and paid.
//
// Crash safety, step by step:
// - create reserves first, writes second. A worker that dies in between leaves holds nobody
//   knows about: they lapse at `expiresAt` by the cells' alarms (at most `holdSeconds`), and the
//   idempotency key's retry makes a fresh order. A failed write releases the holds at once.
// - pay writes "paying" + the payments (one batch) before any commit, so a worker that dies
//   half-way leaves a row the repair job finds; every commit has a fixed op id
//   (`${orderId}:${skuId}:commit`), so finishing twice commits once.
// - a hold that lapsed before its commit (a late repair, a payment confirmed after the hold
//   time): the same goods are sold now if the cell still has them (op id `…:late`); if any line
//   can't be had, the lines already taken are received back lot by lot, the payments are refunded
//   and the order ends "expired" (409 hold_expired): all of the order or none of it.
import { and, desc, eq, inArray, lt, lte, or, type SQL, sql } from "drizzle-orm"
import type { LotTake } from "../../../core/lots"
import type { Db } from "../../db/client"
import {
  docCounters,
  locations,
  type OrderChannel,
  type OrderLineRow,
  type OrderPaymentRow,
  type OrderRow,
  type OrderStatus,
  orderLines,
  orderPayments,
  orders,
  type PaymentMethod,
  type PaymentStatus,
  products,
  skus,
} from "../../db/schema"
import { type Actor, assertLocation, locationFilter, may } from "../../lib/actor"
import { errorText } from "../../lib/db-errors"
import { businessDay } from "../../lib/doc-numbers"
import { newId } from "../../lib/ids"
import { decodeCursor, toPage } from "../../lib/pagination"
import { type FieldError, notFound, ProblemError, problem } from "../../lib/problem"
import { cellStub, commitAll, type ReserveAllResult, releaseAll, reserveAll, sumLines } from "../../stock-cell/client"
import type { StockRef } from "../../stock-cell/types"
import { dailyForPaidOrder } from "../reports"
import { type ChargeOutcome, type CodeMethod, manualProvider, type PaymentProvider } from "./payments"

/** Pay refuses a reservation closer than this to lapsing: its commits must land before the holds go. */
export const PAY_MARGIN_MS = 1_000
export const DEFAULT_HOLD_SECONDS = 900

export type OrderLineInput = { skuId: string; qty: number }
export type CreateOrderInput = {
  channel: OrderChannel
  locationId: string
  lines: OrderLineInput[]
  holdSeconds?: number
  customerId?: string | null
  externalRef?: string | null
}
export type PaymentInput = { method: PaymentMethod; amountFen: number; authCode?: string }

/** What the work below needs; routes pass the caller, the repair job a system id. */
export type OrdersCtx = { db: Db; env: Env; actorId: string; provider?: PaymentProvider }
export const requestCtx = (c: { var: { db: Db; actor: Actor }; env: Env }): OrdersCtx => ({
  db: c.var.db,
  env: c.env,
  actorId: c.var.actor.id,
})

type Loaded = { order: OrderRow; lines: OrderLineRow[]; payments: OrderPaymentRow[] }
type Answer = { httpStatus: 200 | 202; body: { id: string; status: "paid" | "payment_pending" } }

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** An unpaid reservation past its time reads as expired before anything writes it. */
export const effectiveStatus = (o: Pick<OrderRow, "status" | "expiresAt">, now = Date.now()): OrderStatus =>
  o.status === "reserved" && o.expiresAt <= now ? "expired" : o.status

/** Weighed goods count in grams and are priced per kilogram. */
const lineAmount = (qty: number, priceFen: number, unit: string) =>
  unit === "gram" ? Math.round((qty * priceFen) / 1000) : qty * priceFen

const toLine = (l: OrderLineRow) => ({
  skuId: l.skuId,
  qty: l.qty,
  unitPriceFen: l.unitPriceFen,
  amountFen: l.amountFen,
})

const toPayment = (p: OrderPaymentRow) => ({
  id: p.id,
  method: p.method,
  amountFen: p.amountFen,
  status: p.status,
  provider: p.provider,
  createdAt: iso(p.createdAt)!,
})

const toSummary = (o: OrderRow, now = Date.now()) => ({
  id: o.id,
  number: o.number,
  channel: o.channel,
  locationId: o.locationId,
  status: effectiveStatus(o, now),
  customerId: o.customerId,
  externalRef: o.externalRef,
  totalFen: o.totalFen,
  expiresAt: iso(o.expiresAt)!,
  paidAt: iso(o.paidAt),
  createdAt: iso(o.createdAt)!,
  updatedAt: iso(o.updatedAt)!,
})

const toOrder = ({ order, lines, payments }: Loaded) => ({
  ...toSummary(order),
  lines: lines.map(toLine),
  payments: payments.map(toPayment),
})

// ── create ───────────────────────────────────────────────────────────────────

export async function createOrder(ctx: OrdersCtx, actor: Actor, input: CreateOrderInput) {
  const { db, env } = ctx
  assertLocation(actor, input.locationId)
  const lines = sumLines(input.lines)
  const firstIndex = new Map<string, number>()
  input.lines.forEach((l, i) => {
    if (!firstIndex.has(l.skuId)) firstIndex.set(l.skuId, i)
  })
  const pathOf = (skuId: string, field: "skuId" | "qty") => `lines.${firstIndex.get(skuId) ?? 0}.${field}`

  const id = newId("ord")
  const now = Date.now()
  const expiresAt = now + (input.holdSeconds ?? DEFAULT_HOLD_SECONDS) * 1000
  const ref: StockRef = { type: "order", id, actorId: actor.id }
  const opts = { locationId: input.locationId, ref }
  const skuIds = lines.map((l) => l.skuId)
  // The catalog read and the reservation run side by side (the cells don't need prices to decide);
  // the answer is still chosen in contract order: 404 location, 422 SKUs, then 409 stock.
  const [factsOf, heldOf] = await Promise.allSettled([
    orderFacts(db, input.locationId, skuIds, now),
    reserveAll(env, id, lines, { ...opts, expiresAt, kind: "sale", customerId: input.customerId ?? null }),
  ])
  if (heldOf.status === "rejected") throw heldOf.reason // reserveAll gave back what it held
  const held = heldOf.value
  const giveBack = async () => {
    if (held.ok) await releaseAll(env, id, skuIds, opts).catch(() => {})
  }
  if (factsOf.status === "rejected") {
    await giveBack()
    throw factsOf.reason
  }
  const { locationExists, bySku } = factsOf.value
  if (!locationExists) {
    await giveBack()
    throw notFound("location")
  }
  const unknown: FieldError[] = []
  for (const l of lines) {
    const s = bySku.get(l.skuId)
    if (!s) unknown.push({ path: pathOf(l.skuId, "skuId"), message: "No such SKU.", skuId: l.skuId })
    else if (!s.live)
      unknown.push({ path: pathOf(l.skuId, "skuId"), message: "This SKU is no longer sold.", skuId: l.skuId })
  }
  if (unknown.length > 0) {
    await giveBack()
    throw problem(422, "unknown_sku", "Some lines name SKUs that can't be ordered.", { errors: unknown })
  }
  if (!held.ok) throw refusal(held, pathOf)

  const priced = lines.map((l) => {
    const s = bySku.get(l.skuId)!
    return { ...l, unitPriceFen: s.priceFen, amountFen: lineAmount(l.qty, s.priceFen, s.unit) }
  })
  const totalFen = priced.reduce((sum, l) => sum + l.amountFen, 0)

  const day = businessDay(now, env.CHAIN_TIME_ZONE)
  try {
    const [, inserted] = await db.batch([
      db
        .insert(docCounters)
        .values({ prefix: "DD", day, last: 1 })
        .onConflictDoUpdate({
          target: [docCounters.prefix, docCounters.day],
          set: { last: sql`${docCounters.last} + 1` },
        }),
      db
        .insert(orders)
        .values({
          id,
          number: sql`(select ${`DD${day}-`} || printf('%04d', ${docCounters.last}) from ${docCounters} where ${docCounters.prefix} = 'DD' and ${docCounters.day} = ${day})`,
          channel: input.channel,
          locationId: input.locationId,
          status: "reserved",
          customerId: input.customerId ?? null,
          externalRef: input.externalRef ?? null,
          totalFen,
          expiresAt,
          createdBy: actor.id,
          createdAt: now,
          updatedAt: now,
        })
        .returning({ number: orders.number }),
      // All lines in one statement with one parameter, however many there are.
      db.insert(orderLines).select(
        sql`select ${id}, key + 1, json_extract(value, '$.skuId'), json_extract(value, '$.qty'),
                   json_extract(value, '$.unitPriceFen'), json_extract(value, '$.amountFen'), null
            from json_each(${JSON.stringify(priced)})`,
      ),
    ])
    return {
      id,
      number: inserted[0]!.number,
      channel: input.channel,
      locationId: input.locationId,
      status: "reserved" as const,
      customerId: input.customerId ?? null,
      externalRef: input.externalRef ?? null,
      expiresAt: iso(expiresAt)!,
      lines: priced,
      totalFen,
      createdAt: iso(now)!,
    }
  } catch (e) {
    // Nothing was written: give the goods back now rather than at expiresAt.
    await giveBack()
    if (/UNIQUE constraint failed: orders\.channel/.test(errorText(e)))
      throw problem(409, "duplicate_external_ref", "This channel already has an order with that externalRef.", {
        errors: [{ path: "externalRef", message: "Already used on this channel." }],
      })
    throw e
  }
}

// What an order needs from the catalog, kept per isolate for a moment: a flash sale asks about the
// same SKU thousands of times a second. A price change reaches new orders within SKU_FACTS_MS; an
// unknown SKU is never cached (a SKU created a moment ago can be ordered at once); a location,
// once seen, is trusted for LOCATION_MS (an archived store stops taking orders within a minute).
export const SKU_FACTS_MS = 2_000
const LOCATION_MS = 60_000
const CACHE_MAX = 10_000
type SkuFact = { priceFen: number; unit: string; live: boolean }
const skuFacts = new Map<string, { at: number; fact: SkuFact }>()
const locationsSeen = new Map<string, number>()

async function orderFacts(db: Db, locationId: string, skuIds: string[], now: number) {
  const bySku = new Map<string, SkuFact>()
  const missing: string[] = []
  for (const id of skuIds) {
    const hit = skuFacts.get(id)
    if (hit && now - hit.at < SKU_FACTS_MS) bySku.set(id, hit.fact)
    else missing.push(id)
  }
  const seen = locationsSeen.get(locationId)
  let locationExists = seen !== undefined && now - seen < LOCATION_MS
  if (missing.length === 0 && locationExists) return { locationExists, bySku }
  // One round trip for both reads; the SKU list travels as one JSON parameter (D1 allows 100).
  const [place, found] = await db.batch([
    db
      .select({ id: locations.id, archivedAt: locations.archivedAt })
      .from(locations)
      .where(eq(locations.id, locationId)),
    db
      .select({
        id: skus.id,
        priceFen: skus.priceFen,
        unit: products.unit,
        live: sql<number>`${skus.status} = 'active' and ${products.status} = 'active'`.as("live"),
      })
      .from(skus)
      .innerJoin(products, eq(products.id, skus.productId))
      .where(sql`${skus.id} in (select value from json_each(${JSON.stringify(missing)}))`),
  ])
  if (skuFacts.size > CACHE_MAX) skuFacts.clear()
  if (locationsSeen.size > CACHE_MAX) locationsSeen.clear()
  locationExists = Boolean(place[0] && !place[0].archivedAt)
  if (locationExists) locationsSeen.set(locationId, now)
  else locationsSeen.delete(locationId)
  for (const f of found) {
    const fact = { priceFen: f.priceFen, unit: f.unit, live: Boolean(f.live) }
    skuFacts.set(f.id, { at: now, fact })
    bySku.set(f.id, fact)
  }
  return { locationExists, bySku }
}

function refusal(held: Extract<ReserveAllResult, { ok: false }>, pathOf: (sku: string, f: "qty") => string) {
  if (held.short.length > 0)
    return problem(409, "insufficient_stock", "Not enough stock for every line; nothing was held.", {
      errors: held.short.map((s) => ({
        path: pathOf(s.skuId, "qty"),
        message: `Only ${s.available} available.`,
        skuId: s.skuId,
        requested: s.requested,
        available: s.available,
      })),
    })
  const errors: FieldError[] = held.refused.map(({ skuId, refusal: r }) => ({
    path: pathOf(skuId, "qty"),
    message: r.code === "limit_exceeded" ? `At most ${r.perCustomer} per customer.` : r.code,
    ...r,
    skuId,
  }))
  const codes = new Set(held.refused.map((r) => r.refusal.code))
  if (codes.has("limit_exceeded"))
    return problem(409, "limit_exceeded", "A line is over the per-customer limit of a flash sale; nothing was held.", {
      errors,
    })
  if (codes.has("customer_required"))
    return problem(422, "customer_required", "A line is on a flash sale with a per-customer limit: send customerId.", {
      errors,
    })
  return new Error(`stock cell refused an order reservation: ${JSON.stringify(held.refused)}`)
}

// ── read ─────────────────────────────────────────────────────────────────────

async function loadOrder(db: Db, id: string): Promise<Loaded | null> {
  const [[order], lines, payments] = await db.batch([
    db.select().from(orders).where(eq(orders.id, id)),
    db.select().from(orderLines).where(eq(orderLines.orderId, id)).orderBy(orderLines.lineNo),
    db
      .select()
      .from(orderPayments)
      .where(eq(orderPayments.orderId, id))
      .orderBy(orderPayments.createdAt, orderPayments.id),
  ])
  return order ? { order, lines, payments } : null
}

async function loadVisible(db: Db, actor: Actor, id: string): Promise<Loaded> {
  const loaded = await loadOrder(db, id)
  if (!loaded || !may(actor, loaded.order.locationId)) throw notFound("order")
  return loaded
}

export const getOrder = async (db: Db, actor: Actor, id: string) => toOrder(await loadVisible(db, actor, id))

export type ListQuery = {
  limit: number
  cursor?: string
  locationId?: string
  status?: OrderStatus
  channel?: OrderChannel
}

export async function listOrders(db: Db, actor: Actor, q: ListQuery) {
  if (q.locationId) assertLocation(actor, q.locationId)
  const after = decodeCursor(q.cursor)
  const now = Date.now()
  const byStatus: SQL | undefined =
    q.status === "reserved"
      ? sql`${orders.status} = 'reserved' and ${orders.expiresAt} > ${now}`
      : q.status === "expired"
        ? or(eq(orders.status, "expired"), and(eq(orders.status, "reserved"), lte(orders.expiresAt, now)))
        : q.status
          ? eq(orders.status, q.status)
          : undefined
  const where = [
    locationFilter(actor, orders.locationId),
    q.locationId ? eq(orders.locationId, q.locationId) : undefined,
    q.channel ? eq(orders.channel, q.channel) : undefined,
    byStatus,
    after ? lt(orders.id, String(after[0])) : undefined,
  ].filter((w): w is SQL => w !== undefined)
  const rows = await db
    .select()
    .from(orders)
    .where(and(...where))
    .orderBy(desc(orders.id))
    .limit(q.limit + 1)
  return toPage(
    rows,
    q.limit,
    (r) => [r.id],
    (r) => toSummary(r, now),
  )
}

// ── cancel ───────────────────────────────────────────────────────────────────

export async function cancelOrder(ctx: OrdersCtx, actor: Actor, id: string) {
  const { order, lines } = await loadVisible(ctx.db, actor, id)
  if (order.status === "cancelled") return { id, status: "cancelled" as const }
  assertOpen(order)
  const now = Date.now()
  const done = await ctx.db
    .update(orders)
    .set({ status: "cancelled", closedAt: now, updatedAt: now })
    .where(and(eq(orders.id, id), inArray(orders.status, ["reserved", "expired"])))
    .returning({ id: orders.id })
  if (done.length === 0) throw stateChanged()
  // If this worker dies here, the holds lapse at expiresAt anyway.
  await releaseAll(
    ctx.env,
    id,
    lines.map((l) => l.skuId),
    { locationId: order.locationId, ref: orderRef(order, ctx.actorId) },
  )
  return { id, status: "cancelled" as const }
}

/** Paid, being paid or awaiting a customer's payment: not something cancel or a new payment may touch. */
function assertOpen(order: OrderRow) {
  if (order.status === "paid") throw problem(409, "order_paid", "This order is paid: refund it instead.")
  if (order.status === "paying") throw problem(409, "order_paying", "This order's payment is being completed.")
  if (order.status === "payment_pending")
    throw problem(409, "payment_pending", "A customer's payment for this order is awaiting its result.")
}

const stateChanged = () =>
  problem(409, "order_state_changed", "The order changed while this request ran; fetch it and try again.")

const holdExpired = (order: OrderRow) =>
  problem(409, "hold_expired", "The order's reservation lapsed; place the order again.", {
    expiresAt: iso(order.expiresAt),
  })

const orderRef = (order: OrderRow, actorId: string): StockRef => ({ type: "order", id: order.id, actorId })

// ── pay ──────────────────────────────────────────────────────────────────────

export async function payOrder(ctx: OrdersCtx, actor: Actor, id: string, payments: PaymentInput[]): Promise<Answer> {
  const loaded = await loadVisible(ctx.db, actor, id)
  const { order } = loaded
  const now = Date.now()
  if (order.status === "paid") throw problem(409, "order_paid", "This order is already paid.")
  if (order.status === "cancelled") throw problem(409, "order_cancelled", "This order was cancelled.")
  if (order.status === "expired") throw holdExpired(order)
  // A retry after a timeout (same key, taken over) or a second till: finish what was started.
  if (order.status === "paying") return finishPaying(ctx, loaded)
  if (order.status === "payment_pending") return settlePending(ctx, loaded)

  const paidFen = payments.reduce((s, p) => s + p.amountFen, 0)
  if (paidFen < order.totalFen)
    throw problem(422, "payment_short", `The payments cover ${paidFen} of ${order.totalFen} fen.`, {
      totalFen: order.totalFen,
      paidFen,
    })
  const cashFen = payments.filter((p) => p.method === "cash").reduce((s, p) => s + p.amountFen, 0)
  if (paidFen - order.totalFen > cashFen)
    throw problem(422, "payment_over", "Only cash gives change: the other payments exceed the total.", {
      totalFen: order.totalFen,
      paidFen,
    })
  if (order.expiresAt - now < PAY_MARGIN_MS) {
    await lapse(ctx, loaded)
    throw holdExpired(order)
  }

  const attempt = order.payAttempts + 1
  const withCode = payments.some((p) => p.authCode)
  const provider = ctx.provider ?? manualProvider
  const rows: OrderPaymentRow[] = payments.map((p, i) => ({
    id: `${order.id}.${attempt}.${i + 1}`,
    orderId: order.id,
    attempt,
    method: p.method,
    amountFen: p.amountFen,
    status: p.authCode ? "pending" : "confirmed",
    provider: p.authCode ? provider.name : "manual",
    providerRef: null,
    withAuthCode: Boolean(p.authCode),
    createdAt: now,
    updatedAt: now,
  }))
  let claimed = false
  try {
    const [won] = await ctx.db.batch([
      ctx.db
        .update(orders)
        .set({ status: withCode ? "payment_pending" : "paying", payAttempts: attempt, updatedAt: now })
        .where(and(eq(orders.id, id), eq(orders.status, "reserved"), eq(orders.payAttempts, attempt - 1)))
        .returning({ id: orders.id }),
      ...rows.map((r) => insertPaymentIfClaimed(ctx.db, r)),
    ])
    claimed = won.length > 0
  } catch (e) {
    // A racing attempt made the same payment ids first.
    if (!/UNIQUE constraint failed: order_payments\.id/.test(errorText(e))) throw e
  }
  if (!claimed) throw stateChanged()

  const next: Loaded = {
    order: { ...order, status: withCode ? "payment_pending" : "paying", payAttempts: attempt, updatedAt: now },
    lines: loaded.lines,
    payments: [...loaded.payments, ...rows],
  }
  if (!withCode) return finishPaying(ctx, next)

  const outcomes = new Map<string, ChargeOutcome>()
  for (const [i, p] of payments.entries()) {
    if (!p.authCode) continue
    const row = rows[i]!
    outcomes.set(
      row.id,
      await provider.charge({
        paymentId: row.id,
        orderId: order.id,
        method: p.method as CodeMethod,
        amountFen: p.amountFen,
        authCode: p.authCode,
      }),
    )
  }
  return settleAttempt(ctx, next, outcomes)
}

/** The payment row goes in only if this very batch moved the order into this attempt. */
const insertPaymentIfClaimed = (db: Db, r: OrderPaymentRow) =>
  db.insert(orderPayments).select(
    sql`select ${r.id}, ${r.orderId}, ${r.attempt}, ${r.method}, ${r.amountFen}, ${r.status}, ${r.provider}, null,
               ${r.withAuthCode ? 1 : 0}, ${r.createdAt}, ${r.updatedAt}
        where exists (select 1 from ${orders} where ${orders.id} = ${r.orderId} and ${orders.payAttempts} = ${r.attempt}
                      and ${orders.status} in ('paying', 'payment_pending'))`,
  )

/** Asks the provider again about this attempt's pending payments (pay called again, or the repair job). */
async function settlePending(ctx: OrdersCtx, loaded: Loaded): Promise<Answer> {
  const provider = ctx.provider ?? manualProvider
  const outcomes = new Map<string, ChargeOutcome>()
  for (const p of loaded.payments)
    if (p.attempt === loaded.order.payAttempts && p.status === "pending") outcomes.set(p.id, await provider.query(p.id))
  return settleAttempt(ctx, loaded, outcomes)
}

/** Applies the providers' answers for the current attempt: all confirmed → commit; one declined → back to reserved. */
async function settleAttempt(ctx: OrdersCtx, loaded: Loaded, outcomes: Map<string, ChargeOutcome>): Promise<Answer> {
  const { db } = ctx
  const { order } = loaded
  const now = Date.now()
  const current = loaded.payments.filter((p) => p.attempt === order.payAttempts)
  const stillPending = current.some((p) => p.status === "pending" && outcomes.get(p.id)?.status !== "confirmed")
  const declined = [...outcomes.values()].some((o) => o.status === "declined")
  const refOf = (id: string) => {
    const o = outcomes.get(id)
    return o && o.status !== "declined" ? o.providerRef : null
  }

  if (declined) {
    // The attempt fails as a whole: what was taken is given back, the goods stay held for a new attempt.
    const provider = ctx.provider ?? manualProvider
    for (const p of current)
      if (p.withAuthCode && outcomes.get(p.id)?.status === "confirmed") await provider.refund(p.id, p.amountFen)
    const statusOf = (p: OrderPaymentRow): PaymentStatus =>
      outcomes.get(p.id)?.status === "declined" ? "declined" : "refunded"
    await db.batch([
      db
        .update(orders)
        .set({ status: "reserved", updatedAt: now })
        .where(
          and(eq(orders.id, order.id), eq(orders.status, "payment_pending"), eq(orders.payAttempts, order.payAttempts)),
        ),
      ...current.map((p) =>
        db
          .update(orderPayments)
          .set({ status: statusOf(p), providerRef: refOf(p.id), updatedAt: now })
          .where(eq(orderPayments.id, p.id)),
      ),
    ])
    const reason = [...outcomes.values()].find((o) => o.status === "declined")
    throw problem(422, "payment_declined", "The customer's payment was declined; the order is still reserved.", {
      reason: reason?.status === "declined" ? reason.reason : null,
    })
  }

  const confirmedNow = current.filter((p) => p.status === "pending" && outcomes.get(p.id)?.status === "confirmed")
  const notes = current
    .filter((p) => outcomes.has(p.id))
    .map((p) =>
      db
        .update(orderPayments)
        .set({
          providerRef: refOf(p.id),
          updatedAt: now,
          ...(outcomes.get(p.id)?.status === "confirmed" ? { status: "confirmed" } : {}),
        })
        .where(eq(orderPayments.id, p.id)),
    )
  if (stillPending) {
    if (notes.length > 0) await db.batch(notes as [(typeof notes)[number], ...(typeof notes)[number][]])
    return { httpStatus: 202, body: { id: order.id, status: "payment_pending" } }
  }
  const [moved] = await db.batch([
    db
      .update(orders)
      .set({ status: "paying", updatedAt: now })
      .where(
        and(eq(orders.id, order.id), eq(orders.status, "payment_pending"), eq(orders.payAttempts, order.payAttempts)),
      )
      .returning({ id: orders.id }),
    ...notes,
  ])
  if (moved.length === 0) throw stateChanged()
  const confirmed = new Set(confirmedNow.map((p) => p.id))
  return finishPaying(ctx, {
    order: { ...order, status: "paying", updatedAt: now },
    lines: loaded.lines,
    payments: loaded.payments.map((p) => (confirmed.has(p.id) ? { ...p, status: "confirmed" } : p)),
  })
}

type Took = { skuId: string; qty: number; takes: LotTake[] | null; costFen: number | null }

/**
 * Commits every hold of a "paying" order and marks it paid. Safe to run again and again (the
 * route on a retry, the repair job): each commit replays under its fixed op id.
 */
export async function finishPaying(ctx: OrdersCtx, loaded: Loaded): Promise<Answer> {
  const { env, db } = ctx
  const { order, lines } = loaded
  const ref = orderRef(order, ctx.actorId)
  const opts = { locationId: order.locationId, ref }
  const committed = await commitAll(
    env,
    order.id,
    lines.map((l) => l.skuId),
    opts,
  )
  const took = new Map<string, Took>()
  const missing: OrderLineRow[] = []
  for (const [i, { skuId, result }] of committed.lines.entries()) {
    if (result.ok) took.set(skuId, { skuId, qty: result.qty, takes: result.takes, costFen: result.costFen })
    else if (result.code === "hold_committed")
      took.set(skuId, { skuId, qty: lines[i]!.qty, takes: null, costFen: null })
    else missing.push(lines.find((l) => l.skuId === skuId)!)
  }
  // Holds that lapsed before their commit: take the same goods now if the cell still has them.
  const late = await Promise.all(
    missing.map((l) =>
      cellStub(env, order.locationId, l.skuId).sell({
        locationId: order.locationId,
        skuId: l.skuId,
        opId: `${order.id}:${l.skuId}:late`,
        holdId: `${order.id}:late`,
        qty: l.qty,
        customerId: order.customerId,
        ref,
      }),
    ),
  )
  const short: string[] = []
  late.forEach((r, i) => {
    const l = missing[i]!
    if (r.ok) took.set(l.skuId, { skuId: l.skuId, qty: r.qty, takes: r.takes, costFen: r.costFen })
    else short.push(l.skuId)
  })
  if (short.length > 0) {
    await unwind(ctx, loaded, [...took.values()])
    throw holdExpired(order)
  }

  const now = Date.now()
  const costs = [...took.values()]
  const costFen = costs.every((t) => t.costFen !== null) ? costs.reduce((s, t) => s + (t.costFen ?? 0), 0) : null
  await db.batch([
    db
      .update(orders)
      .set({ status: "paid", paidAt: now, costFen, updatedAt: now })
      .where(and(eq(orders.id, order.id), eq(orders.status, "paying"))),
    ...costs
      .filter((t) => t.costFen !== null)
      .map((t) =>
        db
          .update(orderLines)
          .set({ costFen: t.costFen })
          .where(and(eq(orderLines.orderId, order.id), eq(orderLines.skuId, t.skuId))),
      ),
    ...dailyForPaidOrder(db, order.id, now, env.CHAIN_TIME_ZONE),
  ])
  return { httpStatus: 200, body: { id: order.id, status: "paid" } }
}

/** All or none: goods already taken come back lot by lot, the payments are refunded, the order lapses. */
async function unwind(ctx: OrdersCtx, loaded: Loaded, took: Took[]) {
  const { env, db } = ctx
  const { order } = loaded
  const ref: StockRef = { type: "order_unwind", id: order.id, actorId: ctx.actorId }
  await Promise.all(
    took.map(async (t) => {
      const stub = cellStub(env, order.locationId, t.skuId)
      const slices: Pick<LotTake, "lot" | "expiresOn" | "qty" | "unitCostFen">[] = t.takes ?? [
        { lot: null, expiresOn: null, qty: t.qty, unitCostFen: 0 },
      ]
      for (const [i, s] of slices.entries()) {
        if (s.qty <= 0) continue
        const back = await stub.receive({
          locationId: order.locationId,
          skuId: t.skuId,
          opId: `${order.id}:${t.skuId}:unwind:${i}`,
          qty: s.qty,
          lot: s.lot,
          expiresOn: s.lot ? s.expiresOn : null,
          unitCostFen: t.takes ? s.unitCostFen : null,
          ref,
        })
        if (!back.ok) throw new Error(`unwinding order ${order.id} at ${t.skuId}: ${JSON.stringify(back)}`)
      }
    }),
  )
  const provider = ctx.provider ?? manualProvider
  const current = loaded.payments.filter((p) => p.attempt === order.payAttempts)
  for (const p of current) if (p.withAuthCode && p.status === "confirmed") await provider.refund(p.id, p.amountFen)
  const now = Date.now()
  await db.batch([
    db
      .update(orders)
      .set({ status: "expired", closedAt: now, updatedAt: now })
      .where(and(eq(orders.id, order.id), eq(orders.status, "paying"))),
    db
      .update(orderPayments)
      .set({ status: "refunded", updatedAt: now })
      .where(and(eq(orderPayments.orderId, order.id), eq(orderPayments.attempt, order.payAttempts))),
  ])
}

/** An unpaid reservation at (or past) its time: written as expired, its holds given back now. */
async function lapse(ctx: OrdersCtx, { order, lines }: Loaded) {
  const now = Date.now()
  await ctx.db
    .update(orders)
    .set({ status: "expired", closedAt: now, updatedAt: now })
    .where(and(eq(orders.id, order.id), eq(orders.status, "reserved")))
  await releaseAll(
    ctx.env,
    order.id,
    lines.map((l) => l.skuId),
    { locationId: order.locationId, ref: orderRef(order, ctx.actorId) },
  )
}

// ── repair (cron) ────────────────────────────────────────────────────────────

export type RepairOptions = {
  /** Only rows untouched this long: a live worker may still be finishing them (harmless, but wasteful). */
  staleMs?: number
  limit?: number
  provider?: PaymentProvider
  now?: number
}

/**
 * Finishes orders a worker left half-way: "paying" ones get their remaining commits (same op ids,
 * so nothing is committed twice) and become paid; "payment_pending" ones ask the provider again;
 * unpaid reservations past their time are written as expired (the cells released them already).
 */
export async function repairOrders(env: Env, db: Db, opts: RepairOptions = {}) {
  const now = opts.now ?? Date.now()
  const stale = now - (opts.staleMs ?? 30_000)
  const limit = opts.limit ?? 100
  const ctx: OrdersCtx = { db, env, actorId: "system:order-repair", provider: opts.provider }
  const report = { paid: 0, pending: 0, expired: 0, failed: 0, lapsed: 0 }

  const stuck = await db
    .select({ id: orders.id })
    .from(orders)
    .where(and(inArray(orders.status, ["paying", "payment_pending"]), lte(orders.updatedAt, stale)))
    .orderBy(orders.updatedAt)
    .limit(limit)
  for (const { id } of stuck) {
    try {
      const loaded = await loadOrder(db, id)
      if (!loaded) continue
      const answer =
        loaded.order.status === "paying"
          ? await finishPaying(ctx, loaded)
          : loaded.order.status === "payment_pending"
            ? await settlePending(ctx, loaded)
            : null
      if (answer?.body.status === "paid") report.paid++
      else if (answer?.body.status === "payment_pending") report.pending++
    } catch (e) {
      if (e instanceof ProblemError && e.code === "hold_expired") report.expired++
      else if (e instanceof ProblemError) report.pending++
      else report.failed++
    }
  }

  const lapsed = await db
    .update(orders)
    .set({ status: "expired", closedAt: now, updatedAt: now })
    .where(and(eq(orders.status, "reserved"), lte(orders.expiresAt, now)))
    .returning({ id: orders.id })
  report.lapsed = lapsed.length
  return report
}
