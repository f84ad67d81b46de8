// The dev server as every benchmark runs it: the Worker bundled once into a temporary folder and served
// from that file (`wrangler dev` restarts the Worker whenever a source file changes, and a checkout that
// others are editing would restart it mid-run), fresh local state, its own port, and optionally the
// inspector port that heap.mjs reads the isolate's heap through.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { bin, run } from "../../scripts/lib/run.mjs"
import { freePort, startServer } from "../../scripts/lib/server.mjs"

export const root = fileURLToPath(new URL("../..", import.meta.url))

/**
 * Starts wrangler dev on 127.0.0.1. `assets`: a built store app to serve (default: an empty page, for
 * benchmarks that don't measure it). `inspector`: also open the DevTools inspector on a free port.
 * Returns { url, inspectorPort, dir, stop }; stop() also removes the temporary folder.
 */
export async function benchServer({ name, assets, inspector = false, seed = true, say = console.log }) {
  const dir = mkdtempSync(join(tmpdir(), `puzi-bench-${name}-`))
  say("bundling the Worker …")
  const bundle = join(dir, "bundle")
  await run(bin("wrangler"), ["deploy", "--dry-run", "--outdir", bundle], { stdio: "ignore" })
  let served = assets
  if (!served) {
    served = join(dir, "assets")
    mkdirSync(served)
    writeFileSync(join(served, "index.html"), "<!doctype html><title>puzi bench</title>\n")
  }
  writeFileSync(
    join(bundle, "wrangler.toml"),
    readFileSync(join(root, "wrangler.toml"), "utf8")
      .replace(/^main = .*$/m, 'main = "index.js"')
      .replace(/^directory = "(.*)"$/m, `directory = "${served}"`)
      .replace(/^migrations_dir = "(.*)"$/m, (_, d) => `migrations_dir = "${join(root, d)}"`),
  )
  const inspectorPort = inspector ? await freePort() : undefined
  say(`starting the dev server on fresh state in ${dir} …`)
  const server = await startServer({
    persistTo: join(dir, "state"),
    seed,
    extraArgs: [
      "--config",
      join(bundle, "wrangler.toml"),
      "--no-bundle",
      ...(inspectorPort ? ["--inspector-port", String(inspectorPort)] : []),
    ],
  })
  say(`server up at ${server.url} (seeded: ${server.seeded}${inspectorPort ? `, inspector :${inspectorPort}` : ""})`)
  return {
    url: server.url,
    inspectorPort,
    dir,
    stop: async () => {
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
