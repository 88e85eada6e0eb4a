import * as z from 'zod/mini';
import {
  billingPartySchema,
  currencySchema,
  documentLineSchema,
  instantSchema,
  minorAmountSchema,
  providerIdSchema,
} from './billing-parts';
import { canonicalEnvelope } from './envelope';

export const INVOICE_FINALIZED = 'invoice.finalized';
export const INVOICE_FINALIZED_VERSION = 1;

/** A finalized provider invoice: the document Odoo posts as a customer invoice, totals to the cent. */
export const invoiceSnapshotSchema = z.strictObject({
  ...billingPartySchema.shape,
  id: providerIdSchema,
  number: z.nullable(z.string()),
  subscriptionId: z.nullable(z.string()),
  currency: currencySchema,
  issuedAt: instantSchema,
  dueAt: z.nullable(instantSchema),
  billingReason: z.nullable(z.string()),
  lines: z.array(documentLineSchema),
  /**
   * True when the provider's payload carried only the first lines (Stripe embeds a handful and says
   * `has_more`): `lines` is then that beginning, and the flow reads the complete list from the provider
   * before posting. Absent or false: `lines` is every line.
   */
  linesIncomplete: z.optional(z.boolean()),
  subtotal: minorAmountSchema,
  totalDiscount: minorAmountSchema,
  totalTax: minorAmountSchema,
  total: minorAmountSchema,
  amountPaid: minorAmountSchema,
  amountRemaining: minorAmountSchema,
  livemode: z.boolean(),
});
export type InvoiceSnapshot = z.infer<typeof invoiceSnapshotSchema>;

export const invoiceFinalizedSchema = canonicalEnvelope(
  INVOICE_FINALIZED,
  INVOICE_FINALIZED_VERSION,
  z.strictObject({ invoice: invoiceSnapshotSchema }),
);
export type InvoiceFinalized = z.infer<typeof invoiceFinalizedSchema>;
