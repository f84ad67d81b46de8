// The REPLENISH queue's consumer: record each reorder-point crossing once (the queue delivers at
// least once, so (cell, seq) de-duplicates). A message that fails is retried with backoff and, after
// the queue's max_retries, lands in the dead-letter queue.
import type { Db } from "../../db/client"
import { replenishSignals } from "../../db/schema"
import type { ReplenishMessage } from "../../stock-cell/types"

export async function recordSignals(db: Db, messages: readonly ReplenishMessage[], now = Date.now()) {
  if (messages.length === 0) return
  const rows = messages.map((m) => ({
    cell: m.cell,
    seq: m.seq,
    locationId: m.locationId,
    skuId: m.skuId,
    available: m.available,
    onHand: m.onHand,
    reorderPoint: m.reorderPoint,
    max: m.max,
    safetyStock: m.safetyStock,
    occurredAt: m.occurredAt,
    createdAt: now,
  }))
  // 12 columns per row: chunks of 8 rows stay under D1's 100 bound parameters per statement.
  const inserts = []
  for (let i = 0; i < rows.length; i += 8)
    inserts.push(
      db
        .insert(replenishSignals)
        .values(rows.slice(i, i + 8))
        .onConflictDoNothing(),
    )
  const [first, ...rest] = inserts
  await db.batch([first!, ...rest])
}
