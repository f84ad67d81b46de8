// Shared by the order stories (and test/heavy): SKUs through the catalog API, stock put into the
// cells through their RPC (`receive`), orders placed and paid as a channel client would.
import { runInDurableObject } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { expect } from "vitest"
import { makeDb } from "../../worker/db/client"
import { cellStub } from "../../worker/stock-cell/client"
import type { StockCell } from "../../worker/stock-cell/stock-cell"
import { call, createLocation, ownerToken, productSkus, type Res, uniq } from "./helpers"

export const db = () => makeDb(env.DB)

/** `n` SKUs (variants of one product) at `priceFen`, through POST /api/v1/products. */
export const newSkus = (owner: string, n = 1, priceFen = 1990, unit: "piece" | "gram" = "piece") =>
  productSkus(owner, { n, priceFen, codePrefix: "OD", unit })

export const stub = (locationId: string, skuId: string) => cellStub(env, locationId, skuId)
export const snapshot = (locationId: string, skuId: string) => stub(locationId, skuId).snapshot({ locationId, skuId })

/** Goods into a cell directly (what a receipt does underneath). */
export async function stock(locationId: string, skuId: string, qty: number) {
  const r = await stub(locationId, skuId).receive({
    locationId,
    skuId,
    opId: uniq("rcv"),
    qty,
    unitCostFen: 1000,
    ref: { type: "test_receipt", id: uniq("rk"), actorId: "usr_tester" },
  })
  if (!r.ok) throw new Error(`receive failed: ${JSON.stringify(r)}`)
}

/** A hold's state in its cell (null: the cell never saw it). */
export const holdOf = (locationId: string, skuId: string, holdId: string) => stub(locationId, skuId).hold(holdId)

export type Placed = {
  id: string
  number: string
  status: string
  expiresAt: string
  totalFen: number
  lines: { skuId: string; qty: number; unitPriceFen: number; amountFen: number }[]
}

export const order = (
  token: string,
  body: Record<string, unknown>,
  key: string = uniq("ok"),
): Promise<Res<Placed & { code?: string; errors?: Record<string, unknown>[] }>> =>
  call("POST", "/orders", { token, key, body: { channel: "miniprogram", ...body } })

export const pay = (token: string, id: string, payments: unknown[], key: string = uniq("pk")) =>
  call<{ id: string; status: string; code?: string }>("POST", `/orders/${id}/pay`, { token, key, body: { payments } })

/** A store with `skus` SKUs, each holding `qty`; the owner's token. */
export async function shop(opts: { skus?: number; qty?: number; priceFen?: number } = {}) {
  const owner = await ownerToken()
  const locationId = await createLocation(owner)
  const skuIds = await newSkus(owner, opts.skus ?? 1, opts.priceFen ?? 1990)
  if (opts.qty) await Promise.all(skuIds.map((s) => stock(locationId, s, opts.qty!)))
  return { owner, locationId, skuIds }
}

/** Moves a cell's clock (the test seam on StockCell) so its alarm sees holds as lapsed; no sleeping. */
export async function cellClock(locationId: string, skuId: string, now: number) {
  await runInDurableObject(stub(locationId, skuId), (instance: StockCell) => {
    instance.clock = () => now
  })
}

/** held + available = on hand, nothing below zero. */
export function expectBalanced(s: { onHand: number; reserved: number; available: number }) {
  expect(s.available).toBeGreaterThanOrEqual(0)
  expect(s.reserved).toBeGreaterThanOrEqual(0)
  expect(s.reserved + s.available).toBe(s.onHand)
}
