import * as z from 'zod/mini';
import { billingPartySchema, currencySchema, instantSchema, minorAmountSchema, providerIdSchema } from './billing-parts';
import { canonicalEnvelope } from './envelope';

export const PAYMENT_SUCCEEDED = 'payment.succeeded';
export const PAYMENT_SUCCEEDED_VERSION = 1;

/**
 * Money received against one invoice. `id` identifies this payment at the provider (the invoice payment,
 * or the charge) and becomes the Odoo payment's memo, so a payment is registered once.
 */
export const paymentSucceededSchema = canonicalEnvelope(
  PAYMENT_SUCCEEDED,
  PAYMENT_SUCCEEDED_VERSION,
  z.strictObject({
    payment: z.strictObject({
      ...billingPartySchema.shape,
      id: providerIdSchema,
      invoiceId: providerIdSchema,
      amount: minorAmountSchema,
      currency: currencySchema,
      paidAt: instantSchema,
    }),
  }),
);
export type PaymentSucceeded = z.infer<typeof paymentSucceededSchema>;
