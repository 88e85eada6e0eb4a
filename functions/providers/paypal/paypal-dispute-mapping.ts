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
 * A PayPal dispute as the canonical snapshot: the account's standing (flagged while open, cleared when resolved),
 * never money. PayPal moves the money of a dispute in payment events of its own — `PAYMENT.CAPTURE.REVERSED` for a
 * chargeback, a refund when the claim is accepted or decided for the buyer — which the ingest books as refunds; a
 * dispute that also booked a credit note when lost would take the money back twice. So a resolved dispute's
 * status is PayPal's outcome (`resolved_buyer_favour`, `resolved_seller_favour`; other outcomes prefixed
 * `resolved_`: `resolved_canceled_by_buyer`), never the canonical `lost` that makes the dispute flow credit the invoice.
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
  const outcome = dispute.dispute_outcome?.outcome_code?.toLowerCase();
  if (resolved && outcome === undefined && options.resolved !== true) throw new MalformedPaypalObjectError(`${what} is resolved without an outcome`);
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
    status: resolved ? (outcome?.startsWith('resolved_') ? outcome : `resolved_${outcome ?? 'unknown'}`) : dispute.status.toLowerCase(),
    closed: resolved,
    updatedAt: isoTime(what, dispute.update_time, dispute.create_time),
  };
}
