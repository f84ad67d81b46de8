import { formatCny } from "../../../core/money"

export const Money = ({ fen, testId, class: className }: { fen: number; testId?: string; class?: string }) => (
  <span class={`money ${className ?? ""}`} data-testid={testId} data-fen={fen}>
    {formatCny(fen)}
  </span>
)

/** 1500 g → "1.5 kg"; 350 g → "350 g". */
export const formatQty = (qty: number, unit: "piece" | "gram") =>
  unit === "gram" ? (qty >= 1000 ? `${(qty / 1000).toFixed(3).replace(/\.?0+$/, "")} kg` : `${qty} g`) : `× ${qty}`
