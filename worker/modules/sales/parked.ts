// 挂单 / 取单: a cart put aside at one till and picked up later. Parked per device (a till's own
// list); picking up is GET then DELETE, so two tills can't both take the same cart (the second
// DELETE answers 404).
import { and, desc, eq } from "drizzle-orm"
import type { Db } from "../../db/client"
import { parkedCarts } from "../../db/schema"
import { type Actor, assertLocation, may } from "../../lib/actor"
import { newId } from "../../lib/ids"
import { notFound } from "../../lib/problem"

export type ParkInput = {
  locationId: string
  deviceId: string
  label?: string
  lines: { skuId: string; qty: number }[]
  memberId?: string | null
  couponCodes?: string[]
}

type Row = typeof parkedCarts.$inferSelect
const view = (r: Row) => ({
  id: r.id,
  locationId: r.locationId,
  deviceId: r.deviceId,
  label: r.label,
  ...(r.cart as Pick<ParkInput, "lines" | "memberId" | "couponCodes">),
  parkedBy: r.parkedBy,
  createdAt: new Date(r.createdAt).toISOString(),
})

export async function parkCart(db: Db, actor: Actor, input: ParkInput) {
  assertLocation(actor, input.locationId)
  const row: Row = {
    id: newId("pk"),
    locationId: input.locationId,
    deviceId: input.deviceId,
    label: input.label ?? null,
    cart: { lines: input.lines, memberId: input.memberId ?? null, couponCodes: input.couponCodes ?? [] },
    parkedBy: actor.id,
    createdAt: Date.now(),
  }
  await db.insert(parkedCarts).values(row)
  return view(row)
}

export async function listParked(db: Db, actor: Actor, q: { locationId: string; deviceId: string }) {
  assertLocation(actor, q.locationId)
  const rows = await db
    .select()
    .from(parkedCarts)
    .where(and(eq(parkedCarts.locationId, q.locationId), eq(parkedCarts.deviceId, q.deviceId)))
    .orderBy(desc(parkedCarts.createdAt))
    .limit(100)
  return { items: rows.map(view), nextCursor: null }
}

export async function unparkCart(db: Db, actor: Actor, id: string) {
  const [row] = await db.select().from(parkedCarts).where(eq(parkedCarts.id, id))
  if (!row || !may(actor, row.locationId)) throw notFound("parked cart")
  const gone = await db.delete(parkedCarts).where(eq(parkedCarts.id, id)).returning()
  if (!gone[0]) throw notFound("parked cart")
  return view(gone[0])
}
