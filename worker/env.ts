// The bindings come from `wrangler types` (worker-configuration.d.ts); this adds what
// middleware puts on the context, so handlers read `c.var.actor` without casts.
import type { Db } from "./db/client"
import type { Actor } from "./lib/actor"

export type Bindings = Env

export type AppEnv = {
  Bindings: Bindings
  Variables: {
    requestId: string
    db: Db
    actor: Actor
  }
}
