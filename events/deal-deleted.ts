import * as z from 'zod/mini';
import { crmRecordRefSchema } from './crm-parts';
import { canonicalEnvelope } from './envelope';

export const DEAL_DELETED = 'deal.deleted';
export const DEAL_DELETED_VERSION = 1;

/** A deal deleted in the CRM. */
export const dealDeletedSchema = canonicalEnvelope(DEAL_DELETED, DEAL_DELETED_VERSION, z.strictObject({ deal: crmRecordRefSchema }));
export type DealDeleted = z.infer<typeof dealDeletedSchema>;
