// The chain-wide audit: too many cells for one request, so a run walks them in chunks, resumable
// by whoever holds its lease (the cron, the on-demand call); GET /stock/audit serves its result.
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { continueAuditRuns, startAuditRun, stepAuditRun } from "../../worker/modules/stock"
import { cellName } from "../../worker/stock-cell/client"
import { call, createLocation, ownerToken } from "./helpers"
import { db, flush, newSku, receive } from "./stock-helpers"

describe("chain-wide stock audit", () => {
  it("runs in chunks to a clean end, then finds the drift someone introduced", async () => {
    const owner = await ownerToken()
    const [a, b] = [await createLocation(owner), await createLocation(owner)]
    const skus = [await newSku(owner), await newSku(owner), await newSku(owner)]
    for (const loc of [a, b]) {
      await receive(
        owner,
        loc,
        skus.map((skuId, i) => ({ skuId, qty: 10 + i })),
      )
      await flush(loc, ...skus)
    }

    expect((await call("GET", "/stock/audit", { token: owner })).body).toMatchObject({ checkedAt: null, drift: [] })
    const run = await startAuditRun(db(), "manual", null)
    expect(run?.status).toBe("running")
    // One run at a time: asking again joins it.
    expect((await startAuditRun(db(), "nightly", null))?.id).toBe(run?.id)

    const states: string[] = []
    for (let i = 0; i < 10; i++) {
      const state = await stepAuditRun(env, db(), 2)
      states.push(state)
      if (state === "done") break
    }
    expect(states).toEqual(["more", "more", "more", "done"])
    expect(await stepAuditRun(env, db(), 2)).toBe("idle")

    const result = await call("GET", "/stock/audit", { token: owner })
    expect(result.status).toBe(200)
    expect(result.body).toMatchObject({ runId: run?.id, cellsChecked: 6, cellsPending: 0, drift: [], running: null })
    expect(Date.parse(result.body.checkedAt)).not.toBeNaN()

    await env.DB.prepare("delete from stock_moves where cell = ?").bind(cellName(b, skus[1]!)).run()
    const started = await call("POST", "/stock/audit/run", { token: owner })
    expect(started.status).toBe(202)
    expect(started.body).toMatchObject({ trigger: "manual" })
    await continueAuditRuns(env, db(), { chunkSize: 4 })
    const after = await call("GET", "/stock/audit", { token: owner })
    expect(after.body.runId).toBe(started.body.id)
    expect(after.body.drift).toEqual([{ locationId: b, skuId: skus[1], cell: 11, ledger: 0 }])
  })

  it("a chunk whose lease someone else holds is left alone", async () => {
    const run = await startAuditRun(db(), "manual", null)
    await env.DB.prepare("update audit_runs set lease_until = ? where id = ?")
      .bind(Date.now() + 60_000, run!.id)
      .run()
    expect(await stepAuditRun(env, db(), 2)).toBe("busy")
    await env.DB.prepare("update audit_runs set lease_until = 0 where id = ?").bind(run!.id).run()
    expect((await continueAuditRuns(env, db(), { chunkSize: 50 })).state).toBe("done")
  })
})
