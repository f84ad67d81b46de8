// Starts the real thing: local D1 migrated, `wrangler dev` (workerd with D1, Durable Objects,
// Queues) on 127.0.0.1, the demo chain seeded on empty state. Used by `npm start`, e2e and bench.
import { spawn } from "node:child_process"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { bin, run, toolEnv } from "./run.mjs"
import { seedDemo } from "./seed-demo.mjs"

export async function freePort(preferred = 0) {
  const tryPort = (port) =>
    new Promise((resolve) => {
      const srv = createServer()
      srv.once("error", () => resolve(null))
      srv.listen(port, "127.0.0.1", () => {
        const { port: got } = srv.address()
        srv.close(() => resolve(got))
      })
    })
  return (preferred && (await tryPort(preferred))) || tryPort(0)
}

async function waitForHealth(url, child, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`)
    try {
      const res = await fetch(`${url}/api/v1/health`)
      if (res.ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`the server did not answer ${url}/api/v1/health within ${timeoutMs / 1000} s`)
}

export async function startServer({ port, persistTo, seed = true, quiet = true, extraArgs = [] } = {}) {
  // Local observability (traces of every request, DO call and alarm, on by default in this wrangler)
  // costs about a third more CPU per stock write and gigabytes at scale; nobody reads it here.
  const env = toolEnv({
    CI: "1",
    WRANGLER_SEND_METRICS: "false",
    NO_COLOR: "1",
    X_LOCAL_OBSERVABILITY: "false",
    X_LOCAL_EXPLORER: "false",
  })
  await run(bin("wrangler"), ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], {
    env,
    stdio: quiet ? "ignore" : "inherit",
  })
  const chosen = await freePort(port)
  const child = spawn(
    bin("wrangler"),
    [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(chosen),
      "--persist-to",
      persistTo,
      "--show-interactive-dev-session=false",
      ...extraArgs,
    ],
    { env, stdio: quiet ? ["ignore", "ignore", "inherit"] : "inherit", detached: true },
  )
  const url = `http://127.0.0.1:${chosen}`
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve()
      child.once("exit", () => resolve())
      try {
        process.kill(-child.pid, "SIGTERM")
      } catch {
        resolve()
      }
      setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL")
        } catch {}
      }, 5000).unref()
    })
  try {
    await waitForHealth(url, child)
    const seeded = seed ? await seedDemo(url) : false
    return { url, stop, seeded, child }
  } catch (e) {
    await stop()
    throw e
  }
}

/**
 * The Worker bundled once into `dir`, with a wrangler.toml that serves that file as it is: `wrangler
 * dev` restarts the Worker whenever a source file changes, and in a checkout others are editing that
 * would restart it mid-run. `assets`: a built store app to serve (default: an empty page). Returns
 * the `extraArgs` for startServer.
 */
export async function bundledWorker(dir, { assets } = {}) {
  const root = fileURLToPath(new URL("../..", import.meta.url))
  const bundle = join(dir, "bundle")
  await run(bin("wrangler"), ["deploy", "--dry-run", "--outdir", bundle], { stdio: "ignore" })
  if (!assets) {
    assets = join(dir, "assets")
    mkdirSync(assets, { recursive: true })
    writeFileSync(join(assets, "index.html"), "<!doctype html><title>puzi</title>\n")
  }
  writeFileSync(
    join(bundle, "wrangler.toml"),
    readFileSync(join(root, "wrangler.toml"), "utf8")
      .replace(/^main = .*$/m, 'main = "index.js"')
      .replace(/^directory = "(.*)"$/m, `directory = "${assets}"`)
      .replace(/^migrations_dir = "(.*)"$/m, (_, d) => `migrations_dir = "${join(root, d)}"`),
  )
  return ["--config", join(bundle, "wrangler.toml"), "--no-bundle"]
}
