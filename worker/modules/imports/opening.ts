// Opening balances (库存底数): what each store and warehouse holds on the day it switches to
// puzi, with lots, expiry and cost. Stock only ever changes in the cells, so every row is a
// `receive` on its cell with opId `${jobId}:${chunk}:${row}`: a chunk sent again, or a run resumed
// after a crash half-way through a chunk, finds its rows already applied and changes nothing.
import type { Db } from "../../db/client"
import type { Actor } from "../../lib/actor"
import { problem } from "../../lib/problem"
import { cellName, cellStub } from "../../stock-cell/client"
import type { ReceiveResult } from "../../stock-cell/types"
import { FANOUT, mapLimit } from "../stock/fanout"
import type { ChunkCounts } from "./jobs"
import { type LocationRef, locationResolver, type RowError, rowErrors, skusByCode } from "./lookup"

export type OpeningRow = LocationRef & {
  skuCode: string
  qty: number
  unitCostFen: number
  lot?: string | null | undefined
  expiresOn?: string | null | undefined
}

type Ctx = { db: Db; env: Env; actor: Actor }
type Planned = { row: number; locationId: string; skuId: string; input: OpeningRow }

/** Every row checked against the chain first: the bad ones all listed (422), nothing applied. */
async function plan(ctx: Ctx, rows: readonly OpeningRow[]): Promise<Planned[]> {
  const location = await locationResolver(ctx.db, ctx.actor, rows)
  const skus = await skusByCode(
    ctx.db,
    rows.map((r) => r.skuCode),
  )
  const errors: RowError[] = []
  const seen = new Map<string, number>()
  const planned: Planned[] = []
  rows.forEach((r, row) => {
    const before = errors.length
    const fail = (field: string, code: string, message: string) =>
      errors.push({ row, path: `rows.${row}.${field}`, code, message })
    const loc = location(r)
    if ("error" in loc) fail(r.locationId ? "locationId" : "locationName", loc.error, loc.message)
    const sku = skus.get(r.skuCode)
    if (!sku) fail("skuCode", "unknown_sku", `No SKU has the code ${r.skuCode}.`)
    if (r.expiresOn && !r.lot) fail("expiresOn", "expiry_without_lot", "Only goods with a lot number carry an expiry.")
    // A row already wrong is not also reported as a twin of another.
    if ("error" in loc || !sku || errors.length > before) return
    const key = `${cellName(loc.id, sku.id)}:${r.lot ?? ""}`
    const twin = seen.get(key)
    if (twin !== undefined) fail("lot", "duplicate_row", `Row ${twin} names the same location, SKU and lot.`)
    else seen.set(key, row)
    planned.push({ row, locationId: loc.id, skuId: sku.id, input: r })
  })
  if (errors.length > 0)
    throw problem(422, "import_rejected", `${errors.length} problem(s) in this chunk: nothing was applied.`, {
      errors: rowErrors(errors),
    })
  return planned
}

/** Rows of one cell go in order (each lot its own receive); cells in parallel, at most FANOUT at once. */
export async function applyOpeningBalances(
  ctx: Ctx,
  jobId: string,
  chunkNo: number,
  rows: readonly OpeningRow[],
): Promise<ChunkCounts> {
  const planned = await plan(ctx, rows)
  const byCell = new Map<string, Planned[]>()
  for (const p of planned) {
    const cell = cellName(p.locationId, p.skuId)
    byCell.set(cell, [...(byCell.get(cell) ?? []), p])
  }
  const ref = { type: "import", id: jobId, actorId: ctx.actor.id }
  const results = await mapLimit([...byCell.values()], FANOUT, async (cellRows) => {
    const out: { row: number; result: ReceiveResult }[] = []
    for (const p of cellRows) {
      const result = await cellStub(ctx.env, p.locationId, p.skuId).receive({
        locationId: p.locationId,
        skuId: p.skuId,
        opId: `${jobId}:${chunkNo}:${p.row}`,
        qty: p.input.qty,
        lot: p.input.lot ?? null,
        expiresOn: p.input.expiresOn ?? null,
        unitCostFen: p.input.unitCostFen,
        ref,
      })
      out.push({ row: p.row, result })
    }
    return out
  })
  const flat = results.flat()
  const refused: RowError[] = flat.flatMap(({ row, result }) =>
    result.ok
      ? []
      : [
          {
            row,
            path: `rows.${row}`,
            code: result.code,
            message:
              result.code === "lot_conflict"
                ? `Lot ${result.lot} is already on hand with expiry ${result.expiresOn ?? "none"}.`
                : result.code === "op_conflict"
                  ? "This row was applied earlier with other content: send the chunk as it was."
                  : `${result.field}: ${result.message}`,
          },
        ],
  )
  // The other rows are in and stay in (a resend replays them); the chunk is not recorded until it is whole.
  if (refused.length > 0)
    throw problem(409, "rows_refused", `${refused.length} row(s) were refused by their stock cells.`, {
      errors: rowErrors(refused),
    })
  const unchanged = flat.filter(({ result }) => result.ok && result.replayed).length
  return { rows: rows.length, applied: flat.length - unchanged, unchanged }
}
