import { memberPhoneKey } from "../../../core/member-phone-key"
import { pointsForFen } from "../../../core/points"
import type { Tender } from "../../../core/tenders"
import { ApiError, api } from "../api/client"
import { db, getMeta, type MemberRecord } from "./db"
import { chainPoints } from "./location"
import { pullPages, SYNC_PAGE, type SyncPage } from "./sync-pages"

// The store's members on the device, so the till finds a member by phone with the network gone: the store's own
// members incrementally (GET /locations/{id}/members?syncToken=, like the catalog), plus anyone looked
// up online here. Phones are kept only as keys (core/member-phone-key.ts); an erased member is deleted.

export type ApiMemberAtTill = Omit<MemberRecord, "phoneKey" | "cachedAt">

interface ApiCachedMember extends ApiMemberAtTill {
  phoneKey: string | null
  status: "active" | "erased"
  updatedAt: string
}

export const rememberMember = async (member: ApiMemberAtTill, phone: string): Promise<MemberRecord> => {
  const record: MemberRecord = { ...member, phoneKey: await memberPhoneKey(phone), cachedAt: Date.now() }
  await (await db()).put("members", record)
  return record
}

export const cachedMemberByPhone = async (phone: string) =>
  (await db()).getFromIndex("members", "phoneKey", await memberPhoneKey(phone))

export type MemberFound =
  | { ok: true; member: MemberRecord }
  | { ok: false; reason: "not_found" | "offline_unknown" | "error" }

/** Online: the server's answer (and remembered here). Offline, or when the network fails: this device's copy. */
export const findMemberByPhone = async (phone: string, online: boolean): Promise<MemberFound> => {
  const onDevice = async (): Promise<MemberFound> => {
    const cached = await cachedMemberByPhone(phone)
    return cached ? { ok: true, member: cached } : { ok: false, reason: "offline_unknown" }
  }
  if (!online) return onDevice()
  try {
    const found = await api.get<ApiMemberAtTill>(`/members/lookup?phone=${phone}`)
    return { ok: true, member: await rememberMember(found, phone) }
  } catch (error) {
    if (error instanceof ApiError && error.status === 0) return onDevice()
    return { ok: false, reason: error instanceof ApiError && error.status === 404 ? "not_found" : "error" }
  }
}

export const MEMBER_PROBLEM = {
  not_found: "member.notFound",
  offline_unknown: "member.offlineUnknown",
  error: "error.tryAgain",
} as const

const toRecord = (m: ApiCachedMember, phoneKey: string): MemberRecord => ({
  id: m.id,
  code: m.code,
  name: m.name,
  phoneKey,
  phoneMasked: m.phoneMasked,
  tierId: m.tierId,
  tierName: m.tierName,
  birthdayMonth: m.birthdayMonth,
  pointsBalance: m.pointsBalance,
  storedValueFen: m.storedValueFen,
  cachedAt: Date.now(),
})

/**
 * Brings the store's members up to date: what changed after the token of the last page stored, each page written
 * with its token in one transaction while the next is fetched, so a pass cut short resumes where it stopped.
 * Answers how many members changed.
 */
export const syncMembers = async (locationId: string): Promise<number> => {
  const key = (what: string) => `members.${what}.${locationId}`
  const token = await getMeta<string>(key("token"))
  // A device that synced before tokens existed starts from its instant.
  const since = token ? undefined : await getMeta<string>(key("since"))
  const fetchPage = (at: string | undefined) => {
    const query = new URLSearchParams({ limit: String(SYNC_PAGE) })
    if (at) query.set("syncToken", at)
    if (since) query.set("updatedSince", since)
    return api.get<SyncPage<ApiCachedMember>>(`/locations/${encodeURIComponent(locationId)}/members?${query}`)
  }
  const write = async (page: SyncPage<ApiCachedMember>, last: boolean) => {
    const tx = (await db()).transaction(["members", "meta"], "readwrite")
    const store = tx.objectStore("members")
    const meta = tx.objectStore("meta")
    const writes: Promise<unknown>[] = page.items.map((m) =>
      m.status === "erased" || !m.phoneKey ? store.delete(m.id) : store.put(toRecord(m, m.phoneKey)),
    )
    writes.push(meta.put(page.syncToken, key("token")))
    if (last) writes.push(meta.delete(key("since")), meta.delete(key("progress")))
    await Promise.all([...writes, tx.done])
  }
  return pullPages(token, fetchPage, write)
}

/**
 * What a sale made here took from the member's balances, taken off the cached member too, so a second sale
 * offline can't spend the same stored value or points again. The next sync brings the server's figures.
 */
export const spendCachedBalances = async (memberId: string, tenders: readonly Tender[]) => {
  const storedFen = tenders.reduce((s, x) => s + (x.method === "stored_value" ? x.amountFen : 0), 0)
  const points = tenders.reduce(
    (s, x) => s + (x.method === "points" ? pointsForFen(x.amountFen, chainPoints.value) : 0),
    0,
  )
  if (storedFen === 0 && points === 0) return
  const tx = (await db()).transaction("members", "readwrite")
  const cached = await tx.store.get(memberId)
  if (cached)
    await tx.store.put({
      ...cached,
      storedValueFen: Math.max(0, cached.storedValueFen - storedFen),
      pointsBalance: Math.max(0, cached.pointsBalance - points),
    })
  await tx.done
}

/** A member as the server now has them (after a top-up here): kept on the device and answered back. */
export const updateCachedMember = async (member: MemberRecord): Promise<MemberRecord> => {
  const next = { ...member, cachedAt: Date.now() }
  await (await db()).put("members", next)
  return next
}
