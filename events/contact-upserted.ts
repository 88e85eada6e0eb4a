import * as z from 'zod/mini';
import { contactSnapshotSchema } from './crm-parts';
import { canonicalEnvelope } from './envelope';

export const CONTACT_UPSERTED = 'contact.upserted';
export const CONTACT_UPSERTED_VERSION = 1;

/** A person as the CRM now holds it, with its account links. */
export const contactUpsertedSchema = canonicalEnvelope(CONTACT_UPSERTED, CONTACT_UPSERTED_VERSION, z.strictObject({ contact: contactSnapshotSchema }));
export type ContactUpserted = z.infer<typeof contactUpsertedSchema>;
