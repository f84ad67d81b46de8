import { type ComponentChild, render } from "preact"
import { act } from "preact/test-utils"
import { LocationProvider } from "preact-iso"
import { vi } from "vitest"

const mounted: HTMLElement[] = []

/** Renders a screen as the app would (inside the router's location context) into a fresh div. */
export const mount = async (screen: ComponentChild) => {
  const container = document.createElement("div")
  document.body.append(container)
  mounted.push(container)
  await act(() => render(<LocationProvider>{screen}</LocationProvider>, container))
  return container
}

/** Unmounts every screen of the story, so none keeps listening (a till's scanner listens on the document). */
export const unmountAll = async () => {
  for (const container of mounted.splice(0)) await act(() => render(null, container))
}

export const byTestId = <E extends Element = HTMLElement>(root: ParentNode, id: string): E => {
  const found = root.querySelector<E>(`[data-testid="${id}"]`)
  if (!found) throw new Error(`no element with data-testid="${id}" in: ${(root as Element).innerHTML ?? ""}`)
  return found
}

export const text = (root: ParentNode, id: string): string => byTestId(root, id).textContent?.trim() ?? ""

export const type = async (input: HTMLInputElement, value: string) => {
  await act(() => {
    input.value = value
    input.dispatchEvent(new Event("input", { bubbles: true }))
  })
}

export const click = async (element: HTMLElement) => {
  await act(() => element.click())
}

/** Waits until `check` stops throwing: for what happens after a (stubbed) network answer. */
/**
 * Retries `check` until it passes, for up to `withinMs` (a budget, not an assertion: a loaded CI
 * machine may take seconds where a quiet one takes milliseconds; a real failure still fails).
 */
export const eventually = async <T,>(check: () => T, withinMs = 10_000): Promise<T> => {
  const deadline = Date.now() + withinMs
  for (;;) {
    try {
      return check()
    } catch (error) {
      if (Date.now() >= deadline) throw error
      await act(() => new Promise<void>((resolve) => setTimeout(resolve, 5)))
    }
  }
}

export interface StubCall {
  method: string
  path: string
  query: URLSearchParams
  headers: Headers
  body: unknown
}

type Responder = (call: StubCall) => Response | Promise<Response>

/** Replaces fetch with a tiny fake API: "METHOD /path" → responder; anything else answers 404 problem+json. */
export const stubApi = (routes: Record<string, Responder>) => {
  const calls: StubCall[] = []
  const fetchStub = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), "http://localhost")
    const call: StubCall = {
      method: init.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: new Headers(init.headers),
      body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
    }
    calls.push(call)
    const responder = routes[`${call.method} ${call.path}`]
    return responder
      ? responder(call)
      : problem(404, { code: "not_found", title: "Not Found", detail: `${call.method} ${call.path}` })
  })
  vi.stubGlobal("fetch", fetchStub)
  return calls
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } })

export const problem = (
  status: number,
  body: { code: string; title: string; detail?: string },
  headers: Record<string, string> = {},
) =>
  new Response(JSON.stringify({ type: "about:blank", status, ...body }), {
    status,
    headers: { "Content-Type": "application/problem+json", ...headers },
  })
