import * as z from 'zod/mini';
import type { RefundCreated } from '../../../events/refund-created';
import {
  completeList,
  embeddedListSchema,
  expandableIdSchema,
  idOf,
  isoFromUnix,
  stripeAmountSchema,
  stripeCurrencySchema,
  stripeTimestampSchema,
  type StripeOrigin,
} from './stripe-object-mapping';

/** The fields of a Stripe refund we rely on. */
export const stripeRefundSchema = z.object({
  id: z.string().check(z.minLength(1)),
  object: z.literal('refund'),
  amount: stripeAmountSchema,
  currency: stripeCurrencySchema,
  charge: z.nullish(expandableIdSchema),
  payment_intent: z.nullish(expandableIdSchema),
  customer: z.nullish(expandableIdSchema),
  reason: z.nullish(z.string()),
  status: z.nullish(z.string()),
  created: stripeTimestampSchema,
});
export type StripeRefund = z.infer<typeof stripeRefundSchema>;

/**
 * The fields of a Stripe charge we rely on (`charge.refunded`): its refunds. Since API 2022-11-15 a
 * charge does not embed `refunds` unless expanded, so the list is often absent; `refund.created`
 * carries every refund anyway.
 */
export const stripeChargeRefundsSchema = z.object({
  id: z.string().check(z.minLength(1)),
  object: z.literal('charge'),
  refunds: z.nullish(embeddedListSchema(stripeRefundSchema)),
});
export type StripeChargeRefunds = z.infer<typeof stripeChargeRefundsSchema>;

export type RefundSnapshot = RefundCreated['data']['refund'];

/**
 * A Stripe refund as the canonical refund. Stripe no longer links charges or refunds to invoices
 * (API 2025-03-31), so `invoiceId` is null: the flow resolves it through the invoice payments of
 * the charge's payment intent. Built from the refund alone, so `refund.created` and `charge.refunded`
 * describe the same refund the same way.
 */
export function refundSnapshotFromStripe(refund: StripeRefund, origin: StripeOrigin): RefundSnapshot {
  return {
    system: 'stripe',
    account: origin.account,
    id: refund.id,
    chargeId: idOf(refund.charge),
    paymentIntentId: idOf(refund.payment_intent),
    invoiceId: null,
    customerId: idOf(refund.customer),
    amount: refund.amount,
    currency: refund.currency,
    reason: refund.reason ?? null,
    status: refund.status ?? 'unknown',
    createdAt: isoFromUnix(refund.created),
  };
}

/** The refunds a charge embeds (none when the payload leaves the list out). Throws when the list is cut short. */
export function refundSnapshotsFromStripeCharge(charge: StripeChargeRefunds, origin: StripeOrigin): RefundSnapshot[] {
  if (!charge.refunds) return [];
  return completeList(charge.refunds, `charge ${charge.id} refunds`).map((refund) => refundSnapshotFromStripe(refund, origin));
}
