import * as z from 'zod/mini';
import { currencySchema, instantSchema, minorAmountSchema, providerIdSchema } from './billing-parts';
import { canonicalEnvelope, sourceSystemSchema } from './envelope';

export const DISPUTE_UPDATED = 'dispute.updated';
export const DISPUTE_UPDATED_VERSION = 1;

/**
 * A payment dispute (chargeback) opened or closed: the account is flagged while it is open; a lost
 * dispute reverses the payment. One type for both, so the watermark orders open and close.
 */
export const disputeUpdatedSchema = canonicalEnvelope(
  DISPUTE_UPDATED,
  DISPUTE_UPDATED_VERSION,
  z.strictObject({
    dispute: z.strictObject({
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
      /** Provider status: warning_needs_response, needs_response, under_review, won, lost, … */
      status: z.string(),
      closed: z.boolean(),
      updatedAt: instantSchema,
    }),
  }),
);
export type DisputeUpdated = z.infer<typeof disputeUpdatedSchema>;
