// Queue consumers, dispatched by queue name. Deliveries are at-least-once: consumers are idempotent.
import { log } from "../lib/log"

export async function runQueue(batch: MessageBatch, _env: Env) {
  if (batch.queue.endsWith("-dlq")) {
    // Dead letters stay visible to an owner through the logs until the replenishment module lists them.
    for (const m of batch.messages) log.error("dead letter", { queue: batch.queue, id: m.id, body: m.body })
    batch.ackAll()
    return
  }
  // The replenishment consumer arrives with the stock core; until then messages are retried, not dropped.
  batch.retryAll({ delaySeconds: 60 })
}
