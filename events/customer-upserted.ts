import * as z from 'zod/mini';
import { canonicalEnvelope, sourceSystemSchema } from './envelope';

export const CUSTOMER_UPSERTED = 'customer.upserted';
export const CUSTOMER_UPSERTED_VERSION = 1;

const nullableText = () => z.nullable(z.string());

const addressSchema = z.strictObject({
  line1: nullableText(),
  line2: nullableText(),
  city: nullableText(),
  postalCode: nullableText(),
  state: nullableText(),
  country: z.nullable(z.string().check(z.length(2), z.describe('ISO 3166-1 alpha-2, upper case'))),
});

/** A customer as the source system now knows it: a full snapshot, never a patch. */
export const customerSnapshotSchema = z.strictObject({
  system: sourceSystemSchema,
  id: z.string().check(z.minLength(1)),
  name: nullableText(),
  email: nullableText(),
  phone: nullableText(),
  address: z.nullable(addressSchema),
  currency: z.nullable(z.string().check(z.length(3), z.describe('ISO 4217, lower case'))),
  livemode: z.boolean(),
});
export type CustomerSnapshot = z.infer<typeof customerSnapshotSchema>;

export const customerUpsertedSchema = canonicalEnvelope(
  CUSTOMER_UPSERTED,
  CUSTOMER_UPSERTED_VERSION,
  z.strictObject({ customer: customerSnapshotSchema }),
);
export type CustomerUpserted = z.infer<typeof customerUpsertedSchema>;
