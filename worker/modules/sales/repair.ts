// Finishing a till sale whose worker died (or stalled) between writing its intent and writing the
// sale. For each intent whose owner's lease ran out, one claimant at a time:
// - roll forward when every tender was taken (the ledgers and the gateway say so) and every line
//   is committed or still held (a sale that sells at once: every line sold): commit (replays for
//   lines already committed; sells replay), then write the sale with the same id through the same
//   batch as createSale, then post it;
// - otherwise roll back: holds released (unknown ones fenced), goods already taken put back as they
//   left (unsell: same lots and cost, the hold released so it no longer counts against a flash-sale
//   limit), stored value refunded and points given back as far as the ledgers show them taken,
//   customer-code payments reversed (撤销).
// Every step has a fixed id (cell op ids, ledger refs, payment ids), so a repair that dies is
// finished by the next one, and the live request's own rollback and this one can't give twice.
import type { Db } from "../../db/client"
import type { SalePaymentRow } from "../../db/schema"
import { log } from "../../lib/log"
import { cellStub, commitAll, giveBack, sellAll, sumLines } from "../../stock-cell/client"
import type { HoldStatus, StockRef, Taken } from "../../stock-cell/types"
import {
  claimIntent,
  finishRollback,
  type Intent,
  purgeFinishedIntents,
  type SalePlan,
  staleIntents,
  startRollback,
} from "./intents"
import { isCodePayment, manualGateway } from "./payments"
import { findMovement, refundStoredValue, reversePoints } from "./ports"
import { postSale } from "./post"
import { writeSale } from "./sale-write"
import type { SalesCtx } from "./service"

export type Resolution = "rolled_forward" | "rolled_back" | "busy"

/** The cron's entry: every stale intent resolved, then finished ones past their keep purged. */
export async function repairSaleIntents(ctx: SalesCtx, opts: { now?: number; limit?: number } = {}) {
  const now = opts.now ?? Date.now()
  const report = { rolledForward: 0, rolledBack: 0, busy: 0, failed: 0 }
  for (const { id } of await staleIntents(ctx.db, now, opts.limit ?? 50)) {
    try {
      const r = await resolveIntent(ctx, id, now)
      if (r === "rolled_forward") report.rolledForward++
      else if (r === "rolled_back") report.rolledBack++
      else report.busy++
    } catch (e) {
      // Its claim lapses and the next run tries again from where this one stopped.
      log.error("sale intent repair failed", { saleId: id, error: String(e) })
      report.failed++
    }
  }
  await purgeFinishedIntents(ctx.db, now)
  return report
}

/** Claims one intent whose lease ran out and finishes it; "busy" when someone else holds it. */
export async function resolveIntent(ctx: SalesCtx, id: string, now = Date.now()): Promise<Resolution> {
  const intent = await claimIntent(ctx.db, id, now)
  if (!intent) return "busy"
  if (intent.state === "open") {
    const forward = await rollForward(ctx, intent)
    if (forward === "written") {
      log.info("sale rolled forward", { saleId: id, attempts: intent.attempts })
      return "rolled_forward"
    }
    if (!(await startRollback(ctx.db, id, intent.owner, forward, now))) return "busy"
  }
  await rollBack(ctx, intent)
  await finishRollback(ctx.db, id, intent.owner)
  log.warn("sale rolled back", { saleId: id, outcome: intent.outcome ?? "repair" })
  return "rolled_back"
}

/** "written", or why the sale can't stand (then it is rolled back). */
async function rollForward(ctx: SalesCtx, intent: Intent): Promise<"written" | "money_not_taken" | "goods_lapsed"> {
  const { plan } = intent
  const payments = await moneyTaken(ctx, plan)
  if (!payments) return "money_not_taken"
  const taken = plan.goods === "sell" ? await soldGoods(ctx, intent) : await committedGoods(ctx, intent)
  if (!taken) return "goods_lapsed"
  const written = await writeSale(ctx, plan, taken, payments, intent.owner)
  if (written.sale.postedAt === null)
    await postSale(ctx.db, written.sale).catch((e) =>
      log.error("sale post failed", { saleId: intent.id, error: String(e) }),
    )
  return "written"
}

/**
 * A sale that sold at once stands only if every line sold (the sells replay for their cost and lots).
 * One the dead request never reached is not sold now: the cashier saw that sale fail.
 */
async function soldGoods(ctx: SalesCtx, intent: Intent): Promise<Map<string, Taken> | null> {
  if (!(await everyHold(ctx, intent, ["committed"]))) return null
  const opts = { locationId: intent.locationId, ref: refOf(intent), customerId: intent.plan.sale.memberId }
  const sold = await sellAll(ctx.env, intent.id, intent.plan.lines, opts)
  if (!sold.ok) return null
  return new Map(sold.lines.map((l) => [l.skuId, l.taken]))
}

/** A sale whose goods were held: commits them, if every hold is still there (committed or active). */
async function committedGoods(ctx: SalesCtx, intent: Intent): Promise<Map<string, Taken> | null> {
  if (!(await everyHold(ctx, intent, ["committed", "active"]))) return null
  const skuIds = intent.plan.lines.map((l) => l.skuId)
  const committed = await commitAll(ctx.env, intent.id, skuIds, { locationId: intent.locationId, ref: refOf(intent) })
  if (!committed.ok) return null
  const taken = new Map<string, Taken>()
  for (const c of committed.lines) if (c.result.ok) taken.set(c.skuId, c.result)
  return taken
}

/** Whether the sale's hold in each of its cells is in one of `statuses` (a cell it never reached has none). */
async function everyHold(ctx: SalesCtx, intent: Intent, statuses: HoldStatus[]) {
  const lines = sumLines(intent.plan.lines)
  const holds = await Promise.all(lines.map((l) => cellStub(ctx.env, intent.locationId, l.skuId).hold(intent.id)))
  return holds.every((h) => h !== null && statuses.includes(h.status))
}

/** The tender rows as the sale records them, or null when any tender was not (or not surely) taken. */
async function moneyTaken(ctx: SalesCtx, plan: SalePlan): Promise<SalePaymentRow[] | null> {
  const gateway = ctx.gateway ?? manualGateway
  const ref = { refType: "sale", refId: plan.sale.id }
  const rows: SalePaymentRow[] = []
  for (const p of plan.payments) {
    if (p.method === "stored_value") {
      if (!(await findMovement(ctx.db, "stored_value", { ...ref, kind: "pay" }))) return null
    } else if (p.method === "points") {
      if (!(await findMovement(ctx.db, "points", { ...ref, kind: "redeem" }))) return null
    } else if (isCodePayment(p)) {
      // Recorded as settled by the request, or confirmed by the gateway (it may have been paid
      // after all even though the request died before recording it).
      const recorded = plan.settled?.[p.id]
      const outcome = recorded ? null : await gateway.query(p.id)
      if (!recorded && outcome?.status !== "paid") return null
      const providerRef = recorded ?? (outcome?.status === "paid" ? outcome.providerRef : null)
      rows.push({ ...p, provider: gateway.name, providerRef })
      continue
    }
    rows.push(p)
  }
  return rows
}

const refOf = (i: Pick<Intent, "id" | "actorId">): StockRef => ({ type: "sale", id: i.id, actorId: i.actorId })

/**
 * Gives back everything the sale took, as the cells and ledgers record it (not as a request
 * remembers it, so it also works for a request that died). Safe to run any number of times.
 */
export async function rollBack(ctx: SalesCtx, intent: Pick<Intent, "id" | "actorId" | "locationId" | "plan">) {
  const { id, locationId, plan } = intent
  const opts = { locationId, ref: { ...refOf(intent), type: "sale_void" } }
  const takenBy = plan.goods === "sell" ? "sell" : "commit"
  await Promise.all(sumLines(plan.lines).map(({ skuId }) => giveBack(ctx.env, id, skuId, takenBy, opts)))
  await giveMoneyBack(ctx, ctx.db, plan)
}

async function giveMoneyBack(ctx: SalesCtx, db: Db, plan: SalePlan) {
  const gateway = ctx.gateway ?? manualGateway
  const id = plan.sale.id
  const back = { refType: "sale_void", refId: id, at: plan.sale.occurredAt }
  for (const p of plan.payments) {
    if (p.method === "stored_value") {
      const paid = await findMovement(db, "stored_value", { refType: "sale", refId: id, kind: "pay" })
      if (paid) await refundStoredValue(db, { ...back, memberId: paid.memberId, amountFen: -paid.delta })
    } else if (p.method === "points") {
      const spent = await findMovement(db, "points", { refType: "sale", refId: id, kind: "redeem" })
      // A negative reversal gives spent points back (members' ledger: one call per ref).
      if (spent) await reversePoints(db, { ...back, memberId: spent.memberId, points: spent.delta })
    } else if (isCodePayment(p)) {
      // 撤销 cancels whatever state the payment is in, and is harmless for one never made.
      await gateway.reverse(p.id)
    }
  }
}

/** Goods back into a cell slice by slice (lot, expiry, the cost they left at), op ids `${prefix}:${i}`. */
export async function receiveBack(
  env: Env,
  locationId: string,
  skuId: string,
  takes: readonly { lot: string | null; expiresOn: string | null; qty: number; unitCostFen: number | null }[],
  opPrefix: string,
  ref: StockRef,
) {
  const stub = cellStub(env, locationId, skuId)
  for (const [i, s] of takes.entries()) {
    if (s.qty <= 0) continue
    const r = await stub.receive({
      locationId,
      skuId,
      opId: `${opPrefix}:${i}`,
      qty: s.qty,
      lot: s.lot,
      expiresOn: s.lot ? s.expiresOn : null,
      unitCostFen: s.unitCostFen,
      ref,
    })
    if (!r.ok) throw new Error(`receiving back ${skuId} at ${locationId}: ${JSON.stringify(r)}`)
  }
}
