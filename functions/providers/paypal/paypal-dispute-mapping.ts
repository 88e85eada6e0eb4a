import * as z from 'zod/mini';
import type { DisputeUpdated } from '../../../events/dispute-updated';
import { isoTime, MalformedPaypalObjectError, moneyOf, paypalLinksSchema, paypalMoneySchema } from './paypal-object-mapping';

/** A dispute (`CUSTOMER.DISPUTE.*`, `GET /v1/customer/disputes/{id}`). */
export const paypalDisputeSchema = z.object({
  dispute_id: z.string().check(z.minLength(1)),
  create_time: z.optional(z.string()),
  update_time: z.optional(z.string()),
  reason: z.optional(z.string()),
  status: z.string(),
  dispute_amount: paypalMoneySchema,
  dispute_outcome: z.optional(z.object({ outcome_code: z.optional(z.string()) })),
  dispute_life_cycle_stage: z.optional(z.string()),
  disputed_transactions: z.optional(z.array(z.object({ seller_transaction_id: z.optional(z.string()) }))),
  links: paypalLinksSchema,
});
export type PaypalDispute = z.infer<typeof paypalDisputeSchema>;

/**
 * PayPal's outcome codes (`dispute_outcome.outcome_code`) in the canonical words: a dispute decided for the buyer
 * took the money back (`lost`, as a lost chargeback at any provider); decided for the seller, cancelled by the buyer
 * or denied, the payment stands (`won`). A code not listed here is refused (the event goes to the rejected-events
 * queue) rather than guessed: the money of a dispute is never booked on a word we do not know.
 */
const OUTCOMES: Readonly<Record<string, 'won' | 'lost'>> = {
  RESOLVED_BUYER_FAVOUR: 'lost',
  RESOLVED_SELLER_FAVOUR: 'won',
  // The seller accepted the claim: the buyer is refunded.
  ACCEPTED: 'lost',
  // PayPal paid the buyer out of its own pocket: the seller keeps the payment.
  RESOLVED_WITH_PAYOUT: 'won',
  CANCELED_BY_BUYER: 'won',
  DENIED: 'won',
};

/**
 * A PayPal dispute as the canonical snapshot: flagged while open; resolved, its canonical `outcome` (OUTCOMES) is
 * what the dispute flow books, as for every provider — decided for the buyer, the payment is taken back: a credit
 * note of the disputed amount on its invoice and the chargeback's outbound payment; otherwise the flag clears. The
 * dispute is where PayPal says a payment was taken back and why (a chargeback is a dispute too, of channel
 * EXTERNAL), so `PAYMENT.CAPTURE.REVERSED`, the same money seen from the balance, books nothing
 * (paypal-event-to-canonical.ts): the money is counted once. `status` keeps PayPal's word (`resolved_buyer_favour`).
 *
 * The disputed payment is the seller transaction (a capture or a sale), whose id is also its invoice's id
 * (paypal-payment-mapping.ts): the invoice is known without a lookup. A dispute of several transactions is
 * attached to the first (PayPal opens one per transaction for the flows we book).
 */
export function disputeSnapshotFromPaypal(dispute: PaypalDispute, options: { resolved?: boolean } = {}): DisputeUpdated['data']['dispute'] {
  const what = `dispute ${dispute.dispute_id}`;
  const transactionId = dispute.disputed_transactions?.find((transaction) => transaction.seller_transaction_id)?.seller_transaction_id ?? null;
  const { amount, currency } = moneyOf(dispute.dispute_amount, `${what} amount`);
  const resolved = options.resolved === true || dispute.status.toUpperCase() === 'RESOLVED';
  const outcomeCode = dispute.dispute_outcome?.outcome_code?.toUpperCase();
  if (resolved && outcomeCode === undefined) throw new MalformedPaypalObjectError(`${what} is resolved without an outcome`);
  const outcome = outcomeCode === undefined ? undefined : OUTCOMES[outcomeCode];
  if (resolved && outcome === undefined) throw new MalformedPaypalObjectError(`${what} is resolved with outcome ${outcomeCode}, which no mapping knows`);
  const status = outcomeCode?.toLowerCase();
  return {
    system: 'paypal',
    account: null,
    id: dispute.dispute_id,
    chargeId: transactionId,
    paymentIntentId: null,
    invoiceId: transactionId,
    customerId: null,
    amount,
    currency,
    reason: dispute.reason?.toLowerCase() ?? null,
    status: resolved && status !== undefined ? (status.startsWith('resolved_') ? status : `resolved_${status}`) : dispute.status.toLowerCase(),
    closed: resolved,
    ...(resolved ? { outcome } : {}),
    updatedAt: isoTime(what, dispute.update_time, dispute.create_time),
  };
}
