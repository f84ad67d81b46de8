import { computed, signal } from "@preact/signals"
import { ulid } from "ulid"
import { ApiError, api } from "../api/client"
import { dropDraft, readDraft, writeDraft } from "./drafts"

// A count session (盘点) on this device. Every scan is written to IndexedDB at once, so counting works without
// the network and survives a reload. Submitting sends what the server has not acknowledged yet as one batch
// whose id is chosen — and saved — before it is sent: a lost answer, a reload mid-submit or a second tap resends
// the same batch with the same id (also as Idempotency-Key), and the server adds a batch once (by batchId).
// The server adds counts up across batches, so a batch carries only what was counted since the last one.

export interface StocktakeLine {
  skuId: string
  counted: number
  expected: number
  variance: number
  varianceCostFen: number
  posted: boolean
  overReserved: number
}

export interface Stocktake {
  id: string
  number: string
  locationId: string
  status: "open" | "posting" | "posted" | "cancelled"
  lines: StocktakeLine[]
  totals: { lines: number; varianceQty: number; varianceCostFen: number }
  shortHolds: { skuId: string; overReserved: number }[]
}

export interface CountLine {
  skuId: string
  qty: number
}

export interface CountDraft {
  /** This device's id for the session; the server's stocktake carries it in its note, so opening is resumable. */
  localId: string
  locationId: string
  startedAt: string
  serverId: string | null
  number: string | null
  /** What this device counted, per SKU (in scan order). */
  counts: Record<string, number>
  /** How each counted SKU is named, and whether it is weighed (its count is grams). */
  skus: Record<string, { name: string; code: string; unit?: "piece" | "gram" }>
  /** What the server acknowledged, per SKU. */
  sent: Record<string, number>
  /** The batch on its way: resent as it is until the server answers. */
  pending: { batchId: string; lines: CountLine[] } | null
  /** Posting is a POST with side effects: one key for the session, whatever the retries. */
  postKey: string
  server: Stocktake | null
  closed: boolean
}

const current = signal<CountDraft | null>(null)
export const countDraft = computed(() => current.value)

const save = async (next: CountDraft | null) => {
  const locationId = next?.locationId ?? current.value?.locationId
  current.value = next
  if (!locationId) return
  if (next) await writeDraft("stocktake", locationId, next)
  else await dropDraft("stocktake", locationId)
}

const need = (): CountDraft => {
  if (!current.value) throw new Error("no count session")
  return current.value
}

const inBatch = (d: CountDraft, skuId: string) => d.pending?.lines.find((l) => l.skuId === skuId)?.qty ?? 0

/** The least a SKU's count may be set to: what the server has or is being sent (it only adds). */
export const floorOf = (d: CountDraft, skuId: string) => (d.sent[skuId] ?? 0) + inBatch(d, skuId)

/** What was counted here and not yet sent: a SKU looked for and not found (0) counts too, once. */
export const unsentLines = (d: CountDraft): CountLine[] =>
  Object.entries(d.counts).flatMap(([skuId, qty]) => {
    const known = skuId in d.sent || d.pending?.lines.some((l) => l.skuId === skuId)
    const extra = qty - floorOf(d, skuId)
    return extra > 0 || !known ? [{ skuId, qty: Math.max(0, extra) }] : []
  })

/** Lines the server has not acknowledged yet, the batch on its way included. */
export const waitingCount = (d: CountDraft) => (d.pending?.lines.length ?? 0) + unsentLines(d).length

export const loadCount = async (locationId: string) => {
  current.value = (await readDraft<CountDraft>("stocktake", locationId)) ?? null
}

export const startCount = (locationId: string) =>
  save({
    localId: ulid(),
    locationId,
    startedAt: new Date().toISOString(),
    serverId: null,
    number: null,
    counts: {},
    skus: {},
    sent: {},
    pending: null,
    postKey: ulid(),
    server: null,
    closed: false,
  })

export const countSku = (sku: { id: string; name: string; code: string; unit?: "piece" | "gram" }, by = 1) => {
  const d = need()
  return save({
    ...d,
    counts: { ...d.counts, [sku.id]: (d.counts[sku.id] ?? 0) + by },
    skus: { ...d.skus, [sku.id]: { name: sku.name, code: sku.code, ...(sku.unit ? { unit: sku.unit } : {}) } },
  })
}

/** Sets a SKU's count; answers false (and changes nothing) below what the server already holds. */
export const setCounted = async (skuId: string, qty: number): Promise<boolean> => {
  const d = need()
  if (!Number.isInteger(qty) || qty < floorOf(d, skuId)) return false
  await save({ ...d, counts: { ...d.counts, [skuId]: qty } })
  return true
}

const noteOf = (d: CountDraft) => `pwa:${d.localId}`

/** Opens the session on the server, or finds the one an earlier attempt opened (its answer may have been lost). */
const openOnServer = async (d: CountDraft) => {
  const query = new URLSearchParams({ locationId: d.locationId, status: "open", limit: "100" })
  const open = await api.get<{ items: (Stocktake & { note: string | null })[] }>(`/stocktakes?${query}`)
  const found =
    open.items.find((s) => s.note === noteOf(d)) ??
    (await api.post<Stocktake>("/stocktakes", { locationId: d.locationId, note: noteOf(d) }))
  await save({ ...need(), serverId: found.id, number: found.number })
}

const closedOnServer = (error: unknown) =>
  error instanceof ApiError && (error.code === "stocktake_closed" || error.status === 404)

const sendBatch = async () => {
  const d = need()
  if (!d.pending) {
    const lines = unsentLines(d)
    if (lines.length === 0) return false
    await save({ ...d, pending: { batchId: ulid(), lines } })
  }
  const { pending, serverId } = need()
  const answer = await api.post<Stocktake>(
    `/stocktakes/${serverId}/counts`,
    { batchId: pending!.batchId, lines: pending!.lines },
    { headers: { "Idempotency-Key": pending!.batchId } },
  )
  // Scans made while the batch was on its way stay in `counts`: only what was sent moves to `sent`.
  const now = need()
  const sent = { ...now.sent }
  for (const l of pending!.lines) sent[l.skuId] = (sent[l.skuId] ?? 0) + l.qty
  await save({ ...now, sent, pending: null, server: answer })
  return true
}

const submitAll = async () => {
  try {
    if (!need().serverId) await openOnServer(need())
    // Scans keep arriving while a batch is sent; a few rounds catch up with a busy counter.
    for (let round = 0; round < 5 && (await sendBatch()); round++);
    if (!need().server) await refreshCount()
  } catch (error) {
    if (closedOnServer(error) && current.value) await save({ ...current.value, closed: true })
    throw error
  }
}

let submitting: Promise<void> | null = null
let again = false

/**
 * Sends every count not yet acknowledged. One submit at a time: a call made while one runs joins it, and the
 * running one makes one more pass, so a scan that arrived after its last look is not left behind.
 */
export const submitCounts = (): Promise<void> => {
  if (submitting) {
    again = true
    return submitting
  }
  submitting = (async () => {
    do {
      again = false
      await submitAll()
    } while (again)
  })().finally(() => {
    submitting = null
  })
  return submitting
}

export const refreshCount = async () => {
  const d = need()
  if (!d.serverId) return
  const server = await api.get<Stocktake>(`/stocktakes/${d.serverId}`)
  await save({ ...need(), server, closed: server.status === "cancelled" })
}

/** Posts the variances (after sending what is left); the session is done and leaves the device. */
export const postCount = async (): Promise<Stocktake> => {
  await submitCounts()
  const d = need()
  const posted = await api.post<Stocktake>(`/stocktakes/${d.serverId}/post`, undefined, {
    headers: { "Idempotency-Key": d.postKey },
  })
  await save(null)
  return posted
}

/** Abandons the session here and on the server (nothing is adjusted). */
export const cancelCount = async () => {
  const d = need()
  if (d.serverId && !d.closed) {
    try {
      await api.post(`/stocktakes/${d.serverId}/cancel`)
    } catch (error) {
      if (!closedOnServer(error)) throw error
    }
  }
  await save(null)
}

/** Forgets the in-memory session (what a reload does; tests). */
export const forgetCountInMemory = () => {
  current.value = null
}
