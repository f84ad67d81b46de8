// How the rest of the worker reaches stock: a stub per cell, and the fan-out for documents with
// many lines (ARCHITECTURE.md §4). Op ids are derived from the hold id, the SKU and the action, so
// a retry of the same document — by the same worker or the repair job — replays instead of
// applying twice.
import type { StockCell } from "./stock-cell"
import type { CommitResult, HoldKind, Refusal, ReleaseResult, StockRef, Taken } from "./types"

export const cellName = (locationId: string, skuId: string) => `${locationId}:${skuId}`

export function cellStub(env: Env, locationId: string, skuId: string): DurableObjectStub<StockCell> {
  return env.STOCK_CELL.get(env.STOCK_CELL.idFromName(cellName(locationId, skuId)))
}

export type Action = "reserve" | "commit" | "release" | "sell" | "unsell"
export const cellOpId = (holdId: string, skuId: string, action: Action) => `${holdId}:${skuId}:${action}`

export type OrderLine = { skuId: string; qty: number }
export type ShortLine = { skuId: string; requested: number; available: number }

export type FanOutOptions = { locationId: string; ref?: StockRef }
export type ReserveAllOptions = FanOutOptions & {
  ref: StockRef
  /** Absolute epoch ms; the same for every line, so the order lapses as one. */
  expiresAt: number
  kind?: HoldKind
  customerId?: string | null
}

export type ReserveAllResult =
  | { ok: true; holdId: string; expiresAt: number; lines: OrderLine[] }
  | {
      ok: false
      /** Every line refused for stock, with what it asked and what the cell had. */
      short: ShortLine[]
      /** Lines refused for another reason (limit_exceeded, hold_exists, invalid …). */
      refused: { skuId: string; refusal: Refusal }[]
    }

/** Lines of the same SKU become one line (one hold per cell), in first-seen order. */
export function sumLines(lines: readonly OrderLine[]): OrderLine[] {
  const sums = new Map<string, number>()
  for (const l of lines) sums.set(l.skuId, (sums.get(l.skuId) ?? 0) + l.qty)
  return [...sums].map(([skuId, qty]) => ({ skuId, qty }))
}

/** One call per SKU of `lines` (summed), all in parallel; the answers sorted by what they mean. */
async function perLine<R extends { ok: true } | Refusal>(
  lines: readonly OrderLine[],
  call: (line: OrderLine) => Promise<R>,
) {
  const summed = sumLines(lines)
  const settled = await Promise.allSettled(summed.map(call))
  const done: { skuId: string; result: Extract<R, { ok: true }> }[] = []
  const short: ShortLine[] = []
  const refused: { skuId: string; refusal: Refusal }[] = []
  /** Lines whose call failed outright (the cell unreachable): they may or may not have happened. */
  const failed: string[] = []
  let failure: unknown = null
  settled.forEach((s, i) => {
    const skuId = summed[i]!.skuId
    if (s.status === "rejected") {
      failed.push(skuId)
      failure ??= s.reason
    } else if (s.value.ok) done.push({ skuId, result: s.value as Extract<R, { ok: true }> })
    else if (s.value.code === "insufficient_stock")
      short.push({ skuId, requested: s.value.requested, available: s.value.available })
    else refused.push({ skuId, refusal: s.value })
  })
  return { summed, done, short, refused, failed, failure, all: done.length === summed.length }
}

/**
 * Reserves every line in parallel under hold id = `holdId` (the order or transfer id). All or
 * nothing: if any line is refused, the lines that were held are released and every refused line is
 * returned. A hold id is single use, so after a refusal the document needs a new id. A line whose
 * call failed outright (the cell unreachable) is released too, then the error is rethrown.
 */
export async function reserveAll(
  env: Env,
  holdId: string,
  lines: readonly OrderLine[],
  opts: ReserveAllOptions,
): Promise<ReserveAllResult> {
  const r = await perLine(lines, async (l) =>
    cellStub(env, opts.locationId, l.skuId).reserve({
      locationId: opts.locationId,
      skuId: l.skuId,
      opId: cellOpId(holdId, l.skuId, "reserve"),
      holdId,
      qty: l.qty,
      expiresAt: opts.expiresAt,
      kind: opts.kind ?? "sale",
      customerId: opts.customerId ?? null,
      ref: opts.ref,
    }),
  )
  if (r.all) return { ok: true, holdId, expiresAt: opts.expiresAt, lines: r.summed }
  await releaseAll(env, holdId, [...r.done.map((d) => d.skuId), ...r.failed], opts)
  if (r.failure !== null && r.short.length === 0 && r.refused.length === 0) throw r.failure
  return { ok: false, short: r.short, refused: r.refused }
}

export type SellAllResult =
  | { ok: true; lines: { skuId: string; taken: Taken }[] }
  | (Extract<ReserveAllResult, { ok: false }> & {
      /** Lines that sold, and lines whose call failed outright (they may have sold): to give back. */
      sold: string[]
      failed: string[]
      failure: unknown
    })

/**
 * Sells every line in one call per cell (reserve and commit at once), hold id = `holdId`, for a
 * sale whose money is certain. NOT all or nothing: on a refusal the lines that sold stay sold, and
 * the caller gives them back (its rollback knows the op ids). A retry replays each line's sale.
 */
export async function sellAll(
  env: Env,
  holdId: string,
  lines: readonly OrderLine[],
  opts: FanOutOptions & { ref: StockRef; customerId?: string | null },
): Promise<SellAllResult> {
  const r = await perLine(lines, async (l) =>
    cellStub(env, opts.locationId, l.skuId).sell({
      locationId: opts.locationId,
      skuId: l.skuId,
      opId: cellOpId(holdId, l.skuId, "sell"),
      holdId,
      qty: l.qty,
      customerId: opts.customerId ?? null,
      ref: opts.ref,
    }),
  )
  if (r.all) return { ok: true, lines: r.done.map((d) => ({ skuId: d.skuId, taken: d.result })) }
  const { short, refused, failed, failure } = r
  return { ok: false, short, refused, sold: r.done.map((d) => d.skuId), failed, failure }
}

/**
 * Gives back a document's goods in one cell, whatever that cell saw: an active hold is released, an
 * unknown one fenced (a reserve or sell arriving late under the id is refused), goods taken by the
 * op `takenBy` (its sell or commit) put back as they left (unsell). Op ids derive from the hold id,
 * so the live request and the repair job can both run it, any number of times.
 */
export async function giveBack(
  env: Env,
  holdId: string,
  skuId: string,
  takenBy: Action,
  opts: FanOutOptions & { ref: StockRef },
) {
  const cell = cellStub(env, opts.locationId, skuId)
  const call = { locationId: opts.locationId, skuId, holdId, ref: opts.ref }
  const released = await cell.release({ ...call, opId: cellOpId(holdId, skuId, "release"), fence: true })
  if (released.ok || released.code !== "hold_committed") return
  await unsell(env, holdId, skuId, takenBy, opts)
}

/** Goods a document took from one cell, back as they left (see giveBack); throws if the cell can't. */
export async function unsell(
  env: Env,
  holdId: string,
  skuId: string,
  takenBy: Action,
  opts: FanOutOptions & { ref: StockRef },
) {
  const back = await cellStub(env, opts.locationId, skuId).unsell({
    locationId: opts.locationId,
    skuId,
    opId: cellOpId(holdId, skuId, "unsell"),
    holdId,
    takenBy: cellOpId(holdId, skuId, takenBy),
    ref: opts.ref,
  })
  if (!back.ok) throw new Error(`giving back ${skuId} of ${holdId} at ${opts.locationId}: ${back.code}`)
}

export type CommitAllResult = { ok: boolean; costFen: number; lines: { skuId: string; result: CommitResult }[] }

/** Commits every line's hold (payment, shipment). Each commit replays safely; `ok` only if all committed. */
export async function commitAll(
  env: Env,
  holdId: string,
  skuIds: readonly string[],
  opts: FanOutOptions,
): Promise<CommitAllResult> {
  const unique = [...new Set(skuIds)]
  const results = await Promise.all(
    unique.map((skuId) =>
      cellStub(env, opts.locationId, skuId).commit({
        locationId: opts.locationId,
        skuId,
        opId: cellOpId(holdId, skuId, "commit"),
        holdId,
        ref: opts.ref,
      }),
    ),
  )
  const lines = unique.map((skuId, i) => ({ skuId, result: results[i]! }))
  return {
    ok: lines.every((l) => l.result.ok),
    costFen: lines.reduce((s, l) => s + (l.result.ok ? l.result.costFen : 0), 0),
    lines,
  }
}

export type ReleaseAllResult = { ok: boolean; lines: { skuId: string; result: ReleaseResult }[] }

/** Releases every line's hold (cancel, refusal). A hold that is missing or already gone is not an error. */
export async function releaseAll(
  env: Env,
  holdId: string,
  skuIds: readonly string[],
  opts: FanOutOptions,
): Promise<ReleaseAllResult> {
  const unique = [...new Set(skuIds)]
  const results = await Promise.all(
    unique.map((skuId) =>
      cellStub(env, opts.locationId, skuId).release({
        locationId: opts.locationId,
        skuId,
        opId: cellOpId(holdId, skuId, "release"),
        holdId,
        ref: opts.ref,
      }),
    ),
  )
  const lines = unique.map((skuId, i) => ({ skuId, result: results[i]! }))
  return { ok: lines.every((l) => l.result.ok || l.result.code === "hold_not_found"), lines }
}
