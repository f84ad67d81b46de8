import { useEffect, useState } from "preact/hooks"
import { can } from "../../../../core/roles"
import { session } from "../../auth/session"
import { AppShell } from "../../components/AppShell"
import { Problem } from "../../components/Message"
import { formatQty, Money } from "../../components/Money"
import { t, tParts } from "../../i18n"
import { online } from "../../net"
import { syncStock } from "../../store/catalog"
import type { SkuRecord } from "../../store/db"
import { locationId } from "../../store/location"
import {
  type CountDraft,
  cancelCount,
  countDraft,
  countSku,
  floorOf,
  loadCount,
  type Stocktake as Posted,
  postCount,
  setCounted,
  startCount,
  submitCounts,
  waitingCount,
} from "../../store/stocktake"
import { useAction } from "../stock/parts"
import { type Notice, ScanField, ScanLines, skuLabel } from "../stock/scan"

// 盘点: count my store by scanning, online or not; counts are sent as they are made while there is a network
// (offline they wait on the device); a manager reviews the variances (counted against the book at count time)
// and posts them.

const time = (iso: string) => new Date(iso).toLocaleString()

type Names = CountDraft["skus"]
type Unit = Names[string]["unit"]

/** A quantity as the counter reads it: pieces, or the weight of weighed goods (their counts are grams). */
const amount = (qty: number, unit: Unit) => (unit === "gram" ? formatQty(qty, "gram") : String(qty))
const signed = (qty: number, unit: Unit) => (qty > 0 ? "+" : qty < 0 ? "-" : "") + amount(Math.abs(qty), unit)

/** The variance totals: pieces and grams can't be added up, so weighed goods get a total of their own. */
const Totals = ({ names, server }: { names: Names; server: Posted }) => {
  const grams = server.lines.filter((l) => names[l.skuId]?.unit === "gram").reduce((sum, l) => sum + l.variance, 0)
  const weighed = server.lines.some((l) => names[l.skuId]?.unit === "gram")
  const parts = {
    qty: <strong data-testid="variance-total-qty">{server.totals.varianceQty - grams}</strong>,
    amount: <Money fen={server.totals.varianceCostFen} testId="variance-total-cost" />,
  }
  return (
    <p data-testid="variance-totals">
      {weighed
        ? tParts("stocktake.totalsWeighed", {
            ...parts,
            weight: <strong data-testid="variance-total-weight">{signed(grams, "gram")}</strong>,
          })
        : tParts("stocktake.totals", parts)}
    </p>
  )
}

const Variances = ({ names, server }: { names: Names; server: Posted }) => (
  <section aria-labelledby="variances-title" class="form" data-testid="variances">
    <h2 id="variances-title" class="section-title">
      {t("stocktake.variances")} · {t("stocktake.number", { number: server.number })}
    </h2>
    <div class="table-wrap">
      <table class="table">
        <thead>
          <tr>
            <th scope="col">{t("stock.item")}</th>
            <th scope="col">{t("stocktake.counted")}</th>
            <th scope="col">{t("stocktake.expected")}</th>
            <th scope="col">{t("stocktake.variance")}</th>
          </tr>
        </thead>
        <tbody>
          {server.lines.map((l) => {
            const unit = names[l.skuId]?.unit
            return (
              <tr key={l.skuId} data-testid="variance-row" data-sku={l.skuId}>
                <td>{names[l.skuId]?.name ?? l.skuId}</td>
                <td data-testid="variance-counted">{amount(l.counted, unit)}</td>
                <td data-testid="variance-expected">{amount(l.expected, unit)}</td>
                <td class={l.variance ? "low" : ""} data-testid="variance-qty">
                  {signed(l.variance, unit)}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
    <Totals names={names} server={server} />
    {server.shortHolds.length > 0 && (
      <p class="notice">{t("stocktake.shortHolds", { count: server.shortHolds.length })}</p>
    )}
  </section>
)

/**
 * Counts one scan. Weighed goods count grams: a scale label adds the weight it carries; the item's own code adds
 * nothing (a gram per scan would be a guess) but opens its line for the weight to be typed.
 */
const countScan = async (sku: SkuRecord, grams: number | undefined): Promise<Notice | undefined> => {
  const label = skuLabel(sku)
  if (sku.unit !== "gram") {
    await countSku(label)
    return undefined
  }
  await countSku({ ...label, unit: "gram" }, grams ?? 0)
  return grams === undefined
    ? { text: t("stocktake.weighOrType", { name: label.name }), tone: "error" }
    : { text: t("scan.addedWeight", { name: label.name, weight: formatQty(grams, "gram") }), tone: "ok" }
}

function Counting({ draft, onPosted }: { draft: CountDraft; onPosted: (posted: Posted, names: Names) => void }) {
  const { busy, problem, setProblem, run } = useAction()
  // Clerks count; posting changes the books: the same rule the server applies (core/roles.ts).
  const role = session.value?.user.role
  const mayPost = role !== undefined && can(role, "stocktake:post")
  const waiting = waitingCount(draft)

  // The network is back (or the screen opened online) with counts waiting: send them.
  useEffect(() => {
    if (online.value && waiting > 0 && !draft.closed) void run(submitCounts)
  }, [online.value])

  const lines = Object.entries(draft.counts)
    .map(([skuId, qty]) => ({ skuId, qty, ...(draft.skus[skuId] ?? { name: skuId, code: "" }) }))
    .reverse()

  return (
    <>
      <p class="muted" data-testid="count-session">
        {t("stocktake.session", { time: time(draft.startedAt) })}
        {draft.number && ` · ${t("stocktake.number", { number: draft.number })}`}
      </p>
      {draft.closed ? (
        <p class="form-error" role="alert" data-testid="count-closed">
          {t("stocktake.closed")}
        </p>
      ) : (
        <ScanField
          scaleLabels
          onSku={async (sku, grams) => {
            const notice = await countScan(sku, grams)
            // Online, counts go out as they are made: the server takes the book quantity when a count arrives,
            // so a sale between a scan and a late submit would read as a gain. Scans made while a batch is on
            // its way go in the next one (submitCounts runs one at a time).
            if (online.value) void run(submitCounts)
            return notice
          }}
        />
      )}
      <ScanLines
        lines={lines}
        label={t("stocktake.counted")}
        onSet={(skuId, qty) =>
          void setCounted(skuId, qty).then((ok) => {
            if (ok) return
            const floor = floorOf(draft, skuId)
            setProblem(
              draft.skus[skuId]?.unit === "gram"
                ? t("stocktake.cantLowerWeight", { weight: formatQty(floor, "gram") })
                : t("stocktake.cantLower", { qty: floor }),
            )
          })
        }
      />
      <p class={waiting && !online.value ? "notice" : "muted"} role="status" data-testid="count-waiting">
        {waiting === 0
          ? t("stocktake.allSent")
          : online.value
            ? t("stocktake.unsent", { count: waiting })
            : `${t("stocktake.offlineKept")}（${t("stocktake.unsent", { count: waiting })}）`}
      </p>
      <Problem text={problem} testId="count-problem" />
      <div class="doc-actions">
        <button
          type="button"
          class="button button-primary"
          disabled={busy || !online.value || waiting === 0 || draft.closed}
          onClick={() => void run(submitCounts)}
          data-testid="count-submit"
        >
          {t("stocktake.submit")}
        </button>
      </div>
      {draft.server && <Variances names={draft.skus} server={draft.server} />}
      {draft.server &&
        !draft.closed &&
        (mayPost ? (
          <button
            type="button"
            class="button button-primary"
            disabled={busy || !online.value || waiting > 0}
            onClick={() =>
              void run(async () => {
                const posted = await postCount()
                onPosted(posted, draft.skus)
                void syncStock(posted.locationId).catch(() => {})
              })
            }
            data-testid="count-post"
          >
            {t("stocktake.post")}
          </button>
        ) : (
          <p class="muted">{t("stocktake.managerPosts")}</p>
        ))}
      <button
        type="button"
        class="button"
        disabled={busy || (!online.value && draft.serverId !== null)}
        onClick={() => void run(cancelCount)}
        data-testid="count-cancel"
      >
        {t("stocktake.cancel")}
      </button>
    </>
  )
}

export default function Stocktake() {
  const store = locationId.value
  const draft = countDraft.value
  const [loaded, setLoaded] = useState(false)
  const [posted, setPosted] = useState<{ server: Posted; names: Names } | null>(null)

  useEffect(() => {
    if (store) void loadCount(store).then(() => setLoaded(true))
  }, [store])

  return (
    <AppShell title={t("tool.stocktake")} screen="stocktake">
      {!store || !loaded ? (
        <p class="muted">{t("common.loading")}</p>
      ) : draft?.locationId === store ? (
        <Counting draft={draft} onPosted={(server, names) => setPosted({ server, names })} />
      ) : posted ? (
        <>
          <p class="notice" role="status" data-testid="count-posted">
            {t("stocktake.posted", { number: posted.server.number })}
          </p>
          <Variances names={posted.names} server={posted.server} />
          <button type="button" class="button" onClick={() => setPosted(null)} data-testid="count-done">
            {t("stocktake.done")}
          </button>
        </>
      ) : (
        <>
          <p class="muted">{t("stocktake.intro")}</p>
          <button
            type="button"
            class="button button-primary"
            onClick={() => void startCount(store)}
            data-testid="count-start"
          >
            {t("stocktake.start")}
          </button>
        </>
      )}
    </AppShell>
  )
}
