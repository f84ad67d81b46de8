// POST /api/v1/sales/sync: what an offline till sold and took back, applied exactly once.
// - Each item is checked on its own: a malformed one is rejected alone, the others go on.
// - Its own ULID is its key: a known id with the same canonical body is `duplicate` (nothing
//   changes); with another body `rejected` id_reused (sha-256 of the canonical body is stored).
// - Items take effect in occurredAt order per location (locations in parallel), sales before
//   returns at the same instant, so a return synced with its sale finds it. Within a location, up
//   to SYNC_CONCURRENCY sales are prepared at once (priced, cells, member tenders) when they share
//   no cell, member or coupon with an earlier pending sale; their rows are written one after the
//   other in occurrence order, so numbers, ledgers and balances come out as if applied one by one.
//   A return waits for everything before it and holds back everything after it.
// - Ids already synced are found by one query for the whole call (a replayed batch costs one read).
// - Stock: each line is recordOfflineSale with opId `${saleId}:${lineIndex}`, a fact applied even
//   below zero (the cell raises a discrepancy). Cells first, then the row in one batch: a crash in
//   between replays to the same result (see sync-sale.ts).
// - Price: recomputed with core as of occurredAt (the SKU price history, the promotions as they were
//   then — their revisions, read once per call — in their time windows, the member tier then held);
//   what the customer paid stands, the difference goes to sale_exceptions for HQ. Stored value / points that no longer cover a tender are exceptions too.
// - A sale synced after its day was closed is booked on its day and marked late.
// - A revoked device's items are rejected (device_revoked) and nothing of them is kept: once a
//   manager reinstates the device, the till sends them again and they apply. Other devices' items
//   in the same call go through. (A revoked till's own session is already refused at sign-in.)
// - The cashier a till names (after an offline hand-over by PIN) is credited only when active and of
//   the device's store; otherwise the item still applies, credited to the syncing user, and a
//   cashier_unverified exception keeps the claim for a manager (staff.attributeCashier).
// - A failure that isn't the item's fault (a cell unreachable) is `rejected` retry_later (503):
//   every step replays by its id, so sending the item again is safe.

import { saleExceptions } from "../../db/schema"
import { type Actor, may } from "../../lib/actor"
import { sha256 } from "../../lib/crypto"
import { newId } from "../../lib/ids"
import { log } from "../../lib/log"
import { ProblemError, problem } from "../../lib/problem"
import { assertDeviceActive, attributeCashier, type CashierAttribution } from "../staff"
import type { PromotionRevision } from "./ports"
import { createReturn } from "./returns"
import type { SalesCtx } from "./service"
import { known, prepareSale, seenAs, syncCallReads, writeOfflineSale } from "./sync-sale"
import { type OfflineReturnItem, OfflineReturnSchema, type OfflineSale, OfflineSaleSchema } from "./sync-schemas"

export type SyncProblem = {
  type: string
  title: string
  status: number
  detail: string
  code: string
  errors?: unknown[]
}
export type SyncResult = { id: string | null; status: "applied" | "duplicate" | "rejected"; problem?: SyncProblem }

type Item = { index: number; at: number; hash: string } & (
  | { kind: "sale"; body: OfflineSale }
  | { kind: "return"; body: OfflineReturnItem }
)

const toProblem = (e: ProblemError): SyncProblem => ({
  type: `https://puzi.dev/problems/${e.code}`,
  title: e.code,
  status: e.status,
  detail: e.message,
  code: e.code,
  ...(e.extra.errors ? { errors: e.extra.errors } : {}),
})

const rejected = (id: string | null, e: ProblemError): SyncResult => ({ id, status: "rejected", problem: toProblem(e) })

/** JSON with keys sorted at every level: the same body, however its keys were ordered. */
export const canonicalJson = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(canonicalJson).join(",")}]`
    : v && typeof v === "object"
      ? `{${Object.keys(v)
          .sort()
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
          .join(",")}}`
      : JSON.stringify(v)

const idOf = (raw: unknown): string | null => {
  const id = raw && typeof raw === "object" ? Reflect.get(raw, "id") : undefined
  return typeof id === "string" ? id : null
}

export async function syncSales(ctx: SalesCtx, actor: Actor, body: { sales: unknown[]; returns?: unknown[] }) {
  const raw = [
    ...body.sales.map((b) => ({ kind: "sale" as const, b })),
    ...(body.returns ?? []).map((b) => ({ kind: "return" as const, b })),
  ]
  const results: SyncResult[] = raw.map(({ b }) => ({ id: idOf(b), status: "rejected" }))
  const items: Item[] = []
  raw.forEach(({ kind, b }, index) => {
    const parsed = kind === "sale" ? OfflineSaleSchema.safeParse(b) : OfflineReturnSchema.safeParse(b)
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({ path: i.path.join(".") || "(root)", message: i.message }))
      results[index] = rejected(idOf(b), problem(400, "validation_failed", `This ${kind} is not valid.`, { errors }))
      return
    }
    const at = Date.parse(parsed.data.occurredAt)
    items.push(
      kind === "sale"
        ? { kind, index, at, hash: "", body: parsed.data as OfflineSale }
        : { kind, index, at, hash: "", body: parsed.data as OfflineReturnItem },
    )
  })

  const [revoked, { synced, revisions }, hashes] = await Promise.all([
    revokedDevices(ctx, items),
    syncCallReads(
      ctx,
      items.flatMap((i) => (i.kind === "sale" ? [i.body] : [])),
    ),
    Promise.all(items.map((i) => sha256(canonicalJson(i.body)))),
  ])
  items.forEach((item, i) => {
    item.hash = hashes[i]!
  })
  const byLocation = new Map<string, Item[]>()
  for (const item of items) {
    const { body: b } = item
    const device = b.deviceId ?? null
    if (!may(actor, b.locationId)) results[item.index] = rejected(b.id, problem(404, "not_found", "No such location."))
    else if (item.kind === "return" && !actor.permissions.has("returns:write"))
      results[item.index] = rejected(b.id, problem(403, "forbidden", "Your role may not take returns (returns:write)."))
    else if (device && revoked.has(device))
      results[item.index] = rejected(
        b.id,
        problem(403, "device_revoked", "This till was revoked; a manager must reinstate it, then it syncs again."),
      )
    else if (item.kind === "sale" && synced.has(b.id))
      results[item.index] = await attempt(b.id, async () => seenAs("sale", synced.get(b.id), item.hash) ?? "duplicate")
    else byLocation.set(b.locationId, [...(byLocation.get(b.locationId) ?? []), item])
  }
  const slots = semaphore(SYNC_CONCURRENCY)
  await Promise.all(
    [...byLocation.values()].map((group) => {
      group.sort(
        (a, b) =>
          a.at - b.at || (a.kind === b.kind ? 0 : a.kind === "sale" ? -1 : 1) || (a.body.id < b.body.id ? -1 : 1),
      )
      return applyInOrder(ctx, actor, { group, revisions, slots }, results)
    }),
  )
  return { results }
}

/** Sales of one location prepared at once where independent, written in occurrence order. */
const SYNC_CONCURRENCY = 8

type Run = { group: Item[]; revisions: readonly PromotionRevision[]; slots: Semaphore }

async function applyInOrder(ctx: SalesCtx, actor: Actor, { group, revisions, slots }: Run, results: SyncResult[]) {
  const lastBy = new Map<string, Promise<unknown>>()
  const all: Promise<unknown>[] = []
  let previous: Promise<unknown> = Promise.resolve()
  for (const item of group) {
    let run: Promise<SyncResult>
    if (item.kind === "return") {
      const before = Promise.all([...all])
      run = before.then(() => applyReturnItem(ctx, actor, item))
    } else {
      const keys = keysOf(item.body)
      const waits = [barrierOf(all, group, item), ...keys.flatMap((k) => lastBy.get(k) ?? [])]
      const writeTurn = previous
      run = Promise.all(waits).then(() =>
        attempt(item.body.id, async () => {
          const prepared = await slots(() => prepareSale(ctx, actor, item.body, item.hash, revisions))
          if (prepared === "duplicate") return prepared
          await writeTurn
          return writeOfflineSale(ctx, prepared)
        }),
      )
      for (const k of keys) lastBy.set(k, run)
    }
    const settled = run.then((r) => {
      results[item.index] = r
    })
    previous = settled
    all.push(settled)
  }
  await Promise.all(all)
}

/** A sale after a return waits for it (the return waited for everything before it). */
function barrierOf(all: Promise<unknown>[], group: Item[], item: Item): Promise<unknown> {
  const at = group.indexOf(item)
  const lastReturn = group.slice(0, at).findLastIndex((i) => i.kind === "return")
  return lastReturn < 0 ? Promise.resolve() : all[lastReturn]!
}

/** What an offline sale shares with others: its cells (lots, costs), its member (balances), its coupons. */
const keysOf = (s: OfflineSale) => [
  ...s.lines.map((l) => `cell:${l.skuId}`),
  ...(s.memberId ? [`member:${s.memberId}`] : []),
  ...(s.couponCodes ?? []).map((c) => `coupon:${c}`),
]

type Semaphore = <T>(work: () => Promise<T>) => Promise<T>

function semaphore(size: number): Semaphore {
  let free = size
  const waiting: (() => void)[] = []
  return async (work) => {
    if (free === 0) await new Promise<void>((go) => waiting.push(go))
    else free--
    try {
      return await work()
    } finally {
      const next = waiting.shift()
      if (next) next()
      else free++
    }
  }
}

async function revokedDevices(ctx: SalesCtx, items: Item[]) {
  const ids = [...new Set(items.flatMap((i) => (i.body.deviceId ? [i.body.deviceId] : [])))]
  const revoked = new Set<string>()
  await Promise.all(
    ids.map((id) =>
      assertDeviceActive(ctx.db, id).catch((e) => {
        if (e instanceof ProblemError && e.code === "device_revoked") revoked.add(id)
        else throw e
      }),
    ),
  )
  return revoked
}

const applyReturnItem = (ctx: SalesCtx, actor: Actor, item: Item & { kind: "return" }) =>
  attempt(item.body.id, () => applyReturn(ctx, actor, item.body, item.hash))

/** One item's outcome: applied or duplicate, or rejected with its problem (retry_later when not its fault). */
async function attempt(id: string, apply: () => Promise<"applied" | "duplicate">): Promise<SyncResult> {
  try {
    return { id, status: await apply() }
  } catch (e) {
    if (e instanceof ProblemError) return rejected(id, e)
    log.error("sync item failed", { id, error: String(e) })
    // Nothing half-applied is lost: every step replays by its id, so the till may send it again.
    return rejected(id, problem(503, "retry_later", "This item could not be applied now; send it again."))
  }
}

async function applyReturn(
  ctx: SalesCtx,
  actor: Actor,
  r: OfflineReturnItem,
  hash: string,
): Promise<"applied" | "duplicate"> {
  const seen = await known(ctx, "return", r.id, hash)
  if (seen) return seen
  const attribution = await attributeCashier(ctx.db, {
    claimed: r.cashierId,
    actorId: actor.id,
    locationId: r.locationId,
    deviceId: r.deviceId,
  })
  try {
    await createReturn(
      ctx,
      actor,
      {
        saleId: r.saleId,
        lines: r.lines,
        refunds: r.refunds,
        shiftId: r.shiftId ?? null,
        deviceId: r.deviceId ?? null,
      },
      { id: r.id, occurredAt: Date.parse(r.occurredAt), bodyHash: hash, cashierId: attribution.cashierId },
    )
  } catch (e) {
    const again = await known(ctx, "return", r.id, hash).catch(() => null)
    if (again) return again
    throw e
  }
  if (attribution.refused) await flagCashier(ctx, r, attribution)
  return "applied"
}

/** The return is kept, credited to who synced it; the till's claim waits for a manager (once per return). */
const flagCashier = (ctx: SalesCtx, r: OfflineReturnItem, a: CashierAttribution) =>
  ctx.db
    .insert(saleExceptions)
    .values({
      id: newId("sx"),
      kind: "cashier_unverified",
      refType: "return",
      refId: r.id,
      locationId: r.locationId,
      expectedFen: 0,
      actualFen: 0,
      detail: { ...a.refused, attributedTo: a.cashierId },
      occurredAt: Date.parse(r.occurredAt),
    })
    .onConflictDoNothing()
