// A sale at the till (POST /api/v1/sales), step by step:
//  1. price with core (promotions, coupons, member), check the tenders — 422 before anything moves;
//  2. write the sale's intent (sale_intents): the priced cart as rows ready to write, the
//     Idempotency-Key, and a lease that says this request decides the sale's fate until it ends;
//  3. reserve every line in its StockCell, in parallel, hold id = sale id — 409 and nothing held;
//     or, when no tender is a customer code (nothing can keep the customer waiting), sell every
//     line at once (one cell call per line instead of two; a refusal gives back what sold);
//  4. take the money: stored value, points (one ledger movement each, idempotent by sale id: tenders of
//     the same member kind are combined in step 1), customer codes through the
//     gateway (pay → pending → query → paid/failed, reversed when no result comes);
//  5. commit every hold (cost of goods per line comes back from the cells; sold lines already did);
//  6. write sale + lines + tenders (+ approvals) in ONE D1 batch that also marks the intent done,
//     and only if this request still owns it (sale-write.ts);
//  7. post: points earned, member spend, coupons redeemed, promotion usage (idempotent by sale id).
// A failure in 3–6 gives back what the cells and ledgers show taken (repair.ts rollBack) and answers
// the error. A worker that dies in 3–6 leaves an open intent: once its lease ends the repair job
// (or the client's retry with the same key) rolls it forward or back (repair.ts). One that dies in 7
// leaves a sale without posted_at, which repairSales finishes. A retry with the same key never
// makes a second sale: it finds the intent and answers with the sale it became.
import { earnPoints } from "../../../core/points"
import type { TenderMethod } from "../../../core/tenders"
import type { Db } from "../../db/client"
import type { SaleLineRow, SalePaymentRow } from "../../db/schema"
import { type Actor, assertLocation } from "../../lib/actor"
import { keyReused } from "../../lib/idempotency"
import { newId } from "../../lib/ids"
import { log } from "../../lib/log"
import { type FieldError, ProblemError, problem } from "../../lib/problem"
import { chainPointsRules } from "../../lib/settings"
import {
  commitAll,
  giveBack,
  type OrderLine,
  type ReserveAllResult,
  reserveAll,
  sellAll,
  sumLines,
  unsell,
} from "../../stock-cell/client"
import type { StockRef, Taken } from "../../stock-cell/types"
import { assertDeviceRow } from "../staff"
import { type ApprovalInput, approvalRow, approverFor } from "./approval"
import {
  abandonIntent,
  finishRollback,
  type Intent,
  intentById,
  intentByKey,
  openIntent,
  recordSettled,
  SALE_HOLD_MS,
  SALE_WORK_MS,
  type SalePlan,
  startRollback,
} from "./intents"
import { isCodePayment, manualGateway, type PaymentGateway, settleCodePayment } from "./payments"
import { chargeStoredValue, memberForSale, promotionsInForce, spendPoints } from "./ports"
import { postSale } from "./post"
import { earner, type MemberForSale, type Priced, priceSale } from "./pricing"
import { type LoadedSale, loadSale, saleView } from "./queries"
import { resolveIntent, rollBack } from "./repair"
import { writeSale } from "./sale-write"
import { assertShiftRow, assertStoreRow } from "./shifts"
import { dayOf } from "./sql"
import { checkTenders, type TenderCheck } from "./tenders"
import { tillReads } from "./till-reads"

export { SALE_HOLD_MS } from "./intents"
export { receiveBack } from "./repair"

export type PaymentInput = { method: TenderMethod; amountFen: number; authCode?: string }
export type SaleInput = {
  locationId: string
  lines: { skuId: string; qty: number }[]
  memberId?: string | null
  couponCodes?: string[]
  shiftId?: string | null
  deviceId?: string | null
  payments: PaymentInput[]
  priceOverrides?: { skuId: string; unitPriceFen: number }[]
  manualDiscountFen?: number
  voidedLines?: { skuId: string; qty: number }[]
  approval?: ApprovalInput
}

/** The points between createSale's steps, where a worker can die. */
export type SaleStep = "intent" | "held" | `paid:${number}` | "committed" | "written"

export type SalesCtx = {
  db: Db
  env: Env
  gateway?: PaymentGateway
  /** Tests only: awaited at each step, so a test can stop a sale there as a dying worker would. */
  pause?: (step: SaleStep, saleId: string) => Promise<void>
}
export const requestCtx = (c: { var: { db: Db }; env: Env }): SalesCtx => ({ db: c.var.db, env: c.env })

export type SaleAnswer = SaleView & { rejectedCoupons: SalePlan["rejectedCoupons"] }
type SaleView = ReturnType<typeof saleView>

export type SaleOptions = {
  idempotencyKey?: string | null
  /** The request behind the key: the same key with another request is 422 idempotency_key_reused. */
  requestHash?: string
  /** Told when the answer is an earlier attempt's sale (the route sets Idempotent-Replayed). */
  replayed?: () => void
}

export async function createSale(
  ctx: SalesCtx,
  actor: Actor,
  input: SaleInput,
  opts: SaleOptions = {},
): Promise<SaleAnswer> {
  const { db, env } = ctx
  assertLocation(actor, input.locationId)
  const key = opts.idempotencyKey ?? null
  const known = await tillReads(db, { ...input, actorId: actor.id, key })
  // Before any check that may have changed since: the first attempt's sale is the answer.
  const prior = known.intent
  if (prior) {
    assertSameRequest(prior, opts)
    const answer = await answerRetry(ctx, prior)
    if (answer) {
      opts.replayed?.()
      return answer
    }
  }
  assertStoreRow(known.store)
  if (input.shiftId) assertShiftRow(known.shift, input.locationId)
  if (input.deviceId) assertDeviceRow(known.device)
  const lines = sumLines(input.lines)
  const approvals = await managerControls(db, actor, input)
  const at = Date.now()
  const overrides = new Map((input.priceOverrides ?? []).map((o) => [o.skuId, o.unitPriceFen]))
  const priced = await priceSale(
    db,
    env,
    {
      locationId: input.locationId,
      lines: lines.map((l) => ({ ...l, unitPriceFen: overrides.get(l.skuId) })),
      memberId: input.memberId ?? null,
      couponCodes: input.couponCodes ?? [],
      at,
      manualDiscountFen: input.manualDiscountFen ?? 0,
    },
    {
      skus: known.skus,
      ...(known.member === undefined ? {} : { member: known.member && memberForSale(known.member) }),
      promotions: promotionsInForce(known.promotionRows, at, known.store[0]?.timeZone ?? null),
      usage: known.usage,
    },
  )
  const tenders = checkTenders(priced.cart.totalFen, input.payments, priced.member, chainPointsRules(env))

  const saleId = newId("xs")
  const plan = planSale(env, actor, input, priced, tenders, saleId, at)
  if (opts.requestHash) plan.requestHash = opts.requestHash
  plan.approvals.push(
    ...approvals.map((a) => approvalRow("sale", saleId, a.action, actor.id, a.approvedBy, a.detail, at)),
  )
  const opened = await openIntent(db, {
    id: saleId,
    actorId: actor.id,
    idempotencyKey: key,
    locationId: input.locationId,
    input: withoutSecrets(input),
    plan,
    at,
  })
  if (!opened) {
    // Another request with this key got there first: in flight, unless it is another request.
    const winner = key ? await intentByKey(db, actor.id, key) : null
    if (winner) assertSameRequest(winner, opts)
    throw inFlight(30)
  }
  return runSale(ctx, actor, {
    plan,
    lines,
    requested: input.lines,
    member: priced.member,
    payments: tenders.tenders,
    owner: opened.owner,
  })
}

type Run = {
  plan: SalePlan
  /** Summed per SKU (one hold per cell); `requested` as sent, for error paths. */
  lines: OrderLine[]
  requested: readonly OrderLine[]
  member: MemberForSale | null
  payments: readonly PaymentInput[]
  owner: string
}

/** Steps 3–7, owning the intent. */
async function runSale(ctx: SalesCtx, actor: Actor, run: Run): Promise<SaleAnswer> {
  const { db } = ctx
  const { plan, owner } = run
  const saleId = plan.sale.id
  const ref: StockRef = { type: "sale", id: saleId, actorId: actor.id }
  const fanOut = { locationId: plan.sale.locationId, ref }
  await ctx.pause?.("intent", saleId)
  const sold = plan.goods === "sell" ? await sellGoods(ctx, run, fanOut) : await holdGoods(ctx, run, fanOut)
  let written: LoadedSale
  try {
    await ctx.pause?.("held", saleId)
    const payments = await takeMoney(ctx, run)
    const taken = sold ?? (await commitGoods(ctx, run, fanOut))
    await ctx.pause?.("committed", saleId)
    written = await writeSale(ctx, plan, taken, payments, owner)
    await ctx.pause?.("written", saleId)
  } catch (e) {
    return failed(ctx, plan, owner, e)
  }
  if (written.sale.postedAt === null) {
    // The sale stands whatever happens here: what fails is finished by repairSales.
    await postSale(db, written.sale).catch((err) => log.error("sale post failed", { saleId, error: String(err) }))
  }
  return { ...saleView(written), rejectedCoupons: plan.rejectedCoupons }
}

type FanOut = { locationId: string; ref: StockRef }

/**
 * Step 3 when no tender can keep the customer waiting: the goods leave now, one call per cell. On a
 * refusal the cells that sold give their goods back (one whose call failed outright is fenced: it
 * may have sold); a cell that refused took nothing and is left alone. Then the attempt is over.
 */
async function sellGoods(ctx: SalesCtx, run: Run, fanOut: FanOut): Promise<Map<string, Taken>> {
  const { plan, owner } = run
  const saleId = plan.sale.id
  inTime(plan.sale.occurredAt)
  const sold = await sellAll(ctx.env, saleId, run.lines, { ...fanOut, customerId: run.member?.id ?? null })
  if (sold.ok) return new Map(sold.lines.map((l) => [l.skuId, l.taken]))
  const ref = { ...fanOut, ref: { ...fanOut.ref, type: "sale_void" } }
  await Promise.all([
    ...sold.sold.map((skuId) => unsell(ctx.env, saleId, skuId, "sell", ref)),
    ...sold.failed.map((skuId) => giveBack(ctx.env, saleId, skuId, "sell", ref)),
  ])
  const fenced = sold.short.length === 0 && sold.refused.every((r) => r.refusal.code === "hold_exists")
  await abandonIntent(ctx.db, saleId, owner, sold.failed.length > 0 ? "error" : "refused")
  if (sold.short.length === 0 && sold.refused.length === 0) throw sold.failure
  // Fenced by a rollback (the repair job gave this slow sale up): nothing more may leave for it.
  if (fenced) throw problem(409, "hold_expired", "This sale was given back while it waited; nothing was sold.")
  throw stockRefusal(sold, run.requested)
}

/** Step 5 after a customer-code payment: the held goods leave (cost of goods per line comes back). */
async function commitGoods(ctx: SalesCtx, run: Run, fanOut: FanOut): Promise<Map<string, Taken>> {
  inTime(run.plan.sale.occurredAt)
  const skuIds = run.lines.map((l) => l.skuId)
  const committed = await commitAll(ctx.env, run.plan.sale.id, skuIds, fanOut)
  if (!committed.ok)
    throw problem(409, "hold_expired", "The goods' hold lapsed before the payment finished; nothing was sold.")
  const taken = new Map<string, Taken>()
  for (const c of committed.lines) if (c.result.ok) taken.set(c.skuId, c.result)
  return taken
}

/** Step 3. Refused or failed, nothing is held or taken: the attempt simply ends (its key is free). */
async function holdGoods(ctx: SalesCtx, run: Run, fanOut: FanOut): Promise<null> {
  const { plan, owner } = run
  const saleId = plan.sale.id
  const end = (outcome: string) => abandonIntent(ctx.db, saleId, owner, outcome)
  const held = await Promise.resolve()
    .then(() => inTime(plan.sale.occurredAt))
    .then(() =>
      reserveAll(ctx.env, saleId, run.lines, {
        ...fanOut,
        expiresAt: plan.sale.occurredAt + SALE_HOLD_MS,
        customerId: run.member?.id ?? null,
      }),
    )
    .catch(async (e) => {
      await end("error")
      throw e
    })
  if (!held.ok) {
    await end("refused")
    throw stockRefusal(held, run.requested)
  }
  return null // the goods leave at step 5
}

/**
 * A step failed. While this request still owns the intent it gives everything back and answers the
 * error. If it lost the lease (it was too slow), the repair job decides: its sale is the answer,
 * its rollback is final, or the caller retries with the same key.
 */
async function failed(ctx: SalesCtx, plan: SalePlan, owner: string, e: unknown): Promise<SaleAnswer> {
  const { db } = ctx
  const saleId = plan.sale.id
  const intent = { id: saleId, actorId: plan.sale.cashierId, locationId: plan.sale.locationId, plan }
  const outcome = e instanceof ProblemError ? e.code : "error"
  if (await startRollback(db, saleId, owner, outcome)) {
    await rollBack(ctx, intent)
      .then(() => finishRollback(db, saleId, owner))
      // Left rolling_back: the repair job finishes the rollback once this claim lapses.
      .catch((err) => log.error("sale rollback failed", { saleId, error: String(err) }))
    throw e
  }
  const now = await intentById(db, saleId)
  if (now?.state === "done") {
    const loaded = await loadSale(db, { id: saleId })
    if (loaded) return { ...saleView(loaded), rejectedCoupons: plan.rejectedCoupons }
  }
  if (now?.state === "rolled_back") {
    // Final: anything this late request still did (a hold made after the rollback) goes back too.
    await rollBack(ctx, intent).catch((err) => log.error("late sale rollback failed", { saleId, error: String(err) }))
    throw e
  }
  throw problem(503, "sale_in_repair", "This sale is being finished by the repair job; retry with the same key.", {
    headers: { "Retry-After": "30" },
  })
}

/** A retry with the key of an earlier attempt: that attempt's sale, or null to sell afresh. */
async function answerRetry(ctx: SalesCtx, intent: Intent): Promise<SaleAnswer | null> {
  const now = Date.now()
  if (intent.state !== "done") {
    if (intent.leaseUntil >= now) throw inFlight(Math.ceil((intent.leaseUntil - now) / 1000))
    // Its worker died: finish it now rather than make the till wait for the cron.
    const resolved = await resolveIntent(ctx, intent.id, now)
    if (resolved === "busy") throw inFlight(30)
    if (resolved === "rolled_back") return null
  }
  const loaded = await loadSale(ctx.db, { id: intent.id })
  if (!loaded) throw new Error(`sale intent ${intent.id} is done but its sale is missing`)
  return { ...saleView(loaded), rejectedCoupons: intent.plan.rejectedCoupons }
}

function assertSameRequest(intent: Intent, opts: SaleOptions) {
  const first = intent.plan.requestHash
  if (first && opts.requestHash && first !== opts.requestHash) throw keyReused()
}

const inFlight = (seconds: number) =>
  problem(409, "idempotency_in_flight", "The first request with this key is still being processed.", {
    headers: { "Retry-After": String(Math.max(1, seconds)) },
  })

/** A request this late may have lost its lease: it starts no step that takes anything. */
function inTime(at: number) {
  if (Date.now() > at + SALE_WORK_MS)
    throw problem(503, "sale_timed_out", "The sale took too long and was given back; nothing was sold.", {
      headers: { "Retry-After": "1" },
    })
}

/** The intent keeps the request for the record, but never a customer's code or an approver's password. */
const withoutSecrets = (input: SaleInput): Record<string, unknown> => ({
  ...input,
  payments: input.payments.map(({ authCode, ...p }) => ({ ...p, withAuthCode: Boolean(authCode) })),
  approval: input.approval ? { username: input.approval.username } : undefined,
})

/** Every row of the sale that doesn't depend on the cells, decided before anything is taken. */
function planSale(
  env: Env,
  actor: Actor,
  input: SaleInput,
  { cart, skus, member }: Priced,
  tenders: TenderCheck,
  saleId: string,
  at: number,
): SalePlan {
  const earned = earnPoints({
    totalFen: cart.totalFen,
    lines: cart.lines.map((l) => ({ lineId: l.lineId, totalFen: l.totalFen })),
    tenders: tenders.tenders,
    member: earner(member),
    at,
    timeZone: env.CHAIN_TIME_ZONE,
    rules: chainPointsRules(env),
  })
  const lines: SalePlan["lines"] = cart.lines.map((l, i) => {
    const s = skus.get(l.skuId)!
    return {
      id: `${saleId}:${i + 1}`,
      saleId,
      lineNo: i + 1,
      skuId: l.skuId,
      name: s.productName,
      unit: l.unit,
      categoryId: s.categoryId,
      qty: l.qty,
      unitPriceFen: l.unitPriceFen,
      originalFen: l.originalFen,
      discountFen: l.discountFen,
      roundingFen: l.roundingFen,
      totalFen: l.totalFen,
      discounts: l.discounts,
      pointsEarned: earned.lines[i]!.points,
      returnedQty: 0,
    } satisfies Omit<SaleLineRow, "costFen" | "takes">
  })
  const needsPost = Boolean(member) || cart.appliedPromotions.some((p) => p.couponCode)
  const payments = tenders.tenders.map((t, i) => paymentRow(saleId, i, t, tenders.pointsFor.get(i) ?? null, at))
  return {
    sale: {
      id: saleId,
      locationId: input.locationId,
      source: "till",
      cashierId: actor.id,
      shiftId: input.shiftId ?? null,
      deviceId: input.deviceId ?? actor.deviceId ?? null,
      memberId: member?.id ?? null,
      memberPhoneMasked: member?.phoneMasked ?? null,
      subtotalFen: cart.subtotalFen,
      discountFen: cart.discountFen,
      roundingFen: cart.roundingFen,
      totalFen: cart.totalFen,
      tenderedFen: tenders.tenderedFen,
      changeFen: tenders.changeFen,
      pointsEarned: earned.points,
      appliedPromotions: cart.appliedPromotions,
      couponCodes: input.couponCodes ?? [],
      occurredAt: at,
      businessDay: dayOf(at, env.CHAIN_TIME_ZONE),
      bodyHash: null,
      postedAt: needsPost ? null : at,
      createdAt: at,
      updatedAt: at,
    },
    lines,
    payments,
    approvals: [],
    rejectedCoupons: cart.rejectedCoupons,
    // json_set adds keys to an object that exists (it does not make missing parents).
    settled: {},
    goods: payments.some(isCodePayment) ? "hold" : "sell",
  }
}

const paymentRow = (saleId: string, i: number, t: PaymentInput, points: number | null, at: number): SalePaymentRow => ({
  id: `${saleId}:${i + 1}`,
  saleId,
  method: t.method,
  amountFen: t.amountFen,
  points,
  provider: t.method === "cash" ? "cash" : t.method === "stored_value" || t.method === "points" ? t.method : "manual",
  providerRef: null,
  withAuthCode: Boolean(t.authCode),
  refundedFen: 0,
  createdAt: at,
})

type Control = {
  action: "price_override" | "manual_discount" | "void_lines"
  approvedBy: string
  detail: Record<string, unknown>
}

/** Price overrides, a manual discount and voided lines: a manager's, or approved by one. */
async function managerControls(db: Db, actor: Actor, input: SaleInput): Promise<Control[]> {
  const wanted: Omit<Control, "approvedBy">[] = []
  if (input.priceOverrides?.length)
    wanted.push({ action: "price_override", detail: { overrides: input.priceOverrides } })
  if (input.manualDiscountFen)
    wanted.push({ action: "manual_discount", detail: { amountFen: input.manualDiscountFen } })
  if (input.voidedLines?.length) wanted.push({ action: "void_lines", detail: { lines: input.voidedLines } })
  if (wanted.length === 0) return []
  const unknown = (input.priceOverrides ?? []).findIndex((o) => !input.lines.some((l) => l.skuId === o.skuId))
  if (unknown >= 0)
    throw problem(422, "override_without_line", "A price override names a SKU the sale doesn't have.", {
      errors: [{ path: `priceOverrides.${unknown}.skuId`, message: "Not on this sale." }],
    })
  const approvedBy = await approverFor(
    db,
    actor,
    input.locationId,
    input.approval,
    "A price override, manual discount or void",
  )
  return wanted.map((w) => ({ ...w, approvedBy }))
}

/** Step 4, tender by tender; the rows as the sale records them. */
async function takeMoney(ctx: SalesCtx, run: Run): Promise<SalePaymentRow[]> {
  const { db } = ctx
  const gateway = ctx.gateway ?? manualGateway
  const { sale } = run.plan
  const rows: SalePaymentRow[] = []
  for (const [i, t] of run.payments.entries()) {
    inTime(sale.occurredAt)
    const row = { ...run.plan.payments[i]! }
    const ref = { memberId: run.member?.id ?? "", refType: "sale", refId: sale.id, at: sale.occurredAt }
    if (t.method === "stored_value") {
      const r = await chargeStoredValue(db, { ...ref, amountFen: t.amountFen })
      if (!r.ok)
        throw problem(422, "insufficient_stored_value", "The member's stored value doesn't cover this tender.", {
          balanceFen: r.balanceFen,
        })
    } else if (t.method === "points") {
      const r = await spendPoints(db, { ...ref, points: row.points! })
      if (!r.ok)
        throw problem(422, "insufficient_points", "The member's points don't cover this tender.", {
          balance: r.balance,
        })
    } else if (t.authCode && (t.method === "wechat" || t.method === "alipay")) {
      const settled = await settleCodePayment(gateway, {
        paymentId: row.id,
        saleId: sale.id,
        method: t.method,
        amountFen: t.amountFen,
        authCode: t.authCode,
      })
      if (settled.status === "failed")
        throw problem(
          422,
          "payment_failed",
          `The customer's ${t.method} payment failed (${settled.reason}); nothing was sold.`,
          { paymentIndex: i },
        )
      row.provider = gateway.name
      row.providerRef = settled.providerRef
      await recordSettled(db, sale.id, row.id, settled.providerRef)
    }
    rows.push(row)
    await ctx.pause?.(`paid:${i}`, sale.id)
  }
  return rows
}

function stockRefusal(held: Extract<ReserveAllResult, { ok: false }>, input: readonly OrderLine[]) {
  const path = (skuId: string) =>
    `lines.${Math.max(
      0,
      input.findIndex((l) => l.skuId === skuId),
    )}.qty`
  if (held.short.length > 0)
    return problem(409, "insufficient_stock", "Not enough stock for every line; nothing was sold.", {
      errors: held.short.map((s) => ({
        path: path(s.skuId),
        message: `Only ${s.available} available.`,
        skuId: s.skuId,
        requested: s.requested,
        available: s.available,
      })),
    })
  const errors: FieldError[] = held.refused.map(({ skuId, refusal }) => ({
    path: path(skuId),
    message: refusal.code,
    skuId,
    refusal: refusal.code,
  }))
  if (held.refused.some((r) => r.refusal.code === "limit_exceeded"))
    return problem(409, "limit_exceeded", "A line is over a flash sale's per-customer limit; nothing was sold.", {
      errors,
    })
  if (held.refused.some((r) => r.refusal.code === "customer_required"))
    return problem(422, "member_required", "A line is limited per customer: identify the member.", { errors })
  return new Error(`stock cell refused a sale: ${JSON.stringify(held.refused)}`)
}
