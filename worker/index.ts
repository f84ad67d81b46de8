import { buildApp } from "./app"
import { runQueue } from "./jobs/queue"
import { runScheduled } from "./jobs/scheduled"

export { StockCell } from "./stock-cell/stock-cell"

const app = buildApp()

export default {
  fetch: app.fetch,
  queue: (batch, env) => runQueue(batch, env),
  scheduled: async (controller, env, ctx) => ctx.waitUntil(runScheduled(controller.cron, env)),
} satisfies ExportedHandler<Env>
