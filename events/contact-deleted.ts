import * as z from 'zod/mini';
import { crmRecordRefSchema } from './crm-parts';
import { canonicalEnvelope } from './envelope';

export const CONTACT_DELETED = 'contact.deleted';
export const CONTACT_DELETED_VERSION = 1;

/** A person deleted in the CRM (a merge deletes the merged-away records too). */
export const contactDeletedSchema = canonicalEnvelope(CONTACT_DELETED, CONTACT_DELETED_VERSION, z.strictObject({ contact: crmRecordRefSchema }));
export type ContactDeleted = z.infer<typeof contactDeletedSchema>;
