import * as z from 'zod/mini';
import { billingPartySchema, currencySchema, instantSchema, minorAmountSchema, providerIdSchema } from './billing-parts';
import { canonicalEnvelope } from './envelope';

export const PAYMENT_FAILED = 'payment.failed';
export const PAYMENT_FAILED_VERSION = 1;

/** A failed collection attempt on an invoice: the account is past due until a later success. */
export const paymentFailedSchema = canonicalEnvelope(
  PAYMENT_FAILED,
  PAYMENT_FAILED_VERSION,
  z.strictObject({
    attempt: z.strictObject({
      ...billingPartySchema.shape,
      invoiceId: providerIdSchema,
      amountDue: minorAmountSchema,
      currency: currencySchema,
      attemptCount: z.int().check(z.nonnegative()),
      failureReason: z.nullable(z.string()),
      nextAttemptAt: z.nullable(instantSchema),
    }),
  }),
);
export type PaymentFailed = z.infer<typeof paymentFailedSchema>;
