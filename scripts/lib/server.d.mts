import type { ChildProcess } from "node:child_process"

export function freePort(preferred?: number): Promise<number>
export function startServer(options: {
  port?: number
  persistTo: string
  seed?: boolean
  quiet?: boolean
  extraArgs?: string[]
}): Promise<{ url: string; stop: () => Promise<void>; seeded: boolean; child: ChildProcess }>
export function bundledWorker(dir: string, options?: { assets?: string }): Promise<string[]>
