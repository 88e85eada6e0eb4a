import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../events/catalog';
import { createAndPostInvoice, OdooClient, resetDatabaseGuards } from '../../functions/erp/odoo';
import { OdooAccountStandingLedger } from '../../functions/erp/odoo/account-standing-ledger';
import { OdooBillingLedger } from '../../functions/erp/odoo/billing-ledger';
import { OdooPartnerGateway } from '../../functions/erp/odoo/partner-gateway';
import type { BillingConfig } from '../../functions/domain/billing-config';
import type { DriftItem } from '../../functions/domain/reconciliation';
import { applyBillingEvent, type BillingFlowPorts } from '../../functions/flows/billing-sync/apply-billing-event';
import { PaypalApi } from '../../functions/providers/paypal/paypal-api';
import { PaypalBillingSource } from '../../functions/providers/paypal/paypal-billing-source';
import { paypalEventToCanonical } from '../../functions/providers/paypal/paypal-event-to-canonical';
import { PaypalProviderLister } from '../../functions/providers/paypal/paypal-provider-lister';
import { PaypalReemitter } from '../../functions/providers/paypal/paypal-reemitter';
import { OdooReconciliationGateway } from '../../functions/reconcile/odoo-reconciliation-reader';
import { type Period, reconcileProviders, type ReconciliationRunReport } from '../../functions/reconcile/reconcile-period';
import { formatRunReport } from '../../functions/reconcile/report-table';
import { startOdooSandbox } from '../../local/sandboxes/odoo/server';
import { type PaypalSandbox, SANDBOX_PAYPAL_CLIENT_ID, SANDBOX_PAYPAL_CLIENT_SECRET, startPaypalSandbox } from '../../local/sandboxes/paypal/server';
import { InMemoryIdentityMap, InMemoryWatermarks, customerIdentityTestPorts } from '../support/in-memory-ports';

/**
 * PayPal reconciliation on real-shaped books: the PayPal sandbox holds November's checkout orders, captures and a
 * refund (its Transaction Search derived from them), the Odoo sandbox what the billing flow booked from the webhooks
 * it received — run in process with the flow's own code (applyBillingEvent on the Odoo ledgers, the PayPal billing
 * source on the sandbox). One capture's webhook is delivered; another's and the refund's never were.
 */

const ODOO_KEY = 'paypal-reconcile-key';
const NOVEMBER: Period = { from: '2026-11-01', to: '2026-11-30' };
const usd = (value: string) => ({ currency_code: 'USD', value });

/** Journals 1 (sales) and 6 (bank) of company 1, as the local stage's billing config. */
const CONFIG: BillingConfig = {
  companies: [{ account: '*', currency: '*', companyId: 1, salesJournalId: 1, bankJournalId: 6 }],
  taxes: [{ percentage: '15', inclusive: false, companyId: 1, odooTaxId: 1 }],
  writeOffUncollectible: false,
  standingTags: { pastDue: 'Past due', disputed: 'Disputed payment', uncollectible: 'Uncollectible' },
};

function order(id: string, payerId: string, total: string) {
  return {
    id,
    status: 'COMPLETED',
    create_time: '2026-11-03T09:00:00Z',
    payer: { payer_id: payerId, email_address: `${payerId.toLowerCase()}@example.com`, name: { given_name: 'Ada', surname: payerId }, address: { country_code: 'GB' } },
    purchase_units: [{ reference_id: 'default', amount: { ...usd(total), breakdown: { item_total: usd(total) } }, items: [{ name: 'Seat', quantity: '1', unit_amount: usd(total), sku: 'SEAT' }] }],
  };
}

function capture(id: string, orderId: string, total: string, createdAt: string) {
  return {
    id,
    status: 'COMPLETED',
    amount: usd(total),
    final_capture: true,
    supplementary_data: { related_ids: { order_id: orderId } },
    create_time: createdAt,
    update_time: createdAt,
    links: [
      { rel: 'self', method: 'GET', href: `https://api.sandbox.paypal.com/v2/payments/captures/${id}` },
      { rel: 'up', method: 'GET', href: `https://api.sandbox.paypal.com/v2/checkout/orders/${orderId}` },
    ],
  };
}

const BOOKED = capture('1BOOKED0000000001', '9ORDERBOOKED00001', '92.80', '2026-11-03T09:00:00Z');
const UNDELIVERED = capture('2LOST00000000002', '9ORDERLOST0000002', '45.00', '2026-11-05T10:00:00Z');
const REFUND = {
  id: '3REFUND0000000003',
  status: 'COMPLETED',
  amount: usd('12.80'),
  note_to_payer: 'One seat returned',
  create_time: '2026-11-07T11:00:00Z',
  update_time: '2026-11-07T11:00:00Z',
  links: [
    { rel: 'self', method: 'GET', href: 'https://api.sandbox.paypal.com/v2/payments/refunds/3REFUND0000000003' },
    { rel: 'up', method: 'GET', href: `https://api.sandbox.paypal.com/v2/payments/captures/${BOOKED.id}` },
  ],
};

/** `kind providerId` per drift item, sorted: what a finance user reads first. */
const kindsOf = (items: readonly DriftItem[]): string[] => items.map((item) => `${item.kind} ${item.providerId}`).sort();
const explain = (report: ReconciliationRunReport) => `\n${formatRunReport(report)}`;

describe('PayPal reconciliation on the Odoo sandbox', () => {
  let paypal: PaypalSandbox;
  let closeOdoo: () => Promise<void>;
  let ledger: OdooBillingLedger;
  let odoo: OdooReconciliationGateway;
  let lister: PaypalProviderLister;
  let reemitter: PaypalReemitter;
  let apply: (events: readonly CanonicalEvent[]) => Promise<void>;
  let client: OdooClient;

  beforeAll(async () => {
    paypal = await startPaypalSandbox({ port: 0, modulusLength: 1024 });
    const sandbox = await startOdooSandbox({ port: 0, apiKey: ODOO_KEY, version: '19.0' });
    closeOdoo = () => sandbox.close();
    resetDatabaseGuards();
    client = new OdooClient({ connection: { url: sandbox.url, database: 'odoo19', login: 'admin', ratePerSecond: 1000 }, apiKey: { get: async () => ODOO_KEY, invalidate: () => undefined } });
    const api = new PaypalApi({ credentials: async () => ({ clientId: SANDBOX_PAYPAL_CLIENT_ID, clientSecret: SANDBOX_PAYPAL_CLIENT_SECRET }), baseUrl: paypal.url });
    ledger = new OdooBillingLedger(client);
    const source = new PaypalBillingSource(api);
    const flow: BillingFlowPorts = {
      ledger,
      sourceFor: () => source,
      partners: new OdooPartnerGateway(client),
      standing: new OdooAccountStandingLedger(client, ledger),
      identityMap: new InMemoryIdentityMap(), ...customerIdentityTestPorts(),
      watermarks: new InMemoryWatermarks(),
      config: CONFIG,
    };
    // What the bus would carry to billing-sync, applied at once: the flow's own code on this Odoo.
    apply = async (events) => {
      for (const event of events) await applyBillingEvent(event as Parameters<typeof applyBillingEvent>[0], flow);
    };
    odoo = new OdooReconciliationGateway(client);
    lister = new PaypalProviderLister(api);
    reemitter = new PaypalReemitter(api, apply);

    paypal.seed('order', [order('9ORDERBOOKED00001', 'PAYERBOOKED01', '92.80'), order('9ORDERLOST0000002', 'PAYERLOST0002', '45.00')]);
    paypal.seed('capture', [BOOKED, UNDELIVERED]);
    paypal.seed('refund', [REFUND]);

    // The one webhook PayPal delivered: the booked capture, mapped by the ingest's own mapping.
    const delivered = paypalEventToCanonical({ id: 'WH-BOOKED-1', event_type: 'PAYMENT.CAPTURE.COMPLETED', create_time: BOOKED.create_time, resource: BOOKED });
    if (!delivered.handled) throw new Error(delivered.reason);
    await apply(delivered.events);
  }, 300_000);

  afterAll(async () => {
    await paypal?.close();
    await closeOdoo?.();
  });

  const reconcile = (options: { reemit?: boolean } = {}) => reconcileProviders(NOVEMBER, [{ system: 'paypal', provider: lister, reemitter }], odoo, options);

  it('reports the capture and refund whose webhooks never came as missing, and nothing about the capture booked', async () => {
    const report = await reconcile();
    expect(report.providers.map(({ system, error }) => ({ system, error }))).toEqual([{ system: 'paypal', error: undefined }]);
    expect(report.summary.checked, explain(report)).toMatchObject({ invoice: 2, payment: 2, refund: 1 });
    expect(kindsOf(report.items), explain(report)).toEqual(['missing_in_odoo 2LOST00000000002', 'missing_in_odoo 2LOST00000000002', 'missing_in_odoo 3REFUND0000000003'].sort());
    const missing = report.items.find((item) => item.documentType === 'payment');
    expect(missing).toMatchObject({ system: 'paypal', expected: 4500, currency: 'usd', remedy: { action: 're-emit' } });
    expect(report.items.find((item) => item.documentType === 'refund')).toMatchObject({ expected: 1280 });
    expect(formatRunReport(report)).toMatch(/== PayPal ==[\s\S]*missing_in_odoo +payment +2LOST00000000002 +45\.00 usd/);
  }, 120_000);

  it('re-emitting books them through the flow (invoice, payment, credit note and money out); the next run reports nothing', async () => {
    const repair = await reconcile({ reemit: true });
    expect(repair.providers[0]?.report?.reemit, explain(repair)).toEqual({ emitted: ['2LOST00000000002', '3REFUND0000000003'], failed: [] });

    const after = await reconcile();
    expect(after.items, explain(after)).toEqual([]);
    expect(after.summary).toMatchObject({ drift: 0, checked: { invoice: 2, payment: 2, refund: 1 } });
    // The books themselves: the undelivered capture is a posted, paid invoice of PayPal's total.
    const moveId = await ledger.findDocument(UNDELIVERED.id, ['out_invoice']);
    expect(moveId).toBeDefined();
    const invoice = await ledger.readDocument(moveId!);
    expect(invoice).toMatchObject({ state: 'posted', amountTotal: 4500, amountResidual: 0 });
  }, 300_000);

  it('an invoice of ours in Odoo that PayPal does not know is an orphan; a capture of another period is not counted', async () => {
    // December's capture, booked in December: neither November's document nor an orphan of it.
    paypal.seed('capture', [capture('4LATER00000000004', '9ORDERBOOKED00001', '92.80', '2026-12-02T09:00:00Z')]);
    await reemitter.reemit({ documentType: 'payment', providerId: '4LATER00000000004' });
    // A capture id typed by hand on a November invoice: PayPal has no such capture or sale.
    const booked = await ledger.readDocument((await ledger.findDocument(BOOKED.id, ['out_invoice']))!);
    await createAndPostInvoice(client, {
      move_type: 'out_invoice',
      partner_id: booked!.partnerId!,
      ref: '5TYPEDBYHAND00005',
      payment_reference: '5TYPEDBYHAND00005',
      invoice_date: '2026-11-20',
      invoice_line_ids: [[0, 0, { name: 'Typed by hand', quantity: 1, price_unit: 7, tax_ids: [[6, 0, []]] }]],
    });

    const november = await reconcile();
    expect(kindsOf(november.items), explain(november)).toEqual(['orphan_in_odoo 5TYPEDBYHAND00005']);
    expect(november.items[0]).toMatchObject({ documentType: 'invoice', actual: 700, remedy: { action: 'manual' } });
    const december = await reconcileProviders({ from: '2026-12-01', to: '2026-12-31' }, [{ system: 'paypal', provider: lister, reemitter }], odoo);
    expect(december.items, explain(december)).toEqual([]);
    expect(december.summary.checked).toMatchObject({ invoice: 1, payment: 1, refund: 0 });
  }, 300_000);
});
