// Document numbers a person can read and say on the phone: RK20261125-0001 (入库 on 25 Nov 2026,
// the first of the day). The day is cut in the chain's time zone. One upsert per number, atomic in D1.
import { sql } from "drizzle-orm"
import { dayOf } from "../../core/business-day"
import type { Db } from "../db/client"
import { docCounters } from "../db/schema"

export type DocPrefix =
  | "RK" // 入库 receipt
  | "TZ" // 调整 adjustment
  | "DD" // 订单 channel order
  | "DB" // 调拨 transfer
  | "PD" // 盘点 stocktake
  | "XS" // 销售 sale
  | "TH" // 退货 return
  | (string & {})

/** YYYYMMDD of `at` in the given IANA time zone. */
export const businessDay = (at: number, timeZone: string): string => dayOf(at, timeZone).replaceAll("-", "")

export async function nextDocNumber(db: Db, prefix: DocPrefix, timeZone: string, at = Date.now()): Promise<string> {
  const day = businessDay(at, timeZone)
  const [row] = await db
    .insert(docCounters)
    .values({ prefix, day, last: 1 })
    .onConflictDoUpdate({ target: [docCounters.prefix, docCounters.day], set: { last: sql`${docCounters.last} + 1` } })
    .returning({ last: docCounters.last })
  return `${prefix}${day}-${String(row!.last).padStart(4, "0")}`
}
