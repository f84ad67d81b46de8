// npm start: build the store app, migrate local D1, seed the demo chain on empty state, serve.

import { bin, run } from "./lib/run.mjs"
import { DEMO_USERS } from "./lib/seed-demo.mjs"
import { startServer } from "./lib/server.mjs"

const port = Number(process.env.PORT ?? 8787)
const persistTo = process.env.PUZI_STATE ?? ".wrangler/state"

console.log("› building the store app (PWA)…")
await run(bin("vite"), ["build", "--config", "pwa/vite.config.ts", "--logLevel", "warn"])
console.log("› applying D1 migrations and starting wrangler dev…")
const server = await startServer({ port, persistTo, quiet: false })
if (server.url !== `http://127.0.0.1:${port}`) console.warn(`! port ${port} was taken; using another`)

console.log(`
铺子 puzi is running at ${server.url}
  store app     ${server.url}/
  API           ${server.url}/api/v1   (reference: ${server.url}/api/docs)
  demo chain    ${server.seeded ? "created just now" : "already in local state (npm run reset wipes it)"}
  logins:
${DEMO_USERS.map((u) => `    ${u.username.padEnd(9)} ${u.password.padEnd(18)} ${u.role}`).join("\n")}
Press Ctrl+C to stop.`)

const stop = async () => {
  await server.stop()
  process.exit(0)
}
process.on("SIGINT", stop)
process.on("SIGTERM", stop)
server.child.on("exit", (code) => process.exit(code ?? 1))
