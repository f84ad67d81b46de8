import { mayCreateRole, ROLES, type Role, seesAllLocations } from "../../../../core/roles"
import { ApiError, api } from "../../api/client"
import { type MessageKey, t } from "../../i18n"
import { problemText, UserMessage } from "../stock/docs"

// The staff accounts and devices HQ manages (/users, /devices), and the refusals put in the user's words.

export type UserStatus = "active" | "disabled" | "deleted"

export interface StaffUser {
  id: string
  username: string
  displayName: string
  role: Role
  allLocations: boolean
  locationIds: string[]
  status: UserStatus
}

export interface DeletedUser extends StaffUser {
  revokedApiKeys: { id: string; name: string }[]
}

export interface Device {
  id: string
  locationId: string
  name: string
  revoked: boolean
  revokedAt: string | null
  createdAt: string
}

type Page<T> = { items: T[]; nextCursor: string | null }

/** Every live account (the API leaves the deleted out), page by page: a 120-store chain has well over 100. */
export const listStaff = async (): Promise<StaffUser[]> => {
  const all: StaffUser[] = []
  let cursor: string | null = null
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""
    const page: Page<StaffUser> = await api.get<Page<StaffUser>>(`/users?limit=100${query}`)
    all.push(...page.items)
    cursor = page.nextCursor
  } while (cursor)
  return all
}

export const listDevices = async () => (await api.get<Page<Device>>("/devices")).items

/** The roles this user may give (nobody but an owner makes an owner). */
export const grantableRoles = (me: Role): Role[] => ROLES.filter((r) => mayCreateRole(me, r))

/** Whether `me` may change or delete `target` at all (the API's rule: only an owner touches HQ accounts). */
export const mayManage = (me: Role, target: StaffUser) =>
  mayCreateRole(me, target.role) && (me === "owner" || !seesAllLocations(target.role))

export const USERNAME = /^[A-Za-z0-9_.@-]{2,64}$/
export const PASSWORD_MIN = 8
export const PASSWORD_MAX = 200

/** The form's own check of the API's rules, so the common mistakes are named before the round trip. */
export const passwordProblem = (password: string): MessageKey | null =>
  password.length < PASSWORD_MIN ? "admin.passwordShort" : password.length > PASSWORD_MAX ? "admin.passwordLong" : null

const KNOWN: Record<string, MessageKey> = {
  duplicate_username: "admin.problem.duplicate_username",
  cannot_delete_self: "admin.problem.cannot_delete_self",
  cannot_change_self: "admin.problem.cannot_change_self",
  user_deleted: "admin.problem.user_deleted",
  location_required: "admin.problem.location_required",
  unknown_location: "admin.problem.unknown_location",
  forbidden: "admin.problem.forbidden",
}

/** A refusal in words: the known ones translated, any other with the server's own detail and code. */
export const staffProblemText = (error: unknown): string => {
  if (!(error instanceof ApiError) || error.status === 0) return problemText(error)
  const known = KNOWN[error.code]
  if (known) return `${t(known)}（${error.detail ?? error.code}）`
  return error.detail ? t("admin.refused", { detail: error.detail, code: error.code }) : problemText(error)
}

/** Runs a staff call so that its refusal reaches useAction already in words (useAction shows only the code). */
export const inWords = async <T>(work: () => Promise<T>): Promise<T> => {
  try {
    return await work()
  } catch (error) {
    throw new UserMessage(staffProblemText(error))
  }
}
