// Every module builds its router here, so validation failures answer the same problem+json.

import type { Hook } from "@hono/zod-openapi"
import { OpenAPIHono, z } from "@hono/zod-openapi"
import type { AppEnv } from "../env"
import { type FieldError, problem } from "./problem"

type ZodIssue = z.core.$ZodIssue

const issueToFieldErrors = (issue: ZodIssue): FieldError[] => {
  const base = issue.path.map(String)
  if (issue.code === "unrecognized_keys")
    return issue.keys.map((k) => ({ path: [...base, k].join("."), message: "Unknown field.", code: issue.code }))
  return [{ path: base.join(".") || "(root)", message: issue.message, code: issue.code }]
}

// biome-ignore lint/suspicious/noExplicitAny: Hook's generics are inferred per route.
const validationHook: Hook<any, AppEnv, any, any> = (result) => {
  if (result.success) return
  const errors = result.error.issues.flatMap(issueToFieldErrors)
  const where = result.target === "json" ? "body" : result.target
  throw problem(400, "validation_failed", `The request ${where} is not valid.`, { errors })
}

export const router = () => new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

/** A required JSON request body (required, so a wrong content type is 415, not silently empty). */
export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  body: { required: true, description, content: { "application/json": { schema } } },
})

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
})

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() }).passthrough()).optional(),
  })
  .openapi("Problem")

export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: "Problem", content: { "application/problem+json": { schema: ProblemSchema } } },
    ]),
  )

export const Id = (example: string) => z.string().min(1).max(64).openapi({ example })

export { z }
