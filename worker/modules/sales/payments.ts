// Customer-code payments (付款码) go through a PaymentGateway. A real gateway (WeChat micropay,
// Alipay barcode pay) answers "pending" while the shopper confirms on the phone: the sale asks
// `query` again a few times, and reverses (撤销) a payment whose result never comes, so no money
// is left taken for a sale that didn't happen. Every call is keyed by our payment id (the
// gateway's out_trade_no) or refund id, so asking twice is harmless. The first gateway records a
// confirmation made on the store's own terminal. Offline, customer codes are impossible: a synced
// sale that carries one is refused.

export type CodeMethod = "wechat" | "alipay"

/** A tender paid by the customer's code through the gateway: the one kind whose outcome takes time. */
export const isCodePayment = (p: { method: string; withAuthCode: boolean }) =>
  p.withAuthCode && (p.method === "wechat" || p.method === "alipay")

export type PayRequest = { paymentId: string; saleId: string; method: CodeMethod; amountFen: number; authCode: string }

export type PayOutcome =
  | { status: "paid"; providerRef: string }
  | { status: "pending"; providerRef: string | null }
  | { status: "failed"; reason: string }

export interface PaymentGateway {
  readonly name: string
  pay(req: PayRequest): Promise<PayOutcome>
  query(paymentId: string): Promise<PayOutcome>
  /** 撤销: cancels a payment whatever its state (a paid one is given back). */
  reverse(paymentId: string): Promise<void>
  /** Gives back part or all of a paid payment; `refundId` makes a retry harmless. */
  refund(req: { paymentId: string; refundId: string; amountFen: number }): Promise<void>
}

/**
 * The store's own terminal: the cashier confirmed the payment there before sending the sale, so pay
 * answers paid at once. It keeps no record: asked later (a repair after a crash) it knows nothing,
 * and only the sale intent's own record of the confirmation counts.
 */
export const manualGateway: PaymentGateway = {
  name: "manual",
  pay: async (req) => ({ status: "paid", providerRef: `manual:${req.paymentId}` }),
  query: async () => ({ status: "failed", reason: "no_record" }),
  reverse: async () => {},
  refund: async () => {},
}

export type Settled = { status: "paid"; providerRef: string } | { status: "failed"; reason: string }

/** Pay, then ask again while pending (up to `queries` times); a result that never comes is reversed. */
export async function settleCodePayment(
  gateway: PaymentGateway,
  req: PayRequest,
  opts: { queries?: number; wait?: (attempt: number) => Promise<void> } = {},
): Promise<Settled> {
  const queries = opts.queries ?? 5
  const wait = opts.wait ?? ((n: number) => new Promise<void>((r) => setTimeout(r, 500 * n)))
  let outcome = await gateway.pay(req)
  for (let n = 1; outcome.status === "pending" && n <= queries; n++) {
    await wait(n)
    outcome = await gateway.query(req.paymentId)
  }
  if (outcome.status === "pending") {
    await gateway.reverse(req.paymentId)
    return { status: "failed", reason: "no_result" }
  }
  return outcome
}
