import type { StripeApi, StripeApiObject, StripeResource } from './stripe-api';
import type { DocumentType, ProviderCreditNote, ProviderDispute, ProviderInvoice, ProviderPayment, ProviderRefund } from '../../domain/reconciliation';
import type { Period, ProviderInOdoo, ProviderLister } from '../../reconcile/reconcile-period';
import { stripeCurrencyExponent } from './stripe-currencies';
import { creditNoteRecord, disputeRecord, idOf, invoicePaymentRecord, invoiceRecord, paymentIntentOf, refundRecord } from './stripe-reconciliation-records';

/** Which Stripe resource an id of ours names, by its prefix. */
const RESOURCE_OF_PREFIX: Record<string, StripeResource> = {
  in: 'invoice',
  inpay: 'invoice_payment',
  pi: 'payment_intent',
  ch: 'charge',
  py: 'charge',
  re: 'refund',
  pyr: 'refund',
  cn: 'credit_note',
  dp: 'dispute',
  du: 'dispute',
};

/** The period as Stripe's `created` range: Unix seconds, both ends included. */
export function createdRange(period: Period): { gte: number; lte: number } {
  return { gte: Date.parse(`${period.from}T00:00:00Z`) / 1000, lte: Date.parse(`${period.to}T00:00:00Z`) / 1000 + 86_399 };
}

/**
 * Stripe ids as the flows write them into Odoo: an invoice `in_…` (`ref`), a payment as its invoice payment
 * `inpay_…`, payment intent `pi_…` or charge `ch_…` / `py_…` (memo), a refund `re_…` / `pyr_…`, a credit note `cn_…`,
 * a dispute `dp_…` / `du_…`. The `=like` patterns find them among the period's documents; Odoo's `_` is a
 * one-character wildcard, so they over-match a little (`inv…`) and `ours` keeps the exact ones.
 */
export const STRIPE_IN_ODOO: ProviderInOdoo = {
  ours: {
    invoice: /^in_[A-Za-z0-9]+$/,
    payment: /^(inpay|pi|ch|py)_[A-Za-z0-9]+$/,
    refund: /^(re|pyr)_[A-Za-z0-9]+$/,
    credit_note: /^cn_[A-Za-z0-9]+$/,
    dispute: /^(dp|du)_[A-Za-z0-9]+$/,
  },
  moveReferencePatterns: ['in_%', 're_%', 'pyr_%', 'cn_%'],
  paymentMemoPatterns: ['inpay_%', 'pi_%', 'ch_%', 'py_%', 're_%', 'pyr_%', 'dp_%', 'du_%'],
  currencyExponent: stripeCurrencyExponent,
};

/** Provider look-ups in flight at once (Stripe allows ~100 reads/s; a reconciliation is not in a hurry). */
const LOOKUP_CONCURRENCY = 4;

async function mapConcurrently<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function collect(iterable: AsyncIterable<StripeApiObject>): Promise<StripeApiObject[]> {
  const objects: StripeApiObject[] = [];
  for await (const object of iterable) objects.push(object);
  return objects;
}

/**
 * The Stripe side of a reconciliation, through `StripeApi`:
 * - invoices created in the period (one paginated list);
 * - invoice payments created in the period, plus those of the period's paid invoices that the sweep did
 *   not bring (paid after a payment object created earlier): one `invoice_payments?invoice=` list each;
 * - refunds created in the period, their invoice found through the payment intent they refund;
 * - credit notes and disputes created in the period (a dispute lost later than the period it was opened in
 *   is reconciled with the period of its creation: its status is read as it is now).
 */
export class StripeProviderLister implements ProviderLister {
  readonly inOdoo = STRIPE_IN_ODOO;

  constructor(private readonly stripe: StripeApi) {}

  async listPeriod(period: Period): Promise<{
    invoices: ProviderInvoice[];
    payments: ProviderPayment[];
    refunds: ProviderRefund[];
    creditNotes: ProviderCreditNote[];
    disputes: ProviderDispute[];
  }> {
    const created = createdRange(period);
    const [rawInvoices, rawPayments, rawRefunds, rawCreditNotes, rawDisputes] = await Promise.all([
      collect(this.stripe.list('invoice', { created })),
      collect(this.stripe.list('invoice_payment', { created, status: 'paid' })),
      collect(this.stripe.list('refund', { created })),
      collect(this.stripe.list('credit_note', { created })),
      collect(this.stripe.list('dispute', { created })),
    ]);
    const invoices = rawInvoices.map(invoiceRecord);

    const paidInvoicesSwept = new Set(rawPayments.map((payment) => idOf(payment.invoice)));
    const unswept = invoices.filter((invoice) => invoice.status === 'paid' && !paidInvoicesSwept.has(invoice.id));
    const late = (await mapConcurrently(unswept, LOOKUP_CONCURRENCY, (invoice) => collect(this.stripe.list('invoice_payment', { invoice: invoice.id, status: 'paid' })))).flat();
    const allPayments = [...new Map([...rawPayments, ...late].map((payment) => [payment.id, payment])).values()];
    const payments = allPayments.map(invoicePaymentRecord).filter((payment): payment is ProviderPayment => payment !== undefined);

    const invoiceOfPaymentIntent = new Map<string, string>();
    for (const payment of allPayments) {
      const paymentIntent = paymentIntentOf(payment);
      const invoiceId = idOf(payment.invoice);
      if (paymentIntent && invoiceId) invoiceOfPaymentIntent.set(paymentIntent, invoiceId);
    }
    const refunds = rawRefunds.map((refund) => {
      const paymentIntent = idOf(refund.payment_intent);
      return refundRecord(refund, paymentIntent ? (invoiceOfPaymentIntent.get(paymentIntent) ?? null) : null);
    });
    return { invoices, payments, refunds, creditNotes: rawCreditNotes.map(creditNoteRecord), disputes: rawDisputes.map(disputeRecord) };
  }

  async existing(references: ReadonlyArray<{ documentType: DocumentType; id: string }>): Promise<Set<string>> {
    const found = await mapConcurrently(references, LOOKUP_CONCURRENCY, async ({ id }) => {
      const resource = RESOURCE_OF_PREFIX[id.slice(0, id.indexOf('_'))];
      if (!resource) return undefined;
      return (await this.stripe.retrieve(resource, id)) ? id : undefined;
    });
    return new Set(found.filter((id): id is string => id !== undefined));
  }

  /** The latest charge of each payment's payment intent: 1 call per payment paid through one. */
  async moreReferences(payments: readonly ProviderPayment[]): Promise<Map<string, string[]>> {
    const more = new Map<string, string[]>();
    await mapConcurrently(payments, LOOKUP_CONCURRENCY, async (payment) => {
      const paymentIntentId = payment.references?.find((reference) => reference.startsWith('pi_'));
      if (!paymentIntentId) return;
      const paymentIntent = await this.stripe.retrieve('payment_intent', paymentIntentId);
      const charge = idOf(paymentIntent?.latest_charge);
      if (charge && !payment.references?.includes(charge)) more.set(payment.id, [charge]);
    });
    return more;
  }
}
