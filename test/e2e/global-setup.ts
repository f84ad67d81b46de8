import { existsSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { TestProject } from "vitest/node"
import { startServer } from "../../scripts/lib/server.mjs"

declare module "vitest" {
  export interface ProvidedContext {
    /** The origin of the dev server (worker + built PWA) under test, e.g. http://127.0.0.1:8799 */
    baseUrl: string
  }
}

// Away from `npm start`'s 8787 so a developer's own server keeps running; startServer picks another if taken.
const PORT = 8799
const builtPwa = join(import.meta.dirname, "../../dist/pwa")

export default async function setup(project: TestProject) {
  // The server serves dist/pwa but does not build it; without a service worker the shell tests mean nothing.
  if (!existsSync(join(builtPwa, "sw.js"))) {
    throw new Error("dist/pwa has no built PWA: run `npm run build` before the end-to-end tests")
  }
  const persistTo = await mkdtemp(join(tmpdir(), "puzi-e2e-"))
  const server = await startServer({ port: PORT, persistTo, seed: true })
  project.provide("baseUrl", server.url)

  return async function teardown() {
    await server.stop()
    await rm(persistTo, { recursive: true, force: true })
  }
}
