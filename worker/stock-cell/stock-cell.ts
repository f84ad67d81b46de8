// Placeholder until the StockCell implementation lands (being written now).
import { DurableObject } from "cloudflare:workers"

export class StockCell extends DurableObject<Env> {}
