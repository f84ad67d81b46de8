// GET /locations/{id}/members: a store's members for its tills' offline cache, incrementally.
// A till asks for what changed after its last pass (the syncToken of its last page; updatedSince starts one)
// and pages in commit order, like the catalog (lib/sync.ts). Erased members come too (status "erased", no personal data) so tills drop them: an
// erasure must reach every device. Phones never leave: each member carries phoneKey
// (core/member-phone-key.ts), so the till matches the number a customer says without holding it.
// Balances change through the ledgers, which bump updated_at, so a pass also refreshes them.
import { createRoute } from "@hono/zod-openapi"
import { and, asc, eq, gt, gte } from "drizzle-orm"
import { memberPhoneKey } from "../../../core/member-phone-key"
import { maskPhone } from "../../../core/phone"
import type { Db } from "../../db/client"
import { members, memberTiers } from "../../db/schema"
import { type Actor, assertLocation } from "../../lib/actor"
import { guard } from "../../lib/auth"
import { jsonResponse, problemResponses, router, z } from "../../lib/openapi"
import { pageOf } from "../../lib/pagination"
import { IdParam, IsoTime } from "../../lib/schemas"
import { decodeSyncToken, SyncPageQuery, syncPage } from "../../lib/sync"
import { birthdayMonth } from "./service"

const CachedMember = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string().nullable(),
    phoneMasked: z.string(),
    phoneKey: z.string().nullable().openapi({ description: "SHA-256 key of the phone; null once erased" }),
    tierId: z.string().nullable(),
    tierName: z.string().nullable(),
    birthdayMonth: z.number().int().nullable(),
    pointsBalance: z.number().int(),
    storedValueFen: z.number().int(),
    status: z.enum(["active", "erased"]),
    updatedAt: IsoTime,
  })
  .openapi("TillCachedMember")

const route = createRoute({
  method: "get",
  path: "/locations/{id}/members",
  tags: ["members"],
  summary: "A store's members changed since a time, for the till's offline cache (phones as keys only)",
  ...guard("members:read"),
  request: {
    params: IdParam,
    query: SyncPageQuery.extend({
      updatedSince: z.iso.datetime({ offset: true }).optional().openapi({ example: "2026-11-25T00:00:00.000Z" }),
    }),
  },
  responses: {
    200: jsonResponse(pageOf(CachedMember).extend({ syncToken: z.string() }), "Members"),
    ...problemResponses(400, 401, 403, 404),
  },
})

export async function storeMembersSince(
  db: Db,
  actor: Actor,
  locationId: string,
  q: { limit: number; cursor?: string; updatedSince?: string; syncToken?: string },
) {
  assertLocation(actor, locationId)
  const token = decodeSyncToken(q.syncToken, "syncToken")
  const from = decodeSyncToken(q.cursor, "cursor") ?? token ?? 0
  const rows = await db
    .select({ m: members, tierName: memberTiers.name })
    .from(members)
    .leftJoin(memberTiers, eq(memberTiers.id, members.tierId))
    .where(
      and(
        eq(members.homeLocationId, locationId),
        q.updatedSince ? gte(members.updatedAt, Date.parse(q.updatedSince)) : undefined,
        gt(members.syncSeq, from),
      ),
    )
    .orderBy(asc(members.syncSeq))
    .limit(q.limit + 1)
  const page = syncPage(
    rows,
    q.limit,
    from,
    (r) => r.m.syncSeq,
    (r) => r,
  )
  const items = await Promise.all(
    page.items.map(async ({ m, tierName }) => ({
      id: m.id,
      code: m.code,
      name: m.name,
      phoneMasked: m.phone ? maskPhone(m.phone) : "",
      phoneKey: m.phone && m.status === "active" ? await memberPhoneKey(m.phone) : null,
      tierId: m.tierId,
      tierName,
      birthdayMonth: birthdayMonth(m.birthday),
      pointsBalance: m.pointsBalance,
      storedValueFen: m.storedValueFen,
      status: m.status,
      updatedAt: new Date(m.updatedAt).toISOString(),
    })),
  )
  return { items, nextCursor: page.nextCursor, syncToken: page.syncToken }
}

export const memberCacheRoutes = router().openapi(route, async (c) =>
  c.json(await storeMembersSince(c.var.db, c.var.actor, c.req.valid("param").id, c.req.valid("query")), 200),
)
