// Finds Debian's Chromium for the end-to-end tests (playwright-core drives it; no tool downloads a browser).
// Order: $CHROMIUM_PATH, `chromium` on PATH, /usr/bin/chromium; as root, install it with apt-get and look again.
// Run directly to print the path: `node scripts/chromium.mjs`.
import { execFileSync, execSync } from "node:child_process"
import { accessSync, constants } from "node:fs"
import { pathToFileURL } from "node:url"

const INSTALL = "apt-get update && apt-get install -y chromium"

const executable = (path) => {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

const onPath = () => {
  try {
    const found = execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim()
    return found && executable(found) ? found : undefined
  } catch {
    return undefined
  }
}

const look = () => {
  const fromEnv = process.env.CHROMIUM_PATH
  if (fromEnv) {
    if (executable(fromEnv)) return fromEnv
    throw new Error(`CHROMIUM_PATH=${fromEnv} is not an executable file. Unset it or point it at Chromium.`)
  }
  return onPath() ?? (executable("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined)
}

/**
 * The path of a Chromium executable, installing Debian's package first when running as root.
 * @returns {string}
 */
export function findChromium() {
  const found = look()
  if (found) return found
  if (process.getuid?.() === 0) {
    console.error(`Chromium not found; installing it: ${INSTALL}`)
    try {
      execSync(INSTALL, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } })
    } catch (error) {
      throw new Error(`Installing Chromium failed (${error.message}). Run as root: ${INSTALL}`)
    }
    const installed = look()
    if (installed) return installed
  }
  throw new Error(
    `Chromium is needed for the end-to-end tests and was not found. Install it as root with: ${INSTALL}` +
      " (or set CHROMIUM_PATH to an existing Chromium executable).",
  )
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    console.log(findChromium())
  } catch (error) {
    console.error(error.message)
    process.exit(1)
  }
}
