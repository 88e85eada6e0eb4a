import * as z from 'zod/mini';
import { chargeReferenceShape, instantSchema } from './billing-parts';
import { canonicalEnvelope } from './envelope';

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
    // status: the provider's (warning_needs_response, needs_response, under_review, won, lost, …)
    dispute: z.strictObject({ ...chargeReferenceShape, closed: z.boolean(), updatedAt: instantSchema }),
  }),
);
export type DisputeUpdated = z.infer<typeof disputeUpdatedSchema>;
