// The member as the engine sees them, from a member record as the server reads it or the till caches
// it (absent fields as null): one mapping, so a tier or birthday can't price differently on the two sides.
import type { CartMember } from "./types"

export type MemberRecord = { id: string; tierId?: string | null; birthdayMonth?: number | null }

export const cartMember = (m: MemberRecord | null | undefined): CartMember =>
  m
    ? {
        id: m.id,
        ...(m.tierId ? { tierId: m.tierId } : {}),
        ...(m.birthdayMonth ? { birthdayMonth: m.birthdayMonth } : {}),
      }
    : null
