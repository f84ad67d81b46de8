import type { ComponentType } from "preact"
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks"
import { normalizePhone } from "../../../../core/phone"
import type { Tender } from "../../../../core/tenders"
import { ApiError, api } from "../../api/client"
import { AppShell } from "../../components/AppShell"
import { InlineForm } from "../../components/InlineForm"
import { Problem } from "../../components/Message"
import { formatQty, Money } from "../../components/Money"
import { type MessageKey, t } from "../../i18n"
import { online } from "../../net"
import { autoPrint, printReceipt } from "../../settings"
import { searchSkus } from "../../store/catalog"
import type { JournalSale, ParkedCart, SkuRecord } from "../../store/db"
import { findMemberByPhone, MEMBER_PROBLEM } from "../../store/members"
import { currentShiftId } from "../../store/shift"
import { catalogSyncedAt } from "../../sync/data"
import { payOnline, syncNow } from "../../sync/outbox"
import {
  addCoupon,
  addSku,
  cartCoupons,
  cartLines,
  cartMember,
  checkout,
  clearCart,
  lastAddedLine,
  loadPromotions,
  parkCart,
  parkedCarts,
  priced,
  recallCart,
  removeCoupon,
  removeLine,
  scan,
  setMember,
  setQty,
} from "../../till/cart"
import { type ApiPromotion, tillCoupon } from "../../till/price"
import { useWedgeScanner } from "../../till/scanner"
import { CashierBar } from "./HandOver"
import { PaySheet } from "./PaySheet"
import { Receipt } from "./Receipt"

type CameraProps = { onCode: (code: string) => void; onClose: () => void }

type Notice = { key: MessageKey; params?: Record<string, string>; tone: "ok" | "error" }

const ScanBar = ({ onNotice, onCamera }: { onNotice: (n: Notice) => void; onCamera: () => void }) => {
  const [text, setText] = useState("")
  const [results, setResults] = useState<SkuRecord[]>([])

  useEffect(() => {
    let current = true
    const q = text.trim()
    if (q.length < 1 || /^\d{8,14}$/.test(q)) {
      setResults([])
      return
    }
    void searchSkus(q, 8).then((found) => {
      if (current) setResults(found)
    })
    return () => {
      current = false
    }
  }, [text])

  const pick = (sku: SkuRecord) => {
    if (sku.unit === "gram") {
      onNotice({ key: "till.weighOnScale", params: { name: sku.productName }, tone: "error" })
      return
    }
    addSku(sku)
    onNotice({ key: "till.added", params: { name: sku.productName }, tone: "ok" })
    setText("")
  }

  const submit = async (event: Event) => {
    event.preventDefault()
    const q = text.trim()
    if (!q) return
    if (/^[0-9A-Za-z-]{4,}$/.test(q)) {
      const outcome = await scan(q)
      if (outcome.ok) {
        setText("")
        onNotice({ key: "till.added", params: { name: outcome.sku.productName }, tone: "ok" })
        return
      }
      if (outcome.reason === "not_weighed") {
        onNotice({ key: "till.weighOnScale", params: { name: q }, tone: "error" })
        return
      }
    }
    const [first, second] = results.length ? results : await searchSkus(q, 2)
    if (first && !second) pick(first)
    else if (!first) onNotice({ key: "till.notFound", params: { code: q }, tone: "error" })
  }

  return (
    <form class="scan-bar" onSubmit={submit}>
      <label class="visually-hidden" for="till-search">
        {t("till.searchLabel")}
      </label>
      <input
        id="till-search"
        type="search"
        autoComplete="off"
        enterKeyHint="search"
        placeholder={t("till.searchPlaceholder")}
        value={text}
        data-scanner="accept"
        onInput={(e) => setText(e.currentTarget.value)}
        data-testid="till-search"
      />
      <button type="submit" class="button">
        {t("till.find")}
      </button>
      <button type="button" class="button" onClick={onCamera} data-testid="camera-open">
        {t("camera.open")}
      </button>
      {results.length > 0 && (
        <ul class="search-results" data-testid="search-results">
          {results.map((sku) => (
            <li key={sku.id}>
              <button type="button" class="result" onClick={() => pick(sku)} data-testid="search-result">
                <span class="result-name">
                  {sku.productName} <span class="muted">{Object.values(sku.attributes ?? {}).join(" / ")}</span>
                </span>
                <span class="muted">{sku.skuCode}</span>
                <Money fen={sku.priceFen} />
              </button>
            </li>
          ))}
        </ul>
      )}
    </form>
  )
}

const MemberBar = () => {
  const [phone, setPhone] = useState("")
  const [busy, setBusy] = useState(false)
  const [problem, setProblem] = useState<MessageKey | null>(null)
  const member = cartMember.value

  if (member)
    return (
      <div class="chip-row" data-testid="member">
        <span class="chip">
          {t("till.member")}: <strong data-testid="member-name">{member.name ?? member.phoneMasked}</strong>{" "}
          <span class="muted">{member.phoneMasked}</span> · {t("till.points", { points: member.pointsBalance })}
        </span>
        <button type="button" class="button button-small" onClick={() => setMember(null)} data-testid="member-remove">
          {t("common.remove")}
        </button>
      </div>
    )

  const find = async (event: Event) => {
    event.preventDefault()
    const normal = normalizePhone(phone)
    if (!normal) return setProblem("member.badPhone")
    setBusy(true)
    setProblem(null)
    try {
      const found = await findMemberByPhone(normal, online.value)
      if (!found.ok) return setProblem(MEMBER_PROBLEM[found.reason])
      setMember(found.member)
      setPhone("")
    } finally {
      setBusy(false)
    }
  }

  return (
    <InlineForm
      id="member-phone"
      label={t("till.memberPhone")}
      inputMode="tel"
      value={phone}
      onInput={setPhone}
      onSubmit={find}
      action={t("till.findMember")}
      actionTestId="member-find"
      busy={busy}
    >
      <Problem text={problem && t(problem)} testId="member-problem" />
    </InlineForm>
  )
}

interface ApiCoupon {
  code: string
  promotionId: string
  memberId: string | null
  redeemed: boolean
}

const CouponBar = () => {
  const [code, setCode] = useState("")
  const [problem, setProblem] = useState<MessageKey | null>(null)
  const rejected = priced.value.rejectedCoupons

  const apply = async (event: Event) => {
    event.preventDefault()
    if (!code.trim()) return
    if (!online.value) return setProblem("coupon.offline")
    setProblem(null)
    try {
      const coupon = await api.get<ApiCoupon>(`/coupons/${encodeURIComponent(code.trim())}`)
      const promotion = await api.get<ApiPromotion>(`/promotions/${coupon.promotionId}`)
      addCoupon(tillCoupon(coupon, promotion))
      setCode("")
    } catch (error) {
      setProblem(
        error instanceof ApiError && error.status === 404
          ? "coupon.notFound"
          : error instanceof ApiError && error.status === 0
            ? "coupon.offline"
            : "error.tryAgain",
      )
    }
  }

  return (
    <div>
      <InlineForm
        id="coupon-code"
        label={t("till.coupon")}
        value={code}
        onInput={setCode}
        onSubmit={apply}
        action={t("till.applyCoupon")}
        actionTestId="coupon-apply"
      />
      <Problem text={problem && t(problem)} testId="coupon-problem" />
      {cartCoupons.value.length > 0 && (
        <ul class="chip-row" data-testid="coupons">
          {cartCoupons.value.map((c) => {
            const why = rejected.find((r) => r.code === c.code)
            return (
              <li key={c.code} class="chip">
                {c.code} · {c.promotion.name}
                {why && <span class="muted"> ({t(`coupon.${why.reason}`)})</span>}
                <button
                  type="button"
                  class="icon-button"
                  aria-label={t("common.remove")}
                  onClick={() => removeCoupon(c.code)}
                >
                  ×
                </button>
              </li>
            )
          })}
        </ul>
      )}
    </div>
  )
}

const CartList = () => {
  const cart = priced.value
  const lines = cartLines.value
  // bench:pwa: the frame after this render has been painted (rAF, then a task) ends a scan-to-cart interval.
  useLayoutEffect(() => {
    requestAnimationFrame(() => setTimeout(() => performance.mark("till:cart-painted")))
  }, [cart])
  if (lines.length === 0)
    return (
      <p class="empty" data-testid="cart-empty">
        {t("till.empty")}
      </p>
    )
  return (
    <ul class="cart" data-testid="cart" aria-label={t("till.cart")}>
      {lines.map((line, i) => {
        const p = cart.lines[i]!
        const detail = Object.values(line.sku.attributes ?? {}).join(" / ")
        return (
          <li
            key={line.lineId}
            class={`cart-line ${lastAddedLine.value === line.lineId ? "is-last" : ""}`}
            data-testid="cart-line"
            data-sku={line.sku.id}
          >
            <div class="line-main">
              <span class="line-name" data-testid="line-name">
                {line.sku.productName}
              </span>
              {detail && <span class="muted line-detail">{detail}</span>}
              <span class="muted line-price">
                <Money fen={line.sku.priceFen} />
                {line.sku.unit === "gram" ? "/kg" : ""}
                {line.weighed ? ` · ${formatQty(line.qty, "gram")}` : ""}
              </span>
              {p.discounts.map((d) => (
                <span class="line-discount" key={d.promotionId} data-testid="line-discount">
                  {d.name} -<Money fen={d.amountFen} />
                </span>
              ))}
            </div>
            <div class="line-side">
              <Money fen={p.totalFen} testId="line-total" class="line-total" />
              <div class="stepper">
                {!line.weighed && (
                  <>
                    <button
                      type="button"
                      aria-label={t("till.less", { name: line.sku.productName })}
                      onClick={() => setQty(line.lineId, line.qty - 1)}
                      data-testid="line-less"
                    >
                      −
                    </button>
                    <span class="qty" data-testid="line-qty">
                      {line.qty}
                    </span>
                    <button
                      type="button"
                      aria-label={t("till.more", { name: line.sku.productName })}
                      onClick={() => setQty(line.lineId, line.qty + 1)}
                      data-testid="line-more"
                    >
                      +
                    </button>
                  </>
                )}
                <button
                  type="button"
                  class="remove"
                  aria-label={t("till.removeLine", { name: line.sku.productName })}
                  onClick={() => removeLine(line.lineId)}
                  data-testid="line-remove"
                >
                  ×
                </button>
              </div>
            </div>
          </li>
        )
      })}
    </ul>
  )
}

const Totals = () => {
  const cart = priced.value
  return (
    <section class="totals" aria-label={t("till.totals")}>
      <div class="total-row">
        <span>{t("till.subtotal")}</span>
        <Money fen={cart.subtotalFen} testId="cart-subtotal" />
      </div>
      {cart.appliedPromotions.map((p) => (
        <div class="total-row discount" key={`${p.promotionId}${p.couponCode ?? ""}`} data-testid="applied-promotion">
          <span>{p.name}</span>
          <span>
            -<Money fen={p.amountFen} />
          </span>
        </div>
      ))}
      <div class="total-row grand">
        <span>{t("till.total")}</span>
        <Money fen={cart.totalFen} testId="cart-total" />
      </div>
    </section>
  )
}

const ParkedList = ({ onClose }: { onClose: () => void }) => {
  const [carts, setCarts] = useState<ParkedCart[] | null>(null)
  useEffect(() => {
    void parkedCarts().then(setCarts)
  }, [])
  return (
    <div class="sheet-backdrop">
      <div class="sheet" role="dialog" aria-modal="true" aria-labelledby="parked-title" data-testid="parked-list">
        <div class="sheet-head">
          <h2 id="parked-title">{t("till.parked")}</h2>
          <button type="button" class="button button-small" onClick={onClose}>
            {t("common.back")}
          </button>
        </div>
        {carts?.length === 0 && <p class="muted">{t("till.noParked")}</p>}
        <ul class="list">
          {carts?.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                class="list-button"
                data-testid="parked-cart"
                onClick={async () => {
                  await recallCart(c.id)
                  onClose()
                }}
              >
                <span>{c.label}</span>
                <span class="muted">
                  {t("till.parkedItems", { count: c.lines.length })} ·{" "}
                  {new Date(c.parkedAt).toLocaleTimeString("zh-CN", { hour12: false })}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </div>
    </div>
  )
}

export default function Till() {
  const [notice, setNotice] = useState<Notice | null>(null)
  const [paying, setPaying] = useState(false)
  const [busy, setBusy] = useState(false)
  const [payError, setPayError] = useState<string | null>(null)
  const [receipt, setReceipt] = useState<JournalSale | null>(null)
  const [showParked, setShowParked] = useState(false)
  // The camera and its wasm load only when the cashier opens the camera.
  const [Camera, setCamera] = useState<ComponentType<CameraProps> | null>(null)
  const openCamera = () => {
    void import("./Camera").then((m) => setCamera(() => m.default))
  }
  const live = useRef<HTMLParagraphElement>(null)

  // The promotions this device holds, again whenever the background refresh brought new ones.
  useEffect(() => {
    void loadPromotions()
  }, [catalogSyncedAt.value])

  const onScan = useCallback(async (code: string) => {
    setReceipt(null)
    const outcome = await scan(code)
    setNotice(
      outcome.ok
        ? { key: "till.added", params: { name: outcome.sku.productName }, tone: "ok" }
        : outcome.reason === "not_weighed"
          ? { key: "till.weighOnScale", params: { name: code }, tone: "error" }
          : { key: "till.notFound", params: { code }, tone: "error" },
    )
  }, [])
  useWedgeScanner(onScan, !paying)

  const pay = async (tenders: Tender[], changeFen: number) => {
    setBusy(true)
    setPayError(null)
    try {
      const viaServer = tenders.some((x) => x.authCode)
      const shiftId = currentShiftId()
      const sale = await checkout({ tenders, changeFen, online: viaServer, ...(shiftId ? { shiftId } : {}) })
      if (viaServer) {
        try {
          const created = await payOnline(sale.id)
          sale.serverNumber = created.number
        } catch (error) {
          if (error instanceof ApiError && error.status !== 0) {
            setPayError(t("pay.codeFailed", { code: error.code }))
            return
          }
          setNotice({ key: "pay.codePending", tone: "error" })
        }
      }
      setPaying(false)
      setReceipt(sale)
      if (autoPrint.value) printReceipt()
      // The sale is safe on the device; send it now if the network allows (the outbox retries otherwise).
      if (!viaServer) void syncNow()
    } finally {
      setBusy(false)
    }
  }

  const cart = priced.value
  const empty = cartLines.value.length === 0

  return (
    <AppShell title={t("tool.till")} screen="till">
      <div class="till" data-catalog={catalogSyncedAt.value ? "ready" : "loading"} data-testid="till">
        {!catalogSyncedAt.value && (
          <p class="notice" role="status">
            {t("till.catalogLoading")}
          </p>
        )}
        <ScanBar onNotice={setNotice} onCamera={openCamera} />
        <p
          class={`scan-notice tone-${notice?.tone ?? "ok"}`}
          role="status"
          aria-live="polite"
          ref={live}
          data-testid="scan-notice"
        >
          {notice ? t(notice.key, notice.params) : t("till.ready")}
        </p>
        {receipt ? (
          <section class="receipt-panel" data-testid="sale-done">
            <p class="done-title">
              {t("till.paid")} · {t("pay.change")} <Money fen={receipt.changeFen} testId="done-change" class="change" />
            </p>
            <Receipt sale={receipt} />
            <div class="actions">
              <button type="button" class="button" onClick={printReceipt} data-testid="print-receipt">
                {t("receipt.print")}
              </button>
              <button
                type="button"
                class="button button-primary"
                onClick={() => setReceipt(null)}
                data-testid="next-sale"
              >
                {t("till.nextSale")}
              </button>
            </div>
          </section>
        ) : (
          <>
            <CashierBar onTakenOver={(name) => setNotice({ key: "handover.done", params: { name }, tone: "ok" })} />
            <MemberBar />
            <CouponBar />
            <CartList />
            <Totals />
            <div class="till-actions">
              <button
                type="button"
                class="button"
                disabled={empty}
                onClick={() =>
                  void parkCart(
                    t("till.parkedLabel", { time: new Date().toLocaleTimeString("zh-CN", { hour12: false }) }),
                  )
                }
                data-testid="park"
              >
                {t("till.park")}
              </button>
              <button type="button" class="button" onClick={() => setShowParked(true)} data-testid="recall">
                {t("till.recall")}
              </button>
              <button type="button" class="button" disabled={empty} onClick={clearCart} data-testid="clear">
                {t("till.clear")}
              </button>
              <button
                type="button"
                class="button button-primary pay-button"
                disabled={empty}
                onClick={() => {
                  setPayError(null)
                  setPaying(true)
                }}
                data-testid="pay"
              >
                {t("till.pay")} <Money fen={cart.totalFen} />
              </button>
            </div>
          </>
        )}
        {paying && (
          <PaySheet
            totalFen={cart.totalFen}
            member={cartMember.value}
            busy={busy}
            error={payError}
            onPay={pay}
            onClose={() => setPaying(false)}
          />
        )}
        {showParked && <ParkedList onClose={() => setShowParked(false)} />}
        {Camera && (
          <Camera
            onClose={() => setCamera(null)}
            onCode={(code) => {
              setCamera(null)
              void onScan(code)
            }}
          />
        )}
      </div>
    </AppShell>
  )
}
