// What other modules (and the cron) may use of the till.
import type { Db } from "../../db/client"
import { repairSales } from "./post"
import { repairSaleIntents } from "./repair"
import { repairReturns } from "./returns-settle"

/** Till sales whose worker died between taking the money and writing the sale: forward or back. */
export const repairTillSales = (env: Env, db: Db) => repairSaleIntents({ db, env })

/** Finishes sales whose follow-ups and returns whose settlement a dead worker left half-way. */
export async function repairTill(env: Env, db: Db) {
  const sales = await repairSales(db)
  const returns = await repairReturns({ db, env })
  return { sales, returns }
}
