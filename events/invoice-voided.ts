import * as z from 'zod/mini';
import { billingPartySchema, instantSchema, providerIdSchema } from './billing-parts';
import { canonicalEnvelope } from './envelope';

export const INVOICE_VOIDED = 'invoice.voided';
export const INVOICE_VOIDED_VERSION = 1;

export const invoiceVoidedSchema = canonicalEnvelope(
  INVOICE_VOIDED,
  INVOICE_VOIDED_VERSION,
  z.strictObject({ invoice: z.strictObject({ ...billingPartySchema.shape, id: providerIdSchema, voidedAt: instantSchema }) }),
);
export type InvoiceVoided = z.infer<typeof invoiceVoidedSchema>;
