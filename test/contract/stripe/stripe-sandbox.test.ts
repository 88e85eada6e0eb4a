/**
 * The Stripe sandbox (local/sandboxes/stripe) as Stripe's clients see it: the official `stripe` package
 * (which must read its answers and errors as Stripe's) and our fetch client `StripeApi`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  STRIPE_API_VERSION,
  StripeApi,
  StripeAuthError,
  StripeRequestError,
  StripeUnavailableError,
  type StripeApiObject,
} from '../../../functions/providers/stripe/stripe-api';
import { type StripeSandbox, startStripeSandbox } from '../../../local/sandboxes/stripe/server';
import { stripeObject } from '../../../local/sandboxes/stripe/stripe-object-templates';

const API_KEY = 'sk_test_contract';
const NOV_1 = Date.parse('2026-11-01T00:00:00Z') / 1000;

async function seed(sandbox: StripeSandbox, objects: unknown[], account?: string): Promise<void> {
  const response = await fetch(`${sandbox.url}/_sandbox/objects`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(account ? { 'Stripe-Account': account } : {}) },
    body: JSON.stringify(objects),
  });
  expect(response.status).toBe(200);
}

async function all(iterable: AsyncIterable<StripeApiObject>): Promise<StripeApiObject[]> {
  const items: StripeApiObject[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** 25 invoices an hour apart from Nov 1 00:00 (the last on Nov 2), plus one in October and one in December. */
function invoices() {
  return [
    stripeObject('invoice', { id: 'in_october', created: NOV_1 - 1, status: 'paid' }),
    ...Array.from({ length: 25 }, (_, hour) => stripeObject('invoice', { id: `in_nov${String(hour).padStart(2, '0')}`, created: NOV_1 + hour * 3600, status: hour % 2 ? 'open' : 'paid' })),
    stripeObject('invoice', { id: 'in_december', created: NOV_1 + 30 * 86_400 + 1, status: 'paid' }),
  ];
}

describe('Stripe sandbox', () => {
  let sandbox: StripeSandbox;
  let dataDir: string;
  const api = (overrides: Partial<ConstructorParameters<typeof StripeApi>[0]> = {}) =>
    new StripeApi({ apiKey: async () => API_KEY, apiVersion: STRIPE_API_VERSION, baseUrl: sandbox.url, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...overrides });
  const official = () => new Stripe(API_KEY, { host: '127.0.0.1', port: sandbox.port, protocol: 'http', maxNetworkRetries: 0 });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'stripe-sandbox-'));
    sandbox = await startStripeSandbox({ port: 0, apiKey: API_KEY, dataDir });
  });

  afterAll(async () => {
    await sandbox?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(() => sandbox.reset());

  it('serves seeded objects with Stripe’s shapes to the official client', async () => {
    // Prepare
    await seed(sandbox, [stripeObject('customer', { id: 'cus_1', name: 'Acme' }), stripeObject('invoice', { id: 'in_1', customer: 'cus_1', total: 4999, currency: 'usd' })]);
    // Act
    const customer = await official().customers.retrieve('cus_1');
    const invoice = await official().invoices.retrieve('in_1');
    // Assess
    expect(customer).toMatchObject({ id: 'cus_1', object: 'customer', name: 'Acme' });
    expect(invoice).toMatchObject({ id: 'in_1', object: 'invoice', total: 4999, customer: 'cus_1', lines: { object: 'list' } });
  });

  it('answers errors the official client classifies as Stripe’s: missing, bad key, no key, unknown parameter', async () => {
    const missing = await official().invoices.retrieve('in_nope').catch((e: unknown) => e);
    const badKey = await new Stripe('sk_test_wrong_key_1234', { host: '127.0.0.1', port: sandbox.port, protocol: 'http', maxNetworkRetries: 0 }).invoices.list().catch((e: unknown) => e);
    const noKey = await fetch(`${sandbox.url}/v1/invoices`);
    const unknownParam = await official().invoices.list({ colour: 'red' } as Stripe.InvoiceListParams).catch((e: unknown) => e);

    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'id', message: "No such invoice: 'in_nope'" });
    expect(badKey).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect((badKey as Error).message).toBe('Invalid API Key provided: sk_test_**********1234');
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as { error: { message: string } }).error.message).toMatch(/^You did not provide an API key/);
    expect(unknownParam).toMatchObject({ statusCode: 400, param: 'colour', message: 'Received unknown parameter: colour' });
  });

  it('pages a created range newest first; the official auto-pagination and StripeApi agree', async () => {
    // Prepare
    await seed(sandbox, invoices());
    const created = { gte: NOV_1, lte: NOV_1 + 86_399 };
    // Act
    const firstPage = await official().invoices.list({ created, limit: 10 });
    const byOfficial: string[] = [];
    for await (const invoice of official().invoices.list({ created, limit: 10 })) byOfficial.push(invoice.id!);
    const byOurs = (await all(api().list('invoice', { created }))).map((invoice) => invoice.id);
    const paid = (await all(api().list('invoice', { created, status: 'paid' }))).map((invoice) => invoice.id);
    // Assess
    expect(firstPage).toMatchObject({ object: 'list', has_more: true, url: '/v1/invoices' });
    expect(firstPage.data.map((invoice) => invoice.id)).toEqual(['in_nov23', 'in_nov22', 'in_nov21', 'in_nov20', 'in_nov19', 'in_nov18', 'in_nov17', 'in_nov16', 'in_nov15', 'in_nov14']);
    expect(byOfficial).toHaveLength(24);
    expect(byOurs).toEqual(byOfficial);
    expect(byOurs).not.toContain('in_october');
    expect(byOurs).not.toContain('in_nov24');
    expect(paid).toEqual(byOfficial.filter((id) => Number(id.slice(-2)) % 2 === 0));
  });

  it('filters invoice payments by invoice and by payment intent, credit notes by invoice, refunds by charge', async () => {
    await seed(sandbox, [
      stripeObject('invoice_payment', { id: 'inpay_1', invoice: 'in_1', status: 'paid', payment: { type: 'payment_intent', payment_intent: 'pi_1' } }),
      stripeObject('invoice_payment', { id: 'inpay_2', invoice: 'in_2', status: 'paid', payment: { type: 'payment_intent', payment_intent: 'pi_2' } }),
      stripeObject('credit_note', { id: 'cn_1', invoice: 'in_1' }),
      stripeObject('refund', { id: 're_1', charge: 'ch_1' }),
      stripeObject('refund', { id: 're_2', charge: 'ch_2' }),
    ]);
    const ids = async (kind: Parameters<StripeApi['list']>[0], params: Parameters<StripeApi['list']>[1]) => (await all(api().list(kind, params))).map((o) => o.id);
    expect(await ids('invoice_payment', { invoice: 'in_2' })).toEqual(['inpay_2']);
    expect(await ids('invoice_payment', { payment: { type: 'payment_intent', payment_intent: 'pi_1' } })).toEqual(['inpay_1']);
    expect((await official().invoicePayments.list({ invoice: 'in_1' })).data.map((p) => p.id)).toEqual(['inpay_1']);
    expect(await ids('credit_note', { invoice: 'in_1' })).toEqual(['cn_1']);
    expect(await ids('refund', { charge: 'ch_2' })).toEqual(['re_2']);
  });

  it('serves tax rates by id and as a list filtered by active and inclusive, as the official client reads them', async () => {
    await seed(sandbox, [
      stripeObject('tax_rate', { id: 'txr_vat', percentage: 19, inclusive: false, created: NOV_1 }),
      stripeObject('tax_rate', { id: 'txr_vat_incl', percentage: 19, inclusive: true, created: NOV_1 + 1 }),
      stripeObject('tax_rate', { id: 'txr_old', percentage: 16, inclusive: false, active: false, created: NOV_1 + 2 }),
    ]);
    const rate = await official().taxRates.retrieve('txr_vat');
    expect(rate).toMatchObject({ id: 'txr_vat', object: 'tax_rate', percentage: 19, inclusive: false, display_name: 'VAT', jurisdiction: 'DE' });
    expect((await official().taxRates.list({ active: true })).data.map((r) => r.id)).toEqual(['txr_vat_incl', 'txr_vat']);
    expect((await official().taxRates.list({ inclusive: false })).data.map((r) => r.id)).toEqual(['txr_old', 'txr_vat']);
    expect((await all(api().list('tax_rate', { active: true, inclusive: true }))).map((r) => r.id)).toEqual(['txr_vat_incl']);
    expect(await api().retrieve('tax_rate', 'txr_nope')).toBeUndefined();
    const badBoolean = await api().list('tax_rate', { active: 'yes' }).next().catch((e: unknown) => e);
    expect(badBoolean).toBeInstanceOf(StripeRequestError);
    expect(badBoolean).toMatchObject({ details: { status: 400, param: 'active' } });
  });

  it('keeps each Connect account’s objects apart (Stripe-Account)', async () => {
    await seed(sandbox, [stripeObject('customer', { id: 'cus_connected' })], 'acct_1');
    expect(await api().retrieve('customer', 'cus_connected')).toBeUndefined();
    expect((await api({ stripeAccount: 'acct_1' }).retrieve('customer', 'cus_connected'))?.id).toBe('cus_connected');
    expect((await official().customers.retrieve('cus_connected', {}, { stripeAccount: 'acct_1' })).id).toBe('cus_connected');
  });

  it('maps the sandbox’s faults onto StripeApi’s error classes: retried 429/5xx, permanent 401', async () => {
    // Prepare
    await seed(sandbox, [stripeObject('charge', { id: 'ch_1' })]);
    const fault = (body: object) => fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', body: JSON.stringify(body) });
    // Act
    await fault({ status: 429, count: 1, retryAfter: 0 });
    await fault({ status: 500, count: 1 });
    const afterTwoFaults = await api().retrieve('charge', 'ch_1');
    await fault({ status: 503, count: 10 });
    const exhausted = await api({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 } }).retrieve('charge', 'ch_1').catch((e: unknown) => e);
    await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
    const badKey = await api({ apiKey: async () => 'sk_test_nope' }).retrieve('charge', 'ch_1').catch((e: unknown) => e);
    const badCursor = await all(api().list('charge', { starting_after: 'ch_unknown' })).catch((e: unknown) => e);
    // Assess
    expect(afterTwoFaults?.id).toBe('ch_1');
    expect(exhausted).toBeInstanceOf(StripeUnavailableError);
    expect(badKey).toBeInstanceOf(StripeAuthError);
    expect(badCursor).toBeInstanceOf(StripeRequestError);
    expect((badCursor as StripeRequestError).details).toMatchObject({ status: 404, code: 'resource_missing', param: 'starting_after' });
  });

  it('keeps its objects in dataDir across restarts, and forgets them on DELETE', async () => {
    // Prepare
    await seed(sandbox, [stripeObject('subscription', { id: 'sub_1', status: 'active' })]);
    await sandbox.close();
    sandbox = await startStripeSandbox({ port: 0, apiKey: API_KEY, dataDir });
    // Act
    const afterRestart = await api().retrieve('subscription', 'sub_1');
    await fetch(`${sandbox.url}/_sandbox/objects`, { method: 'DELETE' });
    const afterDelete = await api().retrieve('subscription', 'sub_1');
    // Assess
    expect(afterRestart).toMatchObject({ id: 'sub_1', object: 'subscription', status: 'active' });
    expect(afterDelete).toBeUndefined();
  });
});
