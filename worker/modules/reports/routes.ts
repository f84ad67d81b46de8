import { createRoute } from "@hono/zod-openapi"
import { guard } from "../../lib/auth"
import { jsonResponse, problemResponses, router, z } from "../../lib/openapi"
import { summary } from "./service"

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD")
  .openapi({ example: "2026-11-25" })

const Figures = z.object({
  orders: z.number().int(),
  units: z.number().int().openapi({ description: "Pieces, plus one per weighed line." }),
  grossFen: z.number().int().openapi({ description: "At list prices." }),
  discountFen: z.number().int(),
  salesFen: z.number().int().openapi({ description: "What customers paid." }),
  returns: z.number().int(),
  returnsFen: z.number().int(),
  netSalesFen: z.number().int().openapi({ description: "salesFen − returnsFen." }),
  costFen: z.number().int().openapi({ description: "Cost of goods sold, net of goods back on the shelf." }),
  marginFen: z.number().int(),
  averageTicketFen: z
    .number()
    .int()
    .openapi({ description: "netSalesFen ÷ orders, rounded half away from zero; 0 without orders." }),
})

const Summary = z
  .object({
    from: Day,
    to: Day,
    locationId: z.string().nullable(),
    timeZone: z.string(),
    totals: Figures.extend({ lastWeek: Figures.extend({ from: Day, to: Day }) }),
    byChannel: z.array(Figures.extend({ channel: z.string().openapi({ example: "till" }) })),
    days: z.array(Figures.extend({ day: Day, lastWeek: Figures.extend({ day: Day }) })),
    stores: z.array(Figures.extend({ rank: z.number().int(), locationId: z.string(), name: z.string() })),
    asOf: z.string(),
  })
  .openapi("ReportSummary")

const getSummary = createRoute({
  method: "get",
  path: "/reports/summary",
  tags: ["reports"],
  summary: "Sales, orders and average ticket per business day, vs the same weekday last week, stores ranked",
  description:
    "Reads the daily aggregates only. Without locationId: every store the caller may see (a store manager: " +
    "their stores). Days are cut in the chain's time zone; without from/to: today.",
  ...guard("reports:read"),
  request: {
    query: z.strictObject({
      from: Day.optional(),
      to: Day.optional(),
      locationId: z.string().min(1).max(64).optional(),
    }),
  },
  responses: { 200: jsonResponse(Summary, "Summary"), ...problemResponses(400, 401, 403, 404) },
})

export const reportsRoutes = router().openapi(getSummary, async (c) =>
  c.json(await summary(c.var.db, c.var.actor, c.req.valid("query"), c.env.CHAIN_TIME_ZONE), 200),
)
