import { computed, signal } from "@preact/signals"
import { readLocal, writeLocal } from "./store/local"

// Device settings kept in localStorage: paper width for receipts, printing after each sale.
export type PaperWidth = "58" | "80"

const paper = signal<PaperWidth>(readLocal("puzi.paper") === "58" ? "58" : "80")
const autoPrintOn = signal(readLocal("puzi.autoPrint") === "true")

export const paperWidth = computed(() => paper.value)
export const autoPrint = computed(() => autoPrintOn.value)

export const setPaperWidth = (width: PaperWidth) => {
  paper.value = width
  writeLocal("puzi.paper", width)
}

export const setAutoPrint = (on: boolean) => {
  autoPrintOn.value = on
  writeLocal("puzi.autoPrint", String(on))
}

export const loadSettings = () => {
  paper.value = readLocal("puzi.paper") === "58" ? "58" : "80"
  autoPrintOn.value = readLocal("puzi.autoPrint") === "true"
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
