// POST /api/v1/sales/sync: what an offline till sold and took back, applied exactly once.
// - Each item is checked on its own: a malformed one is rejected alone, the others go on.
// - Its own ULID is its key: a known id with the same canonical body is `duplicate` (nothing
//   changes); with another body `rejected` id_reused (sha-256 of the canonical body is stored).
// - Items run in occurredAt order per location (locations in parallel), sales before returns at
//   the same instant, so a return synced with its sale finds it.
// - Stock: each line is recordOfflineSale with opId `${saleId}:${lineIndex}`, a fact applied even
//   below zero (the cell raises a discrepancy). Cells first, then the row in one batch: a crash in
//   between replays to the same result (see sync-sale.ts).
// - Price: recomputed with core as of occurredAt (the SKU price history, promotions in their time
//   windows, the member tier then held); what the customer paid stands, the difference goes to
//   sale_exceptions for HQ. Stored value / points that no longer cover a tender are exceptions too.
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
import { createReturn } from "./returns"
import type { SalesCtx } from "./service"
import { applySale, known } from "./sync-sale"
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

type Item =
  | { kind: "sale"; index: number; at: number; body: OfflineSale }
  | { kind: "return"; index: number; at: number; body: OfflineReturnItem }

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
        ? { kind, index, at, body: parsed.data as OfflineSale }
        : { kind, index, at, body: parsed.data as OfflineReturnItem },
    )
  })

  const revoked = await revokedDevices(ctx, items)
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
    else byLocation.set(b.locationId, [...(byLocation.get(b.locationId) ?? []), item])
  }
  await Promise.all(
    [...byLocation.values()].map(async (group) => {
      group.sort(
        (a, b) =>
          a.at - b.at || (a.kind === b.kind ? 0 : a.kind === "sale" ? -1 : 1) || (a.body.id < b.body.id ? -1 : 1),
      )
      for (const item of group) results[item.index] = await applyOne(ctx, actor, item)
    }),
  )
  return { results }
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

async function applyOne(ctx: SalesCtx, actor: Actor, item: Item): Promise<SyncResult> {
  const id = item.body.id
  try {
    const hash = await sha256(canonicalJson(item.body))
    const status =
      item.kind === "sale"
        ? await applySale(ctx, actor, item.body, hash)
        : await applyReturn(ctx, actor, item.body, hash)
    return { id, status }
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
