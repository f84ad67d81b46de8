// Cron: "*/10 * * * *" for short housekeeping, "0 18 * * *" (02:00 Asia/Shanghai) for nightly work.
import { makeDb } from "../db/client"
import { purgeExpiredIdempotencyKeys } from "../lib/idempotency"
import { log } from "../lib/log"

type Job = { name: string; run: (env: Env) => Promise<unknown> }

const frequent: Job[] = [{ name: "purge-idempotency-keys", run: (env) => purgeExpiredIdempotencyKeys(makeDb(env.DB)) }]
const nightly: Job[] = []

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
