import * as z from 'zod/mini';
import { currencySchema, instantSchema, minorAmountSchema, providerIdSchema } from './billing-parts';
import { canonicalEnvelope, sourceSystemSchema } from './envelope';

export const REFUND_CREATED = 'refund.created';
export const REFUND_CREATED_VERSION = 1;

/**
 * Money given back. The invoice is the one the refunded payment paid; null when the ingest could not
 * tell (the flow then resolves it from the provider, never guesses).
 */
export const refundCreatedSchema = canonicalEnvelope(
  REFUND_CREATED,
  REFUND_CREATED_VERSION,
  z.strictObject({
    refund: z.strictObject({
      system: sourceSystemSchema,
      account: z.nullable(z.string()),
      id: providerIdSchema,
      chargeId: z.nullable(z.string()),
      paymentIntentId: z.nullable(z.string()),
      invoiceId: z.nullable(z.string()),
      customerId: z.nullable(z.string()),
      amount: minorAmountSchema,
      currency: currencySchema,
      reason: z.nullable(z.string()),
      status: z.string(),
      createdAt: instantSchema,
    }),
  }),
);
export type RefundCreated = z.infer<typeof refundCreatedSchema>;
