// Health, the OpenAPI document's reference page (assets served from our own origin).
import { createRoute } from "@hono/zod-openapi"
import { jsonResponse, router, z } from "../../lib/openapi"

const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["system"],
  summary: "Liveness",
  responses: { 200: jsonResponse(z.object({ ok: z.literal(true) }), "Alive") },
})

export const systemRoutes = router().openapi(health, (c) => c.json({ ok: true as const }, 200))

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
