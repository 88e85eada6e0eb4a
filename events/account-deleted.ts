import * as z from 'zod/mini';
import { crmRecordRefSchema } from './crm-parts';
import { canonicalEnvelope } from './envelope';

export const ACCOUNT_DELETED = 'account.deleted';
export const ACCOUNT_DELETED_VERSION = 1;

/** A company deleted in the CRM (a merge deletes the merged-away records too). */
export const accountDeletedSchema = canonicalEnvelope(ACCOUNT_DELETED, ACCOUNT_DELETED_VERSION, z.strictObject({ account: crmRecordRefSchema }));
export type AccountDeleted = z.infer<typeof accountDeletedSchema>;
