import * as z from 'zod/mini';
import { chargeReferenceShape, instantSchema } from './billing-parts';
import { canonicalEnvelope } from './envelope';

export const DISPUTE_UPDATED = 'dispute.updated';
export const DISPUTE_UPDATED_VERSION = 1;

/**
 * What a closed dispute did to the money, in words every provider's mapping can say: `lost`, the payment was
 * taken back from the merchant (a chargeback lost, a claim decided for the buyer); `won`, it stands (won, a
 * claim withdrawn, an inquiry closed). Absent while the dispute is open. The provider's own word stays `status`.
 */
export const disputeOutcomeSchema = z.enum(['won', 'lost']);
export type DisputeOutcomeValue = z.infer<typeof disputeOutcomeSchema>;

/**
 * A payment dispute (chargeback) opened or closed: the account is flagged while it is open; a lost
 * dispute reverses the payment. One type for both, so the watermark orders open and close.
 */
export const disputeUpdatedSchema = canonicalEnvelope(
  DISPUTE_UPDATED,
  DISPUTE_UPDATED_VERSION,
  z.strictObject({
    // status: the provider's (warning_needs_response, needs_response, under_review, won, lost, …)
    // outcome: optional so that events archived before it existed still parse (a closed one without it is
    // lost exactly when its status is `lost`, as they were booked then).
    dispute: z.strictObject({ ...chargeReferenceShape, closed: z.boolean(), outcome: z.optional(disputeOutcomeSchema), updatedAt: instantSchema }),
  }),
);
export type DisputeUpdated = z.infer<typeof disputeUpdatedSchema>;
