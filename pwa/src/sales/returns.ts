import { ulid } from "ulid"
import { divFloor } from "../../../core/rounding"
import type { TenderMethod } from "../../../core/tenders"
import { tillCashier } from "../auth/cashier"
import { deviceId } from "../auth/device"
import { db, type JournalSale } from "../store/db"
import { businessDay } from "../store/location"
import { currentShiftId } from "../store/shift"
import { recordReturn } from "../sync/outbox"

// Returns of this device's sales (退货), offline or not: through the outbox's `returns`, like the sales.

/**
 * What `qty` more units of a line refund when `returned` already came back: the line's paid total split
 * cumulatively floored (the server's rule), so all returns of a line together refund exactly what it was paid.
 */
export const refundFor = (line: { totalFen: number; qty: number }, returned: number, qty: number): number =>
  divFloor(BigInt(line.totalFen) * BigInt(returned + qty), line.qty) -
  divFloor(BigInt(line.totalFen) * BigInt(returned), line.qty)

/** The server's id of a sale line: a synced offline sale's lines are `${saleId}:${n}`; an online one's came back. */
export const serverLineId = (sale: JournalSale, index: number) =>
  sale.lines[index]?.serverLineId ?? `${sale.id}:${index + 1}`

export const todaysSales = async (): Promise<JournalSale[]> =>
  (await (await db()).getAllFromIndex("journal", "day", businessDay())).sort((a, b) =>
    b.occurredAt.localeCompare(a.occurredAt),
  )

export const findSale = async (number: string): Promise<JournalSale | undefined> => {
  const database = await db()
  const q = number.trim()
  return (
    (await database.getFromIndex("journal", "number", q)) ??
    (await database.get("journal", q)) ??
    (await database.getAll("journal")).find((s) => s.serverNumber === q)
  )
}

/** Records a return of `qtys` (by journal line id) refunded in `method`; resolves with the refund in fen. */
export const returnLines = async (
  sale: JournalSale,
  qtys: Record<string, number>,
  method: TenderMethod = "cash",
): Promise<number> => {
  const at = Date.now()
  const id = ulid(at)
  const lines: { lineId: string; qty: number; restock: boolean }[] = []
  let refundFen = 0
  const updated = sale.lines.map((l, i) => {
    const qty = Math.min(qtys[l.lineId] ?? 0, l.qty - l.returnedQty)
    if (qty <= 0) return l
    refundFen += refundFor(l, l.returnedQty, qty)
    lines.push({ lineId: serverLineId(sale, i), qty, restock: true })
    return { ...l, returnedQty: l.returnedQty + qty }
  })
  if (lines.length === 0) return 0
  const occurredAt = new Date(at).toISOString()
  const shiftId = currentShiftId()
  // Like a sale: the cashier at the till (after a PIN hand-over, not the signed-in user) and this device.
  const cashierId = tillCashier.value?.id
  const device = deviceId()
  await recordReturn(
    {
      ...sale,
      lines: updated,
      returns: [
        ...sale.returns,
        { id, at: occurredAt, refundFen, lines: lines.map(({ lineId, qty }) => ({ lineId, qty })) },
      ],
    },
    {
      id,
      kind: "return",
      createdAt: at,
      attempts: 0,
      body: {
        id,
        saleId: sale.serverId ?? sale.id,
        locationId: sale.locationId,
        occurredAt,
        lines,
        refunds: refundFen > 0 ? [{ method, amountFen: refundFen }] : [],
        ...(shiftId ? { shiftId } : {}),
        ...(cashierId ? { cashierId } : {}),
        ...(device ? { deviceId: device } : {}),
      },
    },
  )
  return refundFen
}
