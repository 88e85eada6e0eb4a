import * as z from 'zod/mini';
import { contactSnapshotSchema, mergedIdsSchema } from './crm-parts';
import { canonicalEnvelope } from './envelope';

export const CONTACT_MERGED = 'contact.merged';
export const CONTACT_MERGED_VERSION = 1;

/**
 * Two or more people merged in the CRM: the survivor as it now is (read after the merge: the CRM sends no
 * change of the fields the merge moved) and the ids merged into it, which no longer exist there.
 */
export const contactMergedSchema = canonicalEnvelope(CONTACT_MERGED, CONTACT_MERGED_VERSION, z.strictObject({ contact: contactSnapshotSchema, mergedIds: mergedIdsSchema }));
export type ContactMerged = z.infer<typeof contactMergedSchema>;
