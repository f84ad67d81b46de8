// Run a command with inherited output; reject with its exit code.
import { spawn } from "node:child_process"
import { delimiter, dirname } from "node:path"

export const bin = (name) => new URL(`../../node_modules/.bin/${name}`, import.meta.url).pathname

// Tools (wrangler, vitest) need Node ≥ 22: put the project's own node (node@22) first on PATH,
// so this works whether it was started by npm or by hand with the machine's Node 20.
export const toolEnv = (extra = {}) => ({
  ...process.env,
  PATH: [dirname(bin("node")), dirname(process.execPath), process.env.PATH].join(delimiter),
  ...extra,
})

export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: "inherit", env: toolEnv(), ...opts })
    child.on("error", reject)
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} failed (${signal ?? `exit ${code}`})`)),
    )
  })
}
