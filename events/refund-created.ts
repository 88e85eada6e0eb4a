import * as z from 'zod/mini';
import { chargeReferenceShape, instantSchema } from './billing-parts';
import { canonicalEnvelope } from './envelope';

export const REFUND_CREATED = 'refund.created';
export const REFUND_CREATED_VERSION = 1;

/**
 * Money given back. The invoice is the one the refunded payment paid; null when the ingest could not
 * tell (the flow then resolves it from the provider, never guesses).
 */
export const refundDataSchema = z.strictObject({
  refund: z.strictObject({ ...chargeReferenceShape, createdAt: instantSchema }),
});

export const refundCreatedSchema = canonicalEnvelope(REFUND_CREATED, REFUND_CREATED_VERSION, refundDataSchema);
export type RefundCreated = z.infer<typeof refundCreatedSchema>;
