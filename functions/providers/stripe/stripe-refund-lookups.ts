import type { CreditNoteSnapshot, RefundSnapshot } from '../../domain/billing-ledger';
import type { StripeApi, StripeApiObject, StripeCallOptions } from './stripe-api';
import { creditNoteFromStripe, stripeCreditNoteSchema } from './stripe-credit-note-mapping';
import { stripeInvoicePaymentSchema } from './stripe-invoice-payment-mapping';
import { idOf, parseStripeObject } from './stripe-object-mapping';

/**
 * What a refund event does not say and the refund flow must not guess, asked from Stripe: the two refund
 * lookups of `BillingSource` (functions/domain/billing-ledger.ts), which `StripeBillingSource` delegates to.
 * Objects are read on the account `options` names (Connect: the account of the event being applied).
 */

async function collect(iterable: AsyncIterable<StripeApiObject>): Promise<StripeApiObject[]> {
  const objects: StripeApiObject[] = [];
  for await (const object of iterable) objects.push(object);
  return objects;
}

/**
 * The invoice a refund gives money back on: Stripe no longer links refunds or charges to invoices, so the
 * paid invoice payments of the refunded payment intent say it (1 list call:
 * `invoice_payments?payment[type]=payment_intent&payment[payment_intent]=pi_…`).
 * - one invoice → its id;
 * - none → `null`: the payment intent paid no invoice (a one-off payment Odoo never booked);
 * - several invoices (one payment intent can pay several), or a refund of a bare charge (no payment intent, which no invoice payment names) →
 *   `undefined`: Stripe does not say which, the flow retries and dead-letters with the reason; never a guess.
 */
export async function invoiceOfStripeRefund(stripe: StripeApi, refund: RefundSnapshot, options: StripeCallOptions = {}): Promise<string | null | undefined> {
  if (refund.invoiceId !== null) return refund.invoiceId;
  if (refund.paymentIntentId === null) return undefined;
  const payments = await collect(stripe.list('invoice_payment', { payment: { type: 'payment_intent', payment_intent: refund.paymentIntentId } }, options));
  const invoices = new Set(
    payments
      .map((raw) => parseStripeObject(stripeInvoicePaymentSchema, raw, 'invoice payment'))
      .filter((payment) => payment.status === 'paid')
      .map((payment) => idOf(payment.invoice)),
  );
  if (invoices.size === 0) return null;
  return invoices.size === 1 ? [...invoices][0] : undefined;
}

/**
 * The credit note of the invoice that pays this refund out (lists it in `refunds`), mapped as the ingest maps
 * `credit_note.created`; void credit notes do not count. 1 list call: `credit_notes?invoice=in_…`.
 */
export async function creditNoteOfStripeRefund(
  stripe: StripeApi,
  account: string | null,
  refund: RefundSnapshot,
  invoiceId: string,
  observedAt: number,
  options: StripeCallOptions = {},
): Promise<CreditNoteSnapshot | undefined> {
  const creditNotes = await collect(stripe.list('credit_note', { invoice: invoiceId }, options));
  for (const raw of creditNotes) {
    if (raw['status'] === 'void') continue;
    const creditNote = parseStripeObject(stripeCreditNoteSchema, raw, 'credit note');
    const snapshot = creditNoteFromStripe(creditNote, { account, observedAt });
    if (snapshot.refundIds.includes(refund.id)) return snapshot;
  }
  return undefined;
}
