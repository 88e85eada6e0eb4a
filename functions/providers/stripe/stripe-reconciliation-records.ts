import type { ProviderCreditNote, ProviderDispute, ProviderInvoice, ProviderPayment, ProviderRefund } from '../../domain/reconciliation';

/**
 * Raw Stripe objects (API 2026-10-28.endive) → the plain records reconciliation compares. Only the
 * fields reconciliation needs; the full canonical mapping lives with the billing flows. An object that
 * lacks one of them is a `MalformedStripeRecordError`: reconciling on a guess would hide drift.
 */

export class MalformedStripeRecordError extends Error {
  constructor(id: unknown, detail: string) {
    super(`Stripe object ${String(id)}: ${detail}`);
    this.name = 'MalformedStripeRecordError';
  }
}

type Raw = Record<string, unknown>;

/** A field that holds an id, or the expanded object carrying it. */
export function idOf(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'object' && value !== null && typeof (value as Raw).id === 'string') return (value as { id: string }).id;
  return null;
}

function text(raw: Raw, field: string): string {
  const value = raw[field];
  if (typeof value !== 'string' || value === '') throw new MalformedStripeRecordError(raw.id, `${field} is not a string`);
  return value;
}

function minor(raw: Raw, field: string): number {
  const value = raw[field];
  if (!Number.isSafeInteger(value)) throw new MalformedStripeRecordError(raw.id, `${field} is not an integer amount`);
  return value as number;
}

const INVOICE_STATUSES = new Set(['draft', 'open', 'paid', 'void', 'uncollectible']);

export function invoiceRecord(raw: Raw): ProviderInvoice {
  const status = text(raw, 'status');
  if (!INVOICE_STATUSES.has(status)) throw new MalformedStripeRecordError(raw.id, `unknown invoice status ${status}`);
  const customerId = idOf(raw.customer);
  if (!customerId) throw new MalformedStripeRecordError(raw.id, 'customer is missing');
  return {
    id: text(raw, 'id'),
    customerId,
    currency: text(raw, 'currency').toLowerCase(),
    total: minor(raw, 'total'),
    status: status as ProviderInvoice['status'],
  };
}

/**
 * A paid invoice payment → the money received. `undefined` for one not paid (open, canceled): no money
 * moved. Its references: the payment intent or the charge it stands for, whichever the flow used as memo.
 */
export function invoicePaymentRecord(raw: Raw): ProviderPayment | undefined {
  if (raw.status !== 'paid') return undefined;
  const invoiceId = idOf(raw.invoice);
  if (!invoiceId) throw new MalformedStripeRecordError(raw.id, 'invoice is missing');
  const payment = (raw.payment ?? {}) as Raw;
  const references = [idOf(payment.payment_intent), idOf(payment.charge)].filter((reference): reference is string => reference !== null);
  return {
    id: text(raw, 'id'),
    invoiceId,
    amount: minor(raw, 'amount_paid'),
    currency: text(raw, 'currency').toLowerCase(),
    references,
  };
}

/** The payment intent of an invoice payment, when it is paid through one. */
export function paymentIntentOf(raw: Raw): string | null {
  return idOf(((raw.payment ?? {}) as Raw).payment_intent);
}

/** A refund; its invoice comes from the caller (a refund names its charge and payment intent, not the invoice). */
export function refundRecord(raw: Raw, invoiceId: string | null): ProviderRefund {
  return {
    id: text(raw, 'id'),
    invoiceId,
    amount: minor(raw, 'amount'),
    currency: text(raw, 'currency').toLowerCase(),
    status: text(raw, 'status'),
  };
}

/**
 * A credit note: its total and the refunds it pays out (`refunds[].refund`; an older shape names one `refund`).
 * `issued` or `void`, as Stripe has no other credit note status.
 */
export function creditNoteRecord(raw: Raw): ProviderCreditNote {
  const status = text(raw, 'status');
  if (status !== 'issued' && status !== 'void') throw new MalformedStripeRecordError(raw.id, `unknown credit note status ${status}`);
  const invoiceId = idOf(raw.invoice);
  if (!invoiceId) throw new MalformedStripeRecordError(raw.id, 'invoice is missing');
  const listed = Array.isArray(raw.refunds) ? (raw.refunds as Raw[]).map((entry) => idOf(entry?.refund)) : [idOf(raw.refund)];
  return {
    id: text(raw, 'id'),
    invoiceId,
    total: minor(raw, 'total'),
    currency: text(raw, 'currency').toLowerCase(),
    status,
    refundIds: listed.filter((refund): refund is string => refund !== null),
  };
}

/** A dispute: only its amount, currency and whether it was lost (the money taken back) matter to the books. */
export function disputeRecord(raw: Raw): ProviderDispute {
  const status = text(raw, 'status');
  return { id: text(raw, 'id'), amount: minor(raw, 'amount'), currency: text(raw, 'currency').toLowerCase(), status, lost: status === 'lost' };
}
