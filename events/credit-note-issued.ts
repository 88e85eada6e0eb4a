import * as z from 'zod/mini';
import { billingPartySchema, currencySchema, documentLineSchema, instantSchema, minorAmountSchema, providerIdSchema } from './billing-parts';
import { canonicalEnvelope } from './envelope';

export const CREDIT_NOTE_ISSUED = 'credit_note.issued';
export const CREDIT_NOTE_ISSUED_VERSION = 1;

/** A credit note against an invoice: an Odoo credit note (out_refund) with the same lines and totals. */
export const creditNoteIssuedSchema = canonicalEnvelope(
  CREDIT_NOTE_ISSUED,
  CREDIT_NOTE_ISSUED_VERSION,
  z.strictObject({
    creditNote: z.strictObject({
      ...billingPartySchema.shape,
      id: providerIdSchema,
      number: z.nullable(z.string()),
      invoiceId: providerIdSchema,
      currency: currencySchema,
      reason: z.nullable(z.string()),
      lines: z.array(documentLineSchema),
      subtotal: minorAmountSchema,
      totalTax: minorAmountSchema,
      total: minorAmountSchema,
      /** Refunds paid out with this credit note; their money movement comes as refund.created. */
      refundIds: z.array(z.string()),
      issuedAt: instantSchema,
    }),
  }),
);
export type CreditNoteIssued = z.infer<typeof creditNoteIssuedSchema>;
