// A cell that dropped below its reorder point sends one signal; the queue may deliver it twice.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import worker from "../../worker/index"
import type { ReplenishMessage } from "../../worker/stock-cell/types"
import { uniq } from "./helpers"

const signal = (cell: string, seq: number): ReplenishMessage => {
  const [locationId, skuId] = cell.split(":") as [string, string]
  return {
    cell,
    locationId,
    skuId,
    seq,
    available: 3,
    onHand: 3,
    reorderPoint: 5,
    max: 20,
    safetyStock: 2,
    occurredAt: Date.now(),
  }
}

const deliver = async (messages: ReplenishMessage[]) => {
  const batch = createMessageBatch<ReplenishMessage>(
    "puzi-replenish",
    messages.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  )
  const ctx = createExecutionContext()
  await worker.queue(batch, env)
  return getQueueResult(batch, ctx)
}

describe("replenish signals", () => {
  it("are recorded once per crossing, however often the queue delivers them", async () => {
    const cell = `${uniq("loc_")}:${uniq("sku_")}`
    const first = await deliver([signal(cell, 7), signal(cell, 7)])
    const again = await deliver([signal(cell, 7), signal(cell, 12)])
    expect(first.ackAll).toBe(true)
    expect(again.ackAll).toBe(true)
    expect(again.retryMessages).toEqual([])
    const rows = await env.DB.prepare("select seq, status from replenish_signals where cell = ? order by seq")
      .bind(cell)
      .all()
    expect(rows.results).toEqual([
      { seq: 7, status: "open" },
      { seq: 12, status: "open" },
    ])
  })
})
