import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paypalCustomerId } from '../../functions/providers/paypal/paypal-object-mapping';
import { customerObject, invoiceObject, invoicePaymentObject } from '../fixtures/stripe/billing-story';
import { stripeEvent } from '../fixtures/stripe/stripe-events';
import { createTestSigningIdentity } from '../../local/sandboxes/paypal/self-signed-certificate';
import type { PaypalSandboxKind } from '../../local/sandboxes/paypal/server';
import { paypalWebhookSigner } from '../../local/sandboxes/paypal/webhook-signer';
import { type DeadLetter, flowQueues, type Harness, odooLabel, type OdooUnderTest, postStripeWebhook, queueDepth, REAL_ODOO_START_TIMEOUT_MS, STAGE, startHarness, waitForFlowsSettled } from './local-stack-harness';
import { type FinanceMove, financeSnapshot, OdooFinanceView } from './odoo-finance-view';
import { shuffled } from '../support/seeded-shuffle';
import { supportStoryCases } from './support-stories';

/**
 * PayPal's money stories end to end on the local runtime: webhooks signed by the PayPal sandbox's key → API Gateway
 * → the PayPal ingest → the bus → billing-sync, which reads what a webhook leaves out (the sale's subscription and
 * plan, the capture's order, the invoice) from the PayPal sandbox → the Odoo under test. What a finance user sees
 * is checked as in the Stripe stories (billing-scenarios.ts): exact totals, invoices paid, a refund's credit note
 * and outbound payment, a lost dispute's credit note and chargeback payment — through the same canonical events
 * and flows, which name no provider.
 *
 * One stack and one Odoo database for the whole file (CI's budget): every story runs twice on customers of their
 * own — in order (run A), then every webhook delivered twice in a shuffled order, a few in flight at once (run B)
 * — and run B must leave Odoo exactly as run A did, its ids read as run A's, with nothing dead-lettered.
 */

const FIXTURES = join(__dirname, '../fixtures/paypal');
const usd = (value: string) => ({ currency_code: 'USD', value });
/** Every id of a run carries its tag: run B's Odoo records read as run A's once the tag is swapped. */
type Run = 'RUNA' | 'RUNB';
type PaypalEvent = { id: string; event_type: string; resource: Record<string, unknown> } & Record<string, unknown>;

/** A fixture with its ids made the run's own (plain text replacement of each PayPal id). */
function fixtureOf(name: string, replacements: ReadonlyArray<[string, string]>): PaypalEvent {
  let text = readFileSync(join(FIXTURES, name), 'utf8');
  for (const [from, to] of replacements) text = text.split(from).join(to);
  return JSON.parse(text) as PaypalEvent;
}

const event = (id: string, type: string, resource: Record<string, unknown>, createTime: string): PaypalEvent => ({
  id,
  create_time: createTime,
  resource_type: type.split('.')[1]!.toLowerCase(),
  event_type: type,
  resource,
  links: [],
});

/** PayPal's API links, as its objects carry them (the sandbox's mapping reads `livemode` from their host). */
const selfLink = (path: string) => [{ href: `https://api.sandbox.paypal.com${path}`, rel: 'self', method: 'GET' }];

/**
 * The stories of one run: the PayPal objects the sandbox serves (their final state), the webhooks of each story
 * in their order, and the customers whose Odoo records the run leaves.
 */
function storiesOf(run: Run) {
  // 1–3. A subscriber: the plan (3 seats × 9.99 a month), activated, two monthly payments, a partial refund of the
  // second, and the first disputed and decided for the buyer.
  const payer = `GRACE${run}`;
  const subscriptionId = `I-${run}SUB1`;
  const planId = `P-${run}PLAN1`;
  const [sale1, sale2, refund2, dispute1] = [`${run}SALE1`, `${run}SALE2`, `${run}REFUND2`, `PP-D-${run}-1`];
  const plan = {
    id: planId,
    product_id: `PROD-${run}TEAM`,
    name: 'Team plan (monthly)',
    status: 'ACTIVE',
    billing_cycles: [{ tenure_type: 'REGULAR', sequence: 1, total_cycles: 0, frequency: { interval_unit: 'MONTH', interval_count: 1 }, pricing_scheme: { fixed_price: usd('9.99') } }],
  };
  const subscription = {
    id: subscriptionId,
    status: 'ACTIVE',
    status_update_time: '2026-09-01T09:00:00Z',
    plan_id: planId,
    quantity: '3',
    start_time: '2026-09-01T09:00:00Z',
    create_time: '2026-09-01T08:59:00Z',
    update_time: '2026-09-01T09:00:00Z',
    subscriber: { payer_id: payer, email_address: `grace@hopper-${run}.example`, name: { given_name: 'Grace', surname: 'Hopper' }, shipping_address: { address: { country_code: 'US' } } },
    billing_info: { outstanding_balance: usd('0.00'), next_billing_time: '2026-10-01T09:00:00Z' },
    links: selfLink(`/v1/billing/subscriptions/${subscriptionId}`),
  };
  const sale = (id: string, at: string) => ({
    id,
    state: 'completed',
    amount: { total: '29.97', currency: 'USD', details: { subtotal: '29.97' } },
    payment_mode: 'INSTANT_TRANSFER',
    billing_agreement_id: subscriptionId,
    create_time: at,
    update_time: at,
    transaction_fee: { currency: 'USD', value: '1.17' },
    links: selfLink(`/v1/payments/sale/${id}`),
  });
  const sales = [sale(sale1, '2026-09-01T09:05:00Z'), sale(sale2, '2026-10-01T09:05:00Z')];
  const saleRefund = {
    id: refund2,
    state: 'completed',
    amount: { total: '-10.00', currency: 'USD' },
    sale_id: sale2,
    reason: 'One seat returned',
    create_time: '2026-10-05T12:00:00Z',
    update_time: '2026-10-05T12:00:00Z',
    links: [...selfLink(`/v1/payments/refund/${refund2}`), { href: `https://api.sandbox.paypal.com/v1/payments/sale/${sale2}`, rel: 'sale', method: 'GET' }],
  };
  const dispute = (status: 'OPEN' | 'RESOLVED', at: string) => ({
    dispute_id: dispute1,
    create_time: '2026-09-20T10:00:00Z',
    update_time: at,
    reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED',
    status,
    dispute_amount: usd('29.97'),
    dispute_life_cycle_stage: 'CHARGEBACK',
    disputed_transactions: [{ seller_transaction_id: sale1 }],
    ...(status === 'RESOLVED' ? { dispute_outcome: { outcome_code: 'RESOLVED_BUYER_FAVOUR' } } : {}),
    links: selfLink(`/v1/customer/disputes/${dispute1}`),
  });
  const subscriber = {
    payer,
    subscriptionId,
    sales: [sale1, sale2],
    refund: refund2,
    dispute: dispute1,
    activated: [event(`WH-${run}-SUB-ACTIVATED`, 'BILLING.SUBSCRIPTION.ACTIVATED', subscription, '2026-09-01T09:00:05Z')],
    paid: sales.map((resource, index) => event(`WH-${run}-SALE-${index + 1}`, 'PAYMENT.SALE.COMPLETED', resource, resource.create_time)),
    refunded: [event(`WH-${run}-SALE-2-REFUNDED`, 'PAYMENT.SALE.REFUNDED', saleRefund, saleRefund.create_time)],
    disputed: [event(`WH-${run}-DISPUTE-CREATED`, 'CUSTOMER.DISPUTE.CREATED', dispute('OPEN', '2026-09-20T10:00:00Z'), '2026-09-20T10:00:01Z')],
    resolved: [event(`WH-${run}-DISPUTE-RESOLVED`, 'CUSTOMER.DISPUTE.RESOLVED', dispute('RESOLVED', '2026-10-20T10:00:00Z'), '2026-10-20T10:00:01Z')],
  };

  // 4. A checkout order without tax, captured: 3 × 20.00 + 30.00, shipping 2.80 → 92.80.
  const [orderId, captureId, buyer] = [`89T2${run}57400V0473133`, `29Y2${run}4445UY2083144`, `ADA${run}`];
  const order = {
    id: orderId,
    status: 'COMPLETED',
    create_time: '2026-09-03T00:22:30Z',
    payer: { payer_id: buyer, email_address: `ada-${run}@example.com`, name: { given_name: 'Ada', surname: 'Lovelace' }, address: { country_code: 'GB' } },
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
  // PayPal's sandbox capture event (test/fixtures/paypal), for the order above: its amount is the order's total.
  const captured = fixtureOf('PAYMENT.CAPTURE.COMPLETED.sandbox.json', [
    ['WH-2CL46544TB770421K-5VB92446WP7345818', `WH-${run}-CAPTURE`],
    ['29Y24445UY2083144', captureId],
    ['89T257400V0473133', orderId],
    ['2022-02-02T00:22:38Z', '2026-09-03T00:22:38Z'],
  ]);
  const capture = {
    ...captured.resource,
    amount: usd('92.80'),
    seller_receivable_breakdown: { gross_amount: usd('92.80'), paypal_fee: usd('3.73'), net_amount: usd('89.07') },
  };
  const checkout = { buyer, captureId, captured: [{ ...captured, resource: capture }] };

  // 5. A PayPal invoice paid (PayPal's sandbox delivery, test/fixtures/paypal): one 25.00 USD item, paid in full.
  const invoiceId = `INV2-26KH-MY9Q-${run}-4WZD`;
  const invoiceEmail = `buyer-${run}@example.com`;
  const paid = fixtureOf('INVOICING.INVOICE.PAID.sandbox.artconomy.json', [
    ['WH-', `WH-${run}-`],
    ['INV2-26KH-MY9Q-USVG-4WZD', invoiceId],
    ['buyer@example.com', invoiceEmail],
    ['8E2904407M872241P', `8E29${run}04407M872241P`],
    ['55t4gCZ-RPCA', `55t4gCZ-${run}`],
  ]);
  const invoice = (paid.resource as { invoice: Record<string, unknown> }).invoice;
  const invoiced = { invoiceId, customer: paypalCustomerId({ email: invoiceEmail }, 'the invoice’s recipient'), paid: [paid] };

  // 6. A taxed checkout order captured: 2 × 10.00 and 1 × 30.00, each unit taxed 15 % (1.50, 4.50 per unit; the
  // rate is derived from PayPal's tax per unit and matched to the stage's 15 % sale tax): 50.00 + 7.50 = 57.50.
  const [taxedOrderId, taxedCaptureId, taxedBuyer] = [`5TX0${run}57400V0473133`, `7TX0${run}4445UY2083144`, `KATHERINE${run}`];
  const taxedOrder = {
    id: taxedOrderId,
    status: 'COMPLETED',
    create_time: '2026-09-04T10:00:00Z',
    payer: { payer_id: taxedBuyer, email_address: `katherine-${run}@example.com`, name: { given_name: 'Katherine', surname: 'Johnson' }, address: { country_code: 'US' } },
    purchase_units: [
      {
        reference_id: 'default',
        amount: { currency_code: 'USD', value: '57.50', breakdown: { item_total: usd('50.00'), tax_total: usd('7.50') } },
        items: [
          { name: 'Seat', quantity: '2', unit_amount: usd('10.00'), tax: usd('1.50'), sku: 'SEAT' },
          { name: 'Setup', quantity: '1', unit_amount: usd('30.00'), tax: usd('4.50') },
        ],
      },
    ],
  };
  const taxedCaptured = fixtureOf('PAYMENT.CAPTURE.COMPLETED.sandbox.json', [
    ['WH-2CL46544TB770421K-5VB92446WP7345818', `WH-${run}-TAXED-CAPTURE`],
    ['29Y24445UY2083144', taxedCaptureId],
    ['89T257400V0473133', taxedOrderId],
    ['2022-02-02T00:22:38Z', '2026-09-04T10:00:08Z'],
  ]);
  const taxedCapture = {
    ...taxedCaptured.resource,
    amount: usd('57.50'),
    seller_receivable_breakdown: { gross_amount: usd('57.50'), paypal_fee: usd('2.50'), net_amount: usd('55.00') },
  };
  const taxedCheckout = { buyer: taxedBuyer, captureId: taxedCaptureId, captured: [{ ...taxedCaptured, resource: taxedCapture }] };

  // 7. A taxed PayPal invoice paid, as Invoicing v2 writes a tax (name, percent, PayPal's amount per item):
  // 3 × 9.99 at 15 % (4.4955 → 4.50) and 1 × 12.34 (1.851 → 1.85): 42.31 + 6.35 = 48.66, paid in full.
  const taxedInvoiceId = `INV2-TAX7-MY9Q-${run}-4WZD`;
  const taxedInvoiceEmail = `taxed-buyer-${run}@example.com`;
  const taxedPaymentId = `9TX7${run}04407M872241P`;
  const taxedPaid = fixtureOf('INVOICING.INVOICE.PAID.sandbox.artconomy.json', [
    ['WH-', `WH-${run}-TAXED-`],
    ['INV2-26KH-MY9Q-USVG-4WZD', taxedInvoiceId],
    ['buyer@example.com', taxedInvoiceEmail],
    ['8E2904407M872241P', taxedPaymentId],
    ['55t4gCZ-RPCA', `55t4gCZ-TX${run}`],
  ]);
  const taxedInvoice: Record<string, unknown> = {
    ...(taxedPaid.resource as { invoice: Record<string, unknown> }).invoice,
    items: [
      { id: `ITEM-${run}-TAX-1`, name: 'Seat', quantity: '3', unit_amount: usd('9.99'), tax: { name: 'Sales Tax', percent: '15', amount: usd('4.50') } },
      { id: `ITEM-${run}-TAX-2`, name: 'Setup', quantity: '1', unit_amount: usd('12.34'), tax: { name: 'Sales Tax', percent: '15', amount: usd('1.85') } },
    ],
    amount: { currency_code: 'USD', value: '48.66', breakdown: { item_total: usd('42.31'), tax_total: usd('6.35') } },
    due_amount: usd('0.00'),
    payments: { paid_amount: usd('48.66'), transactions: [{ payment_id: taxedPaymentId, type: 'PAYPAL', amount: usd('48.66'), payment_date: '2026-09-05' }] },
  };
  const taxedInvoiced = {
    invoiceId: taxedInvoiceId,
    paymentId: taxedPaymentId,
    customer: paypalCustomerId({ email: taxedInvoiceEmail }, 'the invoice’s recipient'),
    paid: [{ ...taxedPaid, resource: { ...taxedPaid.resource, invoice: taxedInvoice } }],
  };

  const objects: Array<[PaypalSandboxKind, Record<string, unknown>[]]> = [
    ['plan', [plan]],
    ['subscription', [subscription]],
    ['sale', sales],
    ['dispute', [dispute('RESOLVED', '2026-10-20T10:00:00Z')]],
    ['order', [order, taxedOrder]],
    ['capture', [capture, taxedCapture]],
    ['invoice', [invoice, taxedInvoice]],
  ];
  const webhooks = [
    ...subscriber.activated,
    ...subscriber.paid,
    ...subscriber.refunded,
    ...subscriber.disputed,
    ...subscriber.resolved,
    ...checkout.captured,
    ...invoiced.paid,
    ...taxedCheckout.captured,
    ...taxedInvoiced.paid,
  ];
  return {
    subscriber,
    checkout,
    invoiced,
    taxedCheckout,
    taxedInvoiced,
    objects,
    webhooks,
    customers: [payer, buyer, invoiced.customer, taxedBuyer, taxedInvoiced.customer],
  };
}

export function paypalStories(target: OdooUnderTest): void {
  describe(`PayPal end to end on ${odooLabel(target)}`, () => {
    // Retries (an invoice not in Odoo yet, an invoice being written) come 10× sooner: same order, same counting.
    const RETRY_DELAY_SCALE = 0.1;
    const CONCURRENT_DELIVERIES = 4;
    const TAGS = STAGE.config.billing.standingTags;
    const inOrder = storiesOf('RUNA');
    const shuffledRun = storiesOf('RUNB');

    let harness: Harness;
    let odoo: OdooFinanceView;

    beforeAll(async () => {
      harness = await startHarness({ retryDelayScale: RETRY_DELAY_SCALE, odoo: target });
      odoo = new OdooFinanceView(harness.odooConnection);
      for (const [kind, objects] of [...inOrder.objects, ...shuffledRun.objects]) {
        const seeded = await fetch(`${harness.providerApi('paypal').sandboxUrl}/_sandbox/objects`, { method: 'POST', body: JSON.stringify({ kind, objects }) });
        expect(seeded.status, `seeding ${kind}`).toBe(200);
      }
    }, REAL_ODOO_START_TIMEOUT_MS);

    afterAll(async () => {
      await harness?.close();
    });

    const signed = (body: string, options?: { transmittedAt?: Date }) => {
      const sign = harness.providerApi('paypal').webhookHeaders;
      if (sign === undefined) throw new Error('the PayPal sandbox offers no signer');
      return sign(body, options);
    };
    const post = async (headers: Record<string, string>, body: string) => {
      const response = await fetch(harness.webhookUrlOf('paypal'), { method: 'POST', headers, body });
      return { status: response.status, body: await response.text() };
    };
    /** One delivery as PayPal makes it: a new transmission (its own signature) of the event's body. */
    const deliverOnce = async (webhook: PaypalEvent) => {
      const body = JSON.stringify(webhook);
      const response = await post(signed(body), body);
      expect(response.status, `${webhook.event_type} ${webhook.id}: ${response.body}`).toBe(200);
    };

    /** Sends the webhooks in order, each answered 200, then waits until every flow settled: nothing may be dead-lettered. */
    async function deliver(...webhooks: PaypalEvent[]): Promise<void> {
      for (const webhook of webhooks) await deliverOnce(webhook);
      const letters = await waitForFlowsSettled(harness.stack, { timeoutMs: 120_000 });
      expect(letters, describeLetters(letters)).toEqual([]);
    }

    async function customerOf(payerId: string) {
      const partner = await odoo.customer(payerId, 'paypal');
      expect(partner, `partner of PayPal payer ${payerId}`).toBeDefined();
      return partner!;
    }

    async function invoiceOf(ref: string): Promise<FinanceMove> {
      const invoices = await odoo.invoicesWithRef(ref);
      expect(invoices, `Odoo invoices with ref ${ref}`).toHaveLength(1);
      return invoices[0]!;
    }

    /**
     * The bank journal of that name on the company, read from Odoo: the dev environment finds or creates PayPal's on a
     * running Odoo, at whatever id it gets, and gives the functions the billing config routing PayPal to it.
     */
    async function bankJournalNamed(name: string, companyId: number): Promise<{ id: number; name: string }> {
      const journals = await odoo.searchRead<{ id: number; name: string }>('account.journal', [['name', '=', name], ['type', '=', 'bank'], ['company_id', '=', companyId]], ['name']);
      expect(journals, `bank journals named ${name} on company ${companyId}`).toHaveLength(1);
      return journals[0]!;
    }

    /** Every payment of the customers' partners, with its journal. */
    async function paymentsWithJournalOf(customers: readonly string[]) {
      const partnerIds = await Promise.all(customers.map(async (customer) => (await customerOf(customer)).id));
      return odoo.searchRead<{ id: number; memo: string | false; journal_id: [number, string] }>('account.payment', [['partner_id', 'in', partnerIds]], ['memo', 'journal_id']);
    }

    const currencyOf = (record: { currency_id: [number, string] | false }) => (record.currency_id === false ? undefined : record.currency_id[1]);

    describe('1. a subscriber: activated, then two monthly payments', () => {
      const story = inOrder.subscriber;

      it('activation makes the subscriber a partner with the subscription as a confirmed contract', async () => {
        await deliver(...story.activated);
        const partner = await customerOf(story.payer);
        expect(partner).toMatchObject({ name: 'Grace Hopper', ref: story.payer, email: 'grace@hopper-RUNA.example', tags: [] });
        const orders = await odoo.ordersOf(partner.id);
        expect(orders.map((order) => [order.client_order_ref, order.state])).toEqual([[story.subscriptionId, 'sale']]);
      });

      it('each PAYMENT.SALE.COMPLETED posts the month’s invoice from the plan (3 × 9.99 = 29.97), paid by its one payment', async () => {
        await deliver(...story.paid);
        const partner = await customerOf(story.payer);
        const payments = await odoo.paymentsOf(partner.id);
        expect(payments).toHaveLength(2);
        for (const [index, sale] of story.sales.entries()) {
          const invoice = await invoiceOf(sale);
          expect(invoice).toMatchObject({ move_type: 'out_invoice', state: 'posted', amount_untaxed: 29.97, amount_tax: 0, amount_total: 29.97, payment_state: 'paid' });
          expect(invoice.invoice_date).toBe(index === 0 ? '2026-09-01' : '2026-10-01');
          expect(invoice.partner_id && invoice.partner_id[0]).toBe(partner.id);
          expect(currencyOf(invoice)).toBe('USD');
          const [line] = await odoo.moveLinesOf([invoice.id]).then((lines) => lines.filter((candidate) => candidate.price_subtotal !== 0));
          expect(line).toMatchObject({ quantity: 3, price_unit: 9.99, price_subtotal: 29.97 });
          const paying = payments.filter((payment) => payment.reconciled_invoice_ids.includes(invoice.id));
          expect(paying).toHaveLength(1);
          expect(paying[0]).toMatchObject({ state: 'paid', payment_type: 'inbound', amount: 29.97, memo: sale });
        }
      });
    });

    describe('2. a partial refund of the second month', () => {
      const story = inOrder.subscriber;

      it('books a posted credit note of exactly 10.00 against the invoice and one outbound payment of 10.00; the invoice stays paid', async () => {
        await deliver(...story.refunded);
        const invoice = await invoiceOf(story.sales[1]!);
        expect(invoice).toMatchObject({ state: 'posted', amount_total: 29.97, payment_state: 'paid' });
        const creditNotes = await odoo.creditNotesReversing(invoice.id);
        expect(creditNotes).toHaveLength(1);
        expect(creditNotes[0]).toMatchObject({ move_type: 'out_refund', state: 'posted', amount_total: 10, payment_state: 'paid' });
        const partner = await customerOf(story.payer);
        const outbound = (await odoo.paymentsOf(partner.id)).filter((payment) => payment.payment_type === 'outbound');
        expect(outbound).toHaveLength(1);
        expect(outbound[0]).toMatchObject({ amount: 10, memo: story.refund, reconciled_invoice_ids: [creditNotes[0]!.id] });
        // The first month is untouched.
        expect(await invoiceOf(story.sales[0]!)).toMatchObject({ payment_state: 'paid', amount_total: 29.97 });
      });
    });

    describe('3. the first month disputed, then decided for the buyer', () => {
      const story = inOrder.subscriber;

      it('flags the subscriber while the dispute is open', async () => {
        await deliver(...story.disputed);
        const partner = await customerOf(story.payer);
        expect(partner.tags).toEqual([TAGS.disputed]);
        expect((await odoo.notesOn('res.partner', partner.id)).join('\n')).toMatch(/Dispute PP-D-RUNA-1 .* is open/);
      });

      it('resolved for the buyer, books it as a lost dispute: a credit note of the disputed 29.97 and the chargeback’s outbound payment; the flag clears', async () => {
        await deliver(...story.resolved);
        const invoice = await invoiceOf(story.sales[0]!);
        expect(invoice).toMatchObject({ state: 'posted', amount_total: 29.97 });
        const creditNotes = await odoo.creditNotesReversing(invoice.id);
        expect(creditNotes).toHaveLength(1);
        expect(creditNotes[0]).toMatchObject({ move_type: 'out_refund', state: 'posted', amount_total: 29.97 });
        const partner = await customerOf(story.payer);
        const chargeback = (await odoo.paymentsOf(partner.id)).filter((payment) => payment.memo === story.dispute);
        expect(chargeback).toHaveLength(1);
        expect(chargeback[0]).toMatchObject({ payment_type: 'outbound', amount: 29.97, reconciled_invoice_ids: [creditNotes[0]!.id] });
        expect(partner.tags).toEqual([]);
        expect((await odoo.notesOn('res.partner', partner.id)).join('\n')).toMatch(/Dispute PP-D-RUNA-1 on RUNASALE1 \(29\.97 USD, .*\) closed lost: credit note \d+ takes the disputed amount back/);
      });
    });

    describe('4. a checkout order captured', () => {
      const story = inOrder.checkout;

      it('PAYMENT.CAPTURE.COMPLETED becomes a posted invoice of the order’s items with PayPal’s total (92.80), paid by one payment', async () => {
        await deliver(...story.captured);
        const partner = await customerOf(story.buyer);
        expect(partner).toMatchObject({ name: 'Ada Lovelace', ref: story.buyer });
        const invoice = await invoiceOf(story.captureId);
        expect(invoice).toMatchObject({ move_type: 'out_invoice', state: 'posted', amount_untaxed: 92.8, amount_tax: 0, amount_total: 92.8, payment_state: 'paid' });
        expect(invoice.partner_id && invoice.partner_id[0]).toBe(partner.id);
        const payments = await odoo.paymentsOf(partner.id);
        expect(payments).toHaveLength(1);
        expect(payments[0]).toMatchObject({ payment_type: 'inbound', amount: 92.8, memo: story.captureId, reconciled_invoice_ids: [invoice.id] });
      });
    });

    describe('5. a PayPal invoice paid', () => {
      const story = inOrder.invoiced;

      it('INVOICING.INVOICE.PAID becomes the PayPal invoice, posted (25.00), with its one payment', async () => {
        await deliver(...story.paid);
        const invoice = await invoiceOf(story.invoiceId);
        expect(invoice).toMatchObject({ move_type: 'out_invoice', state: 'posted', amount_untaxed: 25, amount_tax: 0, amount_total: 25, payment_state: 'paid' });
        const partner = await customerOf(story.customer);
        expect(invoice.partner_id && invoice.partner_id[0]).toBe(partner.id);
        const payments = await odoo.paymentsOf(partner.id);
        expect(payments).toHaveLength(1);
        expect(payments[0]).toMatchObject({ payment_type: 'inbound', amount: 25, reconciled_invoice_ids: [invoice.id] });
      });
    });

    describe('6. a taxed checkout order captured', () => {
      const story = inOrder.taxedCheckout;

      it('posted with PayPal’s total and tax to the cent (50.00 + 7.50 = 57.50), the 15 % tax on each line, paid by one payment', async () => {
        await deliver(...story.captured);
        const partner = await customerOf(story.buyer);
        expect(partner).toMatchObject({ name: 'Katherine Johnson', ref: story.buyer });
        const invoice = await invoiceOf(story.captureId);
        expect(invoice).toMatchObject({ move_type: 'out_invoice', state: 'posted', amount_untaxed: 50, amount_tax: 7.5, amount_total: 57.5, payment_state: 'paid' });
        const lines = await odoo.moveLinesOf([invoice.id]);
        expect(lines.map((line) => [line.name, line.quantity, line.price_unit, line.price_subtotal, line.price_total])).toEqual([
          ['Seat', 2, 10, 20, 23],
          ['Setup', 1, 30, 30, 34.5],
        ]);
        const payments = await odoo.paymentsOf(partner.id);
        expect(payments).toHaveLength(1);
        expect(payments[0]).toMatchObject({ payment_type: 'inbound', amount: 57.5, memo: story.captureId, reconciled_invoice_ids: [invoice.id] });
      });
    });

    describe('7. a taxed PayPal invoice paid', () => {
      const story = inOrder.taxedInvoiced;

      it('the Odoo invoice’s total and tax are PayPal’s to the cent (42.31 + 6.35 = 48.66), a tax on each line, paid by its one payment', async () => {
        await deliver(...story.paid);
        const invoice = await invoiceOf(story.invoiceId);
        expect(invoice).toMatchObject({ move_type: 'out_invoice', state: 'posted', amount_untaxed: 42.31, amount_tax: 6.35, amount_total: 48.66, payment_state: 'paid' });
        const lines = await odoo.moveLinesOf([invoice.id]);
        expect(lines.map((line) => [line.quantity, line.price_unit, line.price_subtotal, line.price_total])).toEqual([
          [3, 9.99, 29.97, 34.47],
          [1, 12.34, 12.34, 14.19],
        ]);
        const partner = await customerOf(story.customer);
        expect(invoice.partner_id && invoice.partner_id[0]).toBe(partner.id);
        const payments = await odoo.paymentsOf(partner.id);
        expect(payments).toHaveLength(1);
        expect(payments[0]).toMatchObject({ payment_type: 'inbound', amount: 48.66, memo: story.paymentId, reconciled_invoice_ids: [invoice.id] });
      });
    });

    describe('8. where the money lands: PayPal’s own journal, everything else in Bank', () => {
      it('every payment of the stories (in and out) is in the bank journal named "PayPal", where the billing config routes PayPal', async () => {
        const paypalJournal = await bankJournalNamed('PayPal', PAYPAL_ROUTE.companyId);
        const payments = await paymentsWithJournalOf(inOrder.customers);
        // 2 sales, the refund, the chargeback, the capture, the invoice's payment, the taxed capture and invoice.
        expect(payments).toHaveLength(8);
        for (const payment of payments) expect(payment.journal_id, `payment ${payment.memo}`).toEqual([paypalJournal.id, expect.stringContaining('PayPal')]);
      });

      it('a Stripe payment in the same currency (USD) lands in the "Bank" journal', async () => {
        const bankJournal = await bankJournalNamed('Bank', OTHER_SOURCES_ROUTE.companyId);
        const T0 = 1_790_000_000;
        const customer = 'cus_e2ePaypalStoriesBank';
        const invoiceId = 'in_e2ePaypalStoriesBank';
        const lines = [{ price: 'price_e2ePaypalStoriesBank', description: 'Pro (monthly)', quantity: 1, unitAmount: 4900 }];
        const customerJson = customerObject(customer, { name: 'Acme Journal Co', email: 'ap@acme-journal.example', currency: 'usd' });
        const invoiceJson = invoiceObject(invoiceId, { customer, customerName: 'Acme Journal Co', currency: 'usd', lines, finalizedAt: T0 + 20 });
        const invoicePayment = invoicePaymentObject('inpay_e2ePaypalStoriesBank', { invoice: invoiceId, currency: 'usd', amount: 4900, paymentIntent: 'pi_e2ePaypalStoriesBank', paidAt: T0 + 30 });
        await harness.seedStripe([customerJson, invoiceJson]);
        for (const stripe of [
          stripeEvent('customer.created', customerJson, { id: 'evt_e2ePaypalStoriesBankCustomer', created: T0 }),
          stripeEvent('invoice.finalized', invoiceJson, { id: 'evt_e2ePaypalStoriesBankFinalized', created: T0 + 20 }),
          stripeEvent('invoice_payment.paid', invoicePayment, { id: 'evt_e2ePaypalStoriesBankPaid', created: T0 + 30 }),
        ]) {
          const response = await postStripeWebhook(harness.webhookUrl, stripe);
          expect(response.status, response.body).toBe(200);
          // Stripe's events come one after another, each booked before the next (as in the Stripe stories).
          const letters = await waitForFlowsSettled(harness.stack, { timeoutMs: 120_000 });
          expect(letters, describeLetters(letters)).toEqual([]);
        }
        const invoice = await invoiceOf(invoiceId);
        expect(invoice).toMatchObject({ state: 'posted', amount_total: 49, payment_state: 'paid' });
        expect(currencyOf(invoice)).toBe('USD');
        const [payment, ...others] = await odoo.searchRead<{ amount: number; journal_id: [number, string]; reconciled_invoice_ids: number[] }>(
          'account.payment',
          [['memo', '=', 'inpay_e2ePaypalStoriesBank']],
          ['amount', 'journal_id', 'reconciled_invoice_ids'],
        );
        expect(others).toEqual([]);
        expect(payment).toMatchObject({ amount: 49, reconciled_invoice_ids: [invoice.id] });
        expect(payment!.journal_id).toEqual([bankJournal.id, expect.stringContaining('Bank')]);
      });
    });

    describe('9. the same stories again, each webhook delivered twice, in a shuffled order', () => {
      /** The seed of the shuffle: PAYPAL_SHUFFLE_SEED reproduces a run. */
      const shuffleSeed = Number(process.env.PAYPAL_SHUFFLE_SEED ?? Math.floor(Math.random() * 2 ** 31));
      let letters: DeadLetter[];

      beforeAll(async () => {
        const deliveries = shuffled([...shuffledRun.webhooks, ...shuffledRun.webhooks], shuffleSeed);
        console.log(`paypal e2e: ${deliveries.length} deliveries (${shuffledRun.webhooks.length} webhooks × 2), shuffle seed ${shuffleSeed} (PAYPAL_SHUFFLE_SEED=${shuffleSeed} reproduces it)`);
        const startedAt = Date.now();
        let next = 0;
        await Promise.all(
          Array.from({ length: CONCURRENT_DELIVERIES }, async () => {
            while (next < deliveries.length) await deliverOnce(deliveries[next++]!);
          }),
        );
        const deliveredAt = Date.now();
        letters = await waitForFlowsSettled(harness.stack, { timeoutMs: 300_000 });
        console.log(`paypal e2e: delivered in ${deliveredAt - startedAt} ms, settled ${Date.now() - deliveredAt} ms later`);
      }, 400_000);

      it('leave Odoo exactly as the in-order run did (the run’s ids read as the first run’s): same records, totals, states and links, no duplicate, nothing dead-lettered', async () => {
        expect(letters, `shuffle seed ${shuffleSeed}: ${describeLetters(letters)}`).toEqual([]);
        const aliases: Array<[string, string]> = [
          ['RUNB', 'RUNA'],
          [shuffledRun.invoiced.customer, inOrder.invoiced.customer],
          [shuffledRun.taxedInvoiced.customer, inOrder.taxedInvoiced.customer],
        ];
        const expected = await financeSnapshot(odoo, inOrder.customers);
        const actual = await financeSnapshot(odoo, shuffledRun.customers);
        expect(comparable(actual, aliases), `shuffle seed ${shuffleSeed}`).toEqual(comparable(expected, []));
        // Not two empty books: every customer of the in-order run is one partner with its documents.
        for (const customer of expected as Array<{ customer: string; partners: unknown[]; documents: unknown[] }>) {
          expect(customer.partners, customer.customer).toHaveLength(1);
          expect(customer.documents.length, customer.customer).toBeGreaterThan(0);
        }
      });

      it('every payment of the shuffled run is in the "PayPal" journal too', async () => {
        const paypalJournal = await bankJournalNamed('PayPal', PAYPAL_ROUTE.companyId);
        const payments = await paymentsWithJournalOf(shuffledRun.customers);
        expect(payments).toHaveLength(8);
        for (const payment of payments) expect(payment.journal_id, `payment ${payment.memo}`).toEqual([paypalJournal.id, expect.stringContaining('PayPal')]);
      });
    });

    describe('10. a webhook PayPal did not sign is refused with 401 and nothing enqueued', () => {
      const webhook = () => inOrder.checkout.captured[0]!;

      const refusedWithNothingEnqueued = async (headers: Record<string, string>, body = JSON.stringify(webhook())) => {
        await waitForFlowsSettled(harness.stack);
        const eventsBefore = harness.stack.activity.recentEvents().length;
        const response = await post(headers, body);
        expect(response.status).toBe(401);
        expect(harness.stack.activity.recentEvents()).toHaveLength(eventsBefore);
        expect(flowQueues(harness.stack).reduce((sum, { queue }) => sum + queueDepth(harness.stack, queue), 0)).toBe(0);
      };

      it('forged: signed with another key, naming the sandbox’s certificate', async () => {
        const body = JSON.stringify(webhook());
        const certUrl = signed(body)['PAYPAL-CERT-URL']!;
        const forger = paypalWebhookSigner({ identity: createTestSigningIdentity({ modulusLength: 1024 }), certUrl, webhookId: 'WH-SANDBOX-LOCAL' });
        await refusedWithNothingEnqueued(forger.headersFor(body));
      });

      it('stale: correctly signed, but transmitted an hour ago', async () => {
        await refusedWithNothingEnqueued(signed(JSON.stringify(webhook()), { transmittedAt: new Date(Date.now() - 3_600_000) }));
      });

      it('wrongly certified: a certificate URL outside PayPal’s hosts and the local sandbox', async () => {
        await refusedWithNothingEnqueued({ ...signed(JSON.stringify(webhook())), 'PAYPAL-CERT-URL': 'https://certs.example.com/v1/notifications/certs/CERT-sandbox-local' });
      });

      it('tampered: a correctly signed body with another amount', async () => {
        const body = JSON.stringify(webhook());
        await refusedWithNothingEnqueued(signed(body), body.replace('"92.80"', '"1.00"'));
      });
    });

    // On a real Odoo, the support stories run on this stack and database: a server of their own would cost CI a
    // minute and a half per version. On the Odoo sandbox they have their own file (support-stories.test.ts).
    if (target.kind === 'real') supportStoryCases(() => harness);
  });
}

/** The company route of PayPal's documents (its own bank journal) and the one of every other source ("Bank"). */
const PAYPAL_ROUTE = routeOf((route) => route.source === 'paypal', 'PayPal');
const OTHER_SOURCES_ROUTE = routeOf((route) => route.source === undefined || route.source === '*', 'every other source');
function routeOf(matches: (route: (typeof STAGE.config.billing.companies)[number]) => boolean, what: string) {
  const route = STAGE.config.billing.companies.find(matches);
  if (route === undefined) throw new Error(`the stage's billing config has no company route for ${what}`);
  return route;
}

const describeLetters = (letters: readonly DeadLetter[]) => letters.map((letter) => `${letter.eventId}: ${letter.errorType}: ${letter.reason}`).join('\n');

/**
 * A finance snapshot as another run's would read: each run's ids swapped for the first run's, then every list
 * sorted by content again (a swapped id may sort elsewhere).
 */
function comparable(snapshot: unknown, aliases: ReadonlyArray<[string, string]>): unknown {
  let text = JSON.stringify(snapshot);
  for (const [from, to] of aliases) text = text.split(from).join(to);
  const sortedDeep = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sortedDeep).sort((left, right) => JSON.stringify(left).localeCompare(JSON.stringify(right)));
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, sortedDeep(inner)]));
    return value;
  };
  return sortedDeep(JSON.parse(text));
}

