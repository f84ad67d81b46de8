// The dev server as every benchmark runs it: the Worker bundled once into a temporary folder and served
// from that file (scripts/lib/server.mjs `bundledWorker`: a checkout that others are editing would otherwise
// restart the Worker mid-run), fresh local state, its own port, and optionally the inspector port that
// heap.mjs reads the isolate's heap through.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { bundledWorker, freePort, startServer } from "../../scripts/lib/server.mjs"

export const root = fileURLToPath(new URL("../..", import.meta.url))

/**
 * Starts wrangler dev on 127.0.0.1. `assets`: a built store app to serve (default: an empty page, for
 * benchmarks that don't measure it). `inspector`: also open the DevTools inspector on a free port.
 * Returns { url, inspectorPort, dir, stop }; stop() also removes the temporary folder.
 */
export async function benchServer({ name, assets, inspector = false, seed = true, say = console.log }) {
  const dir = mkdtempSync(join(tmpdir(), `puzi-bench-${name}-`))
  say("bundling the Worker …")
  const worker = await bundledWorker(dir, { assets })
  const inspectorPort = inspector ? await freePort() : undefined
  say(`starting the dev server on fresh state in ${dir} …`)
  const server = await startServer({
    persistTo: join(dir, "state"),
    seed,
    extraArgs: [...worker, ...(inspectorPort ? ["--inspector-port", String(inspectorPort)] : [])],
  })
  say(`server up at ${server.url} (seeded: ${server.seeded}${inspectorPort ? `, inspector :${inspectorPort}` : ""})`)
  const stop = async () => {
    process.off("SIGINT", interrupted)
    process.off("SIGTERM", interrupted)
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  // wrangler runs in its own process group, so a Ctrl-C or kill of the benchmark would leave it serving.
  const interrupted = (signal) => {
    void stop().finally(() => process.exit(signal === "SIGINT" ? 130 : 143))
  }
  process.once("SIGINT", interrupted)
  process.once("SIGTERM", interrupted)
  return { url: server.url, inspectorPort, dir, stop, cpuSeconds: () => groupCpuSeconds(server.child.pid) }
}

/**
 * CPU seconds (user + system) used so far by every process of a process group: wrangler, its
 * workerd and their helpers. Read from /proc (Linux); null elsewhere. A load's CPU per request is
 * what it costs the machine, whatever else kept the machine busy meanwhile.
 */
export function groupCpuSeconds(pgid) {
  let ticks = 0
  try {
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue
      let stat
      try {
        stat = readFileSync(`/proc/${pid}/stat`, "utf8")
      } catch {
        continue // gone meanwhile
      }
      // After the command name in parentheses: state ppid pgrp … utime(14) stime(15), 1-based from pid.
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      if (Number(f[2]) === pgid) ticks += Number(f[11]) + Number(f[12])
    }
  } catch {
    return null
  }
  return ticks / 100 // USER_HZ is 100 on Linux
}
