import { createServer, request } from "node:http"
import type { AddressInfo } from "node:net"

/**
 * A store's own little network in front of the server: a reverse proxy on its own port (so the browser sees its
 * own origin, with its own service worker and storage) that can be cut like a dead uplink. Playwright's
 * setOffline does not stop a service worker's fetches (playwright #2311); a cut proxy stops everything, and it
 * records what still tried to get through.
 */
export const storeNetwork = async (target: string) => {
  const upstream = new URL(target)
  let cut = false
  const reachedWhileCut: string[] = []

  const proxy = createServer((incoming, outgoing) => {
    if (cut) {
      reachedWhileCut.push(`${incoming.method} ${incoming.url}`)
      incoming.socket.destroy() // what a dead uplink answers: nothing
      return
    }
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: upstream.host },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(outgoing)
      },
    )
    forwarded.on("error", () => outgoing.destroy())
    incoming.pipe(forwarded)
  })
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve))
  const { port } = proxy.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    /** Every request that reached the network after it was cut (each one was dropped). */
    reachedWhileCut,
    cut() {
      cut = true
      proxy.closeAllConnections() // keep-alive sockets too, so nothing rides an old connection
    },
    /** The uplink is back. */
    restore() {
      cut = false
    },
    stop: () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections()
        proxy.close(() => resolve())
      }),
  }
}
