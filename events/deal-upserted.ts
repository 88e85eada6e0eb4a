import * as z from 'zod/mini';
import { dealSnapshotSchema } from './crm-parts';
import { canonicalEnvelope } from './envelope';

export const DEAL_UPSERTED = 'deal.upserted';
export const DEAL_UPSERTED_VERSION = 1;

/** A deal as the CRM now holds it: amount, stage, outcome, account and lines. */
export const dealUpsertedSchema = canonicalEnvelope(DEAL_UPSERTED, DEAL_UPSERTED_VERSION, z.strictObject({ deal: dealSnapshotSchema }));
export type DealUpserted = z.infer<typeof dealUpsertedSchema>;
