// What other modules (and the cron) may use of the till.
import type { Db } from "../../db/client"
import { repairSales } from "./post"
import { repairReturns } from "./returns-settle"

/** Finishes sales whose follow-ups and returns whose settlement a dead worker left half-way. */
export async function repairTill(env: Env, db: Db) {
  const sales = await repairSales(db)
  const returns = await repairReturns({ db, env })
  return { sales, returns }
}
