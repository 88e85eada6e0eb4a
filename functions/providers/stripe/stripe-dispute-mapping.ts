import * as z from 'zod/mini';
import type { DisputeUpdated } from '../../../events/dispute-updated';
import { expandableIdSchema, idOf, isoFromUnix, stripeAmountSchema, stripeCurrencySchema, type StripeOrigin } from './stripe-object-mapping';

/** Statuses after which a dispute does not change any more (money kept, returned, or never taken). */
export const CLOSED_DISPUTE_STATUSES: ReadonlySet<string> = new Set(['won', 'lost', 'warning_closed', 'prevented']);

/** The fields of a Stripe dispute we rely on. */
export const stripeDisputeSchema = z.object({
  id: z.string().check(z.minLength(1)),
  object: z.literal('dispute'),
  amount: stripeAmountSchema,
  currency: stripeCurrencySchema,
  charge: expandableIdSchema,
  payment_intent: z.nullish(expandableIdSchema),
  reason: z.nullish(z.string()),
  status: z.string().check(z.minLength(1)),
});
export type StripeDispute = z.infer<typeof stripeDisputeSchema>;

/**
 * A Stripe dispute as the canonical snapshot. A dispute names neither the invoice nor the customer:
 * both are null and the flow resolves them from the charge. `updatedAt` is when the change was
 * observed (a dispute has no update timestamp of its own).
 */
export function disputeSnapshotFromStripe(dispute: StripeDispute, origin: StripeOrigin): DisputeUpdated['data']['dispute'] {
  return {
    system: 'stripe',
    account: origin.account,
    id: dispute.id,
    chargeId: idOf(dispute.charge),
    paymentIntentId: idOf(dispute.payment_intent),
    invoiceId: null,
    customerId: null,
    amount: dispute.amount,
    currency: dispute.currency,
    reason: dispute.reason ?? null,
    status: dispute.status,
    closed: CLOSED_DISPUTE_STATUSES.has(dispute.status),
    // Only `lost` takes the money back: won, a closed inquiry (warning_closed) or a prevented dispute leave it.
    ...(CLOSED_DISPUTE_STATUSES.has(dispute.status) ? { outcome: dispute.status === 'lost' ? ('lost' as const) : ('won' as const) } : {}),
    updatedAt: isoFromUnix(origin.observedAt),
  };
}
