/**
 * Stripe invoices whose line taxes name only their tax rate (webhooks never expand `tax_rate_details.tax_rate`)
 * under the `local` stage's billing config, which maps taxes by percentage (FRESH_ODOO_BILLING, lib/config/stages.ts):
 * the rate is read from Stripe (the Stripe sandbox) through StripeBillingSource, and the invoice posts in Odoo
 * (the Odoo sandbox, 18 over JSON-RPC and 19 over JSON-2) with Stripe's total to the cent.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { InvoiceFinalized, InvoiceSnapshot } from '../../../events/invoice-finalized';
import type { PaymentSucceeded } from '../../../events/payment-succeeded';
import { OdooClient, odooAmountToMinor, resetDatabaseGuards, searchRead } from '../../../functions/erp/odoo';
import { OdooBillingLedger } from '../../../functions/erp/odoo/billing-ledger';
import { OdooPartnerGateway } from '../../../functions/erp/odoo/partner-gateway';
import { STRIPE_API_VERSION, StripeApi } from '../../../functions/providers/stripe/stripe-api';
import { StripeBillingSource } from '../../../functions/providers/stripe/stripe-billing-source';
import { invoiceSnapshotFromStripe, stripeInvoiceSchema } from '../../../functions/providers/stripe/stripe-invoice-mapping';
import { parseStripeObject } from '../../../functions/providers/stripe/stripe-object-mapping';
import { type BillingConfig, billingConfigSchema } from '../../../functions/domain/billing-config';
import { UnknownTaxRateError } from '../../../functions/domain/invoice-errors';
import { syncBilling } from '../../../functions/flows/billing-sync/sync-billing';
import { resolveStage } from '../../../lib/config/stages';
import { startOdooSandbox } from '../../../local/sandboxes/odoo/server';
import { type StripeSandbox, startStripeSandbox } from '../../../local/sandboxes/stripe/server';
import { type StripeObject, stripeObject } from '../../../local/sandboxes/stripe/stripe-object-templates';
import { InMemoryIdentityMap, InMemoryWatermarks, customerIdentityTestPorts } from '../../support/in-memory-ports';
import { canonicalEnvelopes } from '../../support/canonical-envelopes';

const STRIPE_KEY = 'sk_test_tax_rates';
const ODOO_KEY = 'tax-rates-contract-key';
const CUSTOMER = 'cus_TAX1';
const NOV_1 = Date.parse('2026-11-01T00:00:00Z') / 1000;
const DEC_1 = Date.parse('2026-12-01T00:00:00Z') / 1000;

const taxRate = (id: string, percentage: number, inclusive: boolean, overrides: Record<string, unknown> = {}) =>
  stripeObject('tax_rate', { id, percentage, inclusive, country: 'US', jurisdiction: 'US', display_name: 'Sales tax', description: null, tax_type: 'sales_tax', rate_type: 'percentage', flat_amount: null, created: NOV_1 - 86_400, ...overrides });
/** A line tax exactly as an `invoice.finalized` webhook carries it: the rate's id, nothing about the rate. */
const lineTax = (amount: number, taxableAmount: number, rate: string, behavior: 'exclusive' | 'inclusive') => ({
  amount, tax_behavior: behavior, tax_rate_details: { tax_rate: rate }, taxability_reason: 'standard_rated', taxable_amount: taxableAmount, type: 'tax_rate_details',
});
type LineTaxObject = ReturnType<typeof lineTax>;
function invoiceLine(id: string, quantity: number, unitAmount: number, tax: LineTaxObject) {
  const template = (stripeObject('invoice').lines as { data: Record<string, unknown>[] }).data[0]!;
  const amount = quantity * unitAmount;
  return {
    ...template, id, amount, subtotal: amount, quantity, quantity_decimal: String(quantity), description: `${quantity} × ${id}`, taxes: [tax],
    pricing: { type: 'price_details', price_details: { price: `price_${id}`, product: `prod_${id}` }, unit_amount_decimal: String(unitAmount) },
    parent: null, period: { start: NOV_1, end: DEC_1 },
  };
}
/** A finalized Stripe invoice (Stripe's sample invoice with these lines); totals as Stripe computes them. */
function stripeInvoice(id: string, lines: Array<ReturnType<typeof invoiceLine>>): StripeObject {
  const taxes = lines.flatMap((line) => line.taxes);
  const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
  const total = subtotal + taxes.filter((tax) => tax.tax_behavior === 'exclusive').reduce((sum, tax) => sum + tax.amount, 0);
  const byRate = new Map<string, LineTaxObject>();
  for (const tax of taxes) {
    const seen = byRate.get(tax.tax_rate_details.tax_rate);
    byRate.set(tax.tax_rate_details.tax_rate, seen ? { ...seen, amount: seen.amount + tax.amount, taxable_amount: seen.taxable_amount + tax.taxable_amount } : tax);
  }
  return stripeObject('invoice', {
    id, customer: CUSTOMER, currency: 'usd', status: 'open', number: `TAX-${id}`, created: NOV_1, effective_at: NOV_1, due_date: NOV_1 + 14 * 86_400,
    billing_reason: 'subscription_cycle', lines: { object: 'list', data: lines, has_more: false, url: `/v1/invoices/${id}/lines` },
    subtotal, subtotal_excluding_tax: subtotal, total_discount_amounts: [], total_taxes: [...byRate.values()], total, amount_due: total,
    amount_paid: 0, amount_remaining: total, status_transitions: { finalized_at: NOV_1 },
  });
}
const snapshotOf = (invoice: StripeObject): InvoiceSnapshot =>
  invoiceSnapshotFromStripe(parseStripeObject(stripeInvoiceSchema, invoice, 'invoice'), { account: null, observedAt: NOV_1 });

const envelope = canonicalEnvelopes({ start: '2026-11-01T10:00:00Z', eventPrefix: 'evt_tax_' });
const finalized = (snapshot: InvoiceSnapshot): InvoiceFinalized => ({ ...envelope('invoice.finalized', `stripe:invoice:${snapshot.id}`), type: 'invoice.finalized', data: { invoice: snapshot } });
const paid = (invoiceId: string, amount: number): PaymentSucceeded => ({
  ...envelope('payment.succeeded', `stripe:invoice:${invoiceId}`), type: 'payment.succeeded',
  data: { payment: { system: 'stripe', account: null, customerId: CUSTOMER, id: `pi_${invoiceId}`, invoiceId, amount, currency: 'usd', paidAt: '2026-11-03T09:00:00Z' } },
});

let stripeSandbox: StripeSandbox;
/** Every Stripe GET the billing source made (`/v1/tax_rates/txr_…`), in order. */
let stripeRequests: string[];
beforeAll(async () => {
  stripeSandbox = await startStripeSandbox({ port: 0, apiKey: STRIPE_KEY });
});
afterAll(async () => {
  await stripeSandbox?.close();
});
async function seedStripe(objects: unknown[]): Promise<void> {
  const response = await fetch(`${stripeSandbox.url}/_sandbox/objects`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(objects) });
  expect(response.status).toBe(200);
}
function stripeSource(): StripeBillingSource {
  stripeRequests = [];
  const stripe = new StripeApi({
    apiKey: async () => STRIPE_KEY, apiVersion: STRIPE_API_VERSION, baseUrl: stripeSandbox.url, retry: { baseDelayMs: 1, maxDelayMs: 5 },
    fetch: (input, init) => {
      stripeRequests.push(new URL(String(input)).pathname);
      return fetch(input, init);
    },
  });
  return new StripeBillingSource(stripe, null, () => NOV_1);
}

describe('StripeBillingSource.taxRate against the Stripe sandbox', () => {
  beforeEach(() => stripeSandbox.reset());

  it('reads a rate’s exact percentage, inclusiveness and label, once per container', async () => {
    await seedStripe([taxRate('txr_ca', 8.875, false, { display_name: 'Sales tax', jurisdiction: 'CA' }), taxRate('txr_incl', 15, true, { display_name: 'GST', jurisdiction: 'NZ' })]);
    const source = stripeSource();
    expect(await source.taxRate('txr_ca')).toEqual({ id: 'txr_ca', percentage: '8.875', inclusive: false, label: 'Sales tax CA' });
    expect(await source.taxRate('txr_incl')).toEqual({ id: 'txr_incl', percentage: '15', inclusive: true, label: 'GST NZ' });
    expect(await source.taxRate('txr_ca')).toMatchObject({ percentage: '8.875' });
    expect(stripeRequests).toEqual(['/v1/tax_rates/txr_ca', '/v1/tax_rates/txr_incl']);
  });

  it('answers undefined for a rate Stripe does not know, and asks again next time (not cached)', async () => {
    const source = stripeSource();
    expect(await source.taxRate('txr_missing')).toBeUndefined();
    await seedStripe([taxRate('txr_missing', 5, false)]);
    expect(await source.taxRate('txr_missing')).toMatchObject({ percentage: '5' });
    expect(stripeRequests).toEqual(['/v1/tax_rates/txr_missing', '/v1/tax_rates/txr_missing']);
  });

  it('gives a flat-amount rate no percentage', async () => {
    await seedStripe([taxRate('txr_fee', 0, false, { rate_type: 'flat_amount', flat_amount: { amount: 27, currency: 'usd' }, display_name: 'Retail Delivery Fee', jurisdiction: 'CO' })]);
    expect(await stripeSource().taxRate('txr_fee')).toEqual({ id: 'txr_fee', percentage: null, inclusive: false, label: 'Retail Delivery Fee CO' });
  });
});

describe.each([
  { version: '18.0', transport: 'jsonrpc' },
  { version: '19.0', transport: 'json2' },
] as const)('invoices with tax rate ids only, local billing config, Odoo $version sandbox over $transport', ({ version, transport }) => {
  let odooSandbox: Awaited<ReturnType<typeof startOdooSandbox>>;
  let client: OdooClient;

  beforeAll(async () => {
    odooSandbox = await startOdooSandbox({ port: 0, apiKey: ODOO_KEY, version });
  });
  afterAll(async () => {
    await odooSandbox?.close();
  });

  async function setup() {
    envelope.reset();
    resetDatabaseGuards();
    odooSandbox.reset();
    stripeSandbox.reset();
    client = new OdooClient({
      connection: { url: odooSandbox.url, database: `odoo${version.split('.')[0]}`, login: 'admin', transport, ratePerSecond: 1000 },
      apiKey: { get: async () => ODOO_KEY, invalidate: () => undefined },
    });
    // The local stage's mapping as the function reads it at cold start; an inclusive 15 % tax added beside
    // the fresh database's excluded one, for the inclusive rate.
    const local = billingConfigSchema.parse(resolveStage('local').config.billing);
    const [inclusive] = await client.call<number[]>('account.tax', 'create', {
      vals_list: [{ name: '15% incl.', amount: 15, amount_type: 'percent', type_tax_use: 'sale', price_include_override: 'tax_included' }],
    });
    const config: BillingConfig = { ...local, taxes: [...local.taxes, { percentage: '15', inclusive: true, companyId: 1, odooTaxId: inclusive! }] };
    await seedStripe([
      stripeObject('customer', { id: CUSTOMER, name: 'Taxed Widgets Inc', email: 'ap@taxed.example', currency: 'usd', created: NOV_1 - 86_400 }),
      taxRate('txr_us15', 15, false),
      taxRate('txr_us15_incl', 15, true, { display_name: 'Sales tax incl.' }),
    ]);
    return {
      ledger: new OdooBillingLedger(client),
      source: stripeSource(),
      partners: new OdooPartnerGateway(client),
      identityMap: new InMemoryIdentityMap(), ...customerIdentityTestPorts(),
      watermarks: new InMemoryWatermarks(),
      config,
    };
  }
  async function odooInvoice(ref: string) {
    const moves = await searchRead(client, 'account.move', [['ref', '=', ref], ['move_type', '=', 'out_invoice']], ['state', 'amount_total', 'amount_tax']);
    expect(moves).toHaveLength(1);
    return { state: moves[0]!.state, total: odooAmountToMinor(Number(moves[0]!.amount_total), 2), tax: odooAmountToMinor(Number(moves[0]!.amount_tax), 2) };
  }

  it('the local config maps the sandbox’s own 15 % sale tax (FRESH_ODOO_BILLING tax 1)', async () => {
    await setup();
    const local = billingConfigSchema.parse(resolveStage('local').config.billing);
    const ids = local.taxes.map((entry) => entry.odooTaxId);
    const taxes = await client.call<Array<Record<string, unknown>>>('account.tax', 'read', { ids, fields: ['amount', 'amount_type', 'type_tax_use', 'company_id'] });
    expect(taxes.map((tax) => [tax.amount, tax.amount_type, tax.type_tax_use])).toEqual(local.taxes.map((entry) => [Number(entry.percentage), 'percent', 'sale']));
  });

  it('posts a 15 % exclusive invoice with Stripe’s total to the cent, the rate read from Stripe once', async () => {
    // Prepare: 3 × 20.00 and 1 × 19.99, 15 % on each line (9.00 and 3.00, Stripe rounding 2.9985 per line).
    const ports = await setup();
    const invoice = stripeInvoice('in_tax_excl', [
      invoiceLine('seat', 3, 2000, lineTax(900, 6000, 'txr_us15', 'exclusive')),
      invoiceLine('setup', 1, 1999, lineTax(300, 1999, 'txr_us15', 'exclusive')),
    ]);
    const snapshot = snapshotOf(invoice);
    expect(snapshot.lines.flatMap((line) => line.taxes.map((tax) => tax.percentage))).toEqual([null, null]);
    // Act
    const outcome = await syncBilling(finalized(snapshot), ports);
    // Assess
    expect(outcome).toMatchObject({ outcome: 'posted', total: 9199, roundingDifference: 0 });
    expect(await odooInvoice('in_tax_excl')).toEqual({ state: 'posted', total: invoice.total, tax: 1200 });
    expect(stripeRequests.filter((path) => path.startsWith('/v1/tax_rates/'))).toEqual(['/v1/tax_rates/txr_us15']);
  });

  it('posts a 15 % inclusive invoice with Stripe’s total to the cent', async () => {
    // Prepare: 115.00 and 9.99 gross, of which 15.00 and 1.30 tax.
    const ports = await setup();
    const invoice = stripeInvoice('in_tax_incl', [
      invoiceLine('plan', 1, 11500, lineTax(1500, 10000, 'txr_us15_incl', 'inclusive')),
      invoiceLine('addon', 1, 999, lineTax(130, 869, 'txr_us15_incl', 'inclusive')),
    ]);
    // Act
    const outcome = await syncBilling(finalized(snapshotOf(invoice)), ports);
    // Assess
    expect(outcome).toMatchObject({ outcome: 'posted', total: 12499, roundingDifference: 0 });
    expect(await odooInvoice('in_tax_incl')).toEqual({ state: 'posted', total: invoice.total, tax: 1630 });
  });

  it('posts the invoice a payment arrives before, fetched from Stripe with its rates, then marks it paid', async () => {
    const ports = await setup();
    const invoice = stripeInvoice('in_tax_early', [invoiceLine('seat', 2, 4999, lineTax(1500, 9998, 'txr_us15', 'exclusive'))]);
    await seedStripe([invoice]);
    expect(await syncBilling(paid('in_tax_early', Number(invoice.total)), ports)).toMatchObject({ outcome: 'registered', invoicePaid: true });
    expect(await odooInvoice('in_tax_early')).toEqual({ state: 'posted', total: 11498, tax: 1500 });
    // A second invoice with the same rate: no other Stripe tax rate read (cached for the container).
    await syncBilling(finalized(snapshotOf(stripeInvoice('in_tax_next', [invoiceLine('seat', 1, 1000, lineTax(150, 1000, 'txr_us15', 'exclusive'))]))), ports);
    expect(await odooInvoice('in_tax_next')).toMatchObject({ state: 'posted', total: 1150 });
    expect(stripeRequests.filter((path) => path.startsWith('/v1/tax_rates/'))).toEqual(['/v1/tax_rates/txr_us15']);
  });

  it('refuses an invoice naming a rate Stripe does not know, naming it, with nothing in Odoo', async () => {
    const ports = await setup();
    const invoice = stripeInvoice('in_tax_gone', [invoiceLine('seat', 1, 1000, lineTax(150, 1000, 'txr_deleted', 'exclusive'))]);
    const error = await syncBilling(finalized(snapshotOf(invoice)), ports).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnknownTaxRateError);
    expect(String(error)).toMatch(/txr_deleted/);
    expect(await searchRead(client, 'account.move', [['ref', '=', 'in_tax_gone']], ['state'])).toEqual([]);
  });
});
