// Around the sale: parked carts (挂单/取单), shifts (交班) with cash moves, the day report and day close (日结).
import { createRoute } from "@hono/zod-openapi"
import { guard } from "../../lib/auth"
import { Id, jsonBody, jsonResponse, problemResponses, router, z } from "../../lib/openapi"
import { IdParam } from "../../lib/schemas"
import { listParked, parkCart, unparkCart } from "./parked"
import { closeDay, dayReport } from "./report"
import { Day } from "./schemas"
import { addCashMove, closeShift, DENOMINATIONS, getShift, openShift } from "./shifts"

const Fen = z.number().int().min(0).max(100_000_000_000)
const CartLine = z.strictObject({ skuId: Id("sku_01JDZ…"), qty: z.number().int().min(1).max(1_000_000) })

const Parked = z
  .object({
    id: z.string(),
    locationId: z.string(),
    deviceId: z.string(),
    label: z.string().nullable(),
    lines: z.array(z.object({ skuId: z.string(), qty: z.number().int() })),
    memberId: z.string().nullable().optional(),
    couponCodes: z.array(z.string()).optional(),
    parkedBy: z.string(),
    createdAt: z.string(),
  })
  .openapi("ParkedCart")

const park = createRoute({
  method: "post",
  path: "/parked-carts",
  tags: ["till"],
  summary: "挂单: put a cart aside at this till",
  ...guard("sales:write"),
  request: {
    ...jsonBody(
      z.strictObject({
        locationId: Id("loc_01JDZ…"),
        deviceId: Id("dev_01JDZ…"),
        label: z.string().min(1).max(40).optional(),
        lines: z.array(CartLine).min(1).max(200),
        memberId: Id("mem_01JDZ…").nullish(),
        couponCodes: z.array(z.string().min(1).max(64)).max(10).optional(),
      }),
    ),
  },
  responses: { 201: jsonResponse(Parked, "Parked"), ...problemResponses(400, 401, 403, 404) },
})

const listParkedRoute = createRoute({
  method: "get",
  path: "/parked-carts",
  tags: ["till"],
  summary: "This till's parked carts, newest first",
  ...guard("sales:read"),
  request: { query: z.object({ locationId: Id("loc_01JDZ…"), deviceId: Id("dev_01JDZ…") }) },
  responses: {
    200: jsonResponse(z.object({ items: z.array(Parked), nextCursor: z.null() }), "Parked carts"),
    ...problemResponses(400, 401, 403, 404),
  },
})

const unpark = createRoute({
  method: "delete",
  path: "/parked-carts/{id}",
  tags: ["till"],
  summary: "取单: take a parked cart back (answers it, and it is gone)",
  ...guard("sales:write"),
  request: { params: IdParam },
  responses: { 200: jsonResponse(Parked, "Taken back"), ...problemResponses(401, 403, 404) },
})

const ShiftView = z
  .object({
    id: z.string(),
    locationId: z.string(),
    deviceId: z.string().nullable(),
    cashierId: z.string(),
    status: z.enum(["open", "closed"]),
    floatFen: z.number().int(),
    openedAt: z.string(),
    closedAt: z.string().nullable(),
    closedBy: z.string().nullable(),
    countedFen: z.number().int().nullable(),
    differenceFen: z.number().int().nullable(),
    denominations: z.record(z.string(), z.number()).nullable(),
    note: z.string().nullable(),
  })
  .openapi("Shift")
const CashSummary = z.object({
  salesCount: z.number().int(),
  cashSalesFen: z.number().int(),
  changeFen: z.number().int(),
  cashRefundsFen: z.number().int(),
  payInFen: z.number().int(),
  payOutFen: z.number().int(),
  expectedFen: z.number().int(),
})
const ShiftWithCash = ShiftView.extend(CashSummary.shape).openapi("ShiftWithCash")

const open = createRoute({
  method: "post",
  path: "/shifts",
  tags: ["till"],
  summary: "Open a shift (交班) at a till with its float",
  ...guard("shifts:write"),
  request: {
    ...jsonBody(z.strictObject({ locationId: Id("loc_01JDZ…"), deviceId: Id("dev_01JDZ…").nullish(), floatFen: Fen })),
  },
  responses: { 201: jsonResponse(ShiftView, "Opened"), ...problemResponses(400, 401, 403, 404, 409) },
})

const cashMove = createRoute({
  method: "post",
  path: "/shifts/{id}/cash-moves",
  tags: ["till"],
  summary: "A pay-in or pay-out of cash during a shift, with its reason",
  ...guard("shifts:write"),
  request: {
    params: IdParam,
    ...jsonBody(
      z.strictObject({
        kind: z.enum(["pay_in", "pay_out"]),
        amountFen: Fen.min(1),
        reason: z.string().min(1).max(200),
      }),
    ),
  },
  responses: {
    201: jsonResponse(
      z.object({
        id: z.string(),
        shiftId: z.string(),
        kind: z.enum(["pay_in", "pay_out"]),
        amountFen: z.number().int(),
        reason: z.string(),
        actorId: z.string(),
        at: z.string(),
      }),
      "Recorded",
    ),
    ...problemResponses(400, 401, 403, 404, 409),
  },
})

const Denominations = z
  .partialRecord(z.enum(DENOMINATIONS.map(String) as [string, ...string[]]), z.number().int().min(0).max(100_000))
  .openapi({ description: "Face value in fen → pieces counted", example: { "10000": 3, "1000": 4, "100": 7 } })

const close = createRoute({
  method: "post",
  path: "/shifts/{id}/close",
  tags: ["till"],
  summary: "Close a shift with the cash counted by denomination: expected, counted and the difference",
  ...guard("shifts:write"),
  request: {
    params: IdParam,
    ...jsonBody(z.strictObject({ denominations: Denominations, note: z.string().max(500).optional() })),
  },
  responses: { 200: jsonResponse(ShiftWithCash, "Closed"), ...problemResponses(400, 401, 403, 404, 409) },
})

const getShiftRoute = createRoute({
  method: "get",
  path: "/shifts/{id}",
  tags: ["till"],
  summary: "A shift and the cash its drawer should hold now",
  ...guard("sales:read"),
  request: { params: IdParam },
  responses: { 200: jsonResponse(ShiftWithCash, "Shift"), ...problemResponses(401, 403, 404) },
})

const DayQuery = z.object({ locationId: Id("loc_01JDZ…"), date: Day })

const report = createRoute({
  method: "get",
  path: "/reports/day",
  tags: ["till"],
  summary:
    "日结 report of one store's business day: tenders, categories, discounts, returns, points, stored value, late sales",
  ...guard("reports:read"),
  request: { query: DayQuery },
  responses: {
    200: jsonResponse(z.object({ locationId: z.string(), date: z.string() }).passthrough(), "Day report"),
    ...problemResponses(400, 401, 403, 404),
  },
})

const closeDayRoute = createRoute({
  method: "post",
  path: "/reports/day/close",
  tags: ["till"],
  summary: "Close a store's day (store manager and up); offline sales synced for it later are marked late",
  ...guard("shifts:write"),
  request: { ...jsonBody(z.strictObject({ locationId: Id("loc_01JDZ…"), date: Day })) },
  responses: {
    201: jsonResponse(
      z.object({
        locationId: z.string(),
        date: z.string(),
        closedAt: z.string(),
        closedBy: z.string(),
        totals: z.record(z.string(), z.number()),
      }),
      "Closed",
    ),
    ...problemResponses(400, 401, 403, 404, 409),
  },
})

export const tillRoutes = router()
  .openapi(park, async (c) => c.json(await parkCart(c.var.db, c.var.actor, c.req.valid("json")), 201))
  .openapi(listParkedRoute, async (c) => c.json(await listParked(c.var.db, c.var.actor, c.req.valid("query")), 200))
  .openapi(unpark, async (c) => c.json(await unparkCart(c.var.db, c.var.actor, c.req.valid("param").id), 200))
  .openapi(open, async (c) => c.json(await openShift(c.var.db, c.var.actor, c.req.valid("json")), 201))
  .openapi(cashMove, async (c) =>
    c.json(await addCashMove(c.var.db, c.var.actor, c.req.valid("param").id, c.req.valid("json")), 201),
  )
  .openapi(close, async (c) =>
    c.json(await closeShift(c.var.db, c.var.actor, c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(getShiftRoute, async (c) => c.json(await getShift(c.var.db, c.var.actor, c.req.valid("param").id), 200))
  .openapi(report, async (c) =>
    c.json(await dayReport(c.var.db, c.env.CHAIN_TIME_ZONE, c.var.actor, c.req.valid("query")), 200),
  )
  .openapi(closeDayRoute, async (c) => c.json(await closeDay(c.var.db, c.env, c.var.actor, c.req.valid("json")), 201))
