// `npm run test:heavy`: the long proofs (test/heavy), too slow for `npm test`, against the same
// workerd, D1 and Durable Objects as the worker project.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin"
import { defineConfig } from "vitest/config"

export default defineConfig({
  plugins: [
    cloudflareTest(async () => ({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: { TEST_MIGRATIONS: await readD1Migrations("migrations"), PBKDF2_ITERATIONS: "1000" },
      },
    })),
  ],
  test: {
    name: "heavy",
    include: ["test/heavy/**/*.test.ts"],
    setupFiles: ["test/worker/setup.ts"],
    silent: "passed-only",
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
})
