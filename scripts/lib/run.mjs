// Run a command with inherited output; reject with its exit code.
import { spawn } from "node:child_process"

export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: "inherit", ...opts })
    child.on("error", reject)
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} failed (${signal ?? `exit ${code}`})`)),
    )
  })
}

export const bin = (name) => new URL(`../../node_modules/.bin/${name}`, import.meta.url).pathname
