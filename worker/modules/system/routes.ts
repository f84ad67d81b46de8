// Health, the OpenAPI document's reference page (assets served from our own origin).
import { createRoute } from "@hono/zod-openapi"
import { ROUNDING_POLICIES } from "../../../core/rounding"
import { TENDER_METHODS } from "../../../core/tenders"
import { guard } from "../../lib/auth"
import { jsonResponse, problemResponses, router, z } from "../../lib/openapi"
import { chainPointsRules, chainRounding } from "../../lib/settings"

const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["system"],
  summary: "Liveness",
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true) }), "Alive") },
})

// The chain-wide settings a till needs to price exactly as the server does while offline.
const PointsRulesSchema = z
  .object({
    earnFenPerPoint: z.number().int().openapi({ description: "Fen paid per point earned: 100 = 1 point per ¥1" }),
    birthdayMultiplier: z.number().int().openapi({ description: "Points multiplier in the member's birthday month" }),
    excludedMethods: z.array(z.enum(TENDER_METHODS)).openapi({
      description: "Tenders whose amount earns no points",
    }),
    redeemPointsPerYuan: z.number().int().openapi({ description: "Points worth ¥1 as a tender" }),
    maxRedeemBp: z.number().int().openapi({ description: "The most of a sale points may pay, in basis points" }),
  })
  .openapi("PointsRules")

const settings = createRoute({
  method: "get",
  path: "/settings",
  tags: ["system"],
  summary: "The chain's settings that clients must apply as the server does (time zone, payable rounding, points)",
  ...guard("catalog:read"),
  responses: {
    200: jsonResponse(
      z.object({
        timeZone: z.string(),
        rounding: z.enum(ROUNDING_POLICIES),
        currency: z.literal("CNY"),
        points: PointsRulesSchema,
      }),
      "Settings",
    ),
    ...problemResponses(401, 403),
  },
})

export const systemRoutes = router()
  .openapi(health, (c) => c.json({ ok: true as const }, 200))
  .openapi(settings, (c) => {
    const points = chainPointsRules(c.env)
    return c.json(
      {
        timeZone: c.env.CHAIN_TIME_ZONE,
        rounding: chainRounding(c.env),
        currency: "CNY" as const,
        points: { ...points, excludedMethods: [...points.excludedMethods] },
      },
      200,
    )
  })

export const DOCS_HTML = `<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>puzi API 参考</title>
  <link rel="stylesheet" href="/docs-assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs-assets/swagger-ui-bundle.js"></script>
  <script src="/api/docs/init.js"></script>
</body>
</html>`

export const DOCS_INIT_JS = `window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true })`
