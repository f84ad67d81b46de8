// Builds the API: middleware that each do one thing, then one route() per module.
import { OpenAPIHono } from "@hono/zod-openapi"
import { bodyLimit } from "hono/body-limit"
import { except } from "hono/combine"
import { cors } from "hono/cors"
import { requestId } from "hono/request-id"
import { secureHeaders } from "hono/secure-headers"
import { makeDb } from "./db/client"
import type { AppEnv } from "./env"
import { authenticate } from "./lib/auth"
import { requestLog } from "./lib/log"
import { onError, problem } from "./lib/problem"
import { authRoutes, publicAuthRoutes } from "./modules/auth/routes"
import { catalogRoutes } from "./modules/catalog/routes"
import { importsRoutes } from "./modules/imports/routes"
import { locationRoutes } from "./modules/locations/routes"
import { membersRoutes } from "./modules/members/routes"
import { memberCacheRoutes } from "./modules/members/till-cache"
import { opsRoutes } from "./modules/ops/routes"
import { ordersRoutes } from "./modules/orders/routes"
import { promotionsRoutes } from "./modules/promotions/routes"
import { reportsRoutes } from "./modules/reports/routes"
import { salesRoutes } from "./modules/sales/routes"
import { staffRoutes } from "./modules/staff/routes"
import { stockRoutes } from "./modules/stock/routes"
import { stocktakeRoutes } from "./modules/stocktake/routes"
import { DOCS_HTML, DOCS_INIT_JS, systemRoutes } from "./modules/system/routes"
import { transfersRoutes } from "./modules/transfers/routes"

const PUBLIC_PATHS = ["/api/v1/health", "/api/v1/auth/login", "/api/v1/setup", "/api/v1/openapi.json", "/api/docs/*"]
const MAX_BODY = 1024 * 1024
const MAX_IMPORT_BODY = 16 * 1024 * 1024

export function buildApp() {
  const app = new OpenAPIHono<AppEnv>()
  app.onError(onError)
  app.notFound(() => {
    throw problem(404, "not_found", "No such endpoint.")
  })

  app.use("*", requestId({ headerName: "X-Request-Id" }))
  app.use("*", requestLog())
  app.use("/api/*", secureHeaders({ crossOriginResourcePolicy: "cross-origin" }))
  app.use(
    "/api/*",
    cors({
      origin: "*", // bearer tokens, never cookies: any web or mini-program client may call
      allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "X-Api-Key", "X-Device-Id", "X-Request-Id"],
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      exposeHeaders: ["X-Request-Id", "Retry-After", "Idempotent-Replayed"],
      maxAge: 86400,
    }),
  )
  app.use("/api/*", async function limitBody(c, next) {
    const bulk = c.req.path.endsWith("/import") || c.req.path.startsWith("/api/v1/imports/")
    const maxSize = bulk ? MAX_IMPORT_BODY : MAX_BODY
    return bodyLimit({
      maxSize,
      onError: () => {
        throw problem(413, "payload_too_large", `The request body is over ${maxSize / 1024 / 1024} MB.`)
      },
    })(c, next)
  })
  app.use("/api/*", async function database(c, next) {
    c.set("db", makeDb(c.env.DB))
    await next()
  })
  app.use("/api/v1/*", except(PUBLIC_PATHS, authenticate()))

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" })
  const v1 = new OpenAPIHono<AppEnv>()
    .route("/", systemRoutes)
    .route("/", publicAuthRoutes)
    .route("/", authRoutes)
    .route("/", staffRoutes)
    .route("/", locationRoutes)
    .route("/", catalogRoutes)
    .route("/", importsRoutes)
    .route("/", stockRoutes)
    .route("/", ordersRoutes)
    .route("/", salesRoutes)
    .route("/", transfersRoutes)
    .route("/", stocktakeRoutes)
    .route("/", membersRoutes)
    .route("/", memberCacheRoutes)
    .route("/", promotionsRoutes)
    .route("/", opsRoutes)
    .route("/", reportsRoutes)
  app.route("/api/v1", v1)

  app.doc31("/api/v1/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "puzi API",
      version: "1",
      description:
        "铺子 puzi: stock, sales and stores for a retail chain. Money is integer fen; quantities integers in base units; errors are application/problem+json with a stable code.",
    },
    security: [{ bearer: [] }],
  })
  app.get("/api/docs", (c) => c.html(DOCS_HTML))
  app.get("/api/docs/init.js", (c) => c.body(DOCS_INIT_JS, 200, { "content-type": "text/javascript; charset=utf-8" }))
  return app
}
