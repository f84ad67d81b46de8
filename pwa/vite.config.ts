import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import preact from "@preact/preset-vite"
import { defineConfig, type Plugin } from "vite"
import { VitePWA } from "vite-plugin-pwa"

const require = createRequire(import.meta.url)
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

const THEME = "#b83227"
const { version } = JSON.parse(readFileSync(here("../package.json"), "utf8")) as { version: string }

/**
 * The worker's /api/docs page loads Swagger UI from our own origin (a CDN is unreachable from a locked-down
 * store network), so the build ships its two files under /docs-assets/. They are not precached: the store
 * app never needs them offline.
 */
const swaggerUiAssets = (): Plugin => ({
  name: "puzi:swagger-ui-assets",
  apply: "build",
  generateBundle() {
    for (const file of ["swagger-ui-bundle.js", "swagger-ui.css"]) {
      this.emitFile({
        type: "asset",
        fileName: `docs-assets/${file}`,
        source: readFileSync(require.resolve(`swagger-ui-dist/${file}`)),
      })
    }
  },
})

export default defineConfig({
  root: here("."),
  define: { "import.meta.env.PUZI_VERSION": JSON.stringify(version) },
  publicDir: here("public"),
  build: { outDir: here("../dist/pwa"), emptyOutDir: true, target: "es2022" },
  // `vite --config pwa/vite.config.ts` next to `npm start`: the API comes from the local worker
  server: { proxy: { "/api": "http://127.0.0.1:8787", "/docs-assets": "http://127.0.0.1:8787" } },
  plugins: [
    preact(),
    swaggerUiAssets(),
    VitePWA({
      registerType: "prompt",
      injectRegister: false, // src/sw-register.ts registers with workbox-window and shows the update prompt
      includeManifestIcons: false, // globPatterns below already precaches every icon
      manifest: {
        id: "/",
        name: "铺子 puzi",
        short_name: "铺子",
        description: "门店收银、库存与经营 · Till, stock and sales for the chain's stores",
        lang: "zh-CN",
        dir: "ltr",
        start_url: "/",
        scope: "/",
        display: "standalone",
        orientation: "any",
        background_color: "#fff8ee",
        theme_color: THEME,
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      workbox: {
        // The shell and every lazily loaded screen, so any tool opens with the network gone.
        // …and the camera scanner's ZXing wasm, served from our origin (never a CDN) so scanning works offline.
        globPatterns: ["**/*.{js,css,html,svg,png,webmanifest,wasm}"],
        maximumFileSizeToCacheInBytes: 3 * 1024 * 1024,
        globIgnores: ["docs-assets/**"],
        navigateFallback: "index.html",
        navigateFallbackDenylist: [/^\/api\//, /^\/docs-assets\//],
        // A first visit is controlled at once (so a store that logs in and loses the network keeps working);
        // later versions wait for the user's "更新".
        clientsClaim: true,
        cleanupOutdatedCaches: true,
        // Background Sync for the sales outbox: the `sync` event wakes an open till to flush (public/sw-sync.js).
        importScripts: ["sw-sync.js"],
      },
    }),
  ],
})
