import * as z from 'zod/mini';
import { accountSnapshotSchema, mergedIdsSchema } from './crm-parts';
import { canonicalEnvelope } from './envelope';

export const ACCOUNT_MERGED = 'account.merged';
export const ACCOUNT_MERGED_VERSION = 2;

/**
 * Two or more companies merged in the CRM: the survivor as it now is (read after the merge: the CRM sends no
 * change of the fields the merge moved) and the ids merged into it, which no longer exist there.
 */
export const accountMergedSchema = canonicalEnvelope(ACCOUNT_MERGED, ACCOUNT_MERGED_VERSION, z.strictObject({ account: accountSnapshotSchema, mergedIds: mergedIdsSchema }));
export type AccountMerged = z.infer<typeof accountMergedSchema>;
