import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin"
import preact from "@preact/preset-vite"
import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    // Request logs are noise when a test passes and evidence when it fails.
    silent: "passed-only",
    projects: [
      { test: { name: "core", include: ["test/core/**/*.test.ts"], environment: "node" } },
      {
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              // Fewer PBKDF2 rounds keep the suite fast; the 100,000 cap itself is unit-tested.
              bindings: { TEST_MIGRATIONS: await readD1Migrations("migrations"), PBKDF2_ITERATIONS: "1000" },
            },
          })),
        ],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          setupFiles: ["test/worker/setup.ts"],
          // A guard against a hang, not a speed check: the matrix and fuzz stories make hundreds of calls.
          testTimeout: 30_000,
        },
      },
      {
        plugins: [preact()],
        test: {
          name: "pwa",
          environment: "happy-dom",
          include: ["test/pwa/**/*.test.{ts,tsx}"],
          setupFiles: ["test/pwa/setup.ts"],
          // Stories wait for the screen with eventually() (up to 10 s each on a loaded machine).
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "e2e",
          environment: "node",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/e2e/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 240_000,
        },
      },
      {
        // Starts, kills (SIGKILL) and restarts its own dev server: run alone (npm test has a step for it).
        test: {
          name: "crash",
          environment: "node",
          include: ["test/crash/**/*.test.ts"],
          fileParallelism: false,
          // Hang guards: a restart of wrangler on a slow machine has taken 95 s of one story.
          testTimeout: 420_000,
          hookTimeout: 420_000,
        },
      },
    ],
  },
})
