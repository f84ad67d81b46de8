// Fan-out helpers shared by the stock module's reads, documents and audit.
import { cellStub } from "../../stock-cell/client"
import type { CellSnapshot } from "../../stock-cell/types"

/** Calls every cell at once would exceed a request's subrequest budget on big stores: at most this many in flight. */
export const FANOUT = 50

/** `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>) {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

export const snapshotOf = (env: Env, locationId: string, skuId: string): Promise<CellSnapshot> =>
  cellStub(env, locationId, skuId).snapshot({ locationId, skuId })

/** D1 allows 100 bound parameters per statement: long IN lists go in slices. */
export function slices<T>(items: readonly T[], size = 90): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
