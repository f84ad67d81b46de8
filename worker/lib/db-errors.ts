// Why a D1 write failed: the constraint that refused it ("UNIQUE constraint failed: orders.channel")
// may be named only in a cause of the error the caller catches (Drizzle wraps D1's), so the whole
// chain is read.

/** The messages of an error and its causes (at most 5 deep), joined with " | ". */
export const errorText = (e: unknown): string => {
  const parts: string[] = []
  for (let err: unknown = e, depth = 0; err && depth < 5; depth++) {
    parts.push(String((err as { message?: unknown }).message ?? err))
    err = (err as { cause?: unknown }).cause
  }
  return parts.join(" | ")
}
