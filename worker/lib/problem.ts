// One error path: every failure leaves as RFC 9457 problem+json with a stable `code`.
import type { Context, ErrorHandler } from "hono"
import { HTTPException } from "hono/http-exception"
import type { ContentfulStatusCode } from "hono/utils/http-status"
import type { AppEnv } from "../env"
import { log } from "./log"

export type FieldError = { path: string; message: string; code?: string; [k: string]: unknown }

export class ProblemError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    detail?: string,
    readonly extra: { errors?: FieldError[]; headers?: Record<string, string>; [k: string]: unknown } = {},
  ) {
    super(detail ?? code)
  }
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
}

export const problem = (
  status: ContentfulStatusCode,
  code: string,
  detail?: string,
  extra?: ProblemError["extra"],
): ProblemError => new ProblemError(status, code, detail, extra)

export const notFound = (what = "resource") => problem(404, "not_found", `No such ${what}.`)

export function problemResponse(c: Context, err: ProblemError): Response {
  const { headers, ...extra } = err.extra
  // The members RFC 9457 defines come last: an extra member can add to a problem, never change them.
  const body = {
    ...extra,
    type: `https://puzi.dev/problems/${err.code}`,
    title: TITLES[err.status] ?? "Error",
    status: err.status,
    detail: err.message,
    code: err.code,
    instance: c.req.path,
    requestId: c.get("requestId"),
  }
  return new Response(JSON.stringify(body), {
    status: err.status,
    headers: { "content-type": "application/problem+json; charset=utf-8", ...headers },
  })
}

/** Hono's own HTTP errors (malformed JSON, wrong media type, body limit) mapped to our codes. */
function fromHttpException(e: HTTPException): ProblemError {
  if (e.status === 400) return problem(400, "malformed_body", "The request body is not valid JSON.")
  if (e.status === 413) return problem(413, "payload_too_large", "The request body is too large.")
  if (e.status === 415) return problem(415, "unsupported_media_type", "Send the body as application/json.")
  return problem(e.status as ContentfulStatusCode, `http_${e.status}`, e.message)
}

export const onError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof ProblemError) return problemResponse(c, err)
  if (err instanceof HTTPException) return problemResponse(c, fromHttpException(err))
  log.error("unhandled", { requestId: c.get("requestId"), path: c.req.path, error: String(err), stack: err.stack })
  return problemResponse(c, problem(500, "internal_error", "Something went wrong on our side; it has been logged."))
}
