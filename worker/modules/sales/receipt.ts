// The receipt: structured (for the PWA and mini-programs to render) and printable HTML for 58 mm and
// 80 mm paper — Chinese, totals, each discount with its promotion's name, tenders, change, points,
// the member's masked phone, and the sale number as a Code 128 barcode (what a return scans).
import { eq } from "drizzle-orm"
import { formatCny } from "../../../core/money"
import type { TenderMethod } from "../../../core/tenders"
import type { Db } from "../../db/client"
import { locations, users } from "../../db/schema"
import type { Actor } from "../../lib/actor"
import { code128Svg } from "./code128"
import { loadVisibleSale } from "./queries"

export const TENDER_LABELS: Record<TenderMethod, string> = {
  cash: "现金",
  wechat: "微信支付",
  alipay: "支付宝",
  unionpay: "银联",
  card: "银行卡",
  stored_value: "储值卡",
  points: "积分抵现",
  other: "其他",
}

export async function receipt(db: Db, env: Env, actor: Actor, id: string) {
  const { sale, lines, payments } = await loadVisibleSale(db, actor, { id })
  const [[store], [cashier]] = await db.batch([
    db
      .select({ name: locations.name, address: locations.address })
      .from(locations)
      .where(eq(locations.id, sale.locationId)),
    db.select({ name: users.displayName }).from(users).where(eq(users.id, sale.cashierId)),
  ])
  return {
    saleId: sale.id,
    number: sale.number,
    store: { id: sale.locationId, name: store?.name ?? "", address: store?.address ?? null },
    cashier: { id: sale.cashierId, name: cashier?.name ?? null },
    occurredAt: new Date(sale.occurredAt).toISOString(),
    localTime: new Intl.DateTimeFormat("zh-CN", {
      timeZone: env.CHAIN_TIME_ZONE,
      dateStyle: "short",
      timeStyle: "medium",
    }).format(new Date(sale.occurredAt)),
    lines: lines.map((l) => ({
      name: l.name,
      skuId: l.skuId,
      qty: l.qty,
      unit: l.unit,
      unitPriceFen: l.unitPriceFen,
      originalFen: l.originalFen,
      discounts: l.discounts.map((d) => ({ name: d.name, amountFen: d.amountFen })),
      totalFen: l.totalFen,
    })),
    subtotalFen: sale.subtotalFen,
    discountFen: sale.discountFen,
    roundingFen: sale.roundingFen,
    totalFen: sale.totalFen,
    promotions: sale.appliedPromotions.map((p) => ({ name: p.name, amountFen: p.amountFen })),
    payments: payments.map((p) => ({ method: p.method, label: TENDER_LABELS[p.method], amountFen: p.amountFen })),
    tenderedFen: sale.tenderedFen,
    changeFen: sale.changeFen,
    member: sale.memberId ? { phoneMasked: sale.memberPhoneMasked, pointsEarned: sale.pointsEarned } : null,
    barcode: { symbology: "code128" as const, value: sale.number },
  }
}

export type Receipt = Awaited<ReturnType<typeof receipt>>

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!)

// Grams shown as kilograms with integer arithmetic (1234 g → 1.234kg), like every amount on the receipt.
const qtyText = (qty: number, unit: "piece" | "gram") =>
  unit === "gram" ? `${Math.trunc(qty / 1000)}.${String(qty % 1000).padStart(3, "0")}kg` : `×${qty}`

const row = (left: string, right: string, cls = "") =>
  `<div class="row ${cls}"><span>${esc(left)}</span><span>${esc(right)}</span></div>`

/** Printable HTML: the paper's width (58 or 80 mm) sets the page and the type size. */
export function receiptHtml(r: Receipt, width: 58 | 80): string {
  const printable = width === 58 ? 48 : 72
  const font = width === 58 ? 11 : 12
  const items = r.lines
    .map(
      (l) =>
        `<div class="item"><div>${esc(l.name)}</div>${row(`${formatCny(l.unitPriceFen)} ${qtyText(l.qty, l.unit)}`, formatCny(l.originalFen))}${l.discounts
          .map((d) => row(`  ${d.name}`, `-${formatCny(d.amountFen)}`, "disc"))
          .join("")}</div>`,
    )
    .join("")
  const tenders = r.payments.map((p) => row(p.label, formatCny(p.amountFen))).join("")
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>小票 ${esc(r.number)}</title>
<style>
@page { size: ${width}mm auto; margin: 0 }
body { width: ${printable}mm; margin: 0 auto; padding: 2mm 0; font: ${font}px/1.4 "PingFang SC","Microsoft YaHei",monospace; color: #000 }
h1 { font-size: ${font + 4}px; text-align: center; margin: 0 0 1mm }
.c { text-align: center } .row { display: flex; justify-content: space-between; gap: 2mm }
.disc { color: #333 } .total { font-weight: bold; font-size: ${font + 2}px }
hr { border: 0; border-top: 1px dashed #000; margin: 1.5mm 0 } svg { max-width: 100%; height: auto }
</style></head><body>
<h1>${esc(r.store.name)}</h1>
${r.store.address ? `<div class="c">${esc(r.store.address)}</div>` : ""}
<div>单号：${esc(r.number)}</div>
<div>时间：${esc(r.localTime)}</div>
${r.cashier.name ? `<div>收银员：${esc(r.cashier.name)}</div>` : ""}
<hr>${items}<hr>
${row("商品金额", formatCny(r.subtotalFen))}
${r.promotions.map((p) => row(p.name, `-${formatCny(p.amountFen)}`, "disc")).join("")}
${r.discountFen ? row("优惠合计", `-${formatCny(r.discountFen)}`) : ""}
${r.roundingFen ? row("抹零", formatCny(r.roundingFen)) : ""}
${row("应付", formatCny(r.totalFen), "total")}
<hr>${tenders}
${row("实收", formatCny(r.tenderedFen))}
${row("找零", formatCny(r.changeFen))}
${r.member ? `<hr>${row("会员", r.member.phoneMasked ?? "")}${row("本单积分", String(r.member.pointsEarned))}` : ""}
<hr><div class="c">${code128Svg(r.number, { module: width === 58 ? 1 : 1.4, height: 40 })}</div>
<div class="c">${esc(r.number)}</div>
<div class="c">谢谢惠顾，欢迎再来</div>
</body></html>`
}
