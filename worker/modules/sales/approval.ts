// Manager controls at the till (price overrides, manual discounts, voided lines, returns without a
// receipt): a store manager, manager or owner may use them directly; a cashier needs one of them to
// approve on the device, with their own username and password checked here, server-side. Every use
// is logged (sale_approvals) with who asked and who approved, in the same batch as the document.
// A manager's password typed at a till is as guessable as at sign-in, so the same throttle holds:
// per approver username (shared with sign-in, so the two can't be added up) and per cashier asking;
// a locked one is 429 with Retry-After before any hash is computed, and every refusal is logged.
import { eq } from "drizzle-orm"
import type { Db } from "../../db/client"
import { type ApprovalAction, type saleApprovals, users } from "../../db/schema"
import type { Actor } from "../../lib/actor"
import { newId } from "../../lib/ids"
import { log } from "../../lib/log"
import { verifyPassword } from "../../lib/password"
import { ProblemError, problem } from "../../lib/problem"
import { assertMayTry, forgetFailures, recordFailure, userKey } from "../auth"

export type ApprovalInput = { username: string; password: string }

const APPROVER_ROLES = new Set(["owner", "manager", "store_manager"])

export const isManager = (actor: Pick<Actor, "role">) => APPROVER_ROLES.has(actor.role)

/**
 * Who approves `action` at `locationId`: the caller when they are a manager, else the approver
 * named in `approval` (403 approval_required without one, 403 approval_refused when it doesn't hold).
 */
export async function approverFor(
  db: Db,
  actor: Actor,
  locationId: string,
  approval: ApprovalInput | undefined,
  what: string,
): Promise<string> {
  if (isManager(actor)) return actor.id
  if (!approval)
    throw problem(403, "approval_required", `${what} needs a manager's approval: send approval { username, password }.`)
  const keys = { user: userKey(approval.username), client: `approval:${actor.id}` }
  const refused = { requestedBy: actor.id, approver: approval.username, locationId, what }
  await assertMayTry(db, keys).catch((e: unknown) => {
    if (e instanceof ProblemError) log.warn("approval refused", { ...refused, reason: "throttled" })
    throw e
  })
  const [u] = await db.select().from(users).where(eq(users.username, approval.username))
  const ok = u ? await verifyPassword(approval.password, u.passwordHash) : false
  if (!u || !ok) {
    await recordFailure(db, keys)
    log.warn("approval refused", { ...refused, reason: "wrong_credentials" })
    throw refusal()
  }
  await forgetFailures(db, keys.user)
  if (u.status !== "active" || !isManager(u) || !(u.locationIds === "all" || u.locationIds.includes(locationId))) {
    log.warn("approval refused", { ...refused, reason: "not_a_manager_here" })
    throw refusal()
  }
  return u.id
}

const refusal = () =>
  problem(403, "approval_refused", "The approval was refused: not a manager of this store, or a wrong password.")

export const approvalRow = (
  refType: "sale" | "return",
  refId: string,
  action: ApprovalAction,
  requestedBy: string,
  approvedBy: string,
  detail: Record<string, unknown>,
  at: number,
) => ({ id: newId("apv"), refType, refId, action, requestedBy, approvedBy, detail, at })

export type ApprovalRow = typeof saleApprovals.$inferInsert
