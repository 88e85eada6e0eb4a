import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { canonicalEventSchema } from '../../../events/catalog';
import { PaypalApi, PaypalAuthError, PaypalUnavailableError } from '../../../functions/providers/paypal/paypal-api';
import { PaypalBillingSource } from '../../../functions/providers/paypal/paypal-billing-source';
import { PaypalCertificateStore } from '../../../functions/providers/paypal/paypal-certificates';
import { paypalWebhook } from '../../../functions/providers/paypal/paypal-webhook';
import { type PaypalSandbox, SANDBOX_PAYPAL_CLIENT_ID, SANDBOX_PAYPAL_CLIENT_SECRET, startPaypalSandbox } from '../../../local/sandboxes/paypal/server';

const FIXTURES = join(__dirname, '../../fixtures/paypal');
const resourceOf = (name: string) => (JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as { resource: Record<string, unknown> }).resource;
const eventOf = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
const usd = (value: string) => ({ currency_code: 'USD', value });

/** The checkout order of the real sandbox capture (derived: the capture names it, its body was not published). */
const ORDER = {
  id: '89T257400V0473133',
  status: 'COMPLETED',
  create_time: '2022-02-02T00:22:30Z',
  payer: { payer_id: 'QYR5Z8XDVJNXQ', email_address: 'payer@example.com', name: { given_name: 'Ada', surname: 'Lovelace' }, address: { country_code: 'GB' } },
  purchase_units: [
    {
      reference_id: 'default',
      amount: { currency_code: 'USD', value: '100.00', breakdown: { item_total: usd('90.00'), tax_total: usd('7.20'), shipping: usd('2.80') } },
      items: [
        { name: 'Seat', quantity: '3', unit_amount: usd('20.00'), tax: usd('1.60'), sku: 'SEAT' },
        { name: 'Setup', quantity: '1', unit_amount: usd('30.00'), tax: usd('2.40') },
      ],
    },
  ],
  links: [{ href: 'https://api.sandbox.paypal.com/v2/checkout/orders/89T257400V0473133', rel: 'self', method: 'GET' }],
};
/** The plan of the real sandbox subscription payment (derived). */
const PLAN = {
  id: 'P-5ML4271244454362WXNWU5NQ',
  product_id: 'PROD-XXCD1234QWER65782',
  name: 'Team plan',
  billing_cycles: [{ tenure_type: 'REGULAR', sequence: 1, frequency: { interval_unit: 'MONTH', interval_count: 1 }, pricing_scheme: { fixed_price: usd('9.99') } }],
};

describe('PayPal read client and billing source against the PayPal sandbox', () => {
  let sandbox: PaypalSandbox;
  const client = (options: { clientSecret?: string } = {}) =>
    new PaypalApi({
      baseUrl: sandbox.url,
      credentials: async () => ({ clientId: SANDBOX_PAYPAL_CLIENT_ID, clientSecret: options.clientSecret ?? SANDBOX_PAYPAL_CLIENT_SECRET }),
      retry: { baseDelayMs: 1, maxDelayMs: 2_000 },
    });

  beforeAll(async () => {
    sandbox = await startPaypalSandbox({ modulusLength: 1024 });
  });
  afterAll(async () => {
    await sandbox.close();
  });
  beforeEach(() => {
    sandbox.reset();
    sandbox.seed('capture', [resourceOf('PAYMENT.CAPTURE.COMPLETED.sandbox.json')]);
    sandbox.seed('order', [ORDER]);
    sandbox.seed('sale', [resourceOf('PAYMENT.SALE.COMPLETED.sandbox.json')]);
    sandbox.seed('subscription', [{ ...resourceOf('BILLING.SUBSCRIPTION.ACTIVATED.simulator-delivery.json'), id: 'I-CP18AJLYDWR2', quantity: '1', subscriber: { payer_id: 'SUBSCRIBER1', email_address: 'team@example.com' } }]);
    sandbox.seed('plan', [PLAN]);
    sandbox.seed('invoice', [(resourceOf('INVOICING.INVOICE.PAID.sandbox.artconomy.json') as { invoice: Record<string, unknown> }).invoice]);
  });

  it('reads objects with one cached token, and answers undefined for an object PayPal does not have', async () => {
    // Prepare
    const paypal = client();
    // Act
    const capture = await paypal.retrieve('capture', '29Y24445UY2083144');
    const order = await paypal.retrieve('order', '89T257400V0473133');
    const missing = await paypal.retrieve('capture', 'NOPE');
    // Assess
    expect(capture).toMatchObject({ id: '29Y24445UY2083144', status: 'COMPLETED' });
    expect(order).toMatchObject({ id: '89T257400V0473133' });
    expect(missing).toBeUndefined();
    expect(sandbox.tokensIssued).toBe(1);
  });

  it('waits out a 429 RATE_LIMIT_REACHED (Retry-After) and a 503, then answers; gives up as retryable past its bounds', async () => {
    // Prepare
    await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ status: 429, remaining: 1, pathPrefix: '/v2/payments/captures/', retryAfterSeconds: 1 }) });
    await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ status: 503, remaining: 1, pathPrefix: '/v2/payments/captures/' }) });
    const paypal = client();
    // Act
    const startedAt = Date.now();
    const capture = await paypal.retrieve('capture', '29Y24445UY2083144');
    const waited = Date.now() - startedAt;
    await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ status: 503, remaining: 10, pathPrefix: '/v1/billing/plans/' }) });
    const failure = await paypal.retrieve('plan', PLAN.id).catch((error: unknown) => error);
    // Assess
    expect(capture).toMatchObject({ id: '29Y24445UY2083144' });
    expect(waited).toBeGreaterThanOrEqual(1_000);
    expect(failure).toBeInstanceOf(PaypalUnavailableError);
    expect((failure as PaypalUnavailableError).retryable).toBe(true);
  });

  it('refuses wrong client credentials as a permanent auth error (never retried)', async () => {
    // Act
    const failure = await client({ clientSecret: 'wrong' })
      .retrieve('capture', '29Y24445UY2083144')
      .catch((error: unknown) => error);
    // Assess
    expect(failure).toBeInstanceOf(PaypalAuthError);
    expect((failure as PaypalAuthError).details).toMatchObject({ status: 401, name: 'invalid_client' });
    expect(String(failure)).not.toContain('wrong');
  });

  it('builds a checkout capture’s invoice from its order’s items, exactly, and answers its payer as the customer', async () => {
    // Prepare
    const source = new PaypalBillingSource(client());
    // Act
    const invoice = await source.invoice('29Y24445UY2083144');
    const customer = invoice === undefined ? undefined : await source.customer(invoice.customerId);
    // Assess
    expect(invoice).toMatchObject({ id: '29Y24445UY2083144', customerId: 'QYR5Z8XDVJNXQ', currency: 'usd', total: 10000, totalTax: 720, livemode: false });
    expect(invoice?.lines.map((line) => [line.description, line.quantity, line.amount, line.taxes.map((tax) => tax.amount)])).toEqual([
      ['Seat', 3, 6000, [480]],
      ['Setup', 1, 3000, [240]],
      ['Shipping', 1, 280, []],
    ]);
    const lineTotal = (invoice?.lines ?? []).reduce((sum, line) => sum + line.amount + line.taxes.reduce((t, tax) => t + tax.amount, 0), 0);
    expect(lineTotal).toBe(invoice?.total);
    expect(customer).toMatchObject({ system: 'paypal', id: 'QYR5Z8XDVJNXQ', name: 'Ada Lovelace', email: 'payer@example.com' });
  });

  it('builds a subscription payment’s invoice from the plan for the cycle it starts, and a PayPal invoice as the webhook would', async () => {
    // Prepare
    const source = new PaypalBillingSource(client());
    // Act
    const cycle = await source.invoice('7WT2824826029771W');
    const paypalInvoice = await source.invoice('INV2-26KH-MY9Q-USVG-4WZD');
    const unknown = await source.invoice('UNKNOWN1234567890');
    // Assess
    expect(cycle).toMatchObject({ id: '7WT2824826029771W', subscriptionId: 'I-CP18AJLYDWR2', customerId: 'SUBSCRIBER1', total: 999 });
    expect(cycle?.lines).toEqual([
      expect.objectContaining({ description: 'Team plan', priceId: PLAN.id, productId: PLAN.product_id, quantity: 1, amount: 999, periodStart: '2023-10-26T11:10:43.000Z', periodEnd: '2023-11-26T11:10:43.000Z' }),
    ]);
    expect(paypalInvoice).toMatchObject({ id: 'INV2-26KH-MY9Q-USVG-4WZD', total: 2500 });
    expect(unknown).toBeUndefined();
  });

  it('a webhook the sandbox signs passes the PayPal verification when the stage allows the sandbox’s certificate origin, and only then', async () => {
    // Prepare
    const body = JSON.stringify(eventOf('PAYMENT.CAPTURE.COMPLETED.sandbox.json'));
    const headers = sandbox.signedHeaders(body);
    const header = (name: string) => Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
    const local = paypalWebhook({ webhookId: sandbox.webhookId, certificates: new PaypalCertificateStore({ allowedOrigins: [sandbox.certificateOrigin] }) });
    const deployed = paypalWebhook({ webhookId: sandbox.webhookId, certificates: new PaypalCertificateStore() });
    const nowSeconds = Date.now() / 1000;
    // Act
    const accepted = await local.verify({ rawBody: body, header, nowSeconds }, false);
    const refused = await deployed.verify({ rawBody: body, header, nowSeconds }, false);
    const translated = await local.translate(JSON.parse(body));
    // Assess
    expect(accepted).toEqual({ valid: true });
    expect(refused).toMatchObject({ valid: false, statusCode: 401 });
    expect(translated.kind).toBe('mapped');
    if (translated.kind === 'mapped') for (const event of translated.events) expect(() => canonicalEventSchema.parse(event)).not.toThrow();
  });
});
