import { act } from "preact/test-utils"
import { afterEach } from "vitest"
import type { Role } from "../../core/roles"
import { startSession } from "../../pwa/src/auth/session"
import { STORE } from "./fixtures"

// Shared by the stock, receiving, transfer and stocktake stories.

export const WAREHOUSE = "loc_warehouse"

export const signedInAs = (role: Role, username = role) =>
  startSession({ token: `tok_${role}`, user: { id: `usr_${role}`, role, locationIds: [STORE], username } })

/** A keyboard-wedge scanner: the code's characters as fast keystrokes, then Enter, at whatever has focus. */
export const scanCode = async (code: string, focused: HTMLElement = document.body) => {
  await act(() => {
    for (const key of [...code, "Enter"])
      focused.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }))
  })
}

/** The device loses (or finds) its network: what the browser tells the app. */
export const goOffline = async () => {
  await act(() => {
    window.dispatchEvent(new Event("offline"))
  })
}
export const goOnline = async () => {
  await act(() => {
    window.dispatchEvent(new Event("online"))
  })
}

// A story that went offline must not leave the next one offline.
afterEach(() => {
  window.dispatchEvent(new Event("online"))
})

export const DESTINATIONS = {
  items: [
    { id: WAREHOUSE, name: "华东中心仓", kind: "warehouse", region: "华东" },
    { id: STORE, name: "南京路店", kind: "store", region: "华东" },
    { id: "loc_xihu", name: "西湖店", kind: "store", region: "华东" },
  ],
}

export const rows = (root: ParentNode, testId: string) => [
  ...root.querySelectorAll<HTMLElement>(`[data-testid='${testId}']`),
]

/** The scanned lines as the user reads them: name, counted, expected (if any), flagged difference (if any). */
export const scanLines = (root: ParentNode) =>
  rows(root, "scan-line").map((line) => ({
    name: line.querySelector("[data-testid='line-name']")?.textContent,
    qty: Number(line.querySelector<HTMLInputElement>("[data-testid='line-qty']")?.value),
    expected: line.querySelector<HTMLElement>("[data-testid='line-expected']")?.dataset.qty,
    diff: line.querySelector("[data-testid='line-diff']")?.textContent?.trim(),
  }))
