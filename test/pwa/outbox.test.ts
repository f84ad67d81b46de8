import { describe, expect, it, vi } from "vitest"
import type { OutboxItem, SyncSale } from "../../pwa/src/store/db"
import { closeDb, db } from "../../pwa/src/store/db"
import { outbox, recordSale, refreshOutbox, rejectedItems, syncNow, unsyncedCount } from "../../pwa/src/sync/outbox"
import { STORE, signedInCashier } from "./fixtures"
import { json, stubApi } from "./helpers"

const sale = (id: string, totalFen = 200): { journal: Parameters<typeof recordSale>[0]; item: OutboxItem } => {
  const body: SyncSale = {
    id,
    locationId: STORE,
    occurredAt: "2026-11-25T02:00:00.000Z",
    lines: [{ skuId: "sku_water", qty: 1, unitPriceFen: totalFen }],
    payments: [{ method: "cash", amountFen: totalFen }],
    totalFen,
  }
  return {
    journal: {
      id,
      number: `20261125-${id.slice(-4)}`,
      locationId: STORE,
      cashier: "收银 刘洋",
      occurredAt: body.occurredAt,
      day: "2026-11-25",
      lines: [],
      subtotalFen: totalFen,
      discountFen: 0,
      roundingFen: 0,
      totalFen,
      appliedPromotions: [],
      payments: body.payments,
      changeFen: 0,
      couponCodes: [],
      returns: [],
    },
    item: { id, kind: "sale", body, createdAt: Date.now(), attempts: 0 },
  }
}

/** The sale ids a stubbed POST /sales/sync call carried. */
const sentSales = (call: { body: unknown } | undefined): SyncSale[] =>
  (call?.body as { sales?: SyncSale[] } | undefined)?.sales ?? []

const keep = async (id: string) => {
  const { journal, item } = sale(id)
  await recordSale(journal, item)
}

describe("the sales outbox", () => {
  it("still holds an unsynced sale after the app reloads", async () => {
    await keep("01JDZ0000000000000000000A1")
    expect(unsyncedCount.value).toBe(1)

    // a reload: the connection closes, the module starts over, the database is opened again
    await closeDb()
    vi.resetModules()
    const fresh = await import("../../pwa/src/sync/outbox")
    await fresh.refreshOutbox()

    expect(fresh.unsyncedCount.value).toBe(1)
    expect(fresh.outbox.value[0]?.id).toBe("01JDZ0000000000000000000A1")
    expect(await (await db()).get("journal", "01JDZ0000000000000000000A1")).toBeTruthy()
  })

  it("lets a sale go only when the server answered applied or duplicate; a rejected one stays for a manager", async () => {
    signedInCashier()
    const calls = stubApi({
      "POST /api/v1/sales/sync": () =>
        json(200, {
          results: [
            { id: "01JDZ0000000000000000000A1", status: "applied" },
            { id: "01JDZ0000000000000000000A2", status: "duplicate" },
            {
              id: "01JDZ0000000000000000000A3",
              status: "rejected",
              problem: { code: "id_reused", detail: "This sale id was already synced with another body." },
            },
            {
              id: "01JDZ0000000000000000000A4",
              status: "rejected",
              problem: { code: "retry_later", detail: "send it again" },
            },
          ],
        }),
    })
    for (const id of ["A1", "A2", "A3", "A4"]) await keep(`01JDZ0000000000000000000${id}`)

    await syncNow()

    expect(calls).toHaveLength(1)
    expect(sentSales(calls[0]).map((s) => s.id)).toEqual([
      "01JDZ0000000000000000000A1",
      "01JDZ0000000000000000000A2",
      "01JDZ0000000000000000000A3",
      "01JDZ0000000000000000000A4",
    ])
    expect(outbox.value.map((i) => i.id)).toEqual(["01JDZ0000000000000000000A3", "01JDZ0000000000000000000A4"])
    expect(rejectedItems.value.map((i) => [i.id, i.problem?.code])).toEqual([
      ["01JDZ0000000000000000000A3", "id_reused"],
    ])

    // the next sync sends again only what may still go through; the rejected one waits for a manager
    await syncNow()
    expect(sentSales(calls[1]).map((s) => s.id)).toEqual(["01JDZ0000000000000000000A4"])
  })

  it("keeps everything when the network fails mid-sync, and sends the same bodies next time", async () => {
    signedInCashier()
    vi.stubGlobal("fetch", vi.fn().mockRejectedValue(new TypeError("Failed to fetch")))
    await keep("01JDZ0000000000000000000B1")

    await syncNow()
    expect(unsyncedCount.value).toBe(1)

    const calls = stubApi({
      "POST /api/v1/sales/sync": () =>
        json(200, { results: [{ id: "01JDZ0000000000000000000B1", status: "duplicate" }] }),
    })
    await syncNow()

    expect(sentSales(calls[0])[0]).toEqual(sale("01JDZ0000000000000000000B1").item.body)
    expect(unsyncedCount.value).toBe(0)
    await refreshOutbox()
    expect(unsyncedCount.value).toBe(0)
  })
})
