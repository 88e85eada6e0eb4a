import * as z from 'zod/mini';
import type { PaymentSucceeded } from '../../../events/payment-succeeded';
import {
  expandableIdSchema,
  idOf,
  isoFromUnix,
  MalformedStripeObjectError,
  stripeAmountSchema,
  stripeCurrencySchema,
  stripeTimestampSchema,
  type StripeOrigin,
} from './stripe-object-mapping';

/**
 * The fields of a Stripe invoice payment (`inpay_…`) we rely on: one payment (payment intent, charge or
 * payment record) applied to one invoice. An invoice can have several (partial payments).
 */
export const stripeInvoicePaymentSchema = z.object({
  id: z.string().check(z.minLength(1)),
  object: z.literal('invoice_payment'),
  invoice: expandableIdSchema,
  /** Null until the payment is paid; can be less than requested when one payment intent pays several invoices. */
  amount_paid: z.nullable(stripeAmountSchema),
  currency: stripeCurrencySchema,
  status: z.string(),
  created: stripeTimestampSchema,
  status_transitions: z.object({ paid_at: z.nullish(stripeTimestampSchema) }),
});
export type StripeInvoicePayment = z.infer<typeof stripeInvoicePaymentSchema>;

/**
 * A paid Stripe invoice payment as the canonical payment. Its id is the invoice payment id: stable,
 * one per real payment on one invoice, so the Odoo payment it becomes is registered once. The invoice
 * payment does not name the customer (`customerId` null): the Odoo invoice it pays does.
 */
export function paymentFromStripeInvoicePayment(payment: StripeInvoicePayment, origin: StripeOrigin): PaymentSucceeded['data']['payment'] {
  if (payment.status !== 'paid' || payment.amount_paid === null) {
    throw new MalformedStripeObjectError(`invoice payment ${payment.id} is not paid (status ${payment.status})`);
  }
  return {
    system: 'stripe',
    account: origin.account,
    customerId: null,
    id: payment.id,
    invoiceId: idOf(payment.invoice),
    amount: payment.amount_paid,
    currency: payment.currency,
    paidAt: isoFromUnix(payment.status_transitions.paid_at ?? payment.created),
  };
}
