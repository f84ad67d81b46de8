// Customer-code payments (付款码: the shopper shows a WeChat/Alipay code, the till scans it). The
// order service speaks to a PaymentProvider only; the first one records a manual confirmation. A
// real gateway (WeChat micropay, Alipay barcode pay) may answer "pending" while the shopper confirms
// on the phone: the order then waits in "payment_pending" and the repair job asks `query` again.
// Every call is keyed by our payment id (the gateway's out_trade_no), so asking twice is harmless.

export type CodeMethod = "wechat" | "alipay"

export type ChargeRequest = {
  paymentId: string
  orderId: string
  method: CodeMethod
  amountFen: number
  authCode: string
}

export type ChargeOutcome =
  | { status: "confirmed"; providerRef: string }
  | { status: "pending"; providerRef: string | null }
  | { status: "declined"; reason: string }

export interface PaymentProvider {
  readonly name: string
  /** Takes the money (or starts to). Called once per payment id; a retry with the same id must not charge twice. */
  charge(req: ChargeRequest): Promise<ChargeOutcome>
  /** The current outcome of an earlier charge (for "pending" ones). */
  query(paymentId: string): Promise<ChargeOutcome>
  /** Gives a confirmed payment back (an order that could not be fulfilled). */
  refund(paymentId: string, amountFen: number): Promise<void>
}

/**
 * The cashier confirmed the payment on the store's own terminal: recorded as confirmed at once.
 * Nothing leaves the Worker, so refunds are a note for the cashier (the payment row says "refunded").
 */
export const manualProvider: PaymentProvider = {
  name: "manual",
  charge: async (req) => ({ status: "confirmed", providerRef: `manual:${req.paymentId}` }),
  query: async (paymentId) => ({ status: "confirmed", providerRef: `manual:${paymentId}` }),
  refund: async () => {},
}
