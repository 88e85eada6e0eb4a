import * as z from 'zod/mini';
import { canonicalEnvelope, sourceSystemSchema } from './envelope';

export const CUSTOMER_DELETED = 'customer.deleted';
export const CUSTOMER_DELETED_VERSION = 1;

export const customerDeletedSchema = canonicalEnvelope(
  CUSTOMER_DELETED,
  CUSTOMER_DELETED_VERSION,
  z.strictObject({ customer: z.strictObject({ system: sourceSystemSchema, id: z.string().check(z.minLength(1)) }) }),
);
export type CustomerDeleted = z.infer<typeof customerDeletedSchema>;
