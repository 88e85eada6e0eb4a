import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSigningIdentity } from '../../local/sandboxes/paypal/self-signed-certificate';
import { paypalWebhookSigner } from '../../local/sandboxes/paypal/webhook-signer';
import { OdooFinanceView } from './odoo-finance-view';
import { flowQueues, type Harness, queueDepth, startHarness, waitFor, waitForFlowsSettled } from './local-stack-harness';

/**
 * PayPal end to end on the local runtime with the Odoo sandbox: a webhook signed by the PayPal sandbox's key →
 * API Gateway → the PayPal ingest (certificate fetched from the sandbox, the local stage's origin) → the bus →
 * billing-sync, which reads the checkout order from the PayPal sandbox → a posted Odoo invoice and its payment.
 */

const FIXTURES = join(__dirname, '../fixtures/paypal');
const usd = (value: string) => ({ currency_code: 'USD', value });

/**
 * A checkout order without tax: 3 × 20.00 + 30.00, shipping 2.80 → 92.80. (Taxed orders and invoices, and the PayPal
 * journal their payments land in: paypal-journal-and-taxes.test.ts.)
 */
const ORDER = {
  id: '89T257400V0473133',
  status: 'COMPLETED',
  create_time: '2022-02-02T00:22:30Z',
  payer: { payer_id: 'QYR5Z8XDVJNXQ', email_address: 'payer@example.com', name: { given_name: 'Ada', surname: 'Lovelace' }, address: { country_code: 'GB' } },
  purchase_units: [
    {
      reference_id: 'default',
      amount: { currency_code: 'USD', value: '92.80', breakdown: { item_total: usd('90.00'), shipping: usd('2.80') } },
      items: [
        { name: 'Seat', quantity: '3', unit_amount: usd('20.00'), sku: 'SEAT' },
        { name: 'Setup', quantity: '1', unit_amount: usd('30.00') },
      ],
    },
  ],
};

/** PayPal's sandbox capture event (test/fixtures/paypal), for the order above: its amount is the order's total. */
function captureCompleted(): { event: Record<string, unknown>; capture: Record<string, unknown> } {
  const event = JSON.parse(readFileSync(join(FIXTURES, 'PAYMENT.CAPTURE.COMPLETED.sandbox.json'), 'utf8')) as { resource: Record<string, unknown> };
  const capture = {
    ...event.resource,
    amount: usd('92.80'),
    seller_receivable_breakdown: { gross_amount: usd('92.80'), paypal_fee: usd('3.73'), net_amount: usd('89.07') },
  };
  return { event: { ...event, resource: capture }, capture };
}

describe('PayPal on the local runtime with the Odoo sandbox', () => {
  let harness: Harness;
  let view: OdooFinanceView;
  const { event, capture } = captureCompleted();
  const rawBody = JSON.stringify(event);

  const post = async (headers: Record<string, string>, body = rawBody) => {
    const response = await fetch(harness.webhookUrlOf('paypal'), { method: 'POST', headers, body });
    return { status: response.status, body: await response.text() };
  };
  const signed = (body = rawBody, options?: { transmittedAt?: Date }) => {
    const sign = harness.providerApi('paypal').webhookHeaders;
    if (sign === undefined) throw new Error('the PayPal sandbox offers no signer');
    return sign(body, options);
  };
  const billingQueueDepth = () => flowQueues(harness.stack).reduce((sum, { queue }) => sum + queueDepth(harness.stack, queue), 0);
  const odooState = async () => {
    const partner = await view.customer(ORDER.payer.payer_id, 'paypal');
    if (partner === undefined) return undefined;
    return { partner, moves: await view.movesOf(partner.id), payments: await view.paymentsOf(partner.id) };
  };

  beforeAll(async () => {
    harness = await startHarness();
    view = new OdooFinanceView(harness.odooConnection);
    const sandboxUrl = harness.providerApi('paypal').sandboxUrl;
    for (const [kind, objects] of [['order', [ORDER]], ['capture', [capture]]] as const) {
      const seeded = await fetch(`${sandboxUrl}/_sandbox/objects`, { method: 'POST', body: JSON.stringify({ kind, objects }) });
      expect(seeded.status).toBe(200);
    }
  }, 180_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('a signed PAYMENT.CAPTURE.COMPLETED of a checkout order becomes a posted invoice with PayPal’s total and one payment, exact to the cent', async () => {
    expect((await post(signed())).status).toBe(200);

    const state = await waitFor(
      async () => {
        const found = await odooState();
        return found !== undefined && found.moves.some((move) => move.state === 'posted') && found.payments.length > 0 ? found : undefined;
      },
      { what: 'the Odoo invoice and its payment', timeoutMs: 60_000 },
    );
    expect(await waitForFlowsSettled(harness.stack)).toEqual([]);
    const invoices = state.moves.filter((move) => move.move_type === 'out_invoice');
    expect(invoices).toHaveLength(1);
    expect(invoices[0]).toMatchObject({ state: 'posted', amount_untaxed: 92.8, amount_tax: 0, amount_total: 92.8 });
    expect(['paid', 'in_payment']).toContain(invoices[0]!.payment_state);
    expect(state.payments).toHaveLength(1);
    expect(state.payments[0]).toMatchObject({ payment_type: 'inbound', amount: 92.8 });
    expect(state.payments[0]!.reconciled_invoice_ids).toEqual([invoices[0]!.id]);
  });

  it('the same webhook delivered again (a new transmission, as PayPal retries) changes nothing in Odoo', async () => {
    const before = await odooState();
    expect(before?.moves.length).toBeGreaterThan(0);

    expect((await post(signed())).status).toBe(200);
    expect(await waitForFlowsSettled(harness.stack)).toEqual([]);

    expect(await odooState()).toEqual(before);
  });

  it('a signed INVOICING.INVOICE.PAID, delivered twice, becomes the PayPal invoice, posted, with its one payment, exact to the cent', { timeout: 180_000 }, async () => {
    // PayPal's sandbox delivery (test/fixtures/paypal): one 25.00 USD item, paid in full; PayPal's API serves the invoice too.
    const paid = JSON.parse(readFileSync(join(FIXTURES, 'INVOICING.INVOICE.PAID.sandbox.artconomy.json'), 'utf8')) as { resource: { invoice: Record<string, unknown> } };
    const seeded = await fetch(`${harness.providerApi('paypal').sandboxUrl}/_sandbox/objects`, { method: 'POST', body: JSON.stringify({ kind: 'invoice', objects: [paid.resource.invoice] }) });
    expect(seeded.status).toBe(200);
    const body = JSON.stringify(paid);

    for (let delivery = 0; delivery < 2; delivery++) expect((await post(signed(body), body)).status).toBe(200);

    await waitFor(async () => (await view.invoicesWithRef('INV2-26KH-MY9Q-USVG-4WZD')).some((move) => move.state === 'posted') || undefined, {
      what: 'the PayPal invoice in Odoo',
      timeoutMs: 60_000,
    });
    // The payment may wait for the invoice's write lease (a retry after the flow's backoff): Odoo is read once all settled.
    expect(await waitForFlowsSettled(harness.stack, { timeoutMs: 90_000 })).toEqual([]);
    const invoices = await view.invoicesWithRef('INV2-26KH-MY9Q-USVG-4WZD');
    expect(invoices).toHaveLength(1);
    const invoice = invoices[0];
    expect(invoice).toMatchObject({ state: 'posted', amount_untaxed: 25, amount_tax: 0, amount_total: 25 });
    expect(['paid', 'in_payment']).toContain(invoice!.payment_state);
    const partner = invoice!.partner_id;
    expect(partner).not.toBe(false);
    const payments = await view.paymentsOf((partner as [number, string])[0]);
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ payment_type: 'inbound', amount: 25, reconciled_invoice_ids: [invoice!.id] });
  });

  describe('a webhook PayPal did not sign is refused with 401 and nothing enqueued', () => {
    const refusedWithNothingEnqueued = async (headers: Record<string, string>) => {
      await waitForFlowsSettled(harness.stack);
      const eventsBefore = harness.stack.activity.recentEvents().length;
      const response = await post(headers);
      expect(response.status).toBe(401);
      expect(harness.stack.activity.recentEvents()).toHaveLength(eventsBefore);
      expect(billingQueueDepth()).toBe(0);
    };

    it('forged: signed with another key, naming the sandbox’s certificate', async () => {
      const certUrl = signed()['PAYPAL-CERT-URL']!;
      const forger = paypalWebhookSigner({ identity: createTestSigningIdentity({ modulusLength: 1024 }), certUrl, webhookId: 'WH-SANDBOX-LOCAL' });
      await refusedWithNothingEnqueued(forger.headersFor(rawBody));
    });

    it('stale: correctly signed, but transmitted an hour ago', async () => {
      await refusedWithNothingEnqueued(signed(rawBody, { transmittedAt: new Date(Date.now() - 3_600_000) }));
    });

    it('wrongly certified: a certificate URL outside PayPal’s hosts and the local sandbox', async () => {
      await refusedWithNothingEnqueued({ ...signed(), 'PAYPAL-CERT-URL': 'https://certs.example.com/v1/notifications/certs/CERT-sandbox-local' });
    });

    it('tampered: a correctly signed body with another amount', async () => {
      const headers = signed();
      const response = await post(headers, rawBody.replace('"92.80"', '"1.00"'));
      expect(response.status).toBe(401);
    });
  });
});
