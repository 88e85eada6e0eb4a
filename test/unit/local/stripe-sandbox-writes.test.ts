import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type StripeSandbox, startStripeSandbox } from '../../../local/sandboxes/stripe/server';
import { parseForm } from '../../../local/sandboxes/stripe/stripe-writes';

const API_KEY = 'sk_test_writes';
let sandbox: StripeSandbox;

beforeAll(async () => {
  sandbox = await startStripeSandbox({ port: 0, apiKey: API_KEY });
});
afterAll(async () => {
  await sandbox?.close();
});
beforeEach(async () => {
  sandbox.reset();
  // Stripe refuses a subscription to a price it does not have: the sandbox serves the seeded ones.
  await fetch(`${sandbox.url}/_sandbox/objects`, { method: 'POST', body: JSON.stringify([{ id: 'price_team', object: 'price', currency: 'usd', unit_amount: 4900 }]) });
});

/** A form POST as Stripe's clients send it. */
async function post(path: string, form: Record<string, string>, idempotencyKey?: string) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/x-www-form-urlencoded', ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}) },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, replayed: response.headers.get('idempotent-replayed'), body: (await response.json()) as Record<string, any> };
}

const official = () => new Stripe(API_KEY, { host: '127.0.0.1', port: sandbox.port, protocol: 'http', maxNetworkRetries: 0 });

describe('Stripe sandbox writes', () => {
  it('parses Stripe’s bracketed form parameters into nested objects and arrays', () => {
    expect(parseForm('customer=cus_1&items[0][price]=price_a&items[1][price]=price_b&items[1][quantity]=3&metadata[odoo_partner]=12')).toEqual({
      customer: 'cus_1',
      items: [{ price: 'price_a' }, { price: 'price_b', quantity: '3' }],
      metadata: { odoo_partner: '12' },
    });
  });

  it('creates a customer and a subscription through the official client, served back by the read API', async () => {
    const stripe = official();
    const customer = await stripe.customers.create({ name: 'Globex', email: 'billing@globex.example', metadata: { odoo_partner_id: '42' } });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: 'price_team', quantity: 2 }], collection_method: 'send_invoice', days_until_due: 14, metadata: { crm_deal: 'hubspot:deal:9' } });

    expect(customer).toMatchObject({ object: 'customer', name: 'Globex', email: 'billing@globex.example', metadata: { odoo_partner_id: '42' } });
    expect(customer.id).toMatch(/^cus_/);
    expect(subscription).toMatchObject({ object: 'subscription', customer: customer.id, status: 'active', collection_method: 'send_invoice', days_until_due: 14, metadata: { crm_deal: 'hubspot:deal:9' } });
    expect(subscription.items.data.map((item) => [item.price.id, item.quantity])).toEqual([['price_team', 2]]);
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ id: subscription.id, status: 'active' });
  });

  it('answers a retried POST with the same Idempotency-Key and parameters with the first response, creating nothing more', async () => {
    const first = await post('/v1/customers', { name: 'Initech', 'metadata[saga]': 'onboarding:run-1' }, 'onboarding:run-1:customer');
    const retried = await post('/v1/customers', { 'metadata[saga]': 'onboarding:run-1', name: 'Initech' }, 'onboarding:run-1:customer');

    expect(first.status).toBe(200);
    expect(retried).toEqual({ ...first, replayed: 'true' });
    const listed = await official().customers.list();
    expect(listed.data.filter((customer) => customer.name === 'Initech')).toHaveLength(1);
  });

  it('refuses the same key with other parameters, or on another endpoint, with Stripe’s idempotency_error', async () => {
    await post('/v1/customers', { name: 'Hooli' }, 'key-1');

    const otherParameters = await post('/v1/customers', { name: 'Hooli XYZ' }, 'key-1');
    const customer = await post('/v1/customers', { name: 'Hooli' });
    const otherEndpoint = await post('/v1/subscriptions', { customer: customer.body['id'], 'items[0][price]': 'price_team' }, 'key-1');

    expect(otherParameters.status).toBe(400);
    expect(otherParameters.body['error']).toMatchObject({ type: 'idempotency_error', message: expect.stringContaining('same parameters they were first used with') });
    expect(otherEndpoint.status).toBe(400);
    expect(otherEndpoint.body['error']).toMatchObject({ type: 'idempotency_error', message: expect.stringContaining('same endpoint') });
  });

  it('saves no answer for a request refused by validation: the key works once the request is right', async () => {
    const refused = await post('/v1/subscriptions', { 'items[0][price]': 'price_team' }, 'key-2');
    const customer = await post('/v1/customers', { name: 'Vandelay' });
    const accepted = await post('/v1/subscriptions', { customer: customer.body['id'], 'items[0][price]': 'price_team' }, 'key-2');

    expect(refused).toMatchObject({ status: 400, body: { error: { type: 'invalid_request_error', code: 'parameter_missing', param: 'customer' } } });
    expect(accepted).toMatchObject({ status: 200, body: { object: 'subscription', status: 'active' } });
  });

  it('refuses a subscription to a customer or price Stripe does not have', async () => {
    const noCustomer = await post('/v1/subscriptions', { customer: 'cus_missing', 'items[0][price]': 'price_team' });
    const customer = await post('/v1/customers', { name: 'Acme' });
    const noPrice = await post('/v1/subscriptions', { customer: customer.body['id'], 'items[0][price]': 'price_unmapped' });

    expect(noCustomer).toMatchObject({ status: 400, body: { error: { code: 'resource_missing', param: 'customer', message: "No such customer: 'cus_missing'" } } });
    expect(noPrice).toMatchObject({ status: 400, body: { error: { code: 'resource_missing', param: 'items[0][price]', message: "No such price: 'price_unmapped'" } } });
  });

  it('cancels a subscription (again: answered as canceled) and deletes a customer (again: 404)', async () => {
    const stripe = official();
    const customer = await stripe.customers.create({ name: 'Umbrella' });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: 'price_team' }] });

    const canceled = await stripe.subscriptions.cancel(subscription.id);
    const canceledAgain = await stripe.subscriptions.cancel(subscription.id);
    const deleted = await stripe.customers.del(customer.id);
    const deletedAgain = await stripe.customers.del(customer.id).catch((error: unknown) => error);

    expect(canceled).toMatchObject({ id: subscription.id, status: 'canceled', canceled_at: expect.any(Number) });
    expect(canceledAgain).toMatchObject({ status: 'canceled', canceled_at: canceled.canceled_at });
    expect(deleted).toEqual({ id: customer.id, object: 'customer', deleted: true });
    expect(await stripe.customers.retrieve(customer.id)).toMatchObject({ id: customer.id, deleted: true });
    expect(deletedAgain).toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });
});
