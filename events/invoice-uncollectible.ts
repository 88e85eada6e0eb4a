import * as z from 'zod/mini';
import { billingPartySchema, instantSchema, minorAmountSchema, providerIdSchema } from './billing-parts';
import { canonicalEnvelope } from './envelope';

export const INVOICE_UNCOLLECTIBLE = 'invoice.uncollectible';
export const INVOICE_UNCOLLECTIBLE_VERSION = 1;

export const invoiceUncollectibleSchema = canonicalEnvelope(
  INVOICE_UNCOLLECTIBLE,
  INVOICE_UNCOLLECTIBLE_VERSION,
  z.strictObject({
    invoice: z.strictObject({ ...billingPartySchema.shape, id: providerIdSchema, amountRemaining: minorAmountSchema, markedAt: instantSchema }),
  }),
);
export type InvoiceUncollectible = z.infer<typeof invoiceUncollectibleSchema>;
