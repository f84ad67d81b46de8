// A store manager sends goods to a warehouse they can't see: the store app lists every open
// location by name to choose from, and names the other end of each transfer with it.
import { describe, expect, it } from "vitest"
import { call, createLocation, ownerToken, staffToken } from "./helpers"

type Destination = { id: string; name: string; kind: string; region: string | null }

describe("where a store may send goods", () => {
  it("lists every open location by name, also those outside the caller's own", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner, "store")
    const warehouse = await createLocation(owner, "warehouse")
    const closed = await createLocation(owner, "store")
    await call("PATCH", `/locations/${closed}`, { token: owner, body: { status: "closed" } })
    const manager = await staffToken(owner, "store_manager", [store])

    const seen = await call<{ items: Destination[] }>("GET", "/locations", { token: manager.token })
    expect(seen.body.items.map((l) => l.id)).toEqual([store])

    const res = await call<{ items: Destination[] }>("GET", "/transfers/destinations", { token: manager.token })
    expect(res.status).toBe(200)
    const ids = res.body.items.map((l) => l.id)
    expect(ids).toEqual(expect.arrayContaining([store, warehouse]))
    expect(ids).not.toContain(closed)
    expect(res.body.items.find((l) => l.id === warehouse)).toEqual({
      id: warehouse,
      name: expect.any(String),
      kind: "warehouse",
      region: "华东",
    })
    expect(Object.keys(res.body.items[0]!).sort()).toEqual(["id", "kind", "name", "region"])
  })

  it("is refused to a cashier, who sends no goods", async () => {
    const owner = await ownerToken()
    const store = await createLocation(owner, "store")
    const cashier = await staffToken(owner, "cashier", [store])

    const res = await call("GET", "/transfers/destinations", { token: cashier.token })
    expect(res.status).toBe(403)
    expect(res.body.code).toBe("forbidden")
  })
})
