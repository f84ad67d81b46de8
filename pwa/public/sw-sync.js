// Background Sync for the sales outbox, imported into the service worker that workbox generates
// (vite.config.ts: workbox.importScripts). Where the browser has Background Sync, a till that sold
// offline registers the "puzi-outbox" tag; when the network returns the browser fires `sync` here,
// even if the till's tab is in the background, and this wakes every open window of the app to
// flush its outbox (src/sync/background.ts → syncNow).
//
// Why not send the sales from here: the session token lives in the page (localStorage, which a
// service worker can't read), and the outbox's exactly-once rule (an item leaves only after the
// server answered applied or duplicate) is kept in one place, the page's syncNow. With no window
// open the promise rejects, so the browser keeps the tag and tries again later with backoff.
self.addEventListener("sync", (event) => {
  if (event.tag !== "puzi-outbox") return
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      if (windows.length === 0) throw new Error("no open window of the app to sync from; retry later")
      for (const w of windows) w.postMessage({ type: "puzi:sync-outbox" })
    }),
  )
})
