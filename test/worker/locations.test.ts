// Stores, warehouses and dealers; every caller sees only their own.
import { describe, expect, it } from "vitest"
import { call, createLocation, ownerToken, staffToken } from "./helpers"

describe("locations", () => {
  it("an owner opens a store with its address, hours and time zone", async () => {
    const owner = await ownerToken()
    const res = await call("POST", "/locations", {
      token: owner,
      body: {
        name: "南京路店",
        kind: "store",
        region: "华东",
        address: "上海市黄浦区南京东路 1 号",
        latitude: 31.2363,
        longitude: 121.4803,
        businessHours: { open: "09:30", close: "22:00" },
      },
    })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ name: "南京路店", kind: "store", timeZone: "Asia/Shanghai", status: "active" })
    expect(res.body.id).toMatch(/^loc_/)
  })

  it("refuses an unknown kind, a bad time zone and bad hours, listing each field", async () => {
    const owner = await ownerToken()
    const res = await call("POST", "/locations", {
      token: owner,
      body: { name: "x", kind: "kiosk", timeZone: "Mars/Base", businessHours: { open: "25:00", close: "22:00" } },
    })
    expect(res.status).toBe(400)
    const paths = res.body.errors.map((e: { path: string }) => e.path)
    expect(paths).toEqual(expect.arrayContaining(["kind", "timeZone", "businessHours.open"]))
  })

  it("a cashier of store A sees only store A; store B answers 404", async () => {
    const owner = await ownerToken()
    const [a, b] = [await createLocation(owner), await createLocation(owner)]
    const cashier = await staffToken(owner, "cashier", [a])
    const list = await call("GET", "/locations", { token: cashier.token })
    expect(list.body.items.map((l: { id: string }) => l.id)).toEqual([a])
    expect((await call("GET", `/locations/${a}`, { token: cashier.token })).status).toBe(200)
    const other = await call("GET", `/locations/${b}`, { token: cashier.token })
    expect(other.status).toBe(404)
    expect(other.body.code).toBe("not_found")
  })

  it("owners see stores opened after they signed in", async () => {
    const owner = await ownerToken()
    const later = await createLocation(owner, "warehouse")
    expect((await call("GET", `/locations/${later}`, { token: owner })).status).toBe(200)
  })

  it("pages through every location exactly once", async () => {
    const owner = await ownerToken()
    for (let i = 0; i < 5; i++) await createLocation(owner)
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const q: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2"
      const page = await call("GET", `/locations${q}`, { token: owner })
      expect(page.body.items.length).toBeLessThanOrEqual(2)
      seen.push(...page.body.items.map((l: { id: string }) => l.id))
      cursor = page.body.nextCursor
    } while (cursor)
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen.length).toBeGreaterThanOrEqual(5)
    expect((await call("GET", "/locations?limit=0", { token: owner })).status).toBe(400)
    expect((await call("GET", "/locations?cursor=garbage!", { token: owner })).status).toBe(400)
  })

  it("a store manager may not open a store", async () => {
    const owner = await ownerToken()
    const a = await createLocation(owner)
    const sm = await staffToken(owner, "store_manager", [a])
    const res = await call("POST", "/locations", { token: sm.token, body: { name: "x", kind: "store" } })
    expect(res.status).toBe(403)
  })
})
