// One incremental pass over a sync API (GET /skus, GET /locations/{id}/members): the server pages in commit order
// and every page carries a syncToken. Each page is written with its token in one IndexedDB transaction, so a pass
// cut short resumes after the last page stored; the next page is fetched while this one is written.

export interface SyncPage<T> {
  items: T[]
  nextCursor: string | null
  syncToken: string
}

/** Rows a sync page asks for: the server allows up to 1,000 when syncing. */
export const SYNC_PAGE = 1000

/** Answers how many rows came. `write` stores a page and its token; `last` says the pass is complete. */
export async function pullPages<T>(
  from: string | undefined,
  fetchPage: (token: string | undefined) => Promise<SyncPage<T>>,
  write: (page: SyncPage<T>, last: boolean) => Promise<void>,
): Promise<number> {
  let rows = 0
  let next = fetchPage(from)
  for (;;) {
    const page = await next
    const last = !page.nextCursor
    if (!last) {
      next = fetchPage(page.syncToken)
      // Seen when awaited; until then a failure must not surface as an unhandled rejection.
      next.catch(() => undefined)
    }
    await write(page, last)
    rows += page.items.length
    if (last) return rows
  }
}
