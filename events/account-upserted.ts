import * as z from 'zod/mini';
import { accountSnapshotSchema } from './crm-parts';
import { canonicalEnvelope } from './envelope';

export const ACCOUNT_UPSERTED = 'account.upserted';
export const ACCOUNT_UPSERTED_VERSION = 2;

/** A company as the CRM now holds it (created, changed, linked or restored). */
export const accountUpsertedSchema = canonicalEnvelope(ACCOUNT_UPSERTED, ACCOUNT_UPSERTED_VERSION, z.strictObject({ account: accountSnapshotSchema }));
export type AccountUpserted = z.infer<typeof accountUpsertedSchema>;
