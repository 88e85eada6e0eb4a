/**
 * The dispute flow's customer lookup (StripeBillingSource.paymentCustomer) against the Stripe sandbox: the
 * customer of a disputed payment that no single invoice names, through the charge (`charge.customer`), else the
 * payment intent — on the dispute's own Connect account.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STRIPE_API_VERSION, StripeApi } from '../../../functions/providers/stripe/stripe-api';
import { StripeBillingSources } from '../../../functions/providers/stripe/stripe-billing-source';
import { type StripeSandbox, startStripeSandbox } from '../../../local/sandboxes/stripe/server';
import { stripeObject } from '../../../local/sandboxes/stripe/stripe-object-templates';

const API_KEY = 'sk_test_dispute_lookups';

describe('StripeBillingSource.paymentCustomer against the Stripe sandbox', () => {
  let sandbox: StripeSandbox;
  let sources: StripeBillingSources;

  beforeAll(async () => {
    sandbox = await startStripeSandbox({ port: 0, apiKey: API_KEY });
    sources = new StripeBillingSources(new StripeApi({ apiKey: async () => API_KEY, apiVersion: STRIPE_API_VERSION, baseUrl: sandbox.url, retry: { baseDelayMs: 1, maxDelayMs: 5 } }));
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  beforeEach(() => sandbox.reset());
  async function seed(objects: unknown[], account?: string) {
    const headers: Record<string, string> = account ? { 'Stripe-Account': account } : {};
    const response = await fetch(`${sandbox.url}/_sandbox/objects`, { method: 'POST', headers, body: JSON.stringify(objects) });
    expect(response.status).toBe(200);
  }

  it('reads the customer of the disputed charge, a bare charge (no payment intent) included', async () => {
    await seed([stripeObject('charge', { id: 'ch_bare', customer: 'cus_D1', payment_intent: null, invoice: null })]);
    expect(await sources.forAccount(null).paymentCustomer({ chargeId: 'ch_bare', paymentIntentId: null })).toBe('cus_D1');
  });

  it('falls back on the payment intent’s customer when the dispute names no charge', async () => {
    await seed([stripeObject('payment_intent', { id: 'pi_D2', customer: 'cus_D2' })]);
    expect(await sources.forAccount(null).paymentCustomer({ chargeId: null, paymentIntentId: 'pi_D2' })).toBe('cus_D2');
  });

  it('answers null for a guest charge, and undefined for a charge Stripe does not know', async () => {
    await seed([stripeObject('charge', { id: 'ch_guest', customer: null })]);
    expect(await sources.forAccount(null).paymentCustomer({ chargeId: 'ch_guest', paymentIntentId: null })).toBeNull();
    expect(await sources.forAccount(null).paymentCustomer({ chargeId: 'ch_unknown', paymentIntentId: null })).toBeUndefined();
  });

  it('reads a connected account’s charge on that account only', async () => {
    await seed([stripeObject('charge', { id: 'ch_conn', customer: 'cus_conn' })], 'acct_D');
    expect(await sources.forAccount('acct_D').paymentCustomer({ chargeId: 'ch_conn', paymentIntentId: null })).toBe('cus_conn');
    expect(await sources.forAccount(null).paymentCustomer({ chargeId: 'ch_conn', paymentIntentId: null })).toBeUndefined();
  });
});
