// Shared by the stock module's stories (receipts, adjustments, reads, audit): SKUs made through the
// catalog API, documents posted as a client would, and the cells' alarms drained before D1 reads.
import { runDurableObjectAlarm } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { expect } from "vitest"
import { addDays, dayOf } from "../../core/business-day"
import { makeDb } from "../../worker/db/client"
import { cellStub } from "../../worker/stock-cell/client"
import { call, uniq } from "./helpers"

export const db = () => makeDb(env.DB)

export async function newCategory(owner: string, expiryWarningDays?: number) {
  const res = await call<{ id: string }>("POST", "/categories", {
    token: owner,
    body: { name: uniq("类"), ...(expiryWarningDays === undefined ? {} : { expiryWarningDays }) },
  })
  if (res.status !== 201) throw new Error(`category failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.id
}

/** One product with one SKU, through POST /api/v1/products (the contract). */
export async function newSku(owner: string, opts: { categoryId?: string; name?: string } = {}) {
  const res = await call<{ skus: { id: string }[] }>("POST", "/products", {
    token: owner,
    body: {
      name: opts.name ?? uniq("商品"),
      ...(opts.categoryId ? { categoryId: opts.categoryId } : {}),
      variants: [{ skuCode: uniq("SK"), priceFen: 1990 }],
    },
  })
  if (res.status !== 201) throw new Error(`product failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.skus[0]!.id
}

export const stub = (locationId: string, skuId: string) => cellStub(env, locationId, skuId)
export const snapshot = (locationId: string, skuId: string) => stub(locationId, skuId).snapshot({ locationId, skuId })

/** Stock put straight into a cell (no document), for stories about what happens next. */
export async function stockIn(
  locationId: string,
  skuId: string,
  qty: number,
  opts: { lot?: string; expiresOn?: string; unitCostFen?: number } = {},
) {
  const r = await stub(locationId, skuId).receive({
    locationId,
    skuId,
    opId: uniq("rk"),
    qty,
    lot: opts.lot ?? null,
    expiresOn: opts.expiresOn ?? null,
    unitCostFen: opts.unitCostFen ?? 1000,
    ref: { type: "receipt", id: uniq("rk"), actorId: "usr_test" },
  })
  if (!r.ok) throw new Error(`receive refused: ${JSON.stringify(r)}`)
  return r
}

/** Runs each cell's alarm (whatever it was armed for) until its outbox has reached D1. */
export async function flush(locationId: string, ...skuIds: string[]) {
  for (const skuId of skuIds) {
    const s = stub(locationId, skuId)
    for (let i = 0; i < 10; i++) {
      await runDurableObjectAlarm(s)
      if ((await s.snapshot()).outboxPending === 0) break
    }
  }
}

export type ReceiptLine = { skuId: string; qty: number; lot?: string; expiresOn?: string; unitCostFen?: number }

export async function receive(token: string, locationId: string, lines: ReceiptLine[], key = uniq("rk")) {
  const res = await call("POST", "/stock/receipts", { token, key, body: { locationId, lines } })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body as { id: string; number: string; totalCostFen: number }
}

export type LedgerMove = {
  kind: string
  delta: number
  lot: string | null
  reason: string | null
  ref_id: string | null
}

export async function movesOf(locationId: string, skuId: string) {
  const { results } = await env.DB.prepare(
    "select kind, delta, lot, reason, ref_id from stock_moves where location_id = ? and sku_id = ? order by seq",
  )
    .bind(locationId, skuId)
    .all<LedgerMove>()
  return results
}

/** A calendar date `days` from today in the chain's time zone. */
export const dayFromToday = (days: number) => addDays(dayOf(Date.now(), env.CHAIN_TIME_ZONE), days)
