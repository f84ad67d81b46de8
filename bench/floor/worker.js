// The floor of a 5-line till sale under puzi's architecture (ARCHITECTURE.md §3, §11), with everything
// else taken away: no auth, pricing, logging, ledger, outbox or projection to D1. Five StockCells each
// decide and write once (one durable SQLite transaction), and D1 takes a read, the intent and the sale.
// GET /api/v1/health answers at once (the baseline every benchmark measures).
import { DurableObject } from "cloudflare:workers"

export class Cell extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env)
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS cell (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL)")
    ctx.storage.sql.exec("INSERT OR IGNORE INTO cell VALUES (1, 1000000)")
  }

  sell(qty) {
    return this.ctx.storage.transactionSync(() => {
      const [row] = this.ctx.storage.sql.exec("SELECT qty FROM cell WHERE id = 1").toArray()
      this.ctx.storage.sql.exec("UPDATE cell SET qty = qty - ? WHERE id = 1", qty)
      return row.qty - qty
    })
  }
}

let ready = false

export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    if (url.pathname === "/api/v1/health") return Response.json({ ok: true })
    if (!ready) {
      await env.DB.exec("CREATE TABLE IF NOT EXISTS sales (id TEXT PRIMARY KEY, body TEXT NOT NULL)")
      ready = true
    }
    const id = crypto.randomUUID()
    const n = Number(url.searchParams.get("n") ?? 0)
    await env.DB.prepare("SELECT count(*) FROM sales WHERE id = ?").bind(id).first()
    await env.DB.prepare("INSERT INTO sales VALUES (?, ?)").bind(`intent:${id}`, "{}").run()
    // 800 cells, as bench:checkout's 4 stores × 200 SKUs.
    const cells = Array.from({ length: 5 }, (_, i) => env.CELL.get(env.CELL.idFromName(`c${(n * 5 + i) % 800}`)))
    await Promise.all(cells.map((c) => c.sell(1)))
    await env.DB.prepare("INSERT INTO sales VALUES (?, ?)").bind(id, "{}").run()
    return Response.json({ id })
  },
}
