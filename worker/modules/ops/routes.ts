// GET /api/v1/ops/health/deep: the owner's view of what could go quietly wrong (see service.ts).
import { createRoute } from "@hono/zod-openapi"
import { guard } from "../../lib/auth"
import { jsonResponse, problemResponses, router, z } from "../../lib/openapi"
import { IsoTime } from "../../lib/schemas"
import { deepHealth } from "./service"

const Status = z.enum(["ok", "warn"])
const Stuck = z.object({ awaiting: z.number().int(), overdue: z.number().int(), oldestAt: IsoTime.nullable() })

const DeepHealth = z
  .object({
    status: Status.openapi({ description: "warn when any part below is warn" }),
    checkedAt: IsoTime,
    queueBacklog: z
      .object({ status: Status, openSignals: z.number().int(), oldestAt: IsoTime.nullable() })
      .openapi({ description: "Reorder-point signals not yet acted on; warn when one waits over a day" }),
    deadLetters: z
      .object({ status: Status, total: z.number().int(), lastWeek: z.number().int(), latestAt: IsoTime.nullable() })
      .openapi({ description: "Queue messages given up on; warn when any arrived in the last 7 days" }),
    unsyncedOutbox: z
      .object({
        status: Status,
        cellsBehind: z.number().int(),
        cellsStuck: z.number().int(),
        stuck: z.array(z.object({ cell: z.string(), since: IsoTime.nullable() })),
        lastAuditPending: z.number().int(),
      })
      .openapi({ description: "Cells whose D1 ledger is ahead of their level; warn when stuck over a minute" }),
    lastAudit: z
      .object({
        status: Status,
        lastRunAt: IsoTime.nullable(),
        cellsChecked: z.number().int(),
        cellsPending: z.number().int(),
        driftCount: z.number().int(),
        drift: z.array(z.object({ locationId: z.string(), skuId: z.string(), cell: z.number(), ledger: z.number() })),
        running: z.boolean(),
      })
      .openapi({ description: "The last chain-wide stock audit; warn on drift, or when none ran in 2 days" }),
    priceExceptions: z
      .object({
        status: Status,
        total: z.number().int(),
        lastDay: z.number().int(),
        latest: z
          .object({
            id: z.string(),
            kind: z.string(),
            refId: z.string(),
            locationId: z.string(),
            expectedFen: z.number().int(),
            actualFen: z.number().int(),
            differenceFen: z.number().int(),
            occurredAt: IsoTime.nullable(),
          })
          .nullable(),
      })
      .openapi({ description: "What offline tills charged otherwise than the server would; warn for the last day's" }),
    awaitingRepair: z
      .object({ status: Status, saleIntents: Stuck, sales: Stuck, returns: Stuck, orders: Stuck, transfers: Stuck })
      .openapi({ description: "Documents a dead worker left half-way; warn when one is 20 minutes past due" }),
    imports: z
      .object({
        status: Status,
        open: z.number().int(),
        stalled: z.number().int(),
        stalledJobs: z.array(
          z.object({
            id: z.string(),
            kind: z.enum(["products", "opening_balances", "sales_history"]),
            key: z.string(),
            note: z.string().nullable(),
            chunksDone: z.number().int().openapi({ description: "chunks received and applied" }),
            lastChunk: z.number().int().openapi({ description: "chunks 0…lastChunk are all in: resume after it" }),
            rows: z.number().int(),
            startedAt: IsoTime,
            lastActivityAt: IsoTime,
          }),
        ),
      })
      .openapi({ description: "Data imports not finished; warn when one has had no chunk for an hour (half-done)" }),
  })
  .openapi("DeepHealth")

const deep = createRoute({
  method: "get",
  path: "/ops/health/deep",
  tags: ["ops"],
  summary:
    "Queue backlog, dead letters, unsynced cells, the last audit, price exceptions, stuck documents, stalled imports",
  // Owner only, like the chain-wide audit it reports on (managers lack stock:audit).
  ...guard("stock:audit"),
  responses: { 200: jsonResponse(DeepHealth, "Each part with ok or warn"), ...problemResponses(401, 403) },
})

export const opsRoutes = router().openapi(deep, async (c) => c.json(await deepHealth(c.var.db), 200))
