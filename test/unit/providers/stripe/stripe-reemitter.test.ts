/**
 * Re-emitting what reconciliation found missing in Odoo: the Stripe object read from the Stripe sandbox,
 * turned into the canonical event its webhook would have produced (valid against the catalog).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CanonicalEvent, EVENT_CATALOG } from '../../../../events/catalog';
import { STRIPE_API_VERSION, StripeApi } from '../../../../functions/providers/stripe/stripe-api';
import { ReemitError, StripeReemitter } from '../../../../functions/providers/stripe/stripe-reemitter';
import { type StripeSandbox, startStripeSandbox } from '../../../../local/sandboxes/stripe/server';
import { stripeObject } from '../../../../local/sandboxes/stripe/stripe-object-templates';

const KEY = 'sk_test_reemit';
const FINALIZED_AT = Date.parse('2026-11-05T09:30:00Z') / 1000;

let sandbox: StripeSandbox;
let published: CanonicalEvent[];
let reemitter: StripeReemitter;

function validAgainstCatalog(event: CanonicalEvent): boolean {
  const entry = EVENT_CATALOG.find((candidate) => candidate.type === event.type);
  return entry !== undefined && entry.schema.safeParse(event).success;
}

beforeAll(async () => {
  sandbox = await startStripeSandbox({ port: 0, apiKey: KEY });
  const seeded = await fetch(`${sandbox.url}/_sandbox/objects`, {
    method: 'POST',
    body: JSON.stringify([
      stripeObject('invoice', {
        id: 'in_MISSING',
        customer: 'cus_ACME',
        status: 'open',
        created: FINALIZED_AT - 3600,
        status_transitions: { finalized_at: FINALIZED_AT },
      }),
      stripeObject('invoice_payment', {
        id: 'inpay_MISSING',
        invoice: 'in_MISSING',
        status: 'paid',
        currency: 'usd',
        amount_paid: 1200,
        amount_requested: 1200,
        payment: { type: 'payment_intent', payment_intent: 'pi_MISSING' }, status_transitions: { paid_at: FINALIZED_AT + 60 } }),
      stripeObject('refund', { id: 're_MISSING', created: FINALIZED_AT + 120 }),
    ]),
  });
  expect(seeded.status).toBe(200);
  const stripe = new StripeApi({ apiKey: async () => KEY, apiVersion: STRIPE_API_VERSION, baseUrl: sandbox.url });
  reemitter = new StripeReemitter(stripe, async (events) => void published.push(...events));
});

afterAll(async () => {
  await sandbox?.close();
});

describe('StripeReemitter', () => {
  it('re-emits a missing invoice as invoice.finalized, dated when Stripe finalized it, with a stable id', async () => {
    published = [];
    await reemitter.reemit({ documentType: 'invoice', providerId: 'in_MISSING' });
    await reemitter.reemit({ documentType: 'invoice', providerId: 'in_MISSING' });
    expect(published.map((event) => event.type)).toEqual(['invoice.finalized', 'invoice.finalized']);
    const [first, second] = published;
    expect(first!.id).toBe('stripe:evt_reconcile_in_MISSING:invoice.finalized');
    expect(second!.id).toBe(first!.id);
    expect(first!.time).toBe('2026-11-05T09:30:00.000Z');
    expect(first!.data).toMatchObject({ invoice: { id: 'in_MISSING', customerId: 'cus_ACME' } });
    expect(validAgainstCatalog(first!)).toBe(true);
  });

  it('re-emits a missing payment as payment.succeeded and a missing refund as refund.created', async () => {
    published = [];
    await reemitter.reemit({ documentType: 'payment', providerId: 'inpay_MISSING' });
    await reemitter.reemit({ documentType: 'refund', providerId: 're_MISSING' });
    expect(published.map((event) => event.type)).toEqual(['payment.succeeded', 'refund.created']);
    expect(published[0]!.data).toMatchObject({ payment: { id: 'inpay_MISSING', invoiceId: 'in_MISSING', amount: 1200 } });
    expect(published[1]!.data).toMatchObject({ refund: { id: 're_MISSING' } });
    expect(published.every(validAgainstCatalog)).toBe(true);
  });

  it('refuses a document Stripe does not have, publishing nothing', async () => {
    published = [];
    await expect(reemitter.reemit({ documentType: 'invoice', providerId: 'in_GONE' })).rejects.toThrow(ReemitError);
    expect(published).toEqual([]);
  });
});
