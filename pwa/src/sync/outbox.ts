import { computed, signal } from "@preact/signals"
import { ApiError, api } from "../api/client"
import { session } from "../auth/session"
import { db, getMeta, type JournalSale, type OutboxItem, type OutboxProblem, setMeta } from "../store/db"
import { listenForBackgroundSync, requestBackgroundSync } from "./background"

// The sales outbox. Every sale and return made at this till is written to IndexedDB — together with the journal
// entry the receipt prints from, in one transaction — before the receipt prints. An item leaves only when the
// server answered `applied` or `duplicate` for its id; `rejected` items stay, marked, for a manager.
//
// One path for every sale: the outbox → POST /sales/sync, online or not. The sale's id is a ULID made here and
// its body never changes once written, so however often it is sent (a lost answer, two tabs, a reload mid-sync)
// the server applies it once and answers `duplicate` after. The only exception is a customer's 付款码, which the
// server can only take live (sync refuses it): that sale goes to POST /sales with Idempotency-Key = its ULID,
// from the same outbox, so a lost answer is retried with the same key and is again taken once.

export interface SyncResultItem {
  id: string | null
  status: "applied" | "duplicate" | "rejected"
  problem?: { code?: string; detail?: string; title?: string }
}

const items = signal<OutboxItem[]>([])
const busy = signal(false)
const last = signal<number | null>(null)
const error = signal<string | null>(null)

export const outbox = computed(() => items.value)
/** Sales and returns not yet acknowledged by the server, rejected ones included. */
export const unsyncedCount = computed(() => items.value.length)
export const rejectedItems = computed(() => items.value.filter((i) => i.problem?.final))
export const syncing = computed(() => busy.value)
export const lastSyncAt = computed(() => last.value)
export const lastSyncError = computed(() => error.value)

/** Re-reads the outbox from IndexedDB (at start, after a write, after a sync). */
export const refreshOutbox = async () => {
  items.value = await (await db()).getAllFromIndex("outbox", "createdAt")
  last.value = (await getMeta<number>("sync.lastAt")) ?? null
}

export const isUnsynced = (id: string) => items.value.some((i) => i.id === id)

/** Writes the sale to the journal and the outbox at once: after this resolves, the sale cannot be lost. */
export const recordSale = async (sale: JournalSale, item: OutboxItem) => {
  const tx = (await db()).transaction(["journal", "outbox"], "readwrite")
  await Promise.all([tx.objectStore("journal").put(sale), tx.objectStore("outbox").add(item), tx.done])
  await refreshOutbox()
  // Where the browser has Background Sync, it wakes us to send this once the network is back.
  void requestBackgroundSync()
}

/** Writes a return (the sale's journal entry updated) and its outbox item at once. */
export const recordReturn = async (sale: JournalSale, item: OutboxItem) => recordSale(sale, item)

/** Forgets an online sale the server refused outright (a failed customer code: nothing was sold or taken). */
export const dropRefused = async (id: string) => {
  const tx = (await db()).transaction(["journal", "outbox"], "readwrite")
  await Promise.all([tx.objectStore("journal").delete(id), tx.objectStore("outbox").delete(id), tx.done])
  await refreshOutbox()
}

const RETRYABLE = new Set(["retry_later", "device_revoked", "network_error"])

const markProblem = async (id: string, problem: OutboxProblem) => {
  const database = await db()
  const item = await database.get("outbox", id)
  if (item) await database.put("outbox", { ...item, attempts: item.attempts + 1, problem })
}

const acknowledge = async (id: string, server?: { id: string; number: string; lineIds: string[] }) => {
  const tx = (await db()).transaction(["outbox", "journal"], "readwrite")
  await tx.objectStore("outbox").delete(id)
  if (server) {
    const journal = tx.objectStore("journal")
    const sale = await journal.get(id)
    if (sale)
      await journal.put({
        ...sale,
        serverId: server.id,
        serverNumber: server.number,
        lines: sale.lines.map((l, i) => ({ ...l, serverLineId: server.lineIds[i] ?? l.serverLineId })),
      })
  }
  await tx.done
}

interface SaleCreated {
  id: string
  number: string
  lines: { lineId: string; skuId: string }[]
}

/** Sends one customer-code sale to POST /sales; its ULID is the Idempotency-Key, so a retry is taken once. */
const sendOnline = async (item: Extract<OutboxItem, { kind: "online_sale" }>): Promise<SaleCreated> => {
  const created = await api.post<SaleCreated>("/sales", item.body, { headers: { "Idempotency-Key": item.id } })
  await acknowledge(item.id, { id: created.id, number: created.number, lineIds: created.lines.map((l) => l.lineId) })
  return created
}

/**
 * Takes a customer-code sale now. Resolves with the server's sale, or throws the server's refusal (the item is
 * then gone: nothing was sold), or a network error (the item stays and is retried with the same key).
 */
export const payOnline = async (id: string): Promise<SaleCreated> => {
  const item = await (await db()).get("outbox", id)
  if (item?.kind !== "online_sale") throw new Error(`no online sale ${id} in the outbox`)
  try {
    const created = await sendOnline(item)
    await refreshOutbox()
    return created
  } catch (e) {
    if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 408)
      await dropRefused(id)
    throw e
  }
}

let running: Promise<void> | null = null
let again = false

/**
 * Sends everything waiting (rejected items are left for a manager). One sync at a time: a call made while one
 * runs (a sale written meanwhile) makes it go round once more, so nothing waits for the next timer.
 */
export const syncNow = (): Promise<void> => {
  if (running) {
    again = true
    return running
  }
  running = (async () => {
    do {
      again = false
      await doSync()
    } while (again)
  })().finally(() => {
    running = null
  })
  return running
}

const doSync = async () => {
  if (!session.value) return
  busy.value = true
  try {
    await refreshOutbox()
    const waiting = items.value.filter((i) => !i.problem?.final)
    const sales = waiting.filter((i) => i.kind === "sale")
    const returns = waiting.filter((i) => i.kind === "return")
    for (let start = 0; start < Math.max(sales.length, returns.length); start += 200) {
      const batch = [...sales.slice(start, start + 200), ...returns.slice(start, start + 200)]
      const { results } = await api.post<{ results: SyncResultItem[] }>("/sales/sync", {
        sales: sales.slice(start, start + 200).map((i) => i.body),
        returns: returns.slice(start, start + 200).map((i) => i.body),
      })
      for (const [index, result] of results.entries()) {
        const id = result.id ?? batch[index]?.id
        if (!id) continue
        if (result.status === "applied" || result.status === "duplicate") await acknowledge(id)
        else {
          const code = result.problem?.code ?? "rejected"
          await markProblem(id, {
            code,
            detail: result.problem?.detail ?? result.problem?.title ?? code,
            final: !RETRYABLE.has(code),
          })
        }
      }
    }
    for (const item of waiting) {
      if (item.kind !== "online_sale") continue
      try {
        await sendOnline(item)
      } catch (e) {
        if (!(e instanceof ApiError) || e.status === 0 || e.status >= 500) throw e
        await markProblem(item.id, { code: e.code, detail: e.message, final: e.status !== 401 })
      }
    }
    const now = Date.now()
    await setMeta("sync.lastAt", now)
    error.value = null
  } catch (e) {
    error.value = e instanceof ApiError ? e.code : String(e)
  } finally {
    await refreshOutbox()
    busy.value = false
  }
}

/** A manager sends a rejected item again (after fixing its cause, e.g. reinstating the device). */
export const retryRejected = async (id: string) => {
  const database = await db()
  const item = await database.get("outbox", id)
  if (item) {
    const { problem: _, ...rest } = item
    await database.put("outbox", rest as OutboxItem)
  }
  await syncNow()
}

const SYNC_EVERY_MS = 30_000
let started = false

/**
 * Syncs now, whenever the browser comes back online, every 30 s while the app is open, when the service worker
 * relays a Background Sync event, and on the manual button (SyncBadge, Settings).
 */
export const startSync = () => {
  if (started || typeof window === "undefined") return
  started = true
  void refreshOutbox().then(() => syncNow())
  window.addEventListener("online", () => void syncNow())
  listenForBackgroundSync(syncNow)
  window.setInterval(() => {
    if (navigator.onLine) void syncNow()
  }, SYNC_EVERY_MS)
}
