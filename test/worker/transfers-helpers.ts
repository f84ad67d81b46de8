// Shared by the transfer and stocktake stories: SKUs (written straight into the catalog tables, so
// these tests don't depend on the catalog's API), stock put into cells by RPC, and the D1 read
// model after the cells' alarms have flushed.
import { env } from "cloudflare:workers"
import { makeDb } from "../../worker/db/client"
import { categories, products, skus } from "../../worker/db/schema"
import { cellName } from "../../worker/stock-cell/client"
import { uniq } from "./helpers"

const db = () => makeDb(env.DB)

export async function newCategory(parentPath?: string) {
  const id = uniq("cat_")
  const path = parentPath ? `${parentPath}/${id}` : id
  await db().insert(categories).values({ id, name: id, parentId: null, path, namePath: path })
  return { id, path }
}

export async function newSku(name = "衬衫", categoryId: string | null = null) {
  const productId = uniq("prd_")
  const skuId = uniq("sku_")
  const code = uniq("SC")
  await db().batch([
    db().insert(products).values({ id: productId, name, categoryId }),
    db()
      .insert(skus)
      .values({ id: skuId, productId, skuCode: code, attributes: {}, priceFen: 9900, searchText: code.toLowerCase() }),
  ])
  return skuId
}

export { flush, snapshot, stockIn, stub as cell } from "./stock-helpers"

export type LevelRow = { on_hand: number; reserved: number; available: number; in_transit: number }

export async function level(locationId: string, skuId: string) {
  return env.DB.prepare("select on_hand, reserved, available, in_transit from stock_levels where cell = ?")
    .bind(cellName(locationId, skuId))
    .first<LevelRow>()
}

export type MoveRow = {
  kind: string
  delta: number
  lot: string | null
  unit_cost_fen: number | null
  reason: string | null
}

export async function moves(locationId: string, skuId: string) {
  const r = await env.DB.prepare(
    "select kind, delta, lot, unit_cost_fen, reason from stock_moves where cell = ? and delta <> 0 order by seq",
  )
    .bind(cellName(locationId, skuId))
    .all<MoveRow>()
  return r.results
}
