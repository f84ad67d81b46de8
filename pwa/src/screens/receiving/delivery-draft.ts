import { ulid } from "ulid"
import { dropDraft, readDraft, writeDraft } from "../../store/drafts"
import type { ScanLine } from "../stock/scan"

// A supplier delivery being scanned in, kept on the device after every change (store/drafts, one per store) so a
// reload or a flat battery loses none of a clerk's scans, costs, lots or dates. Its Idempotency-Key is kept with
// it: a delivery posted just before the answer was lost (or the tab died) is posted once when it is resumed.

export interface DeliveryLine extends ScanLine {
  categoryId: string | null
  cost: string
  lot: string
  expiresOn: string
}

export interface DeliveryDraft {
  lines: DeliveryLine[]
  supplierRef: string
  key: string
  savedAt: string
}

export const newDelivery = (): DeliveryDraft => ({
  lines: [],
  supplierRef: "",
  key: ulid(),
  savedAt: new Date().toISOString(),
})

/** A draft worth resuming: something was scanned or typed. */
export const hasWork = (d: DeliveryDraft | undefined | null): d is DeliveryDraft =>
  !!d && (d.lines.length > 0 || d.supplierRef.trim() !== "")

export const readDelivery = (store: string) => readDraft<DeliveryDraft>("delivery", store)

export const dropDelivery = (store: string) => dropDraft("delivery", store)

/** Keeps the draft (an emptied one is dropped, so nothing is offered for resuming). */
export const saveDelivery = (store: string, d: DeliveryDraft) =>
  hasWork(d) ? writeDraft("delivery", store, { ...d, savedAt: new Date().toISOString() }) : dropDelivery(store)
