import * as z from 'zod/mini';
import { currencySchema, instantSchema, minorAmountSchema, providerIdSchema } from './billing-parts';
import { canonicalEnvelope, sourceSystemSchema } from './envelope';

export const PAYMENT_SUCCEEDED = 'payment.succeeded';
export const PAYMENT_SUCCEEDED_VERSION = 1;

/**
 * Money received against one invoice. `id` identifies this payment at the provider (the invoice payment,
 * or the charge) and becomes the Odoo payment's memo, so a payment is registered once. `customerId` is
 * null when the provider's payment object does not name the customer (a Stripe invoice payment does
 * not): the payment lands on the invoice, whose partner Odoo already knows.
 */
export const paymentSucceededSchema = canonicalEnvelope(
  PAYMENT_SUCCEEDED,
  PAYMENT_SUCCEEDED_VERSION,
  z.strictObject({
    payment: z.strictObject({
      system: sourceSystemSchema,
      account: z.nullable(z.string()),
      customerId: z.nullable(providerIdSchema),
      id: providerIdSchema,
      invoiceId: providerIdSchema,
      amount: minorAmountSchema,
      currency: currencySchema,
      paidAt: instantSchema,
    }),
  }),
);
export type PaymentSucceeded = z.infer<typeof paymentSucceededSchema>;
