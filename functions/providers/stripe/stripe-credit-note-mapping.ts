import * as z from 'zod/mini';
import type { DocumentLine } from '../../../events/billing-parts';
import type { CreditNoteIssued } from '../../../events/credit-note-issued';
import {
  completeList,
  embeddedListSchema,
  expandableIdSchema,
  idOf,
  isoFromUnix,
  lineTaxesFromStripe,
  stripeAmountSchema,
  stripeCurrencySchema,
  stripeTaxRateSchema,
  stripeTaxSchema,
  stripeTimestampSchema,
  sumAmounts,
  type StripeOrigin,
} from './stripe-object-mapping';

/** One credit note line: `amount` is before discounts and exclusive taxes; the tax rates are embedded. */
export const stripeCreditNoteLineSchema = z.object({
  id: z.string().check(z.minLength(1)),
  amount: stripeAmountSchema,
  description: z.nullish(z.string()),
  discount_amount: stripeAmountSchema,
  quantity: z.nullish(z.number().check(z.nonnegative())),
  taxes: z.nullish(z.array(stripeTaxSchema)),
  tax_rates: z.nullish(z.array(stripeTaxRateSchema)),
});
export type StripeCreditNoteLine = z.infer<typeof stripeCreditNoteLineSchema>;

/** The fields of a Stripe credit note we rely on. */
export const stripeCreditNoteSchema = z.object({
  id: z.string().check(z.minLength(1)),
  object: z.literal('credit_note'),
  number: z.nullish(z.string()),
  invoice: expandableIdSchema,
  customer: expandableIdSchema,
  currency: stripeCurrencySchema,
  reason: z.nullish(z.string()),
  lines: embeddedListSchema(stripeCreditNoteLineSchema),
  subtotal: stripeAmountSchema,
  total_taxes: z.nullish(z.array(stripeTaxSchema)),
  total: stripeAmountSchema,
  /** Refunds paid out with the credit note; an entry for a payment record refund has no refund id. */
  refunds: z.nullish(z.array(z.object({ refund: z.nullish(expandableIdSchema) }))),
  created: stripeTimestampSchema,
  effective_at: z.nullish(stripeTimestampSchema),
});
export type StripeCreditNote = z.infer<typeof stripeCreditNoteSchema>;

export function documentLineFromStripeCreditNoteLine(line: StripeCreditNoteLine): DocumentLine {
  return {
    id: line.id,
    description: line.description ?? null,
    // A credit note line points at the invoice line it credits, not at a price.
    priceId: null,
    productId: null,
    quantity: line.quantity ?? 1,
    amount: line.amount,
    discountAmount: line.discount_amount,
    taxes: lineTaxesFromStripe(line.taxes, line.tax_rates ?? []),
    periodStart: null,
    periodEnd: null,
    proration: false,
  };
}

/** A Stripe credit note as the canonical one (an Odoo out_refund against the invoice). Throws when the line list is cut short. */
export function creditNoteFromStripe(creditNote: StripeCreditNote, origin: StripeOrigin): CreditNoteIssued['data']['creditNote'] {
  const lines = completeList(creditNote.lines, `credit note ${creditNote.id} lines`);
  return {
    system: 'stripe',
    account: origin.account,
    customerId: idOf(creditNote.customer),
    id: creditNote.id,
    number: creditNote.number ?? null,
    invoiceId: idOf(creditNote.invoice),
    currency: creditNote.currency,
    reason: creditNote.reason ?? null,
    lines: lines.map(documentLineFromStripeCreditNoteLine),
    subtotal: creditNote.subtotal,
    totalTax: sumAmounts(creditNote.total_taxes),
    total: creditNote.total,
    refundIds: (creditNote.refunds ?? []).flatMap((entry) => {
      const id = idOf(entry.refund);
      return id === null ? [] : [id];
    }),
    issuedAt: isoFromUnix(creditNote.effective_at ?? creditNote.created),
  };
}
