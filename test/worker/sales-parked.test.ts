// 挂单 / 取单: a cart put aside at one till, taken back once.
import { describe, expect, it } from "vitest"
import { call, createLocation, staffToken } from "./helpers"
import { shop } from "./sales-helpers"

describe("parked carts", () => {
  it("a till parks carts, lists its own, and takes one back exactly once", async () => {
    const { owner, store, skuIds, cashier } = await shop({ skus: 1, qty: 0 })
    const park = (deviceId: string, label: string) =>
      call("POST", "/parked-carts", {
        token: cashier.token,
        body: { locationId: store, deviceId, label, lines: [{ skuId: skuIds[0], qty: 2 }] },
      })
    const first = await park("dev_a", "穿红衣服的顾客")
    await park("dev_b", "另一台")
    expect(first.status).toBe(201)
    const mine = await call("GET", `/parked-carts?locationId=${store}&deviceId=dev_a`, { token: cashier.token })
    expect(mine.body.items).toEqual([
      expect.objectContaining({ id: first.body.id, label: "穿红衣服的顾客", lines: [{ skuId: skuIds[0], qty: 2 }] }),
    ])
    const taken = await call("DELETE", `/parked-carts/${first.body.id}`, { token: cashier.token })
    expect(taken.status).toBe(200)
    expect(taken.body.lines).toEqual([{ skuId: skuIds[0], qty: 2 }])
    expect((await call("DELETE", `/parked-carts/${first.body.id}`, { token: cashier.token })).status).toBe(404)
    const stranger = await staffToken(owner, "cashier", [await createLocation(owner)])
    expect(
      (await call("GET", `/parked-carts?locationId=${store}&deviceId=dev_b`, { token: stranger.token })).status,
    ).toBe(404)
  })
})
