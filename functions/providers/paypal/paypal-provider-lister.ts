import * as z from 'zod/mini';
import type { DocumentType, ProviderInvoice, ProviderPayment, ProviderRefund } from '../../domain/reconciliation';
import type { Period, ProviderInOdoo, ProviderLister } from '../../reconcile/reconcile-period';
import type { PaypalApi, PaypalResource } from './paypal-api';
import { paypalCurrencyExponent, paypalMoney } from './paypal-currencies';
import { parsePaypalObject, paypalMoneySchema } from './paypal-object-mapping';

/**
 * The PayPal side of a reconciliation, from PayPal's Transaction Search API (`GET /v1/reporting/transactions`):
 * every balance-affecting transaction of the period, classified by its transaction event code (T-code):
 * - payments received (T0002 subscription payment, T0006 PayPal Checkout, T0007 website payment, T0011 mobile
 *   payment; a credit, i.e. a positive amount; completed `S` or later reversed `V`): each is a payment, keyed on its
 *   transaction id as the flows key it. A checkout capture (T0006) and a subscription payment (T0002) are also the
 *   invoice the flows post keyed on that id (paypal-payment-mapping.ts): the same amount, the payer as customer.
 *   Other payments received (a PayPal invoice's, a payment button's) are checked as payments only: the listing
 *   does not name the `INV2-…` invoice they pay.
 * - refunds (T1107) and money taken back by PayPal (T1106 payment reversal, T1201 chargeback): each is a refund
 *   of the transaction it names (`paypal_reference_id`), whose id is also the refunded payment's invoice.
 * Anything else (fees, transfers, holds, currency conversions) is not a document of the books.
 *
 * The API takes at most 31 days per request and 500 transactions per page: the period is read in windows of 31
 * days, each page by page (`total_pages`). Amounts are decimal strings, read into exact minor units (never floats).
 * PayPal says a transaction may take up to three hours to appear: the scheduled run checks the day before.
 */

/** Days per Transaction Search request (PayPal refuses a range of more than 31 days). */
export const WINDOW_DAYS = 31;
/** PayPal's largest page. */
export const PAGE_SIZE = 500;

const PAYMENT_CODES: ReadonlySet<string> = new Set(['T0002', 'T0006', 'T0007', 'T0011']);
/** Payments the flows book as an invoice of their own, keyed on the transaction (a checkout capture, a subscription sale). */
const OWN_INVOICE_CODES: ReadonlySet<string> = new Set(['T0002', 'T0006']);
const REFUND_CODES: ReadonlySet<string> = new Set(['T1107', 'T1106', 'T1201']);

/** PayPal's transaction statuses in the canonical refund words (`succeeded` / `pending` move money). */
const REFUND_STATUS: Readonly<Record<string, string>> = { S: 'succeeded', P: 'pending', D: 'failed', V: 'reversed' };

const transactionSchema = z.object({
  transaction_info: z.object({
    transaction_id: z.string().check(z.minLength(1)),
    transaction_event_code: z.optional(z.string()),
    transaction_status: z.optional(z.string()),
    transaction_amount: z.optional(paypalMoneySchema),
    transaction_initiation_date: z.optional(z.string()),
    paypal_reference_id: z.optional(z.string()),
    paypal_reference_id_type: z.optional(z.string()),
    invoice_id: z.optional(z.string()),
  }),
  payer_info: z.optional(z.object({ account_id: z.optional(z.string()) })),
});
export type PaypalTransaction = z.infer<typeof transactionSchema>;

const searchResponseSchema = z.object({
  transaction_details: z.optional(z.array(transactionSchema)),
  page: z.optional(z.number()),
  total_pages: z.optional(z.number()),
});

/** The documents one transaction is, if any. */
export function documentsOfTransaction(transaction: PaypalTransaction): { invoice?: ProviderInvoice; payment?: ProviderPayment; refund?: ProviderRefund } {
  const info = transaction.transaction_info;
  const code = info.transaction_event_code ?? '';
  const status = info.transaction_status ?? '';
  if (info.transaction_amount === undefined) return {};
  if (PAYMENT_CODES.has(code)) {
    const { amount, currency } = paypalMoney(info.transaction_amount);
    // A payment sent (a debit) is not money received; pending and denied ones are not booked by the flows.
    if (amount <= 0 || (status !== 'S' && status !== 'V')) return {};
    const id = info.transaction_id;
    const payment: ProviderPayment = { id, invoiceId: id, amount, currency };
    if (!OWN_INVOICE_CODES.has(code)) return { payment };
    return { payment, invoice: { id, customerId: transaction.payer_info?.account_id ?? null, currency, total: amount, status: 'paid' } };
  }
  if (REFUND_CODES.has(code)) {
    const { amount, currency } = paypalMoney(info.transaction_amount);
    const refunded = info.paypal_reference_id_type === undefined || info.paypal_reference_id_type === 'TXN' ? (info.paypal_reference_id ?? null) : null;
    return { refund: { id: info.transaction_id, invoiceId: refunded, amount: Math.abs(amount), currency, status: REFUND_STATUS[status] ?? status.toLowerCase() } };
  }
  return {};
}

/** The period in request windows of at most `WINDOW_DAYS` days: `[start, end]` ISO times, both included. */
export function searchWindows(period: Period): Array<{ start_date: string; end_date: string }> {
  const windows: Array<{ start_date: string; end_date: string }> = [];
  const last = Date.parse(`${period.to}T00:00:00Z`);
  for (let day = Date.parse(`${period.from}T00:00:00Z`); day <= last; day += WINDOW_DAYS * 86_400_000) {
    const windowLast = Math.min(day + (WINDOW_DAYS - 1) * 86_400_000, last);
    windows.push({ start_date: isoSecond(day), end_date: isoSecond(windowLast + 86_399_000) });
  }
  return windows;
}

function isoSecond(time: number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * PayPal ids as the flows write them into Odoo: a checkout capture's or subscription sale's transaction id (17
 * characters) is both its invoice's `ref` and its payment's memo; a PayPal invoice keeps its `INV2-…` id; a refund is
 * its transaction id, a reversal of a whole capture `REVERSAL-<capture>`; a dispute `PP-D-…` books no money. PayPal
 * has no credit notes of its own. The `=like` patterns: seventeen `_` match any 17-character reference, which `ours`
 * narrows to PayPal's upper-case letters and digits.
 */
const TRANSACTION_ID = '[0-9A-Z]{17}';
const ANY_TRANSACTION_ID = '_'.repeat(17);
export const PAYPAL_IN_ODOO: ProviderInOdoo = {
  ours: {
    invoice: new RegExp(`^(${TRANSACTION_ID}|INV2(-[0-9A-Z]{4}){4})$`),
    payment: new RegExp(`^${TRANSACTION_ID}$`),
    refund: new RegExp(`^(REVERSAL-)?${TRANSACTION_ID}$`),
    credit_note: /(?!)/,
    dispute: /^PP-D-\d+$/,
  },
  moveReferencePatterns: [ANY_TRANSACTION_ID, 'INV2-%', 'REVERSAL-%'],
  paymentMemoPatterns: [ANY_TRANSACTION_ID, 'REVERSAL-%', 'PP-D-%'],
  currencyExponent: paypalCurrencyExponent,
};

/** Which read API objects an id of ours may be, by document type (tried in order). */
const OBJECTS_OF: Record<DocumentType, (id: string) => Array<[PaypalResource, string]>> = {
  invoice: (id) => (id.startsWith('INV2-') ? [['invoice', id]] : [['capture', id], ['sale', id]]),
  payment: (id) => [['capture', id], ['sale', id]],
  // A reversal of a whole capture is named after the capture.
  refund: (id) => (id.startsWith('REVERSAL-') ? [['capture', id.slice('REVERSAL-'.length)]] : [['refund', id]]),
  credit_note: () => [],
  dispute: (id) => [['dispute', id]],
};

export class PaypalProviderLister implements ProviderLister {
  readonly inOdoo = PAYPAL_IN_ODOO;

  constructor(private readonly paypal: Pick<PaypalApi, 'get' | 'retrieve'>) {}

  async listPeriod(period: Period): Promise<{ invoices: ProviderInvoice[]; payments: ProviderPayment[]; refunds: ProviderRefund[] }> {
    const transactions = new Map<string, PaypalTransaction>();
    for (const window of searchWindows(period)) {
      for (let page = 1, pages = 1; page <= pages; page++) {
        const raw = await this.paypal.get('/v1/reporting/transactions', {
          ...window,
          fields: 'all',
          balance_affecting_records_only: 'Y',
          page_size: String(PAGE_SIZE),
          page: String(page),
        });
        const response = parsePaypalObject(searchResponseSchema, raw, 'transaction search response');
        // A transaction id may be listed twice (a balance-affecting and a non-affecting record): the first one counts.
        for (const transaction of response.transaction_details ?? []) {
          const key = `${transaction.transaction_info.transaction_id}:${transaction.transaction_info.transaction_event_code ?? ''}`;
          if (!transactions.has(key)) transactions.set(key, transaction);
        }
        pages = response.total_pages ?? 1;
      }
    }
    const invoices: ProviderInvoice[] = [];
    const payments: ProviderPayment[] = [];
    const refunds: ProviderRefund[] = [];
    for (const transaction of transactions.values()) {
      const { invoice, payment, refund } = documentsOfTransaction(transaction);
      if (invoice) invoices.push(invoice);
      if (payment) payments.push(payment);
      if (refund) refunds.push(refund);
    }
    return { invoices, payments, refunds };
  }

  /** Asked of ids of ours found in Odoo outside the period's listing: one read per resource it may be. */
  async existing(references: ReadonlyArray<{ documentType: DocumentType; id: string }>): Promise<Set<string>> {
    const found = new Set<string>();
    for (const { documentType, id } of references) {
      for (const [resource, objectId] of OBJECTS_OF[documentType](id)) {
        if ((await this.paypal.retrieve(resource, objectId)) !== undefined) {
          found.add(id);
          break;
        }
      }
    }
    return found;
  }

  /** A PayPal payment is known by one id (its transaction's) in Odoo: nothing more to look up. */
  async moreReferences(): Promise<Map<string, string[]>> {
    return new Map();
  }
}
