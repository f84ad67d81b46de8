import { monotonicFactory } from "ulid"

// Monotonic so ids made in the same millisecond still sort in creation order (cursor paging relies on it).
const ulid = monotonicFactory()

export type IdPrefix =
  | "usr"
  | "ses"
  | "key"
  | "dev"
  | "loc"
  | "cat"
  | "brd"
  | "prd"
  | "sku"
  | "prc"
  | "imp"
  | (string & {})

export const newId = (prefix: IdPrefix): string => `${prefix}_${ulid()}`

const ULID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/

/** Client-made ids (offline sales) are bare ULIDs, validated and stored verbatim. */
export const isUlid = (s: string): boolean => ULID_RE.test(s)
