// npm test: every check CI relies on, in order, stopping at the first failure.
import { bin, run } from "./lib/run.mjs"

const steps = [
  ["type-check (worker, core)", "tsc", ["--noEmit", "-p", "tsconfig.json"]],
  ["type-check (pwa)", "tsc", ["--noEmit", "-p", "pwa/tsconfig.json"]],
  ["type-check (heavy proofs)", "tsc", ["--noEmit", "-p", "test/heavy/tsconfig.json"]],
  ["type-check (crash test)", "tsc", ["--noEmit", "-p", "test/crash/tsconfig.json"]],
  ["lint", "biome", ["check", "."]],
  ["build the store app", "vite", ["build", "--config", "pwa/vite.config.ts", "--logLevel", "warn"]],
  ["unit and integration tests", "vitest", ["run", "--project", "core", "--project", "worker", "--project", "pwa"]],
  ["browser", "node", ["scripts/chromium.mjs"]],
  ["end-to-end in Chromium", "vitest", ["run", "--project", "e2e"]],
  ["crash and restart (SIGKILL mid-load)", "vitest", ["run", "--project", "crash"]],
  ["deploy bundle builds", "wrangler", ["deploy", "--dry-run", "--outdir", ".wrangler/dry-run"]],
]

const started = Date.now()
for (const [name, tool, args] of steps) {
  const t = Date.now()
  console.log(`\n━━ ${name} ━━`)
  try {
    await run(tool === "node" ? process.execPath : bin(tool), args)
  } catch (e) {
    console.error(`\n✗ ${name} failed: ${e.message}`)
    process.exit(1)
  }
  console.log(`✓ ${name} (${Math.round((Date.now() - t) / 1000)} s)`)
}
console.log(`\nall checks passed in ${Math.round((Date.now() - started) / 1000)} s`)
