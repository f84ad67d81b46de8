import { endSession, session } from "../auth/session"

// A typed fetch wrapper over /api/v1. Errors come back as RFC 9457 problem+json and become ApiError
// with the server's stable `code`; a network failure is ApiError with status 0 and code "network_error".

export interface FieldError {
  path: string
  message: string
  code?: string
}

export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  code?: string
  errors?: FieldError[]
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly title: string
  readonly detail: string | undefined
  readonly errors: FieldError[]
  /** Seconds from a Retry-After header (429, 503), when the server sent one. */
  readonly retryAfter: number | undefined

  constructor(status: number, problem: Problem, retryAfter?: number) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`)
    this.name = "ApiError"
    this.status = status
    this.code = problem.code ?? (status === 0 ? "network_error" : `http_${status}`)
    this.title = problem.title ?? ""
    this.detail = problem.detail
    this.errors = problem.errors ?? []
    this.retryAfter = retryAfter
  }
}

export const API_BASE = "/api/v1"

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE"

export interface RequestOptions {
  body?: unknown
  headers?: Record<string, string>
  signal?: AbortSignal
  /** Send no token even when signed in (login). */
  anonymous?: boolean
}

const parseRetryAfter = (value: string | null): number | undefined => {
  if (!value) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds))
  const date = Date.parse(value) // the HTTP-date form
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000))
}

const readProblem = async (response: Response): Promise<Problem> => {
  try {
    const body: unknown = await response.json()
    return body && typeof body === "object" ? (body as Problem) : {}
  } catch {
    return { title: response.statusText }
  }
}

export const request = async <T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> => {
  const token = options.anonymous ? undefined : session.value?.token
  const headers: Record<string, string> = { Accept: "application/json, application/problem+json", ...options.headers }
  if (options.body !== undefined) headers["Content-Type"] = "application/json"
  if (token) headers.Authorization = `Bearer ${token}`

  let response: Response
  try {
    response = await fetch(`${API_BASE}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    })
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause
    throw new ApiError(0, { title: "network error", detail: String(cause) })
  }

  if (!response.ok) {
    const problem = await readProblem(response)
    // The token expired or was revoked: forget it, and the shell sends the user to the login screen.
    if (response.status === 401 && token) endSession()
    throw new ApiError(response.status, problem, parseRetryAfter(response.headers.get("Retry-After")))
  }
  if (response.status === 204) return undefined as T
  const text = await response.text()
  return (text ? JSON.parse(text) : undefined) as T
}

export const api = {
  get: <T>(path: string, options?: Omit<RequestOptions, "body">) => request<T>("GET", path, options),
  post: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, "body">) =>
    request<T>("POST", path, { ...options, body }),
  put: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, "body">) =>
    request<T>("PUT", path, { ...options, body }),
  patch: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, "body">) =>
    request<T>("PATCH", path, { ...options, body }),
  delete: <T>(path: string, options?: Omit<RequestOptions, "body">) => request<T>("DELETE", path, options),
}
