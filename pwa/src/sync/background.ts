// The page's half of Background Sync (public/sw-sync.js is the service worker's half): ask the browser to fire
// `sync` once the network is back, and flush the outbox when the service worker says so. Browsers without
// Background Sync (Safari, Firefox) still sync on start, on `online`, on the timer and on the button.
export const SYNC_TAG = "puzi-outbox"
export const SYNC_MESSAGE = "puzi:sync-outbox"

interface SyncManagerLike {
  register(tag: string): Promise<void>
}

/** Registers the outbox's sync tag where the browser supports it; a no-op elsewhere. */
export const requestBackgroundSync = async (): Promise<boolean> => {
  try {
    const registration = await navigator.serviceWorker?.getRegistration()
    const sync = (registration as (ServiceWorkerRegistration & { sync?: SyncManagerLike }) | undefined)?.sync
    if (!sync) return false
    await sync.register(SYNC_TAG)
    return true
  } catch {
    return false // no service worker yet, or permission denied: the other triggers still run
  }
}

/** Flushes when the service worker relays the browser's `sync` event. */
export const listenForBackgroundSync = (flush: () => unknown) => {
  navigator.serviceWorker?.addEventListener("message", (event: MessageEvent) => {
    if ((event.data as { type?: string } | null)?.type === SYNC_MESSAGE) void flush()
  })
}
