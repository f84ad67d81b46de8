// Queue consumers, dispatched by queue name. Deliveries are at-least-once: consumers are idempotent.
import { makeDb } from "../db/client"
import { log } from "../lib/log"
import { recordDeadLetters } from "../modules/ops"
import { recordSignals } from "../modules/replenishment"
import type { ReplenishMessage } from "../stock-cell/types"

export async function runQueue(batch: MessageBatch, env: Env) {
  if (batch.queue.endsWith("-dlq")) {
    // Dead letters are logged and recorded (by message id, so a redelivery is one row) for the
    // owner's deep health check; if D1 refuses, the batch is retried rather than lost.
    for (const m of batch.messages) log.error("dead letter", { queue: batch.queue, id: m.id, body: m.body })
    await recordDeadLetters(makeDb(env.DB), batch)
    batch.ackAll()
    return
  }
  try {
    await recordSignals(
      makeDb(env.DB),
      batch.messages.map((m) => m.body as ReplenishMessage),
    )
    batch.ackAll()
  } catch (e) {
    log.error("replenish consumer failed", { error: String(e), messages: batch.messages.length })
    for (const m of batch.messages) m.retry({ delaySeconds: Math.min(300, 10 * 2 ** m.attempts) })
  }
}
