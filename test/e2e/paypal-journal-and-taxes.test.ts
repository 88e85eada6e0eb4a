import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerObject, invoiceObject, invoicePaymentObject } from '../fixtures/stripe/billing-story';
import { stripeEvent } from '../fixtures/stripe/stripe-events';
import { type Harness, postStripeWebhook, STAGE, startHarness, waitFor, waitForFlowsSettled } from './local-stack-harness';
import { type FinanceMove, OdooFinanceView } from './odoo-finance-view';

/**
 * Where PayPal's money lands and how its taxes are booked, end to end on the local runtime with the Odoo sandbox:
 * the local stage routes source `paypal` to the sandbox's "PayPal" bank journal and every other source to "Bank",
 * and maps the 15 % sale tax by percentage. A taxed checkout order's capture and a taxed PayPal invoice paid become
 * posted Odoo invoices with PayPal's totals and tax, paid, their payments in the PayPal journal; a Stripe payment of
 * the same currency stays in the Bank journal.
 */

const FIXTURES = join(__dirname, '../fixtures/paypal');
const usd = (value: string) => ({ currency_code: 'USD', value });
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as { resource: Record<string, unknown> } & Record<string, unknown>;

const PAYPAL_ROUTE = STAGE.config.billing.companies.find((route) => route.source === 'paypal');
const STRIPE_ROUTE = STAGE.config.billing.companies.find((route) => route.source === undefined || route.source === '*');

/** A checkout order of 2 × 10.00 and 1 × 30.00, each unit taxed 15 % (1.50, 4.50 per unit): 50.00 + 7.50 = 57.50. */
const ORDER = {
  id: '89T257400V0473133',
  status: 'COMPLETED',
  create_time: '2022-02-02T00:22:30Z',
  payer: { payer_id: 'TAXEDPAYER01', email_address: 'taxed-payer@example.com', name: { given_name: 'Grace', surname: 'Hopper' }, address: { country_code: 'US' } },
  purchase_units: [
    {
      reference_id: 'default',
      amount: { currency_code: 'USD', value: '57.50', breakdown: { item_total: usd('50.00'), tax_total: usd('7.50') } },
      items: [
        { name: 'Seat', quantity: '2', unit_amount: usd('10.00'), tax: usd('1.50'), sku: 'SEAT' },
        { name: 'Setup', quantity: '1', unit_amount: usd('30.00'), tax: usd('4.50') },
      ],
    },
  ],
};

/** PayPal's sandbox capture event (the fixture), capturing the order above whole. */
function captureCompleted() {
  const event = fixture('PAYMENT.CAPTURE.COMPLETED.sandbox.json');
  const capture: Record<string, unknown> = { ...event.resource, amount: usd('57.50'), seller_receivable_breakdown: { gross_amount: usd('57.50'), paypal_fee: usd('2.50'), net_amount: usd('55.00') } };
  return { event: { ...event, resource: capture }, capture, captureId: capture['id'] as string };
}

/**
 * PayPal's sandbox INVOICING.INVOICE.PAID event (the fixture) with two taxed items, as Invoicing v2 writes a tax
 * (name, percent, PayPal's amount per item): 3 × 9.99 at 15 % (4.4955 → 4.50) and 1 × 12.34 (1.851 → 1.85),
 * tax total 6.35, total 48.66, paid in full through PayPal.
 */
function taxedInvoicePaid() {
  const event = fixture('INVOICING.INVOICE.PAID.sandbox.artconomy.json') as { resource: { invoice: Record<string, unknown> } };
  const invoice: Record<string, unknown> = {
    ...event.resource.invoice,
    items: [
      { id: 'ITEM-TAX-1', name: 'Seat', quantity: '3', unit_amount: usd('9.99'), tax: { name: 'Sales Tax', percent: '15', amount: usd('4.50') } },
      { id: 'ITEM-TAX-2', name: 'Setup', quantity: '1', unit_amount: usd('12.34'), tax: { name: 'Sales Tax', percent: '15', amount: usd('1.85') } },
    ],
    amount: { currency_code: 'USD', value: '48.66', breakdown: { item_total: usd('42.31'), tax_total: usd('6.35') } },
    due_amount: usd('0.00'),
    payments: { paid_amount: usd('48.66'), transactions: [{ payment_id: '8E2904407M872241P', type: 'PAYPAL', amount: usd('48.66'), payment_date: '2023-07-25' }] },
  };
  return { event: { ...event, resource: { ...event.resource, invoice } }, invoice, invoiceId: invoice['id'] as string, paymentId: '8E2904407M872241P' };
}

describe('PayPal money in its own journal, taxed PayPal documents booked (local runtime, Odoo sandbox)', () => {
  let harness: Harness;
  let view: OdooFinanceView;

  const deliverPaypal = async (event: unknown) => {
    const body = JSON.stringify(event);
    const sign = harness.providerApi('paypal').webhookHeaders;
    if (sign === undefined) throw new Error('the PayPal sandbox offers no signer');
    const response = await fetch(harness.webhookUrlOf('paypal'), { method: 'POST', headers: sign(body), body });
    expect(response.status, await response.text()).toBe(200);
  };
  const seedPaypal = async (kind: string, objects: unknown[]) => {
    const seeded = await fetch(`${harness.providerApi('paypal').sandboxUrl}/_sandbox/objects`, { method: 'POST', body: JSON.stringify({ kind, objects }) });
    expect(seeded.status).toBe(200);
  };
  /** The payment whose memo is the provider's payment id, with the name of its journal. */
  const paymentWithMemo = async (memo: string) => {
    const payments = await view.searchRead<{ id: number; amount: number; journal_id: [number, string]; reconciled_invoice_ids: number[] }>(
      'account.payment',
      [['memo', '=', memo]],
      ['amount', 'journal_id', 'reconciled_invoice_ids'],
    );
    expect(payments, `Odoo payments with memo ${memo}`).toHaveLength(1);
    return payments[0]!;
  };
  const settledInvoice = async (ref: string): Promise<FinanceMove> => {
    await waitFor(async () => (await view.invoicesWithRef(ref)).some((move) => move.state === 'posted') || undefined, { what: `the Odoo invoice ${ref}`, timeoutMs: 60_000 });
    expect(await waitForFlowsSettled(harness.stack, { timeoutMs: 90_000 })).toEqual([]);
    const invoices = await view.invoicesWithRef(ref);
    expect(invoices).toHaveLength(1);
    return invoices[0]!;
  };

  beforeAll(async () => {
    harness = await startHarness();
    view = new OdooFinanceView(harness.odooConnection);
  }, 180_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('the local stage routes PayPal to the sandbox’s "PayPal" bank journal and everything else to "Bank"', async () => {
    expect(PAYPAL_ROUTE).toBeDefined();
    expect(STRIPE_ROUTE).toBeDefined();
    const journals = await view.searchRead<{ id: number; name: string; type: string }>('account.journal', [['id', 'in', [PAYPAL_ROUTE!.bankJournalId, STRIPE_ROUTE!.bankJournalId]]], ['name', 'type']);
    expect(journals.map(({ id, name, type }) => ({ id, name, type })).sort((a, b) => a.id - b.id)).toEqual([
      { id: STRIPE_ROUTE!.bankJournalId, name: 'Bank', type: 'bank' },
      { id: PAYPAL_ROUTE!.bankJournalId, name: 'PayPal', type: 'bank' },
    ]);
  });

  it('a taxed checkout order’s capture: posted with PayPal’s total and tax to the cent, paid, its payment in the PayPal journal', { timeout: 180_000 }, async () => {
    const { event, capture, captureId } = captureCompleted();
    await seedPaypal('order', [ORDER]);
    await seedPaypal('capture', [capture]);

    await deliverPaypal(event);

    const invoice = await settledInvoice(captureId);
    expect(invoice).toMatchObject({ state: 'posted', amount_untaxed: 50, amount_tax: 7.5, amount_total: 57.5 });
    expect(['paid', 'in_payment']).toContain(invoice.payment_state);
    const lines = await view.moveLinesOf([invoice.id]);
    expect(lines.map((line) => [line.name, line.price_subtotal, line.price_total])).toEqual([
      ['Seat', 20, 23],
      ['Setup', 30, 34.5],
    ]);
    const payment = await paymentWithMemo(captureId);
    expect(payment).toMatchObject({ amount: 57.5, reconciled_invoice_ids: [invoice.id] });
    expect(payment.journal_id).toEqual([PAYPAL_ROUTE!.bankJournalId, expect.stringContaining('PayPal')]);
  });

  it('a taxed PayPal invoice paid: the Odoo invoice’s total and tax are PayPal’s, a tax on each line, paid from the PayPal journal', { timeout: 180_000 }, async () => {
    const { event, invoice: paypalInvoice, invoiceId, paymentId } = taxedInvoicePaid();
    await seedPaypal('invoice', [paypalInvoice]);

    await deliverPaypal(event);

    const invoice = await settledInvoice(invoiceId);
    expect(invoice).toMatchObject({ state: 'posted', amount_untaxed: 42.31, amount_tax: 6.35, amount_total: 48.66 });
    expect(['paid', 'in_payment']).toContain(invoice.payment_state);
    const lines = await view.moveLinesOf([invoice.id]);
    expect(lines.map((line) => [line.price_subtotal, line.price_total])).toEqual([
      [29.97, 34.47],
      [12.34, 14.19],
    ]);
    const payment = await paymentWithMemo(paymentId);
    expect(payment).toMatchObject({ amount: 48.66, reconciled_invoice_ids: [invoice.id] });
    expect(payment.journal_id[0]).toBe(PAYPAL_ROUTE!.bankJournalId);
  });

  it('a Stripe payment in the same currency lands in the Bank journal', { timeout: 180_000 }, async () => {
    const T0 = 1_790_000_000;
    const customer = 'cus_e2eJournalAcme';
    const invoiceId = 'in_e2eJournalAcme';
    const lines = [{ price: 'price_e2eJournal', description: 'Pro (monthly)', quantity: 1, unitAmount: 4900 }];
    const customerJson = customerObject(customer, { name: 'Acme Journal Co', email: 'ap@acme-journal.example', currency: 'usd' });
    const invoiceJson = invoiceObject(invoiceId, { customer, customerName: 'Acme Journal Co', currency: 'usd', lines, finalizedAt: T0 + 20 });
    await harness.seedStripe([customerJson, invoiceJson]);
    for (const event of [
      stripeEvent('customer.created', customerJson, { id: 'evt_e2eJournalCustomer', created: T0 }),
      stripeEvent('invoice.finalized', invoiceJson, { id: 'evt_e2eJournalFinalized', created: T0 + 20 }),
      stripeEvent('invoice_payment.paid', invoicePaymentObject('inpay_e2eJournalAcme', { invoice: invoiceId, currency: 'usd', amount: 4900, paymentIntent: 'pi_e2eJournalAcme', paidAt: T0 + 30 }), {
        id: 'evt_e2eJournalPaid',
        created: T0 + 30,
      }),
    ]) {
      const response = await postStripeWebhook(harness.webhookUrl, event);
      expect(response.status, response.body).toBe(200);
    }

    const invoice = await settledInvoice(invoiceId);
    expect(invoice).toMatchObject({ state: 'posted', amount_total: 49 });
    const payment = await paymentWithMemo('inpay_e2eJournalAcme');
    expect(payment).toMatchObject({ amount: 49, reconciled_invoice_ids: [invoice.id] });
    expect(payment.journal_id).toEqual([STRIPE_ROUTE!.bankJournalId, expect.stringContaining('Bank')]);
  });
});
