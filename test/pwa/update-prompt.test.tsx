import { describe, expect, it, vi } from "vitest"
import { UpdatePrompt } from "../../pwa/src/components/UpdatePrompt"
import { registerServiceWorker } from "../../pwa/src/sw-register"
import { byTestId, click, eventually, mount, text } from "./helpers"

// A stand-in for workbox-window's Workbox: the test plays the browser and says when a new version is waiting.
const workbox = vi.hoisted(() => {
  const listeners = new Map<string, () => void>()
  return {
    listeners,
    messageSkipWaiting: vi.fn(),
    emit: (event: string) => listeners.get(event)?.(),
  }
})

vi.mock("workbox-window", () => ({
  Workbox: class {
    addEventListener(event: string, listener: () => void) {
      workbox.listeners.set(event, listener)
    }
    register = () => Promise.resolve(undefined)
    messageSkipWaiting = workbox.messageSkipWaiting
  },
}))

describe("a new version of the app", () => {
  it("waits for the user: 有新版本, and 更新 switches to it", async () => {
    Object.defineProperty(navigator, "serviceWorker", { value: {}, configurable: true })
    registerServiceWorker()
    const screen = await mount(<UpdatePrompt />)
    expect(screen.querySelector("[data-testid='update-prompt']")).toBeNull()

    workbox.emit("waiting")

    const prompt = await eventually(() => byTestId(screen, "update-prompt"))

    expect(prompt.textContent).toContain("有新版本")
    expect(text(screen, "update-apply")).toBe("更新")
    expect(workbox.messageSkipWaiting).not.toHaveBeenCalled()

    await click(byTestId(screen, "update-apply"))

    expect(workbox.messageSkipWaiting).toHaveBeenCalledOnce()
  })
})
