/**
 * The reconcile use case end to end against the Stripe sandbox and the Odoo 18 sandbox, through the
 * real adapters (StripeApi + StripeProviderLister, OdooClient + OdooReconciliationGateway).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAndPostInvoice,
  minorToOdooAmount,
  OdooClient,
  registerPayment,
  resetDatabaseGuards,
  upsertByExternalId,
} from '../../../functions/erp/odoo';
import { STRIPE_API_VERSION, StripeApi } from '../../../functions/providers/stripe/stripe-api';
import { OdooReconciliationGateway } from '../../../functions/reconcile/odoo-reconciliation-reader';
import { reconcilePeriod, type ReemitRequest } from '../../../functions/reconcile/reconcile-period';
import { formatReportTable } from '../../../functions/reconcile/report-table';
import { StripeProviderLister } from '../../../functions/providers/stripe/stripe-provider-lister';
import { startOdooSandbox } from '../../../local/sandboxes/odoo/server';
import { type StripeSandbox, startStripeSandbox } from '../../../local/sandboxes/stripe/server';
import { stripeObject } from '../../../local/sandboxes/stripe/stripe-object-templates';

const STRIPE_KEY = 'sk_test_reconcile';
const ODOO_KEY = 'reconcile-key';
const JPY_CURRENCY_ID = 25;
const at = (day: string) => Date.parse(`${day}T12:00:00Z`) / 1000;

describe('reconcilePeriod against the Stripe and Odoo sandboxes', () => {
  let stripeSandbox: StripeSandbox;
  let odooSandbox: Awaited<ReturnType<typeof startOdooSandbox>>;
  let odoo: OdooClient;

  beforeAll(async () => {
    stripeSandbox = await startStripeSandbox({ port: 0, apiKey: STRIPE_KEY });
    odooSandbox = await startOdooSandbox({ port: 0, apiKey: ODOO_KEY, version: '18.0' });
    resetDatabaseGuards();
    odoo = new OdooClient({
      connection: { url: odooSandbox.url, database: 'odoo18', login: 'admin', ratePerSecond: 1000 },
      apiKey: { get: async () => ODOO_KEY, invalidate: () => undefined },
    });

    // Stripe: November's invoices, one payment, one refund; and an invoice of October.
    const invoice = (id: string, day: string, total: number, status: string, currency = 'usd') =>
      stripeObject('invoice', { id, customer: 'cus_ACME', created: at(day), total, amount_due: total, currency, status });
    const seeded = await fetch(`${stripeSandbox.url}/_sandbox/objects`, {
      method: 'POST',
      body: JSON.stringify([
        stripeObject('customer', { id: 'cus_ACME', name: 'Acme Corp' }),
        invoice('in_LASTMONTH', '2026-10-31', 3000, 'open'),
        invoice('in_MATCH', '2026-11-03', 4999, 'paid'),
        invoice('in_JPY', '2026-11-04', 5000, 'open', 'jpy'),
        invoice('in_MISSING', '2026-11-05', 1200, 'open'),
        invoice('in_WRONG', '2026-11-06', 2500, 'open'),
        invoice('in_DRAFT', '2026-11-07', 900, 'draft'),
        stripeObject('invoice_payment', {
          id: 'inpay_MATCH',
          invoice: 'in_MATCH',
          created: at('2026-11-03'),
          amount_paid: 4999,
          amount_requested: 4999,
          currency: 'usd',
          status: 'paid',
          payment: { type: 'payment_intent', payment_intent: 'pi_MATCH' },
        }),
        stripeObject('refund', { id: 're_MATCH', created: at('2026-11-10'), amount: 1000, currency: 'usd', charge: 'ch_MATCH', payment_intent: 'pi_MATCH', status: 'succeeded' }),
      ]),
    });
    expect(seeded.status).toBe(200);

    // Odoo: what the flows wrote, one total typed wrong, one invoice Stripe never had, one made by hand.
    const { id: partnerId } = await upsertByExternalId(odoo, 'res.partner', 'saas_sync.stripe_customer_cus_ACME', { name: 'Acme Corp', ref: 'cus_ACME', is_company: true });
    await odoo.call('res.currency', 'write', { ids: [JPY_CURRENCY_ID], vals: { active: true } });
    const post = (ref: string, day: string, amount: number, extra: Record<string, unknown> = {}) =>
      createAndPostInvoice(odoo, {
        move_type: 'out_invoice',
        partner_id: partnerId,
        ref,
        payment_reference: ref,
        invoice_date: day,
        invoice_line_ids: [[0, 0, { name: `Service ${ref}`, quantity: 1, price_unit: amount, tax_ids: [[6, 0, []]] }]],
        ...extra,
      });
    await post('in_LASTMONTH', '2026-11-01', minorToOdooAmount(3000, 2));
    const matched = await post('in_MATCH', '2026-11-03', minorToOdooAmount(4999, 2));
    await registerPayment(odoo, matched.id, { amount: minorToOdooAmount(4999, 2), paymentDate: '2026-11-03', communication: 'inpay_MATCH' });
    await post('in_JPY', '2026-11-04', minorToOdooAmount(5000, 0), { currency_id: JPY_CURRENCY_ID });
    await post('in_WRONG', '2026-11-06', minorToOdooAmount(2400, 2));
    await post('in_ORPHAN', '2026-11-07', minorToOdooAmount(700, 2));
    await post('Consulting November', '2026-11-08', 150);
    await odoo.call('account.payment', 'create', {
      vals_list: [{ payment_type: 'outbound', partner_type: 'customer', partner_id: partnerId, amount: minorToOdooAmount(1000, 2), memo: 're_MATCH', currency_id: 1, state: 'paid', date: '2026-11-10' }],
    });
  });

  afterAll(async () => {
    await stripeSandbox?.close();
    await odooSandbox?.close();
  });

  it('reports exactly the invoice missing in Odoo, the wrong total and the orphan, and re-emits the missing one', async () => {
    // Prepare
    const stripe = new StripeApi({ apiKey: async () => STRIPE_KEY, apiVersion: STRIPE_API_VERSION, baseUrl: stripeSandbox.url });
    const reemitted: ReemitRequest[] = [];
    const ports = {
      provider: new StripeProviderLister(stripe),
      odoo: new OdooReconciliationGateway(odoo),
      reemitter: { reemit: async (request: ReemitRequest) => void reemitted.push(request) },
    };
    // Act
    const report = await reconcilePeriod({ from: '2026-11-01', to: '2026-11-30' }, ports, { reemit: true });
    // Assess
    expect(report.items).toEqual([
      { kind: 'missing_in_odoo', documentType: 'invoice', providerId: 'in_MISSING', expected: 1200, currency: 'usd', remedy: { action: 're-emit', step: expect.any(String) } },
      { kind: 'amount_mismatch', documentType: 'invoice', providerId: 'in_WRONG', odooId: expect.any(Number), expected: 2500, actual: 2400, currency: 'usd', remedy: { action: 'manual', step: expect.any(String) } },
      { kind: 'orphan_in_odoo', documentType: 'invoice', providerId: 'in_ORPHAN', odooId: expect.any(Number), actual: 700, currency: 'usd', remedy: { action: 'manual', step: expect.any(String) } },
      // The refund's money went out in Odoo with no credit note to settle: the document of the refund is missing.
      {
        kind: 'payment_not_linked',
        documentType: 'refund',
        providerId: 're_MATCH',
        odooId: expect.any(Number),
        expected: 'reconciled with a credit note of the same amount',
        actual: 'not reconciled',
        currency: 'usd',
        remedy: { action: 'manual', step: expect.any(String) },
      },
    ]);
    expect(report.summary.checked).toEqual({ invoice: 4, payment: 1, refund: 1, credit_note: 0, dispute: 0 });
    expect(report.reemit).toEqual({ emitted: ['in_MISSING'], failed: [] });
    expect(reemitted).toEqual([{ documentType: 'invoice', providerId: 'in_MISSING' }]);
    expect(formatReportTable(report)).toMatch(/amount_mismatch +invoice +in_WRONG +\d+ +25\.00 usd +24\.00 usd +manual/);
    expect(formatReportTable(report)).toMatch(/1\. missing_in_odoo in_MISSING — re-emit: re-emit it/);
  });

  it('finds no drift in a period where Odoo holds everything Stripe has', async () => {
    const stripe = new StripeApi({ apiKey: async () => STRIPE_KEY, apiVersion: STRIPE_API_VERSION, baseUrl: stripeSandbox.url });
    const report = await reconcilePeriod({ from: '2026-11-03', to: '2026-11-04' }, { provider: new StripeProviderLister(stripe), odoo: new OdooReconciliationGateway(odoo) });
    expect(report.items).toEqual([]);
    expect(report.summary).toMatchObject({ checked: { invoice: 2, payment: 1, refund: 0 }, drift: 0 });
  });
});
