import type { ToolId } from "../../../core/roles"
import { t } from "../i18n"

// A hue per tool so tiles are told apart at a glance, even by someone who reads neither language well.
const HUES: Record<ToolId, number> = {
  till: 4,
  sales: 28,
  stock: 200,
  receiving: 150,
  transfers: 260,
  stocktake: 180,
  members: 330,
  orders: 45,
  replenishment: 120,
  dashboard: 220,
  catalog: 90,
  admin: 0,
}

export const ToolTile = ({ id }: { id: ToolId }) => {
  const name = t(`tool.${id}`)
  return (
    <a href={`/tools/${id}`} class="tile" style={{ "--hue": HUES[id] }} data-testid={`tool-${id}`} data-tool={id}>
      <span class="tile-badge" aria-hidden="true">
        {Array.from(name)[0]}
      </span>
      <span class="tile-name">{name}</span>
    </a>
  )
}
