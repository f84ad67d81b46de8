// Health, the OpenAPI document's reference page (assets served from our own origin).
import { createRoute } from "@hono/zod-openapi"
import { ROUNDING_POLICIES } from "../../../core/rounding"
import { guard } from "../../lib/auth"
import { jsonResponse, problemResponses, router, z } from "../../lib/openapi"
import { chainRounding } from "../../lib/settings"

const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["system"],
  summary: "Liveness",
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true) }), "Alive") },
})

// The chain-wide settings a till needs to price exactly as the server does while offline.
const settings = createRoute({
  method: "get",
  path: "/settings",
  tags: ["system"],
  summary: "The chain's settings that clients must apply as the server does (time zone, payable rounding)",
  ...guard("catalog:read"),
  responses: {
    200: jsonResponse(
      z.object({ timeZone: z.string(), rounding: z.enum(ROUNDING_POLICIES), currency: z.literal("CNY") }),
      "Settings",
    ),
    ...problemResponses(401, 403),
  },
})

export const systemRoutes = router()
  .openapi(health, (c) => c.json({ ok: true as const }, 200))
  .openapi(settings, (c) =>
    c.json({ timeZone: c.env.CHAIN_TIME_ZONE, rounding: chainRounding(c.env), currency: "CNY" as const }, 200),
  )

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
