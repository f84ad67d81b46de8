import { useEffect } from "preact/hooks"

// A keyboard-wedge scanner types the code's digits very fast and ends with Enter. The till listens on the whole
// document, so a scan lands in the cart whatever has focus — except a field the cashier is typing into (phone,
// amount), where the keys belong to the field.

/** A gap longer than this between two keys is a person typing, not a scanner. */
const MAX_GAP_MS = 60
const MIN_LENGTH = 4

export const isTypingField = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable ||
    (target instanceof HTMLInputElement && target.dataset.scanner !== "accept") ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement)

export const createWedge = (onScan: (code: string) => void) => {
  let buffer = ""
  let lastAt = 0
  return (event: KeyboardEvent) => {
    if (event.ctrlKey || event.altKey || event.metaKey) return
    if (isTypingField(event.target)) return
    const now = event.timeStamp || performance.now()
    if (now - lastAt > MAX_GAP_MS) buffer = ""
    lastAt = now
    if (event.key === "Enter") {
      if (buffer.length >= MIN_LENGTH) {
        event.preventDefault()
        // bench:pwa measures scan-to-cart from here to the till's "till:cart-painted" mark.
        performance.mark("till:scan-enter")
        onScan(buffer)
      }
      buffer = ""
      return
    }
    if (event.key.length === 1 && /[0-9A-Za-z-]/.test(event.key)) buffer += event.key
  }
}

/** Listens for scans while the component is mounted. */
export const useWedgeScanner = (onScan: (code: string) => void, enabled = true) => {
  useEffect(() => {
    if (!enabled) return
    const listener = createWedge(onScan)
    document.addEventListener("keydown", listener)
    return () => document.removeEventListener("keydown", listener)
  }, [onScan, enabled])
}
