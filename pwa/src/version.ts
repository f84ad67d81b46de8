// The app's version from package.json, set by the build (vite `define`); "dev" elsewhere (tests, vite dev).
export const APP_VERSION: string = (import.meta.env.PUZI_VERSION as string | undefined) ?? "dev"
