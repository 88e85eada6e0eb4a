import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalEventSchema, type CanonicalEvent } from '../../../../events/catalog';
import { paypalEventSchema, paypalEventToCanonical } from '../../../../functions/providers/paypal/paypal-event-to-canonical';
import { PaypalCertificateStore } from '../../../../functions/providers/paypal/paypal-certificates';
import { paypalWebhook } from '../../../../functions/providers/paypal/paypal-webhook';

const FIXTURES = join(__dirname, '../../../fixtures/paypal');
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, unknown>;

/** Maps a PayPal event and checks every canonical event against the catalog's schema, as the flows will. */
function mapEvent(body: unknown): CanonicalEvent[] {
  const result = paypalEventToCanonical(paypalEventSchema.parse(body));
  if (!result.handled) throw new Error(`not handled: ${result.reason}`);
  return result.events.map((event) => canonicalEventSchema.parse(event));
}

function only<Type extends CanonicalEvent['type']>(events: CanonicalEvent[], type: Type): Extract<CanonicalEvent, { type: Type }> {
  const found = events.filter((event) => event.type === type);
  expect(found).toHaveLength(1);
  return found[0] as Extract<CanonicalEvent, { type: Type }>;
}

const translator = paypalWebhook({ webhookId: 'WH-ID', certificates: new PaypalCertificateStore() });

describe('PayPal webhook events → canonical events', () => {
  it('a checkout capture (real sandbox event) is the payment of the invoice keyed on the capture, in minor units', () => {
    // Act
    const events = mapEvent(fixture('PAYMENT.CAPTURE.COMPLETED.sandbox.json'));
    // Assess
    expect(events).toHaveLength(1);
    const payment = only(events, 'payment.succeeded');
    expect(payment.data.payment).toEqual({
      system: 'paypal',
      account: null,
      customerId: null,
      id: '29Y24445UY2083144',
      invoiceId: '29Y24445UY2083144',
      amount: 10000,
      currency: 'usd',
      paidAt: '2022-02-02T00:22:38.000Z',
    });
    expect(payment).toMatchObject({ id: 'paypal:payment:29Y24445UY2083144:payment.succeeded', source: 'paypal', subject: 'paypal:invoice:29Y24445UY2083144', causationId: 'WH-2CL46544TB770421K-5VB92446WP7345818' });
  });

  it('a capture of an authorization is a checkout payment too; a capture of no order is left to the invoice events', () => {
    // Prepare
    const authorized = fixture('PAYMENT.CAPTURE.COMPLETED.simulator.json');
    const resource = authorized.resource as { links: Array<{ rel: string }> };
    const orphan = { ...authorized, resource: { ...resource, links: resource.links.filter((link) => link.rel !== 'up') } };
    // Act
    const events = mapEvent(authorized);
    const ignored = paypalEventToCanonical(paypalEventSchema.parse(orphan));
    // Assess
    expect(only(events, 'payment.succeeded').data.payment).toMatchObject({ id: '27M47624FP291604U', amount: 251 });
    expect(ignored).toEqual({ handled: false, reason: expect.stringContaining('INVOICING.INVOICE.PAID') });
  });

  it('a subscription payment (real sandbox sale) is the payment of the cycle invoice keyed on the sale', () => {
    // Act
    const payment = only(mapEvent(fixture('PAYMENT.SALE.COMPLETED.sandbox.json')), 'payment.succeeded');
    // Assess
    expect(payment.data.payment).toMatchObject({ id: '7WT2824826029771W', invoiceId: '7WT2824826029771W', amount: 999, currency: 'usd' });
  });

  it('a paid PayPal invoice (real sandbox event) gives its customer, the invoice with its lines and totals, then its PayPal payment', () => {
    // Act
    const events = mapEvent(fixture('INVOICING.INVOICE.PAID.sandbox.artconomy.json'));
    // Assess
    expect(events.map((event) => event.type)).toEqual(['customer.upserted', 'invoice.finalized', 'payment.succeeded']);
    const customer = only(events, 'customer.upserted').data.customer;
    expect(customer).toMatchObject({ system: 'paypal', email: 'buyer@example.com', livemode: false });
    // The id is stable and derived from the email without carrying it (ids reach logs; emails must not).
    expect(customer.id).toMatch(/^EMAIL-[0-9A-F]{24}$/);
    expect(customer.id).not.toContain('buyer');
    const invoice = only(events, 'invoice.finalized').data.invoice;
    expect(invoice).toMatchObject({ id: 'INV2-26KH-MY9Q-USVG-4WZD', number: '55t4gCZ-RPCA', customerId: customer.id, currency: 'usd', subtotal: 2500, totalTax: 0, total: 2500, amountPaid: 2500, amountRemaining: 0, issuedAt: '2023-07-25T00:00:00.000Z' });
    expect(invoice.lines).toEqual([expect.objectContaining({ id: 'ITEM-2HC901790X7563635', description: 'Order #15 [Main] - Test product', quantity: 1, amount: 2500, discountAmount: 0, taxes: [] })]);
    expect(only(events, 'payment.succeeded').data.payment).toMatchObject({ id: '8E2904407M872241P', invoiceId: invoice.id, amount: 2500, customerId: customer.id });
  });

  it('an invoice in JPY with a taxed item, shipping and an invoice discount adds up exactly to PayPal’s total', () => {
    // Prepare: the real event with its money in yen and more parts (derived by hand).
    const base = fixture('INVOICING.INVOICE.PAID.sandbox.artconomy.json');
    const invoice = (base.resource as { invoice: Record<string, unknown> }).invoice;
    const yen = (value: string) => ({ currency_code: 'JPY', value });
    const derived = {
      ...base,
      resource: {
        invoice: {
          ...invoice,
          detail: { ...(invoice.detail as object), currency_code: 'JPY' },
          // The real event's configuration taxes before the discount (`tax_calculated_after_discount: false`): the
          // item's tax is on its 3000, the invoice discount comes off the total untaxed.
          items: [{ id: 'ITEM-1', name: 'Seats', quantity: '3', unit_amount: yen('1000'), tax: { name: 'JCT', percent: '10', amount: yen('300') } }],
          amount: { currency_code: 'JPY', value: '3500', breakdown: { item_total: yen('3000'), tax_total: yen('300'), discount: { invoice_discount: { amount: yen('-100') } }, shipping: { amount: yen('300') } } },
          due_amount: yen('0'),
          payments: { paid_amount: yen('3500'), transactions: [{ payment_id: 'PAY-JPY', type: 'PAYPAL', amount: yen('3500'), payment_date: '2023-07-25' }, { payment_id: 'CASH-1', type: 'EXTERNAL', amount: yen('1') }] },
        },
      },
    };
    // Act
    const events = mapEvent(derived);
    // Assess
    const snapshot = only(events, 'invoice.finalized').data.invoice;
    expect(snapshot.lines.map((line) => [line.description, line.amount, line.discountAmount, line.taxes.map((tax) => tax.amount)])).toEqual([
      ['Seats', 3000, 0, [300]],
      ['Invoice discount', -100, 0, []],
      ['Shipping', 300, 0, []],
    ]);
    const net = snapshot.lines.reduce((sum, line) => sum + line.amount - line.discountAmount, 0);
    expect(net + snapshot.totalTax).toBe(snapshot.total);
    expect(snapshot.total).toBe(3500);
    expect(snapshot.lines[0]!.taxes[0]).toMatchObject({ percentage: '10', label: 'JCT', inclusive: false });
    // The recorded cash payment never reached PayPal: only the PayPal payment is booked.
    expect(events.filter((event) => event.type === 'payment.succeeded').map((event) => (event.data as { payment: { id: string } }).payment.id)).toEqual(['PAY-JPY']);
  });

  it('a capture refund (simulator) gives back money on the capture’s invoice, its time normalized to UTC', () => {
    // Act
    const refund = only(mapEvent(fixture('PAYMENT.CAPTURE.REFUNDED.simulator.json')), 'refund.created');
    // Assess
    expect(refund.data.refund).toEqual({
      system: 'paypal',
      account: null,
      id: '1Y107995YT783435V',
      chargeId: '0JF852973C016714D',
      paymentIntentId: null,
      invoiceId: '0JF852973C016714D',
      customerId: null,
      amount: 99,
      currency: 'usd',
      reason: null,
      status: 'succeeded',
      createdAt: '2018-08-15T19:13:29.000Z',
    });
    expect(refund.id).toBe('paypal:refund:1Y107995YT783435V:refund.created');
  });

  it('a subscription payment refund is a refund keyed on itself; a capture reversal books nothing (its dispute does)', () => {
    // Prepare (derived: no live payload of these was found)
    const saleRefund = { id: 'WH-SALE-REFUND', event_type: 'PAYMENT.SALE.REFUNDED', create_time: '2024-01-02T00:00:00Z', resource: { id: 'RF-1', state: 'completed', amount: { total: '-4.99', currency: 'USD' }, sale_id: '7WT2824826029771W', create_time: '2024-01-02T00:00:00Z' } };
    const reversal = {
      id: 'WH-REVERSED',
      event_type: 'PAYMENT.CAPTURE.REVERSED',
      create_time: '2024-01-03T00:00:00Z',
      resource: { id: '29Y24445UY2083144', status: 'REVERSED', amount: { currency_code: 'USD', value: '100.00' }, update_time: '2024-01-03T00:00:00Z' },
    };
    // Act
    const fromSale = only(mapEvent(saleRefund), 'refund.created').data.refund;
    const fromReversal = paypalEventToCanonical(paypalEventSchema.parse(reversal));
    // Assess
    expect(fromSale).toMatchObject({ id: 'RF-1', invoiceId: '7WT2824826029771W', amount: 499, status: 'succeeded' });
    expect(fromReversal).toEqual({ handled: false, reason: 'event type not mapped' });
  });

  it('disputes flag the account while open; resolved, the outcome says whether the money was taken back: for the buyer `lost`, else `won`', () => {
    // Act
    const opened = only(mapEvent(fixture('CUSTOMER.DISPUTE.CREATED.simulator.json')), 'dispute.updated');
    const resolved = only(mapEvent(fixture('CUSTOMER.DISPUTE.RESOLVED.simulator.json')), 'dispute.updated');
    const resource = fixture('CUSTOMER.DISPUTE.RESOLVED.simulator.json');
    const withOutcome = (code: string) => mapEvent({ ...resource, resource: { ...(resource.resource as object), dispute_outcome: { outcome_code: code } } });
    const buyerWon = only(withOutcome('RESOLVED_BUYER_FAVOUR'), 'dispute.updated');
    const sellerWon = only(withOutcome('RESOLVED_SELLER_FAVOUR'), 'dispute.updated');
    // Assess
    expect(opened.data.dispute).toMatchObject({ id: 'PP-000-042-663-135', chargeId: '6T496768GW863311H', invoiceId: '6T496768GW863311H', amount: 300, status: 'open', closed: false });
    expect(opened.data.dispute.outcome).toBeUndefined();
    expect(opened.subject).toBe('paypal:invoice:6T496768GW863311H');
    expect(resolved.data.dispute).toMatchObject({ status: 'resolved_canceled_by_buyer', closed: true, outcome: 'won', updatedAt: '2018-06-21T13:55:58.000Z' });
    expect(buyerWon.data.dispute).toMatchObject({ status: 'resolved_buyer_favour', closed: true, outcome: 'lost' });
    expect(sellerWon.data.dispute).toMatchObject({ status: 'resolved_seller_favour', closed: true, outcome: 'won' });
    // An outcome no mapping knows is refused, never guessed.
    expect(() => withOutcome('SOMETHING_NEW')).toThrow(/outcome SOMETHING_NEW, which no mapping knows/);
    // The watermark orders open before resolved.
    expect(resolved.time > opened.time).toBe(true);
  });

  it('a subscription (live delivery of the simulator event) gives its subscriber and the contract, timed by the subscription, not the event’s impossible date', () => {
    // Act
    const events = mapEvent(fixture('BILLING.SUBSCRIPTION.ACTIVATED.simulator-delivery.json'));
    // Assess
    const customer = only(events, 'customer.upserted').data.customer;
    expect(customer).toMatchObject({ name: 'John Doe', email: 'customer@example.com', address: { city: 'San Jose', country: 'US', postalCode: '95131' } });
    const subscription = only(events, 'subscription.updated');
    expect(subscription.time).toBe('2018-12-10T21:20:49.000Z');
    expect(subscription.data.subscription).toMatchObject({
      id: 'I-BW452GLLEP1G',
      customerId: customer.id,
      status: 'active',
      currency: 'usd',
      items: [{ id: 'I-BW452GLLEP1G', priceId: 'P-5ML4271244454362WXNWU5NQ', quantity: 20, unitAmount: null }],
      currentPeriodEnd: '2019-01-01T00:20:49.000Z',
      endedAt: null,
    });
  });

  it('a cancelled subscription ends the contract even when the payload still says ACTIVE', () => {
    // Prepare
    const activated = fixture('BILLING.SUBSCRIPTION.ACTIVATED.simulator-delivery.json');
    const cancelled = { ...activated, id: 'WH-CANCELLED', event_type: 'BILLING.SUBSCRIPTION.CANCELLED', resource: { ...(activated.resource as object), status_update_time: '2019-02-01T00:00:00Z' } };
    // Act
    const subscription = only(mapEvent(cancelled), 'subscription.updated');
    // Assess
    expect(subscription.data.subscription).toMatchObject({ status: 'canceled', canceledAt: '2019-02-01T00:00:00.000Z', endedAt: '2019-02-01T00:00:00.000Z' });
    expect(subscription.time).toBe('2019-02-01T00:00:00.000Z');
  });

  it('a redelivery maps to the same canonical ids (the event id is the dedupe key)', () => {
    // Act
    const first = mapEvent(fixture('INVOICING.INVOICE.PAID.sandbox.artconomy.json')).map((event) => event.id);
    const again = mapEvent(fixture('INVOICING.INVOICE.PAID.sandbox.artconomy.json')).map((event) => event.id);
    // Assess
    expect(again).toEqual(first);
    expect(first).toEqual([
      'paypal:WH-45011818H7513372C-92K93122RK854913A:customer.upserted',
      'paypal:WH-45011818H7513372C-92K93122RK854913A:invoice.finalized',
      'paypal:payment:8E2904407M872241P:payment.succeeded',
    ]);
  });

  it('the webhook translation sets aside what cannot be mapped (a filtered currency), ignores what is not handled, and refuses what is no PayPal event', () => {
    // Act
    const filtered = translator.translate(fixture('CUSTOMER.DISPUTE.CREATED.sandbox.gumroad.json'));
    const unhandled = translator.translate({ id: 'WH-1', event_type: 'CHECKOUT.ORDER.APPROVED', resource: {} });
    const notPaypal = translator.translate({ id: 'evt_1', type: 'invoice.paid' });
    const mapped = translator.translate(fixture('PAYMENT.CAPTURE.COMPLETED.sandbox.json'));
    // Assess
    expect(filtered).toMatchObject({ kind: 'set-aside', outcome: 'RejectedMalformed', about: { id: 'WH-3TW20315YE525782H-3BD552601T418134F' }, reason: expect.stringContaining('[filtered] is not a PayPal currency') });
    expect(unhandled).toMatchObject({ kind: 'ignored', about: { type: 'CHECKOUT.ORDER.APPROVED' } });
    expect(notPaypal).toMatchObject({ kind: 'not-an-event' });
    expect(mapped).toMatchObject({ kind: 'mapped', about: { id: 'WH-2CL46544TB770421K-5VB92446WP7345818', type: 'PAYMENT.CAPTURE.COMPLETED' } });
  });
});
