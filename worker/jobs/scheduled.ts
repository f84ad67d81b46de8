// Cron: "*/10 * * * *" for short housekeeping, "0 18 * * *" (02:00 Asia/Shanghai) for nightly work.
import { makeDb } from "../db/client"
import { purgeExpiredIdempotencyKeys } from "../lib/idempotency"
import { log } from "../lib/log"
import { applyDuePrices } from "../modules/catalog"
import { recomputeTiers } from "../modules/members"
import { repairOrders } from "../modules/orders"
import { recomputeRecentDays } from "../modules/reports"
import { repairTill, repairTillSales } from "../modules/sales"
import { continueAuditRuns, finishStuckDocuments, startAuditRun } from "../modules/stock"
import { repairStocktakes } from "../modules/stocktake"
import { repairTransfers } from "../modules/transfers"

type Job = { name: string; run: (env: Env) => Promise<unknown> }

const frequent: Job[] = [
  { name: "purge-idempotency-keys", run: (env) => purgeExpiredIdempotencyKeys(makeDb(env.DB)) },
  { name: "apply-due-prices", run: (env) => applyDuePrices(makeDb(env.DB)) },
  // Sagas whose request died half-way: finished with the same opIds, so nothing applies twice.
  { name: "repair-transfers", run: (env) => repairTransfers(env, makeDb(env.DB)) },
  { name: "repair-orders", run: (env) => repairOrders(env, makeDb(env.DB)) },
  // Before repair-sales: a sale rolled forward here is posted there if its own post fails.
  { name: "repair-sale-intents", run: (env) => repairTillSales(env, makeDb(env.DB)) },
  { name: "repair-sales", run: (env) => repairTill(env, makeDb(env.DB)) },
  { name: "repair-stocktakes", run: (env) => repairStocktakes(env, makeDb(env.DB)) },
  { name: "finish-stock-documents", run: (env) => finishStuckDocuments(env, makeDb(env.DB)) },
  // The chain-wide stock audit can't run in one invocation: each tick advances its cursor.
  { name: "continue-stock-audit", run: (env) => continueAuditRuns(env, makeDb(env.DB)) },
]
const nightly: Job[] = [
  {
    name: "stock-audit",
    run: async (env) => {
      const db = makeDb(env.DB)
      await startAuditRun(db, "nightly", null)
      return continueAuditRuns(env, db)
    },
  },
  { name: "recompute-member-tiers", run: (env) => recomputeTiers(makeDb(env.DB)) },
  { name: "recompute-report-days", run: (env) => recomputeRecentDays(makeDb(env.DB), env.CHAIN_TIME_ZONE) },
]

export async function runScheduled(cron: string, env: Env) {
  const jobs = cron === "0 18 * * *" ? nightly : frequent
  // Each job on its own: one failing must not stop the others (and is retried next tick).
  for (const job of jobs) {
    try {
      await job.run(env)
      log.info("job done", { job: job.name, cron })
    } catch (e) {
      log.error("job failed", { job: job.name, cron, error: String(e) })
    }
  }
}

export const scheduledJobs = { frequent, nightly }
