import { existsSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { TestProject } from "vitest/node"
import { startServer } from "/tmp/puzi-stub/server.mjs" /* DEV-STUB: revert */

declare module "vitest" {
  export interface ProvidedContext {
    /** The origin of the dev server (worker + built PWA) under test, e.g. http://127.0.0.1:8799 */
    baseUrl: string
  }
}

const builtPwa = join(import.meta.dirname, "../../dist/pwa")

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer()
    probe.once("error", () => resolve(false))
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)))
  })

/** The first free port from 8799 upwards, so a developer's own `npm start` on 8787 keeps running. */
const freePort = async (from = 8799) => {
  for (let port = from; port < from + 200; port++) if (await isFree(port)) return port
  throw new Error(`no free port in ${from}..${from + 199}`)
}

export default async function setup(project: TestProject) {
  // The server serves dist/pwa but does not build it; without a service worker the shell tests mean nothing.
  if (!existsSync(join(builtPwa, "sw.js"))) {
    throw new Error("dist/pwa has no built PWA: run `npm run build` before the end-to-end tests")
  }
  const persistTo = await mkdtemp(join(tmpdir(), "puzi-e2e-"))
  const server = await startServer({ port: await freePort(), persistTo, seed: true })
  project.provide("baseUrl", server.url)

  return async function teardown() {
    await server.stop()
    await rm(persistTo, { recursive: true, force: true })
  }
}
