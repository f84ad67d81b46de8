import { computed, signal } from "@preact/signals"

// Device settings kept in localStorage: paper width for receipts, printing after each sale.
export type PaperWidth = "58" | "80"

const read = (key: string) => {
  try {
    return localStorage.getItem(key)
  } catch {
    return null
  }
}
const write = (key: string, value: string) => {
  try {
    localStorage.setItem(key, value)
  } catch {
    // this tab only
  }
}

const paper = signal<PaperWidth>(read("puzi.paper") === "58" ? "58" : "80")
const autoPrintOn = signal(read("puzi.autoPrint") === "true")

export const paperWidth = computed(() => paper.value)
export const autoPrint = computed(() => autoPrintOn.value)

export const setPaperWidth = (width: PaperWidth) => {
  paper.value = width
  write("puzi.paper", width)
}

export const setAutoPrint = (on: boolean) => {
  autoPrintOn.value = on
  write("puzi.autoPrint", String(on))
}

export const loadSettings = () => {
  paper.value = read("puzi.paper") === "58" ? "58" : "80"
  autoPrintOn.value = read("puzi.autoPrint") === "true"
}

/** Prints through the browser on the receipt paper: the print stylesheet shows only the receipt. */
export const printReceipt = () => {
  const style = document.createElement("style")
  style.textContent = `@page { size: ${paper.value}mm auto; margin: 0 }`
  document.head.append(style)
  document.documentElement.dataset.printing = "receipt"
  try {
    window.print()
  } finally {
    delete document.documentElement.dataset.printing
    style.remove()
  }
}
