import { useEffect, useState } from "preact/hooks"
import { ApiError, api } from "../../api/client"
import { t } from "../../i18n"
import { getSku } from "../../store/catalog"
import { getMeta, setMeta } from "../../store/db"
import { skuLabel } from "./scan"

// The stock documents as the API answers them, and what the receiving and transfer screens share.

export type TransferStatus =
  | "reserving"
  | "reserved"
  | "shipping"
  | "in_transit"
  | "receiving"
  | "received"
  | "cancelling"
  | "cancelled"

export interface TransferLine {
  skuId: string
  qty: number
  shippedQty: number | null
  receivedQty: number | null
  varianceQty: number | null
}

export interface Transfer {
  id: string
  number: string | null
  status: TransferStatus
  fromLocationId: string
  toLocationId: string
  lines: TransferLine[]
  createdAt: string
  shippedAt: string | null
}

export interface Destination {
  id: string
  name: string
  kind: "store" | "warehouse" | "dealer"
}

const DESTINATIONS = "stock.destinations"

/** Every location of the chain by name (kept on the device, so names show offline too). */
export const useDestinations = (): Destination[] => {
  const [list, setList] = useState<Destination[]>([])
  useEffect(() => {
    let live = true
    void getMeta<Destination[]>(DESTINATIONS).then((cached) => {
      if (live && cached) setList(cached)
    })
    api
      .get<{ items: Destination[] }>("/transfers/destinations")
      .then(async ({ items }) => {
        await setMeta(DESTINATIONS, items)
        if (live) setList(items)
      })
      .catch(() => {}) // offline or not allowed: the cached names (or the ids) will do
    return () => {
      live = false
    }
  }, [])
  return list
}

export const placeName = (places: Destination[], id: string) => places.find((p) => p.id === id)?.name ?? id

/** A failure already put in the user's words (e.g. which line is short). */
export class UserMessage extends Error {}

/** The user-facing sentence for a failed call (the server's detail is English: its stable code is shown). */
export const problemText = (error: unknown): string =>
  error instanceof UserMessage
    ? error.message
    : error instanceof ApiError
      ? error.status === 0
        ? t("error.network")
        : t("error.generic", { code: error.code })
      : t("error.tryAgain")

/** Names for SKUs a document lists by id, from the device's catalog. */
export const skuNames = async (ids: string[]) => {
  const names: Record<string, { name: string; code: string }> = {}
  for (const id of ids) {
    const sku = await getSku(id)
    names[id] = sku ? skuLabel(sku) : { name: id, code: "" }
  }
  return names
}

export const totalQty = (lines: { qty: number }[]) => lines.reduce((sum, l) => sum + l.qty, 0)

/** Transfers from or to a location (newest first; the first page is plenty for a store's screen). */
export const listTransfers = async (locationId: string, status?: TransferStatus) => {
  const query = new URLSearchParams({ locationId, limit: "50" })
  if (status) query.set("status", status)
  return (await api.get<{ items: Transfer[] }>(`/transfers?${query}`)).items
}
