import * as z from 'zod/mini';
import { canonicalEnvelope, sourceSystemSchema } from './envelope';
import { recordLinksSchema, taxIdSchema } from './links';

export const CUSTOMER_UPSERTED = 'customer.upserted';
export const CUSTOMER_UPSERTED_VERSION = 2;

const nullableText = () => z.nullable(z.string());

const addressSchema = z.strictObject({
  line1: nullableText(),
  line2: nullableText(),
  city: nullableText(),
  postalCode: nullableText(),
  state: nullableText(),
  country: z.nullable(z.string().check(z.length(2), z.describe('ISO 3166-1 alpha-2, upper case'))),
});

/**
 * A customer as the source system now knows it: a full snapshot, never a patch.
 * v2 added `links` and `taxId`; a v1 event is upcast on read (events/upcast.ts).
 */
export const customerSnapshotSchema = z.strictObject({
  system: sourceSystemSchema,
  id: z.string().check(z.minLength(1)),
  name: nullableText(),
  email: nullableText(),
  phone: nullableText(),
  address: z.nullable(addressSchema),
  currency: z.nullable(z.string().check(z.length(3), z.describe('ISO 4217, lower case'))),
  livemode: z.boolean(),
  /** v2: the records of other systems the customer says it is (its metadata), for the one-customer resolution. */
  links: recordLinksSchema,
  /** v2: the customer's VAT / tax id, when the provider holds one. */
  taxId: taxIdSchema,
});
export type CustomerSnapshot = z.infer<typeof customerSnapshotSchema>;

export const customerUpsertedSchema = canonicalEnvelope(
  CUSTOMER_UPSERTED,
  CUSTOMER_UPSERTED_VERSION,
  z.strictObject({ customer: customerSnapshotSchema }),
);
export type CustomerUpserted = z.infer<typeof customerUpsertedSchema>;
