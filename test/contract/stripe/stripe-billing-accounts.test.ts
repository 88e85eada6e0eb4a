/**
 * The onboarding saga's Stripe writer (StripeBillingAccounts) against the Stripe sandbox, read back with the official
 * `stripe` package: what a retried step makes (the same Idempotency-Key → the first object), the metadata that links
 * the customer, and undoing that tolerates what is already undone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BillingCustomerLinks } from '../../../functions/domain/billing-accounts';
import { isRetryable } from '../../../functions/platform/errors';
import { STRIPE_API_VERSION, StripeApi, StripeRequestError } from '../../../functions/providers/stripe/stripe-api';
import { StripeBillingAccounts } from '../../../functions/providers/stripe/stripe-billing-accounts';
import { type StripeSandbox, startStripeSandbox } from '../../../local/sandboxes/stripe/server';

const API_KEY = 'sk_test_contract';
const LINKS: BillingCustomerLinks = { odooPartnerId: 42, customerId: 'cust-7101', crm: { system: 'hubspot', accountId: '7101', dealId: '7301' } };
const PRICE = { id: 'price_pro_monthly', object: 'price', currency: 'usd', product: 'prod_pro', nickname: 'Pro', unit_amount: 4900, recurring: { interval: 'month', interval_count: 1 } };

describe('StripeBillingAccounts on the Stripe sandbox', () => {
  let sandbox: StripeSandbox;
  let dataDir: string;
  let accounts: StripeBillingAccounts;
  const official = () => new Stripe(API_KEY, { host: '127.0.0.1', port: sandbox.port, protocol: 'http', maxNetworkRetries: 0 });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'stripe-billing-accounts-'));
    sandbox = await startStripeSandbox({ port: 0, apiKey: API_KEY, dataDir });
  });
  afterAll(async () => {
    await sandbox?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    sandbox.reset();
    const seeded = await fetch(`${sandbox.url}/_sandbox/objects`, { method: 'POST', body: JSON.stringify([PRICE]) });
    expect(seeded.status).toBe(200);
    accounts = new StripeBillingAccounts(new StripeApi({ apiKey: async () => API_KEY, apiVersion: STRIPE_API_VERSION, baseUrl: sandbox.url, retry: { baseDelayMs: 1, maxDelayMs: 5 } }), null);
  });

  it('creates the customer once per key, with the metadata customer-sync links it by', async () => {
    const draft = { name: 'Acme Analytics GmbH', email: 'billing@acme-analytics.example', links: LINKS };
    const first = await accounts.ensureCustomer(draft, undefined, 'onboarding:exec-1:billing-customer');
    const retried = await accounts.ensureCustomer(draft, undefined, 'onboarding:exec-1:billing-customer');

    expect(retried).toEqual(first);
    expect(first.created).toBe(true);
    const customers = await official().customers.list();
    expect(customers.data).toHaveLength(1);
    expect(customers.data[0]).toMatchObject({
      id: first.customerId,
      name: 'Acme Analytics GmbH',
      email: 'billing@acme-analytics.example',
      metadata: { odoo_partner_id: '42', hubspot_company_id: '7101', crm_deal_id: 'hubspot:7301', saas_sync_customer_id: 'cust-7101' },
    });
  });

  it('keeps a customer the canonical customer already has, and makes a new one for a deleted one', async () => {
    const existing = await official().customers.create({ name: 'Acme' });
    expect(await accounts.ensureCustomer({ name: 'Acme', email: null, links: LINKS }, existing.id, 'k1')).toEqual({ customerId: existing.id, created: false });
    await official().customers.del(existing.id);
    const replacement = await accounts.ensureCustomer({ name: 'Acme', email: null, links: LINKS }, existing.id, 'k2');
    expect(replacement.created).toBe(true);
    expect(replacement.customerId).not.toBe(existing.id);
  });

  it('subscribes once per key, with the collection method, and the snapshot is what the webhook would carry', async () => {
    const { customerId } = await accounts.ensureCustomer({ name: 'Acme', email: null, links: LINKS }, undefined, 'c');
    const draft = { customerId, items: [{ priceId: PRICE.id, quantity: 2 }], collection: { method: 'send_invoice', daysUntilDue: 30 } as const, links: LINKS };
    const subscription = await accounts.createSubscription(draft, 'onboarding:exec-1:billing-subscription');
    const again = await accounts.createSubscription(draft, 'onboarding:exec-1:billing-subscription');

    expect(again.id).toBe(subscription.id);
    expect(subscription).toMatchObject({ system: 'stripe', customerId, status: 'active', items: [{ priceId: PRICE.id, quantity: 2, unitAmount: 4900, interval: 'month' }] });
    const listed = await official().subscriptions.list({ customer: customerId, status: 'all' });
    expect(listed.data).toHaveLength(1);
    expect(listed.data[0]).toMatchObject({ collection_method: 'send_invoice', days_until_due: 30, metadata: { odoo_partner_id: '42', crm_deal_id: 'hubspot:7301' } });
  });

  it('undoes tolerantly: a subscription cancelled twice stays cancelled, a customer deleted twice is not found', async () => {
    const { customerId } = await accounts.ensureCustomer({ name: 'Acme', email: null, links: LINKS }, undefined, 'c');
    const { id } = await accounts.createSubscription({ customerId, items: [{ priceId: PRICE.id, quantity: 1 }], collection: { method: 'charge_automatically' }, links: LINKS }, 's');

    expect((await accounts.cancelSubscription(id))?.status).toBe('canceled');
    expect((await accounts.cancelSubscription(id))?.status).toBe('canceled');
    expect(await accounts.cancelSubscription('sub_unknown')).toBeUndefined();
    expect(await accounts.deleteCustomer(customerId)).toBe('deleted');
    expect(await accounts.deleteCustomer(customerId)).toBe('not-found');
    expect((await official().subscriptions.retrieve(id)).status).toBe('canceled');
  });

  it('a refused customer is a permanent error (Stripe’s 4xx), a price Stripe lacks too', async () => {
    const fault = await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ status: 400, path: '/v1/customers', count: 1 }) });
    expect(fault.status).toBe(200);
    const refused = await accounts.ensureCustomer({ name: 'Acme', email: null, links: LINKS }, undefined, 'c').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StripeRequestError);
    expect(isRetryable(refused)).toBe(false);

    const { customerId } = await accounts.ensureCustomer({ name: 'Acme', email: null, links: LINKS }, undefined, 'c2');
    const unknownPrice = await accounts.createSubscription({ customerId, items: [{ priceId: 'price_gone', quantity: 1 }], collection: { method: 'charge_automatically' }, links: LINKS }, 's').catch((error: unknown) => error);
    expect(unknownPrice).toBeInstanceOf(StripeRequestError);
    expect((unknownPrice as Error).message).toBe("Stripe POST /v1/subscriptions: 400 invalid_request_error/resource_missing: No such price: 'price_gone'");
  });
});
