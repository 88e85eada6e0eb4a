import type * as z from 'zod/mini';
import { canonicalEnvelope } from './envelope';
import { refundDataSchema } from './refund-created';

export const REFUND_UPDATED = 'refund.updated';
export const REFUND_UPDATED_VERSION = 1;

/**
 * A refund whose status changed after it was created: above all one that failed or was canceled after Odoo
 * booked it (the money never left: its outbound payment is reversed), or a pending one that went through. The
 * refund as it is now, with the same fields as `refund.created`.
 */
export const refundUpdatedSchema = canonicalEnvelope(REFUND_UPDATED, REFUND_UPDATED_VERSION, refundDataSchema);
export type RefundUpdated = z.infer<typeof refundUpdatedSchema>;
