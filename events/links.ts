import * as z from 'zod/mini';
import { sourceSystemSchema } from './envelope';

/**
 * A record's own statement that it is the same real company as a record of another system: a billing customer's
 * metadata naming its CRM account or Odoo partner, a CRM account's property naming its billing customer. The
 * strongest evidence the one-customer resolution has (functions/domain/customer-resolution.ts): it comes first.
 * `kind` is the other record's kind in the identity map's terms (`customer`, `account`, `res.partner`).
 */
export const recordLinkSchema = z.strictObject({
  system: sourceSystemSchema,
  kind: z.string().check(z.minLength(1)),
  id: z.string().check(z.minLength(1)),
});
export type RecordLink = z.infer<typeof recordLinkSchema>;

export const recordLinksSchema = z.array(recordLinkSchema);

/** A VAT / tax id as the source system holds it (free text: normalized by the resolution, never here). */
export const taxIdSchema = z.nullable(z.string());
