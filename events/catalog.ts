import * as z from 'zod/mini';
import { CUSTOMER_DELETED, CUSTOMER_DELETED_VERSION, customerDeletedSchema } from './customer-deleted';
import { CUSTOMER_UPSERTED, CUSTOMER_UPSERTED_VERSION, customerUpsertedSchema } from './customer-upserted';

/**
 * Every canonical event type with its current version and schema. A breaking change adds a new
 * version here and keeps the old schema readable.
 */
export const EVENT_CATALOG = [
  { type: CUSTOMER_UPSERTED, version: CUSTOMER_UPSERTED_VERSION, schema: customerUpsertedSchema },
  { type: CUSTOMER_DELETED, version: CUSTOMER_DELETED_VERSION, schema: customerDeletedSchema },
] as const;

export type CanonicalEventType = (typeof EVENT_CATALOG)[number]['type'];

export const canonicalEventSchema = z.discriminatedUnion('type', [customerUpsertedSchema, customerDeletedSchema]);
export type CanonicalEvent = z.infer<typeof canonicalEventSchema>;
