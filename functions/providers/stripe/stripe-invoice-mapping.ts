import * as z from 'zod/mini';
import type { DocumentLine } from '../../../events/billing-parts';
import type { InvoiceSnapshot } from '../../../events/invoice-finalized';
import type { InvoiceUncollectible } from '../../../events/invoice-uncollectible';
import type { InvoiceVoided } from '../../../events/invoice-voided';
import type { PaymentFailed } from '../../../events/payment-failed';
import {
  embeddedListSchema,
  expandableIdSchema,
  idOf,
  isoFromUnix,
  isoOrNull,
  lineTaxesFromStripe,
  stripeAmountSchema,
  stripeCurrencySchema,
  stripeTaxSchema,
  stripeTimestampSchema,
  sumAmounts,
  type StripeOrigin,
} from './stripe-object-mapping';

const amountEntrySchema = z.object({ amount: stripeAmountSchema });
const prorationSchema = z.nullish(z.object({ proration: z.boolean() }));

/** One invoice line (`lines.data[]`), API 2025-03-31 and later: price in `pricing`, origin in `parent`. */
export const stripeInvoiceLineSchema = z.object({
  id: z.string().check(z.minLength(1)),
  /** Quantity × unit price: before discounts, without exclusive taxes, with inclusive ones. */
  amount: stripeAmountSchema,
  description: z.nullish(z.string()),
  discount_amounts: z.nullish(z.array(amountEntrySchema)),
  quantity: z.nullish(z.number().check(z.nonnegative())),
  /** Full-precision quantity (`quantity` truncates it). */
  quantity_decimal: z.nullish(z.string().check(z.regex(/^\d+(\.\d+)?$/))),
  period: z.nullish(z.object({ start: stripeTimestampSchema, end: stripeTimestampSchema })),
  taxes: z.nullish(z.array(stripeTaxSchema)),
  pricing: z.nullish(z.object({ price_details: z.nullish(z.object({ price: expandableIdSchema, product: z.nullish(expandableIdSchema) })) })),
  parent: z.nullish(z.object({ subscription_item_details: prorationSchema, invoice_item_details: prorationSchema })),
});
export type StripeInvoiceLine = z.infer<typeof stripeInvoiceLineSchema>;

const stripeErrorSchema = z.object({
  code: z.nullish(z.string()),
  decline_code: z.nullish(z.string()),
  message: z.nullish(z.string()),
  type: z.nullish(z.string()),
});

/** The fields of a Stripe invoice we rely on. */
export const stripeInvoiceSchema = z.object({
  id: z.string().check(z.minLength(1)),
  object: z.literal('invoice'),
  customer: expandableIdSchema,
  number: z.nullish(z.string()),
  currency: stripeCurrencySchema,
  created: stripeTimestampSchema,
  /** The invoice date: finalization, unless backdated. */
  effective_at: z.nullish(stripeTimestampSchema),
  due_date: z.nullish(stripeTimestampSchema),
  billing_reason: z.nullish(z.string()),
  parent: z.nullish(z.object({ subscription_details: z.nullish(z.object({ subscription: z.nullish(expandableIdSchema) })) })),
  lines: embeddedListSchema(stripeInvoiceLineSchema),
  subtotal: stripeAmountSchema,
  total_discount_amounts: z.nullish(z.array(amountEntrySchema)),
  total_taxes: z.nullish(z.array(stripeTaxSchema)),
  total: stripeAmountSchema,
  amount_paid: stripeAmountSchema,
  amount_remaining: stripeAmountSchema,
  attempt_count: z.int().check(z.nonnegative()),
  next_payment_attempt: z.nullish(stripeTimestampSchema),
  last_finalization_error: z.nullish(stripeErrorSchema),
  /** Only when fetched with `expand[]=payments.data.payment.payment_intent`; webhooks never carry it. */
  payments: z.nullish(
    z.object({
      data: z.array(z.object({ payment: z.object({ payment_intent: z.nullish(z.union([z.string(), z.object({ last_payment_error: z.nullish(stripeErrorSchema) })])) }) })),
    }),
  ),
  status_transitions: z.object({
    finalized_at: z.nullish(stripeTimestampSchema),
    marked_uncollectible_at: z.nullish(stripeTimestampSchema),
    voided_at: z.nullish(stripeTimestampSchema),
  }),
  livemode: z.boolean(),
});
export type StripeInvoice = z.infer<typeof stripeInvoiceSchema>;

function party(invoice: StripeInvoice, origin: StripeOrigin) {
  return { system: 'stripe' as const, account: origin.account, customerId: idOf(invoice.customer) };
}

/** One Stripe invoice line as a canonical document line. Amounts pass through untouched, in minor units. */
export function documentLineFromStripeInvoiceLine(line: StripeInvoiceLine): DocumentLine {
  const parent = line.parent;
  return {
    id: line.id,
    description: line.description ?? null,
    priceId: idOf(line.pricing?.price_details?.price),
    productId: idOf(line.pricing?.price_details?.product),
    // Stripe leaves the quantity empty only on amount-only invoice items, which are one unit.
    quantity: line.quantity_decimal ? Number(line.quantity_decimal) : (line.quantity ?? 1),
    amount: line.amount,
    discountAmount: sumAmounts(line.discount_amounts),
    taxes: lineTaxesFromStripe(line.taxes),
    periodStart: isoOrNull(line.period?.start),
    periodEnd: isoOrNull(line.period?.end),
    proration: parent?.subscription_item_details?.proration ?? parent?.invoice_item_details?.proration ?? false,
  };
}

/**
 * A finalized Stripe invoice as the canonical snapshot Odoo posts. Totals are Stripe's own, never
 * recomputed: the tax total counts inclusive and exclusive taxes alike (`total_taxes`).
 * An invoice carries only its first lines when it has many (`lines.has_more`): the snapshot then has those,
 * marked `linesIncomplete`, and whoever posts it reads the rest (`GET /v1/invoices/{id}/lines`) first — the
 * ingest may not (no lookup that can fail there), the billing flow does (StripeBillingSource.invoiceLines).
 */
export function invoiceSnapshotFromStripe(invoice: StripeInvoice, origin: StripeOrigin): InvoiceSnapshot {
  const lines = invoice.lines.data;
  return {
    ...party(invoice, origin),
    id: invoice.id,
    number: invoice.number ?? null,
    subscriptionId: idOf(invoice.parent?.subscription_details?.subscription),
    currency: invoice.currency,
    issuedAt: isoFromUnix(invoice.effective_at ?? invoice.status_transitions.finalized_at ?? invoice.created),
    dueAt: isoOrNull(invoice.due_date),
    billingReason: invoice.billing_reason ?? null,
    lines: lines.map(documentLineFromStripeInvoiceLine),
    ...(invoice.lines.has_more ? { linesIncomplete: true } : {}),
    subtotal: invoice.subtotal,
    totalDiscount: sumAmounts(invoice.total_discount_amounts),
    totalTax: sumAmounts(invoice.total_taxes),
    total: invoice.total,
    amountPaid: invoice.amount_paid,
    amountRemaining: invoice.amount_remaining,
    livemode: invoice.livemode,
  };
}

export function invoiceVoidedFromStripe(invoice: StripeInvoice, origin: StripeOrigin): InvoiceVoided['data']['invoice'] {
  return { ...party(invoice, origin), id: invoice.id, voidedAt: isoFromUnix(invoice.status_transitions.voided_at ?? origin.observedAt) };
}

export function invoiceUncollectibleFromStripe(invoice: StripeInvoice, origin: StripeOrigin): InvoiceUncollectible['data']['invoice'] {
  return {
    ...party(invoice, origin),
    id: invoice.id,
    amountRemaining: invoice.amount_remaining,
    markedAt: isoFromUnix(invoice.status_transitions.marked_uncollectible_at ?? origin.observedAt),
  };
}

/**
 * A failed collection attempt (`invoice.payment_failed`). `amountDue` is what the customer still owes
 * (`amount_remaining`: the amount due less earlier partial payments). The reason is the payment
 * intent's `last_payment_error` when the invoice was fetched with its payments expanded, else the
 * invoice's `last_finalization_error`, else null: webhooks do not carry the payment intent.
 */
export function paymentFailedFromStripeInvoice(invoice: StripeInvoice, origin: StripeOrigin): PaymentFailed['data']['attempt'] {
  const paymentError = invoice.payments?.data
    .map((entry) => entry.payment.payment_intent)
    .map((intent) => (intent !== null && typeof intent === 'object' ? intent.last_payment_error : null))
    .find((error) => error);
  return {
    ...party(invoice, origin),
    invoiceId: invoice.id,
    amountDue: invoice.amount_remaining,
    currency: invoice.currency,
    attemptCount: invoice.attempt_count,
    failureReason: describeStripeError(paymentError ?? invoice.last_finalization_error),
    nextAttemptAt: isoOrNull(invoice.next_payment_attempt),
  };
}

/** `card_declined/insufficient_funds`: the codes, which say why without personal data; the message when there is no code. */
function describeStripeError(error: z.infer<typeof stripeErrorSchema> | null | undefined): string | null {
  if (!error) return null;
  const codes = [error.code, error.decline_code].filter((part) => part).join('/');
  return codes || error.message || error.type || null;
}
