/**
 * An invoice with more lines than Stripe embeds (120: Stripe and the sandbox embed the first 10 and say
 * `has_more`): the ingest maps the webhook without any lookup, marking the lines incomplete; the billing flow
 * reads `GET /v1/invoices/{id}/lines` page by page (limit 100, starting_after) through StripeApi, and the
 * posted Odoo invoice (the Odoo 18 sandbox) has every line and Stripe's total to the cent.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { InvoiceFinalized } from '../../../events/invoice-finalized';
import { OdooClient, odooAmountToMinor, resetDatabaseGuards, searchRead } from '../../../functions/erp/odoo';
import { OdooBillingLedger } from '../../../functions/erp/odoo/billing-ledger';
import { OdooPartnerGateway } from '../../../functions/erp/odoo/partner-gateway';
import { STRIPE_API_VERSION, StripeApi, StripeRequestError } from '../../../functions/providers/stripe/stripe-api';
import { StripeBillingSource } from '../../../functions/providers/stripe/stripe-billing-source';
import { billingConfigSchema } from '../../../functions/domain/billing-config';
import { syncBilling } from '../../../functions/flows/billing-sync/sync-billing';
import { stripeEventToCanonical, stripeEventSchema } from '../../../functions/providers/stripe/stripe-event-to-canonical';
import { resolveStage } from '../../../lib/config/stages';
import { startOdooSandbox } from '../../../local/sandboxes/odoo/server';
import { type StripeSandbox, startStripeSandbox } from '../../../local/sandboxes/stripe/server';
import { type StripeObject, stripeObject } from '../../../local/sandboxes/stripe/stripe-object-templates';
import { InMemoryIdentityMap, InMemoryWatermarks, customerIdentityTestPorts } from '../../support/in-memory-ports';

const STRIPE_KEY = 'sk_test_invoice_lines';
const ODOO_KEY = 'invoice-lines-contract-key';
const CUSTOMER = 'cus_LINES';
const INVOICE = 'in_120_lines';
const NOV_1 = Date.parse('2026-11-01T00:00:00Z') / 1000;
const LINE_COUNT = 120;

/** Line `i` of the invoice: one of three prices, an amount of its own (so a lost or doubled line changes the total). */
function invoiceLine(i: number): Record<string, unknown> {
  const template = (stripeObject('invoice').lines as { data: Record<string, unknown>[] }).data[0]!;
  const amount = 1000 + i;
  return {
    ...template, id: `il_${String(i).padStart(3, '0')}`, invoice: INVOICE, amount, subtotal: amount, quantity: 1, quantity_decimal: '1',
    description: `Usage block ${i}`, taxes: [], discount_amounts: [], parent: null, period: { start: NOV_1, end: NOV_1 },
    pricing: { type: 'price_details', price_details: { price: `price_block_${i % 3}`, product: 'prod_block' }, unit_amount_decimal: String(amount) },
  };
}
const LINES = Array.from({ length: LINE_COUNT }, (_, i) => invoiceLine(i));
const TOTAL = LINES.reduce((sum, line) => sum + Number(line.amount), 0);
/** Seeded with every line, as Stripe holds it; the sandbox serves the first 10 embedded. */
const INVOICE_OBJECT: StripeObject = stripeObject('invoice', {
  id: INVOICE, customer: CUSTOMER, currency: 'usd', status: 'open', number: 'LINES-0001', created: NOV_1, effective_at: NOV_1, due_date: null,
  billing_reason: 'manual', lines: { object: 'list', data: LINES, has_more: false, url: `/v1/invoices/${INVOICE}/lines` },
  subtotal: TOTAL, subtotal_excluding_tax: TOTAL, total_discount_amounts: [], total_taxes: [], total: TOTAL, amount_due: TOTAL,
  amount_paid: 0, amount_remaining: TOTAL, status_transitions: { finalized_at: NOV_1 }, parent: null,
});

let stripeSandbox: StripeSandbox;
let requests: string[];
beforeAll(async () => {
  stripeSandbox = await startStripeSandbox({ port: 0, apiKey: STRIPE_KEY });
});
afterAll(async () => {
  await stripeSandbox?.close();
});
beforeEach(async () => {
  stripeSandbox.reset();
  const response = await fetch(`${stripeSandbox.url}/_sandbox/objects`, {
    method: 'POST',
    body: JSON.stringify([stripeObject('customer', { id: CUSTOMER, name: 'Many Lines Ltd', email: 'ap@lines.example', currency: 'usd', created: NOV_1 }), INVOICE_OBJECT]),
  });
  expect(response.status).toBe(200);
});

function stripeApi(): StripeApi {
  requests = [];
  return new StripeApi({
    apiKey: async () => STRIPE_KEY, apiVersion: STRIPE_API_VERSION, baseUrl: stripeSandbox.url, retry: { baseDelayMs: 1, maxDelayMs: 5 },
    fetch: (input, init) => {
      const url = new URL(String(input));
      requests.push(`${url.pathname}${url.search}`);
      return fetch(input, init);
    },
  });
}

/** `invoice.finalized` as Stripe delivers it: the invoice as the API renders it (first lines embedded), mapped by the ingest. */
async function finalizedWebhook(): Promise<InvoiceFinalized> {
  const served = (await (await fetch(`${stripeSandbox.url}/v1/invoices/${INVOICE}`, { headers: { Authorization: `Bearer ${STRIPE_KEY}` } })).json()) as StripeObject;
  const event = stripeEventSchema.parse({
    id: 'evt_lines', object: 'event', type: 'invoice.finalized', created: NOV_1, livemode: false, api_version: STRIPE_API_VERSION, data: { object: served },
  });
  const mapped = stripeEventToCanonical(event);
  if (!mapped.handled) throw new Error(mapped.reason);
  return mapped.events[0] as InvoiceFinalized;
}

describe('the Stripe sandbox serves an invoice’s lines as Stripe does', () => {
  it('embeds the first 10 of 120 lines with has_more, and lists all 120 in order at /v1/invoices/{id}/lines, 100 a page', async () => {
    // Act
    const served = (await (await fetch(`${stripeSandbox.url}/v1/invoices/${INVOICE}`, { headers: { Authorization: `Bearer ${STRIPE_KEY}` } })).json()) as {
      lines: { data: Array<{ id: string }>; has_more: boolean };
    };
    const stripe = stripeApi();
    const listed: string[] = [];
    for await (const line of stripe.invoiceLines(INVOICE)) listed.push(line.id);
    // Assess
    expect(served.lines.data.map((line) => line.id)).toEqual(LINES.slice(0, 10).map((line) => line.id));
    expect(served.lines.has_more).toBe(true);
    expect(listed).toEqual(LINES.map((line) => line.id));
    expect(requests).toEqual([`/v1/invoices/${INVOICE}/lines?limit=100`, `/v1/invoices/${INVOICE}/lines?limit=100&starting_after=il_099`]);
  });

  it('answers 404 resource_missing for the lines of an invoice it does not know, and 400 for a filter', async () => {
    const stripe = stripeApi();
    const missing = await (async () => {
      for await (const _line of stripe.invoiceLines('in_nope')) return undefined;
    })().catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(StripeRequestError);
    expect((missing as StripeRequestError).details).toMatchObject({ status: 404, code: 'resource_missing' });
    const filtered = await fetch(`${stripeSandbox.url}/v1/invoices/${INVOICE}/lines?customer=${CUSTOMER}`, { headers: { Authorization: `Bearer ${STRIPE_KEY}` } });
    expect(filtered.status).toBe(400);
  });
});

describe('an invoice of 120 lines, posted in Odoo (18 sandbox, JSON-RPC)', () => {
  let odooSandbox: Awaited<ReturnType<typeof startOdooSandbox>>;
  beforeAll(async () => {
    odooSandbox = await startOdooSandbox({ port: 0, apiKey: ODOO_KEY, version: '18.0' });
  });
  afterAll(async () => {
    await odooSandbox?.close();
  });

  function ports() {
    resetDatabaseGuards();
    odooSandbox.reset();
    const client = new OdooClient({
      connection: { url: odooSandbox.url, database: 'odoo18', login: 'admin', transport: 'jsonrpc', ratePerSecond: 1000 },
      apiKey: { get: async () => ODOO_KEY, invalidate: () => undefined },
    });
    return {
      client,
      ledger: new OdooBillingLedger(client),
      source: new StripeBillingSource(stripeApi(), null, () => NOV_1),
      partners: new OdooPartnerGateway(client),
      identityMap: new InMemoryIdentityMap(), ...customerIdentityTestPorts(),
      watermarks: new InMemoryWatermarks(),
      config: billingConfigSchema.parse(resolveStage('local').config.billing),
    };
  }
  async function odooInvoice(client: OdooClient) {
    const [move] = await searchRead(client, 'account.move', [['ref', '=', INVOICE], ['move_type', '=', 'out_invoice']], ['state', 'amount_total', 'invoice_line_ids']);
    return { state: move?.state, total: odooAmountToMinor(Number(move?.amount_total), 2), lines: (move?.invoice_line_ids as number[] | undefined)?.length };
  }

  it('maps the webhook without a lookup (10 lines, marked incomplete), then posts every line after reading the rest from Stripe', async () => {
    // Prepare
    const event = await finalizedWebhook();
    const p = ports();
    // Act
    const outcome = await syncBilling(event, p);
    // Assess
    expect(event.data.invoice.lines).toHaveLength(10);
    expect(event.data.invoice.linesIncomplete).toBe(true);
    expect(outcome).toMatchObject({ outcome: 'posted', total: TOTAL });
    expect(await odooInvoice(p.client)).toEqual({ state: 'posted', total: TOTAL, lines: LINE_COUNT });
    expect(requests.filter((request) => request.includes('/lines'))).toHaveLength(2);
  });

  it('posts every line of an invoice fetched because a payment came first (StripeBillingSource.invoice)', async () => {
    // Prepare
    const p = ports();
    // Act
    const snapshot = await p.source.invoice(INVOICE);
    // Assess
    expect(snapshot?.lines.map((line) => line.id)).toEqual(LINES.map((line) => line.id));
    expect(snapshot).not.toHaveProperty('linesIncomplete');
    expect(requests).toEqual([`/v1/invoices/${INVOICE}`, `/v1/invoices/${INVOICE}/lines?limit=100`, `/v1/invoices/${INVOICE}/lines?limit=100&starting_after=il_099`]);
  });
});
