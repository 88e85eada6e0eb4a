import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chargeObject,
  creditNoteObject,
  customerObject,
  disputeObject,
  invoiceObject,
  invoicePaymentObject,
  paymentIntentObject,
  refundObject,
  type StoryLine,
  type StripeObjectJson,
  subscriptionObject,
} from '../fixtures/stripe/billing-story';
import { stripeEvent } from '../fixtures/stripe/stripe-events';
import type { ReconciliationReport } from '../../functions/reconcile/reconcile-period';
import { type DeadLetter, deadLetters, type Harness, odooLabel, type OdooUnderTest, postStripeWebhook, REAL_ODOO_START_TIMEOUT_MS, runReconciliation, STAGE, startHarness, waitFor, waitForFlowsSettled } from './local-stack-harness';
import { type FinanceMove, financeSnapshot, OdooFinanceView } from './odoo-finance-view';
import { shuffled } from '../support/seeded-shuffle';

/**
 * Billing end to end on the local runtime: the synthesized stack (its Lambda bundles in workers), the Odoo
 * sandbox, and the Stripe sandbox the billing flow fetches missing invoices and customers from. Each
 * scenario sends Stripe's webhooks, signed as Stripe signs them, built from Stripe's sample objects, and
 * checks what a finance user sees in Odoo: customers and their standing tags, contracts, invoices and
 * credit notes with their totals and states, payments.
 *
 * Then the property the stack promises (DESIGN.md, "Order and duplicates do not matter"): the same
 * webhooks, each delivered twice, in a shuffled order, into a fresh stack, leave Odoo exactly as the
 * in-order run did. After each run the deployed reconciliation function, run for the scenarios' period
 * against the same Stripe sandbox (holding every document in its final state) and Odoo, finds no drift.
 */

export function billingScenarios(target: OdooUnderTest): void {
  describe(`billing end to end on ${odooLabel(target)}`, () => {
    // Retries (a dependency not in Odoo yet, an entity being written) come 5× sooner: same order, same counting.
    const RETRY_DELAY_SCALE = 0.2;
    /** Webhooks in flight at once in the shuffled run. */
    const CONCURRENT_DELIVERIES = 4;
    const TAGS = STAGE.config.billing.standingTags;
    const T0 = 1_790_000_000;

    let harness: Harness;
    /** Closed early by the last scenario, which needs the machine for a fresh stack. */
    let harnessClosed = false;
    let odoo: OdooFinanceView;

    /** Every webhook the scenarios delivered, in order: the stream the last scenario shuffles. */
    const stream: ReturnType<typeof stripeEvent>[] = [];
    /**
     * Webhooks whose order decides which Odoo record is which, the money booked being the same: of two payments of
     * one invoice, the first to arrive settles it and the second is the customer's credit. The last scenario
     * replays them in their order (each twice) after the shuffled stream.
     */
    const orderedStream: ReturnType<typeof stripeEvent>[] = [];
    /** The Stripe objects the scenarios seeded, in their final state (what Stripe's API answers). */
    const stripeState: StripeObjectJson[] = [];
    /** The customers of the scenarios, whose Odoo records the snapshot compares. */
    const customers: string[] = [];

    beforeAll(async () => {
      harness = await startHarness({ retryDelayScale: RETRY_DELAY_SCALE, odoo: target });
      odoo = financeViewOf(harness);
    }, REAL_ODOO_START_TIMEOUT_MS);

    afterAll(async () => {
      if (!harnessClosed) await harness?.close();
    });

    function financeViewOf(of: Harness): OdooFinanceView {
      return new OdooFinanceView(of.odooConnection);
    }

    /** Stripe's API holds these objects from now on (their final state in the story). */
    async function seed(...objects: StripeObjectJson[]): Promise<void> {
      stripeState.push(...objects);
      await harness.seedStripe(objects);
    }

    /** Sends the webhooks in order, each answered 200 as Stripe needs, then waits until every flow settled. */
    async function deliver(...events: ReturnType<typeof stripeEvent>[]): Promise<void> {
      await deliverTo(stream, events);
    }

    async function deliverTo(replayed: ReturnType<typeof stripeEvent>[], events: readonly ReturnType<typeof stripeEvent>[]): Promise<void> {
      for (const event of events) {
        replayed.push(event);
        const response = await postStripeWebhook(harness.webhookUrl, event);
        expect(response.status, `${event.type} ${event.id}: ${response.body}`).toBe(200);
      }
      await waitForFlowsSettled(harness.stack);
    }

    /**
     * Dead letters of these webhooks, with their reasons. A canonical event id names the Stripe event
     * (`stripe:evt_…:invoice.finalized`), or for payments and refunds the Stripe object (`stripe:refund:re_…:refund.created`).
     */
    function deadLettersOf(events: readonly ReturnType<typeof stripeEvent>[], letters: readonly DeadLetter[] = deadLetters(harness.stack)): DeadLetter[] {
      const ids = events.flatMap((event) => [`:${event.id}:`, `:${(event.data.object as { id: string }).id}:`]);
      return letters.filter((letter) => ids.some((id) => letter.eventId?.includes(id)));
    }

    const lines = (...entries: [price: string, description: string, quantity: number, unitAmount: number][]): StoryLine[] =>
      entries.map(([price, description, quantity, unitAmount]) => ({ price, description, quantity, unitAmount }));

    async function customerOf(customerId: string) {
      const partner = await odoo.customer(customerId);
      expect(partner, `partner of ${customerId}`).toBeDefined();
      return partner!;
    }

    async function invoiceOf(invoiceId: string): Promise<FinanceMove> {
      const invoices = await odoo.invoicesWithRef(invoiceId);
      expect(invoices, `Odoo invoices with ref ${invoiceId}`).toHaveLength(1);
      return invoices[0]!;
    }

    const currencyOf = (record: { currency_id: [number, string] | false }) => (record.currency_id === false ? undefined : record.currency_id[1]);

    describe('1. a new customer subscribes, is invoiced and pays', () => {
      const customer = 'cus_e2eS1Northwind';
      const subscription = 'sub_e2eS1Northwind';
      const invoice = 'in_e2eS1Northwind';
      const planLines = lines(['price_e2eS1Pro', 'Pro (monthly)', 3, 2000]);
      const events = [
        stripeEvent('customer.created', customerObject(customer, { name: 'Northwind Traders Ltd', email: 'ap@northwind.example', currency: 'eur' }), { id: 'evt_e2eS1CustomerCreated', created: T0 }),
        stripeEvent('customer.subscription.created', subscriptionObject(subscription, { customer, currency: 'eur', status: 'active', lines: planLines, created: T0 + 10 }), {
          id: 'evt_e2eS1SubscriptionCreated',
          created: T0 + 10,
        }),
        stripeEvent('invoice.finalized', invoiceObject(invoice, { customer, customerName: 'Northwind Traders Ltd', currency: 'eur', lines: planLines, subscription, finalizedAt: T0 + 20 }), {
          id: 'evt_e2eS1InvoiceFinalized',
          created: T0 + 20,
        }),
        stripeEvent('invoice_payment.paid', invoicePaymentObject('inpay_e2eS1Northwind', { invoice, currency: 'eur', amount: 6000, paymentIntent: 'pi_e2eS1Northwind', paidAt: T0 + 30 }), {
          id: 'evt_e2eS1InvoicePaid',
          created: T0 + 30,
        }),
      ];

      it('leaves a company partner, a confirmed contract, the posted invoice with Stripe’s total, paid by one payment', async () => {
        customers.push(customer);
        await seed(
          events[0]!.data.object as StripeObjectJson,
          events[1]!.data.object as StripeObjectJson,
          invoiceObject(invoice, { customer, customerName: 'Northwind Traders Ltd', currency: 'eur', lines: planLines, subscription, finalizedAt: T0 + 20, status: 'paid', paidAt: T0 + 30 }),
          events[3]!.data.object as StripeObjectJson,
        );
        await deliver(...events);
        expect(deadLettersOf(events)).toEqual([]);

        const partner = await customerOf(customer);
        expect(partner).toMatchObject({ name: 'Northwind Traders Ltd', ref: customer, email: 'ap@northwind.example', tags: [] });
        expect(await odoo.partnersWithRef(customer)).toHaveLength(1);

        const orders = await odoo.ordersOf(partner.id);
        expect(orders).toHaveLength(1);
        expect(orders[0]).toMatchObject({ state: 'sale', client_order_ref: subscription, amount_total: 60 });
        expect(currencyOf(orders[0]!)).toBe('EUR');

        const posted = await invoiceOf(invoice);
        expect(posted).toMatchObject({ move_type: 'out_invoice', state: 'posted', amount_untaxed: 60, amount_tax: 0, amount_total: 60, payment_state: 'paid', invoice_date: '2026-09-21' });
        expect(posted.partner_id && posted.partner_id[0]).toBe(partner.id);
        expect(currencyOf(posted)).toBe('EUR');

        const payments = await odoo.paymentsOf(partner.id);
        expect(payments).toHaveLength(1);
        expect(payments[0]).toMatchObject({ state: 'paid', payment_type: 'inbound', partner_type: 'customer', amount: 60, memo: 'inpay_e2eS1Northwind', reconciled_invoice_ids: [posted.id] });
        expect(currencyOf(payments[0]!)).toBe('EUR');
      });
    });

    describe('2. a payment fails, then succeeds', () => {
      const customer = 'cus_e2eS2Initech';
      const subscription = 'sub_e2eS2Initech';
      const invoice = 'in_e2eS2Initech';
      const planLines = lines(['price_e2eS2Team', 'Team (monthly)', 1, 4900]);
      const subscriptionWith = (status: string) => subscriptionObject(subscription, { customer, currency: 'usd', status, lines: planLines, created: T0 + 100 });
      const openInvoice = invoiceObject(invoice, { customer, customerName: 'Initech LLC', currency: 'usd', lines: planLines, subscription, finalizedAt: T0 + 120 });
      const setup = [
        stripeEvent('customer.created', customerObject(customer, { name: 'Initech LLC', email: 'finance@initech.example', currency: 'usd' }), { id: 'evt_e2eS2CustomerCreated', created: T0 + 100 }),
        stripeEvent('customer.subscription.created', subscriptionWith('active'), { id: 'evt_e2eS2SubscriptionCreated', created: T0 + 110 }),
        stripeEvent('invoice.finalized', openInvoice, { id: 'evt_e2eS2InvoiceFinalized', created: T0 + 120 }),
      ];
      const failure = [
        stripeEvent('invoice.payment_failed', { ...openInvoice, attempt_count: 1, attempted: true, last_finalization_error: null }, { id: 'evt_e2eS2PaymentFailed', created: T0 + 130 }),
        stripeEvent('customer.subscription.updated', subscriptionWith('past_due'), { id: 'evt_e2eS2SubscriptionPastDue', created: T0 + 131 }),
      ];
      const recovery = [
        stripeEvent('invoice_payment.paid', invoicePaymentObject('inpay_e2eS2Initech', { invoice, currency: 'usd', amount: 4900, paymentIntent: 'pi_e2eS2Initech', paidAt: T0 + 86400 * 3 }), {
          id: 'evt_e2eS2InvoicePaid',
          created: T0 + 86400 * 3,
        }),
        stripeEvent('customer.subscription.updated', subscriptionWith('active'), { id: 'evt_e2eS2SubscriptionActive', created: T0 + 86400 * 3 + 1 }),
      ];

      it('tags the customer past due with a note while the invoice is unpaid', async () => {
        customers.push(customer);
        await seed(
          setup[0]!.data.object as StripeObjectJson,
          subscriptionWith('active'),
          invoiceObject(invoice, { customer, customerName: 'Initech LLC', currency: 'usd', lines: planLines, subscription, finalizedAt: T0 + 120, status: 'paid', attemptCount: 2, paidAt: T0 + 86400 * 3 }),
          recovery[0]!.data.object as StripeObjectJson,
        );
        await deliver(...setup, ...failure);
        expect(deadLettersOf([...setup, ...failure])).toEqual([]);

        // The failed payment starts the dunning saga, whose first step sets the standing (lib/sagas.ts). Stripe's
        // sandbox already holds the invoice paid (for the retried payment below), so the saga's first re-check
        // restores the customer: how soon depends on the machine, so the step's own record is what is asserted,
        // not a tag that may already be cleared again.
        const marked = await waitFor(() => {
          const dunning = harness.stack.stateMachines.stateMachineArns().find((arn) => arn.includes('dunning'))!;
          const execution = harness.stack.stateMachines
            .listExecutions(dunning)
            .find((candidate) => (JSON.parse(candidate.input) as { event: { data: { attempt: { invoiceId: string } } } }).event.data.attempt.invoiceId === invoice);
          return execution?.states?.find((state) => state.name === 'MarkPastDue' && state.status === 'SUCCEEDED');
        }, { what: 'the dunning saga to mark the customer past due' });
        const partner = await customerOf(customer);
        expect(marked.output).toMatchObject({ markPastDue: { outcome: 'flagged-past-due', partnerId: partner.id } });
        expect(partner.tags.filter((tag) => tag !== TAGS.pastDue)).toEqual([]);
        expect((await odoo.notesOn('res.partner', partner.id)).join('\n')).toMatch(/Payment failed for invoice in_e2eS2Initech \(49\.00 USD due, attempt 1\)/);
        const unpaid = await invoiceOf(invoice);
        expect(unpaid).toMatchObject({ state: 'posted', amount_total: 49, payment_state: 'not_paid' });
        expect(await odoo.paymentsOf(partner.id)).toEqual([]);
      });

      it('clears the standing once the retried payment succeeds, and the invoice is paid once', async () => {
        await deliver(...recovery);
        expect(deadLettersOf(recovery)).toEqual([]);

        const partner = await customerOf(customer);
        expect(partner.tags).toEqual([]);
        const paid = await invoiceOf(invoice);
        expect(paid).toMatchObject({ state: 'posted', amount_total: 49, payment_state: 'paid' });
        const payments = await odoo.paymentsOf(partner.id);
        expect(payments).toHaveLength(1);
        expect(payments[0]).toMatchObject({ payment_type: 'inbound', amount: 49, memo: 'inpay_e2eS2Initech', reconciled_invoice_ids: [paid.id] });
        const orders = await odoo.ordersOf(partner.id);
        expect(orders.map((order) => [order.client_order_ref, order.state])).toEqual([[subscription, 'sale']]);
      });
    });

    describe('3. a voided invoice', () => {
      const customer = 'cus_e2eS3Umbrella';
      const invoice = 'in_e2eS3Umbrella';
      const oneOff = lines(['price_e2eS3Setup', 'Onboarding workshop', 1, 25000]);
      const finalized = invoiceObject(invoice, { customer, customerName: 'Umbrella Corp', currency: 'eur', lines: oneOff, finalizedAt: T0 + 200 });
      const voided = invoiceObject(invoice, { customer, customerName: 'Umbrella Corp', currency: 'eur', lines: oneOff, finalizedAt: T0 + 200, status: 'void', voidedAt: T0 + 7200 });
      const events = [
        stripeEvent('customer.created', customerObject(customer, { name: 'Umbrella Corp', email: 'invoices@umbrella.example', currency: 'eur' }), { id: 'evt_e2eS3CustomerCreated', created: T0 + 190 }),
        stripeEvent('invoice.finalized', finalized, { id: 'evt_e2eS3InvoiceFinalized', created: T0 + 200 }),
      ];
      const voiding = [stripeEvent('invoice.voided', voided, { id: 'evt_e2eS3InvoiceVoided', created: T0 + 7200 })];

      it('is posted when finalized, then cancelled in Odoo when voided, with nothing paid', async () => {
        customers.push(customer);
        await seed(events[0]!.data.object as StripeObjectJson, voided);
        await deliver(...events);
        expect(await invoiceOf(invoice)).toMatchObject({ state: 'posted', amount_total: 250 });

        await deliver(...voiding);
        expect(deadLettersOf([...events, ...voiding])).toEqual([]);
        const cancelled = await invoiceOf(invoice);
        expect(cancelled).toMatchObject({ move_type: 'out_invoice', state: 'cancel', amount_total: 250 });
        const partner = await customerOf(customer);
        expect(await odoo.paymentsOf(partner.id)).toEqual([]);
        expect(partner.tags).toEqual([]);
      });
    });

    describe('4. refunds', () => {
      const customer = 'cus_e2eS4Hooli';
      const customerCreated = stripeEvent('customer.created', customerObject(customer, { name: 'Hooli Inc', email: 'ar@hooli.example', currency: 'eur' }), { id: 'evt_e2eS4CustomerCreated', created: T0 + 290 });
      /** A paid invoice of `total` cents, refunded by `refunded` cents — through a Stripe credit note when `creditNote` names one. */
      const story = refundStory({ customer, customerName: 'Hooli Inc', currency: 'eur', id: 'e2eS4', at: T0 + 300, refundedAt: T0 + 86400 * 5, product: 'Seats' }, [
        { invoice: 'in_e2eS4HooliA', total: 10000, refunded: 2500 },
        { invoice: 'in_e2eS4HooliB', total: 4000, refunded: 4000 },
        { invoice: 'in_e2eS4HooliC', total: 8000, refunded: 3000, creditNote: 'cn_e2eS4HooliC' },
      ]);

      beforeAll(async () => {
        customers.push(customer);
        await seed(customerCreated.data.object as StripeObjectJson, ...story.flatMap((entry) => entry.objects));
        await deliver(customerCreated, ...story.flatMap((entry) => entry.billed));
        expect(deadLettersOf([customerCreated, ...story.flatMap((entry) => entry.billed)])).toEqual([]);
      });

      /** After the refund: the invoice still paid, exactly one posted credit note of the refunded amount reversing it, paid out by one outbound payment. */
      async function expectRefundBooked(entry: (typeof story)[number]): Promise<FinanceMove> {
        await deliver(...entry.refundEvents);
        expect(deadLettersOf(entry.refundEvents)).toEqual([]);
        const invoice = await invoiceOf(entry.invoice);
        expect(invoice).toMatchObject({ state: 'posted', amount_total: entry.total / 100, payment_state: 'paid' });

        const creditNotes = await odoo.creditNotesReversing(invoice.id);
        expect(creditNotes).toHaveLength(1);
        const creditNote = creditNotes[0]!;
        expect(creditNote).toMatchObject({ move_type: 'out_refund', state: 'posted', amount_total: entry.refunded / 100, amount_tax: 0, payment_state: 'paid' });
        expect(creditNote.partner_id && creditNote.partner_id[0]).toBe(invoice.partner_id && invoice.partner_id[0]);
        expect(currencyOf(creditNote)).toBe('EUR');

        const partner = await customerOf(customer);
        const outbound = (await odoo.paymentsOf(partner.id)).filter((payment) => payment.payment_type === 'outbound' && payment.reconciled_invoice_ids.includes(creditNote.id));
        expect(outbound).toHaveLength(1);
        expect(outbound[0]).toMatchObject({ state: 'paid', partner_type: 'customer', amount: entry.refunded / 100, memo: entry.refund });
        expect(currencyOf(outbound[0]!)).toBe('EUR');
        return creditNote;
      }

      it('a partial refund: a posted credit note of the refunded amount reversing the invoice, paid out by an outbound payment', async () => {
        await expectRefundBooked(story[0]!);
      });

      it('a full refund: a posted credit note of the whole invoice, paid out by an outbound payment', async () => {
        const creditNote = await expectRefundBooked(story[1]!);
        // The whole invoice is reversed: the credit note mirrors its line, product included.
        const creditedLines = await odoo.searchRead<{ product_id: [number, string] | false; quantity: number; price_unit: number }>(
          'account.move.line',
          [['move_id', '=', creditNote.id], ['display_type', '=', 'product']],
          ['product_id', 'quantity', 'price_unit'],
        );
        expect(creditedLines.map((line) => [line.product_id && line.product_id[1], line.quantity, line.price_unit])).toEqual([['[price_e2eS4Seats1] Seats 1', 2, 20]]);
      });

      it('a refund made with a Stripe credit note: one Odoo credit note, Stripe’s, paid out by the refund (no second credit note)', async () => {
        const creditNote = await expectRefundBooked(story[2]!);
        expect(creditNote).toMatchObject({ ref: 'cn_e2eS4HooliC', payment_reference: 're_e2eS4HooliC' });
        const lineNames = (await odoo.moveLinesOf([creditNote.id])).map((line) => line.name);
        expect(lineNames).toEqual([expect.stringContaining('Unused seats returned')]);
      });
    });

    describe('5. a lost dispute', () => {
      const customer = 'cus_e2eS5Vandelay';
      const invoice = 'in_e2eS5Vandelay';
      const pi = 'pi_e2eS5Vandelay';
      const charge = 'ch_e2eS5Vandelay';
      const dispute = 'dp_e2eS5Vandelay';
      const invoiceLines = lines(['price_e2eS5Import', 'Import licence', 2, 6000]);
      const disputeFields = { currency: 'usd', amount: 12000, charge, paymentIntent: pi, created: T0 + 86400 * 9 };
      const setup = [
        stripeEvent('customer.created', customerObject(customer, { name: 'Vandelay Industries', email: 'art@vandelay.example', currency: 'usd' }), { id: 'evt_e2eS5CustomerCreated', created: T0 + 400 }),
        stripeEvent('invoice.finalized', invoiceObject(invoice, { customer, customerName: 'Vandelay Industries', currency: 'usd', lines: invoiceLines, finalizedAt: T0 + 410 }), {
          id: 'evt_e2eS5InvoiceFinalized',
          created: T0 + 410,
        }),
        stripeEvent('invoice_payment.paid', invoicePaymentObject('inpay_e2eS5Vandelay', { invoice, currency: 'usd', amount: 12000, paymentIntent: pi, paidAt: T0 + 470 }), {
          id: 'evt_e2eS5InvoicePaid',
          created: T0 + 470,
        }),
      ];
      const opened = [stripeEvent('charge.dispute.created', disputeObject(dispute, { ...disputeFields, status: 'needs_response' }), { id: 'evt_e2eS5DisputeCreated', created: T0 + 86400 * 9 })];
      const lost = [stripeEvent('charge.dispute.closed', disputeObject(dispute, { ...disputeFields, status: 'lost' }), { id: 'evt_e2eS5DisputeClosed', created: T0 + 86400 * 40 })];

      beforeAll(async () => {
        customers.push(customer);
        await seed(
          setup[0]!.data.object as StripeObjectJson,
          invoiceObject(invoice, { customer, customerName: 'Vandelay Industries', currency: 'usd', lines: invoiceLines, finalizedAt: T0 + 410, status: 'paid', paidAt: T0 + 470 }),
          setup[2]!.data.object as StripeObjectJson,
          paymentIntentObject(pi, { customer, currency: 'usd', amount: 12000, charge, created: T0 + 460 }),
          chargeObject(charge, { customer, currency: 'usd', amount: 12000, paymentIntent: pi, created: T0 + 465, disputed: true }),
          // As Stripe holds it at the end: lost. Reconciliation lists it and checks its credit note and chargeback.
          lost[0]!.data.object as StripeObjectJson,
        );
        await deliver(...setup);
        expect(deadLettersOf(setup)).toEqual([]);
      });

      it('flags the customer while the dispute is open', async () => {
        await deliver(...opened);
        expect(deadLettersOf(opened)).toEqual([]);
        const partner = await customerOf(customer);
        expect(partner.tags).toEqual([TAGS.disputed]);
        expect((await odoo.notesOn('res.partner', partner.id)).join('\n')).toMatch(/Dispute dp_e2eS5Vandelay .* is open/);
      });

      it('once lost, books a posted credit note of the disputed amount against the invoice', async () => {
        await deliver(...lost);
        expect(deadLettersOf(lost)).toEqual([]);
        const paid = await invoiceOf(invoice);
        expect(paid).toMatchObject({ state: 'posted', amount_total: 120 });
        const creditNotes = await odoo.creditNotesReversing(paid.id);
        expect(creditNotes).toHaveLength(1);
        expect(creditNotes[0]).toMatchObject({ move_type: 'out_refund', state: 'posted', amount_total: 120 });
        expect(currencyOf(creditNotes[0]!)).toBe('USD');
        const partner = await customerOf(customer);
        // The money is booked back: the standing clears, and the note says why.
        expect(partner.tags).toEqual([]);
        expect((await odoo.notesOn('res.partner', partner.id)).join('\n')).toMatch(/closed lost: credit note \d+ takes the disputed amount back/);
      });
    });

    describe('6. currencies with 2, 0 and 3 decimals', () => {
      const customer = 'cus_e2eS6Globex';
      // Stripe minor units: USD and EUR cents, JPY whole yen (zero-decimal), KWD fils (three decimals).
      const invoices = [
        { id: 'in_e2eS6GlobexUsd', currency: 'usd', lines: lines(['price_e2eS6Usd', 'Analytics seats', 2, 1234], ['price_e2eS6UsdAddon', 'Storage add-on', 1, 999]), total: 3467, odooTotal: 34.67 },
        { id: 'in_e2eS6GlobexEur', currency: 'eur', lines: lines(['price_e2eS6Eur', 'Analytics seats', 1, 9999]), total: 9999, odooTotal: 99.99 },
        { id: 'in_e2eS6GlobexJpy', currency: 'jpy', lines: lines(['price_e2eS6Jpy', 'Analytics seats', 3, 1980]), total: 5940, odooTotal: 5940 },
        { id: 'in_e2eS6GlobexKwd', currency: 'kwd', lines: lines(['price_e2eS6Kwd', 'Analytics seats', 2, 4125]), total: 8250, odooTotal: 8.25 },
      ].map((entry, index) => {
        const at = T0 + 500 + index * 10;
        const fields = { customer, customerName: 'Globex Corporation', currency: entry.currency, lines: entry.lines, finalizedAt: at };
        const payment = invoicePaymentObject(`inpay_${entry.id.slice(3)}`, { invoice: entry.id, currency: entry.currency, amount: entry.total, paymentIntent: `pi_${entry.id.slice(3)}`, paidAt: at + 60 });
        return {
          ...entry,
          objects: [invoiceObject(entry.id, { ...fields, status: 'paid', paidAt: at + 60 }), payment],
          events: [
            stripeEvent('invoice.finalized', invoiceObject(entry.id, fields), { id: `evt_e2eS6Finalized${index}`, created: at }),
            stripeEvent('invoice_payment.paid', payment, { id: `evt_e2eS6Paid${index}`, created: at + 60 }),
          ],
        };
      });
      const customerCreated = stripeEvent('customer.created', customerObject(customer, { name: 'Globex Corporation', email: 'treasury@globex.example', currency: 'usd' }), {
        id: 'evt_e2eS6CustomerCreated',
        created: T0 + 490,
      });

      beforeAll(async () => {
        customers.push(customer);
        await seed(customerCreated.data.object as StripeObjectJson, ...invoices.flatMap((entry) => entry.objects));
        await deliver(customerCreated, ...invoices.flatMap((entry) => entry.events));
      });

      it.each(['usd', 'eur', 'jpy', 'kwd'])('%s: the posted invoice total and its payment equal Stripe’s total exactly', async (currency) => {
        const entry = invoices.find((candidate) => candidate.currency === currency)!;
        expect(deadLettersOf(entry.events)).toEqual([]);
        const invoice = await invoiceOf(entry.id);
        expect(invoice).toMatchObject({ state: 'posted', amount_total: entry.odooTotal, amount_untaxed: entry.odooTotal, amount_tax: 0, payment_state: 'paid' });
        expect(currencyOf(invoice)).toBe(currency.toUpperCase());
        const partner = await customerOf(customer);
        const payments = (await odoo.paymentsOf(partner.id)).filter((payment) => payment.reconciled_invoice_ids.includes(invoice.id));
        expect(payments).toHaveLength(1);
        expect(payments[0]).toMatchObject({ payment_type: 'inbound', amount: entry.odooTotal, memo: `inpay_${entry.id.slice(3)}` });
        expect(currencyOf(payments[0]!)).toBe(currency.toUpperCase());
      });
    });

    describe('7. a mid-cycle upgrade with proration', () => {
      const customer = 'cus_e2eS7Acme';
      const subscription = 'sub_e2eS7Acme';
      const firstInvoice = 'in_e2eS7AcmeNov';
      const prorationInvoice = 'in_e2eS7AcmeUpgrade';
      const item = 'si_e2eS7Acme_0';
      /** The cycle: 30 days from 31 Oct; the upgrade half way through, on 15 Nov. */
      const cycleStart = T0 + 86400 * 40;
      const cycleEnd = cycleStart + 86400 * 30;
      const upgradedAt = cycleStart + 86400 * 15;
      const team = (quantity: number) => lines(['price_e2eS7Team', 'Team plan', quantity, 4900]);
      const subscriptionWith = (quantity: number) => subscriptionObject(subscription, { customer, currency: 'eur', status: 'active', lines: team(quantity), created: cycleStart });
      const firstFields = { customer, customerName: 'Acme Corporation', currency: 'eur', lines: team(1).map((line) => ({ ...line, period: { start: cycleStart, end: cycleEnd } })), subscription, finalizedAt: cycleStart + 20 };
      // What Stripe bills for 1 → 3 seats half way through the month (proration_behavior always_invoice): the
      // unused half of 1 seat given back, the remaining half of 3 seats charged; each line at the price, with
      // the subscription's quantity and the prorated amount.
      const prorationLines: StoryLine[] = [
        { price: 'price_e2eS7Team', description: 'Unused time on 1 × Team plan after 15 Nov 2026', quantity: 1, unitAmount: 4900, amount: -2450, proration: true, subscriptionItem: item, period: { start: upgradedAt, end: cycleEnd } },
        { price: 'price_e2eS7Team', description: 'Remaining time on 3 × Team plan after 15 Nov 2026', quantity: 3, unitAmount: 4900, amount: 7350, proration: true, subscriptionItem: item, period: { start: upgradedAt, end: cycleEnd } },
      ];
      const prorationFields = { customer, customerName: 'Acme Corporation', currency: 'eur', lines: prorationLines, subscription, billingReason: 'subscription_update', finalizedAt: upgradedAt + 10 };
      const firstPayment = invoicePaymentObject('inpay_e2eS7AcmeNov', { invoice: firstInvoice, currency: 'eur', amount: 4900, paymentIntent: 'pi_e2eS7AcmeNov', paidAt: cycleStart + 30 });
      const prorationPayment = invoicePaymentObject('inpay_e2eS7AcmeUpgrade', { invoice: prorationInvoice, currency: 'eur', amount: 4900, paymentIntent: 'pi_e2eS7AcmeUpgrade', paidAt: upgradedAt + 70 });
      const setup = [
        stripeEvent('customer.created', customerObject(customer, { name: 'Acme Corporation', email: 'billing@acme.example', currency: 'eur' }), { id: 'evt_e2eS7CustomerCreated', created: cycleStart - 10 }),
        stripeEvent('customer.subscription.created', subscriptionWith(1), { id: 'evt_e2eS7SubscriptionCreated', created: cycleStart }),
        stripeEvent('invoice.finalized', invoiceObject(firstInvoice, firstFields), { id: 'evt_e2eS7FirstFinalized', created: cycleStart + 20 }),
        stripeEvent('invoice_payment.paid', firstPayment, { id: 'evt_e2eS7FirstPaid', created: cycleStart + 30 }),
      ];
      const upgrade = [
        stripeEvent('customer.subscription.updated', subscriptionWith(3), { id: 'evt_e2eS7SubscriptionUpgraded', created: upgradedAt }),
        stripeEvent('invoice.finalized', invoiceObject(prorationInvoice, prorationFields), { id: 'evt_e2eS7ProrationFinalized', created: upgradedAt + 10 }),
        stripeEvent('invoice_payment.paid', prorationPayment, { id: 'evt_e2eS7ProrationPaid', created: upgradedAt + 70 }),
      ];

      beforeAll(async () => {
        customers.push(customer);
        await seed(
          setup[0]!.data.object as StripeObjectJson,
          subscriptionWith(3),
          invoiceObject(firstInvoice, { ...firstFields, status: 'paid', paidAt: cycleStart + 30 }),
          firstPayment,
          invoiceObject(prorationInvoice, { ...prorationFields, status: 'paid', paidAt: upgradedAt + 70 }),
          prorationPayment,
        );
        await deliver(...setup);
        expect(deadLettersOf(setup)).toEqual([]);
      });

      async function contractLines(partnerId: number) {
        const orders = await odoo.ordersOf(partnerId);
        expect(orders.map((order) => [order.client_order_ref, order.state])).toEqual([[subscription, 'sale']]);
        const orderLines = await odoo.orderLinesOf([orders[0]!.id]);
        return { order: orders[0]!, lines: orderLines.map((line) => [line.product_id && line.product_id[1], line.product_uom_qty, line.price_unit, line.price_subtotal]) };
      }

      it('before the upgrade: a contract for 1 × Team plan, its first month invoiced and paid', async () => {
        const partner = await customerOf(customer);
        const { order, lines: contract } = await contractLines(partner.id);
        expect(order.amount_total).toBe(49);
        expect(contract).toEqual([['[price_e2eS7Team] Team plan', 1, 49, 49]]);
        expect(await invoiceOf(firstInvoice)).toMatchObject({ state: 'posted', amount_total: 49, payment_state: 'paid' });
      });

      it('the upgrade amends the contract to 3 seats and books the proration invoice, a negative line included, paid by one payment', async () => {
        await deliver(...upgrade);
        const letters = deadLettersOf(upgrade);
        expect(letters, letters.map((letter) => `${letter.eventId}: ${letter.errorType}: ${letter.reason}`).join('\n')).toEqual([]);

        const partner = await customerOf(customer);
        // The same contract, amended: one order, its line now 3 seats.
        const { order, lines: contract } = await contractLines(partner.id);
        expect(order.amount_total).toBe(147);
        expect(contract).toEqual([['[price_e2eS7Team] Team plan', 3, 49, 147]]);

        const posted = await invoiceOf(prorationInvoice);
        expect(posted).toMatchObject({ move_type: 'out_invoice', state: 'posted', amount_untaxed: 49, amount_tax: 0, amount_total: 49, payment_state: 'paid', invoice_date: '2026-11-15' });
        expect(currencyOf(posted)).toBe('EUR');
        const invoiceLines = (await odoo.moveLinesOf([posted.id])).map((line) => [line.product_id && line.product_id[1], line.name, line.quantity, line.price_unit, line.price_subtotal]);
        expect(invoiceLines).toEqual([
          ['[price_e2eS7Team] Team plan', 'Unused time on 1 × Team plan after 15 Nov 2026 (2026-11-15 – 2026-11-30)', 1, -24.5, -24.5],
          ['[price_e2eS7Team] Team plan', 'Remaining time on 3 × Team plan after 15 Nov 2026 (2026-11-15 – 2026-11-30)', 3, 24.5, 73.5],
        ]);
        // Still the first invoice and no credit note: a proration credit stays a line of the proration invoice.
        expect((await odoo.movesOf(partner.id)).map((move) => [move.move_type, move.ref, move.amount_total])).toEqual([
          ['out_invoice', firstInvoice, 49],
          ['out_invoice', prorationInvoice, 49],
        ]);

        const payments = (await odoo.paymentsOf(partner.id)).filter((payment) => payment.reconciled_invoice_ids.includes(posted.id));
        expect(payments).toHaveLength(1);
        expect(payments[0]).toMatchObject({ state: 'paid', payment_type: 'inbound', amount: 49, memo: 'inpay_e2eS7AcmeUpgrade', reconciled_invoice_ids: [posted.id] });
      });
    });

    describe('7b. refunds processed before their payments (webhooks are unordered)', () => {
      const customer = 'cus_e2eS7bPiedPiper';
      const customerCreated = stripeEvent('customer.created', customerObject(customer, { name: 'Pied Piper Inc', email: 'ar@piedpiper.example', currency: 'usd' }), {
        id: 'evt_e2eS7bCustomerCreated',
        created: T0 + 600,
      });
      /** Each invoice is finalized, then refunded, and only then is its payment delivered. */
      const story = refundStory({ customer, customerName: 'Pied Piper Inc', currency: 'usd', id: 'e2eS7b', at: T0 + 610, refundedAt: T0 + 730, product: 'Compression plan' }, [
        { kind: 'partial', invoice: 'in_e2eS7bPiedA', total: 12900, refunded: 1000 },
        { kind: 'full', invoice: 'in_e2eS7bPiedB', total: 5000, refunded: 5000 },
        { kind: 'by credit note', invoice: 'in_e2eS7bPiedC', total: 8000, refunded: 3000, creditNote: 'cn_e2eS7bPiedC' },
      ]).map((entry) => ({ ...entry, events: [entry.billed[0]!, ...entry.refundEvents, entry.billed[1]!] }));

      beforeAll(async () => {
        customers.push(customer);
        await seed(customerCreated.data.object as StripeObjectJson, ...story.flatMap((entry) => entry.objects));
        await deliver(customerCreated);
      });

      it.each(story.map((entry) => [entry.kind ?? entry.invoice, entry] as const))(
        '%s: the invoice ends paid by its payment, the credit note settled by one outbound payment of the refund, nothing dead-lettered',
        async (_kind, entry) => {
          await deliver(...entry.events);
          const letters = deadLettersOf(entry.events);
          expect(letters, letters.map((letter) => `${letter.eventId}: ${letter.errorType}: ${letter.reason}`).join('\n')).toEqual([]);
          const invoice = await invoiceOf(entry.invoice);
          expect(invoice).toMatchObject({ state: 'posted', amount_total: entry.total / 100, payment_state: 'paid' });
          const partner = await customerOf(customer);
          const payments = await odoo.paymentsOf(partner.id);
          const inbound = payments.filter((payment) => payment.reconciled_invoice_ids.includes(invoice.id));
          expect(inbound.map((payment) => [payment.payment_type, payment.amount, payment.memo])).toEqual([['inbound', entry.total / 100, `inpay_${entry.invoice.slice(3)}`]]);

          const creditNotes = await odoo.creditNotesReversing(invoice.id);
          expect(creditNotes).toHaveLength(1);
          expect(creditNotes[0]).toMatchObject({ move_type: 'out_refund', state: 'posted', amount_total: entry.refunded / 100, payment_state: 'paid' });
          const outbound = payments.filter((payment) => payment.reconciled_invoice_ids.includes(creditNotes[0]!.id));
          expect(outbound.map((payment) => [payment.payment_type, payment.amount, payment.memo])).toEqual([['outbound', entry.refunded / 100, entry.refund]]);
        },
      );
    });

    describe('7c. a downgrade whose proration invoice is negative', () => {
      const customer = 'cus_e2eS7cWayne';
      const subscription = 'sub_e2eS7cWayne';
      const prorationInvoice = 'in_e2eS7cWayneDowngrade';
      const downgradedAt = T0 + 86400 * 50;
      const cycleEnd = downgradedAt + 86400 * 15;
      const team = (quantity: number) => lines(['price_e2eS7cTeam', 'Team plan', quantity, 4900]);
      const subscriptionWith = (quantity: number) => subscriptionObject(subscription, { customer, currency: 'usd', status: 'active', lines: team(quantity), created: downgradedAt - 86400 * 15 });
      // 3 → 1 seat half way through the month: the unused half of 3 seats given back, the remaining half of 1 charged.
      const prorationLines: StoryLine[] = [
        { price: 'price_e2eS7cTeam', description: 'Unused time on 3 × Team plan', quantity: 3, unitAmount: 4900, amount: -7350, proration: true, subscriptionItem: 'si_e2eS7cWayne_0', period: { start: downgradedAt, end: cycleEnd } },
        { price: 'price_e2eS7cTeam', description: 'Remaining time on 1 × Team plan', quantity: 1, unitAmount: 4900, amount: 2450, proration: true, subscriptionItem: 'si_e2eS7cWayne_0', period: { start: downgradedAt, end: cycleEnd } },
      ];
      const prorationFields = { customer, customerName: 'Wayne Enterprises', currency: 'usd', lines: prorationLines, subscription, billingReason: 'subscription_update', finalizedAt: downgradedAt + 10 };
      const events = [
        stripeEvent('customer.created', customerObject(customer, { name: 'Wayne Enterprises', email: 'ap@wayne.example', currency: 'usd' }), { id: 'evt_e2eS7cCustomerCreated', created: downgradedAt - 86400 * 15 - 10 }),
        stripeEvent('customer.subscription.created', subscriptionWith(3), { id: 'evt_e2eS7cSubscriptionCreated', created: downgradedAt - 86400 * 15 }),
        stripeEvent('customer.subscription.updated', subscriptionWith(1), { id: 'evt_e2eS7cSubscriptionDowngraded', created: downgradedAt }),
        // Stripe credits the negative total to the customer's balance: nothing is due, the invoice reads paid.
        stripeEvent('invoice.finalized', invoiceObject(prorationInvoice, { ...prorationFields, amountPaid: 0 }), { id: 'evt_e2eS7cProrationFinalized', created: downgradedAt + 10 }),
      ];

      it('is booked as a credit note with the same lines of opposite sign, exact to the cent, nothing dead-lettered', async () => {
        customers.push(customer);
        await seed(events[0]!.data.object as StripeObjectJson, subscriptionWith(1), invoiceObject(prorationInvoice, { ...prorationFields, status: 'paid', amountPaid: 0 }));
        await deliver(...events);
        const letters = deadLettersOf(events);
        expect(letters, letters.map((letter) => `${letter.eventId}: ${letter.errorType}: ${letter.reason}`).join('\n')).toEqual([]);

        const partner = await customerOf(customer);
        const moves = (await odoo.movesOf(partner.id)).map((move) => [move.move_type, move.ref, move.state, move.amount_total]);
        expect(moves).toEqual([['out_refund', prorationInvoice, 'posted', 49]]);
        const [creditNote] = await odoo.movesOf(partner.id);
        const creditLines = (await odoo.moveLinesOf([creditNote!.id])).map((line) => [line.name.split(' (')[0], line.quantity, line.price_unit, line.price_subtotal]);
        expect(creditLines).toEqual([
          ['Unused time on 3 × Team plan', 3, 24.5, 73.5],
          ['Remaining time on 1 × Team plan', 1, -24.5, -24.5],
        ]);
      });
    });

    describe('7d. a second payment of an invoice already paid (an overpayment)', () => {
      const customer = 'cus_e2eS7dStark';
      const invoice = 'in_e2eS7dStark';
      const invoiceFields = { customer, customerName: 'Stark Industries', currency: 'eur', lines: lines(['price_e2eS7dArmor', 'Armor maintenance', 1, 2500]), finalizedAt: T0 + 700 };
      const first = invoicePaymentObject('inpay_e2eS7dStarkA', { invoice, currency: 'eur', amount: 2500, paymentIntent: 'pi_e2eS7dStarkA', paidAt: T0 + 760 });
      const second = invoicePaymentObject('inpay_e2eS7dStarkB', { invoice, currency: 'eur', amount: 2500, paymentIntent: 'pi_e2eS7dStarkB', paidAt: T0 + 820 });
      const events = [
        stripeEvent('customer.created', customerObject(customer, { name: 'Stark Industries', email: 'pepper@stark.example', currency: 'eur' }), { id: 'evt_e2eS7dCustomerCreated', created: T0 + 690 }),
        stripeEvent('invoice.finalized', invoiceObject(invoice, invoiceFields), { id: 'evt_e2eS7dFinalized', created: T0 + 700 }),
        stripeEvent('invoice_payment.paid', first, { id: 'evt_e2eS7dPaidA', created: T0 + 760 }),
        stripeEvent('invoice_payment.paid', second, { id: 'evt_e2eS7dPaidB', created: T0 + 820 }),
      ];

      it('books the money Stripe received as the customer’s credit: an inbound payment reconciled with nothing, never a dead letter', async () => {
        customers.push(customer);
        await seed(events[0]!.data.object as StripeObjectJson, invoiceObject(invoice, { ...invoiceFields, status: 'paid', paidAt: T0 + 760 }), first, second);
        // The second payment after the first settled: two payments of one invoice in one batch are applied in the
        // order they take the invoice's lease.
        await deliverTo(orderedStream, events.slice(0, 3));
        await deliverTo(orderedStream, events.slice(3));
        const letters = deadLettersOf(events);
        expect(letters, letters.map((letter) => `${letter.eventId}: ${letter.errorType}: ${letter.reason}`).join('\n')).toEqual([]);

        const paid = await invoiceOf(invoice);
        expect(paid).toMatchObject({ state: 'posted', amount_total: 25, payment_state: 'paid' });
        const partner = await customerOf(customer);
        const payments = (await odoo.paymentsOf(partner.id)).map((payment) => ({ memo: payment.memo, type: payment.payment_type, amount: payment.amount, reconciled: payment.reconciled_invoice_ids }));
        expect(payments).toEqual(
          expect.arrayContaining([
            { memo: 'inpay_e2eS7dStarkA', type: 'inbound', amount: 25, reconciled: [paid.id] },
            { memo: 'inpay_e2eS7dStarkB', type: 'inbound', amount: 25, reconciled: [] },
          ]),
        );
        expect(payments).toHaveLength(2);
        expect((await odoo.notesOn('account.move', paid.id)).join('\n')).toMatch(/inpay_e2eS7dStarkB .* customer’s credit/);
      });
    });

    describe('7e. a refund that fails after it was booked', () => {
      const customer = 'cus_e2eS7eWidget';
      const invoice = 'in_e2eS7eWidget';
      const [pi, charge, refund] = ['pi_e2eS7eWidget', 'ch_e2eS7eWidget', 're_e2eS7eWidget'];
      const invoiceFields = { customer, customerName: 'Widget GmbH', currency: 'eur', lines: lines(['price_e2eS7eWidgets', 'Widgets', 4, 1500]), finalizedAt: T0 + 900 };
      const payment = invoicePaymentObject('inpay_e2eS7eWidget', { invoice, currency: 'eur', amount: 6000, paymentIntent: pi, paidAt: T0 + 960 });
      const succeeded = refundObject(refund, { customer, currency: 'eur', amount: 1500, charge, paymentIntent: pi, created: T0 + 86400 * 6 });
      const failed = { ...succeeded, status: 'failed', failure_reason: 'expired_or_canceled_card' };
      const booked = [
        stripeEvent('customer.created', customerObject(customer, { name: 'Widget GmbH', email: 'buchhaltung@widget.example', currency: 'eur' }), { id: 'evt_e2eS7eCustomerCreated', created: T0 + 890 }),
        stripeEvent('invoice.finalized', invoiceObject(invoice, invoiceFields), { id: 'evt_e2eS7eFinalized', created: T0 + 900 }),
        stripeEvent('invoice_payment.paid', payment, { id: 'evt_e2eS7ePaid', created: T0 + 960 }),
        stripeEvent('refund.created', succeeded, { id: 'evt_e2eS7eRefund', created: T0 + 86400 * 6 }),
      ];
      const failure = [stripeEvent('refund.failed', failed, { id: 'evt_e2eS7eRefundFailed', created: T0 + 86400 * 8 })];

      it('cancels the refund’s outbound payment; the credit note stays, owed to the customer; nothing dead-lettered', async () => {
        customers.push(customer);
        await seed(
          booked[0]!.data.object as StripeObjectJson,
          invoiceObject(invoice, { ...invoiceFields, status: 'paid', paidAt: T0 + 960 }),
          payment,
          paymentIntentObject(pi, { customer, currency: 'eur', amount: 6000, charge, created: T0 + 950 }),
          chargeObject(charge, { customer, currency: 'eur', amount: 6000, paymentIntent: pi, created: T0 + 955, amountRefunded: 0 }),
          failed as StripeObjectJson,
        );
        await deliver(...booked);
        const paid = await invoiceOf(invoice);
        const [creditNote] = await odoo.creditNotesReversing(paid.id);
        expect(creditNote).toMatchObject({ state: 'posted', amount_total: 15, payment_state: 'paid' });

        await deliver(...failure);
        const letters = deadLettersOf([...booked, ...failure]);
        expect(letters, letters.map((letter) => `${letter.eventId}: ${letter.errorType}: ${letter.reason}`).join('\n')).toEqual([]);
        const partner = await customerOf(customer);
        const outbound = (await odoo.paymentsOf(partner.id)).filter((candidate) => candidate.memo === refund);
        expect(outbound.map((candidate) => [candidate.payment_type, candidate.amount, candidate.state])).toEqual([['outbound', 15, 'canceled']]);
        const owed = (await odoo.creditNotesReversing(paid.id))[0];
        expect(owed).toMatchObject({ state: 'posted', amount_total: 15, payment_state: 'not_paid' });
        expect(await invoiceOf(invoice)).toMatchObject({ payment_state: 'paid' });
        expect((await odoo.notesOn('account.move', owed!.id)).join('\n')).toMatch(/Refund re_e2eS7eWidget of 15\.00 EUR failed .* still owed/);
      });
    });

    /** The UTC days covering every Stripe document the scenarios seeded (invoices, payments, refunds: their `created`), both included. */
    function scenarioPeriod(): { from: string; to: string } {
      const created = stripeState
        .filter((object) => ['invoice', 'invoice_payment', 'refund'].includes(String(object['object'])))
        .map((object) => object['created'])
        .filter((value): value is number => typeof value === 'number');
      const day = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);
      return { from: day(Math.min(...created)), to: day(Math.max(...created)) };
    }

    /** What the reconciliation must have checked: every invoice, paid invoice payment, refund, credit note and dispute in the Stripe sandbox. */
    function expectedChecks(): Record<'invoice' | 'payment' | 'refund' | 'credit_note' | 'dispute', number> {
      const ofType = (type: string, predicate: (object: StripeObjectJson) => boolean = () => true) =>
        new Set(stripeState.filter((object) => object['object'] === type && predicate(object)).map((object) => object.id)).size;
      return {
        invoice: ofType('invoice'),
        payment: ofType('invoice_payment', (object) => object['status'] === 'paid'),
        refund: ofType('refund'),
        credit_note: ofType('credit_note'),
        dispute: ofType('dispute'),
      };
    }

    /** The reconciliation report, drift items spelled out for the failure message. */
    function expectNoDrift(report: ReconciliationReport, context: string): void {
      const drift = report.items.map(
        (item) =>
          `${item.kind} ${item.documentType} ${item.providerId}${item.odooId === undefined ? '' : ` (Odoo ${item.odooId})`}: ` +
          `expected ${String(item.expected ?? '-')}, got ${String(item.actual ?? '-')} ${item.currency}${item.detail ? ` — ${item.detail}` : ''}`,
      );
      expect(report.summary.drift, `${context}: reconciliation ${report.period.from}..${report.period.to} found drift:\n${drift.join('\n')}`).toBe(0);
      expect(report.items).toEqual([]);
      expect(report.summary.checked, context).toEqual(expectedChecks());
    }

    describe('8. reconciliation of the in-order run', () => {
      it('the deployed reconciliation function, for the scenarios’ period, finds every Stripe document in Odoo as Stripe has it: no drift', async () => {
        const report = await runReconciliation(harness.stack, scenarioPeriod());
        expectNoDrift(report, 'in-order run');
      });
    });

    describe('9. the same webhooks, each delivered twice, in a shuffled order, into a fresh stack', () => {
      /** The seed of the shuffle: BILLING_SHUFFLE_SEED reproduces a run. */
      const shuffleSeed = Number(process.env.BILLING_SHUFFLE_SEED ?? Math.floor(Math.random() * 2 ** 31));
      let fresh: Harness | undefined;
      let inOrder: unknown;
      let inOrderDeadLetters: string[];
      let letters: DeadLetter[];

      beforeAll(async () => {
        expect(stream.length).toBeGreaterThan(20);
        inOrder = await financeSnapshot(odoo, customers);
        inOrderDeadLetters = distinctDeadLetters(deadLetters(harness.stack));
        await harness.close();
        harnessClosed = true;

        const deliveries = shuffled([...stream, ...stream], shuffleSeed);
        console.log(`billing e2e: ${deliveries.length} deliveries (${stream.length} webhooks × 2), shuffle seed ${shuffleSeed} (BILLING_SHUFFLE_SEED=${shuffleSeed} reproduces it)`);
        fresh = await startHarness({ retryDelayScale: RETRY_DELAY_SCALE, odoo: target.kind === 'real' ? { ...target, database: `${target.database}_shuffled` } : target });
        await fresh.seedStripe(stripeState);
        // Stripe delivers concurrently: a few webhooks in flight at once, taken in the shuffled order.
        const startedAt = Date.now();
        let next = 0;
        await Promise.all(
          Array.from({ length: CONCURRENT_DELIVERIES }, async () => {
            while (next < deliveries.length) {
              const event = deliveries[next++]!;
              const response = await postStripeWebhook(fresh!.webhookUrl, event);
              expect(response.status, `${event.type} ${event.id}: ${response.body}`).toBe(200);
            }
          }),
        );
        const deliveredAt = Date.now();
        await waitForFlowsSettled(fresh.stack, { timeoutMs: 300_000 });
        for (const event of orderedStream.flatMap((event) => [event, event])) {
          const response = await postStripeWebhook(fresh.webhookUrl, event);
          expect(response.status, `${event.type} ${event.id}: ${response.body}`).toBe(200);
          await waitForFlowsSettled(fresh.stack, { timeoutMs: 60_000 });
        }
        letters = deadLetters(fresh.stack);
        console.log(`billing e2e: delivered in ${deliveredAt - startedAt} ms, settled ${Date.now() - deliveredAt} ms later`);
      }, 600_000);

      afterAll(async () => {
        await fresh?.close();
      });

      it('leave Odoo exactly as the in-order run did: same records, totals, states and links, no duplicate', async () => {
        const reshuffled = await financeSnapshot(financeViewOf(fresh!), customers);
        expect(reshuffled, `shuffle seed ${shuffleSeed}`).toEqual(inOrder);
        // What could not be applied in order cannot be applied shuffled either, for the same reason.
        expect(distinctDeadLetters(letters), `shuffle seed ${shuffleSeed}`).toEqual(inOrderDeadLetters);
      });

      it('and the reconciliation of the fresh stack finds no drift either', async () => {
        const report = await runReconciliation(fresh!.stack, scenarioPeriod());
        expectNoDrift(report, `shuffled run, seed ${shuffleSeed}`);
      });
    });

    /** One line per canonical event dead-lettered (a duplicate delivery may dead-letter it twice), with its error. */
    function distinctDeadLetters(letters: readonly DeadLetter[]): string[] {
      return [...new Set(letters.map((letter) => `${letter.eventId ?? '?'}: ${letter.errorType ?? '?'}`))].sort();
    }

  });
}

/**
 * Paid invoices refunded through Stripe: per entry the Stripe objects in their final state, the billing webhooks
 * (`invoice.finalized`, `invoice_payment.paid`) and the refund's (`credit_note.created` first when a credit note
 * makes the refund, as Stripe sends them, then `refund.created`). One line of `total / 2000` × 20.00 when that
 * divides, else one line of the whole total.
 */
function refundStory(
  of: { customer: string; customerName: string; currency: string; id: string; at: number; refundedAt: number; product: string },
  entries: ReadonlyArray<{ kind?: string; invoice: string; total: number; refunded: number; creditNote?: string }>,
) {
  const { customer, currency } = of;
  return entries.map((entry, index) => {
    const name = entry.invoice.slice(3);
    const [pi, charge, refund, inpay] = [`pi_${name}`, `ch_${name}`, `re_${name}`, `inpay_${name}`];
    const at = of.at + index * 10;
    const refundedAt = of.refundedAt + index;
    const line: StoryLine = entry.total % 2000 === 0
      ? { price: `price_${of.id}Seats${index}`, description: `${of.product} ${index}`, quantity: entry.total / 2000, unitAmount: 2000 }
      : { price: `price_${of.id}Seats${index}`, description: `${of.product} ${index}`, quantity: 1, unitAmount: entry.total };
    const invoiceFields = { customer, customerName: of.customerName, currency, lines: [line], finalizedAt: at };
    const payment = invoicePaymentObject(inpay, { invoice: entry.invoice, currency, amount: entry.total, paymentIntent: pi, paidAt: at + 60 });
    const refundObjectOf = refundObject(refund, { customer, currency, amount: entry.refunded, charge, paymentIntent: pi, created: refundedAt });
    const creditNote =
      entry.creditNote === undefined
        ? undefined
        : creditNoteObject(entry.creditNote, { customer, invoice: entry.invoice, currency, lines: [{ description: 'Unused seats returned', amount: entry.refunded }], refund, created: refundedAt });
    return {
      ...entry,
      refund,
      objects: [
        invoiceObject(entry.invoice, { ...invoiceFields, status: 'paid', paidAt: at + 60 }),
        payment,
        paymentIntentObject(pi, { customer, currency, amount: entry.total, charge, created: at + 50 }),
        chargeObject(charge, { customer, currency, amount: entry.total, paymentIntent: pi, created: at + 55, amountRefunded: entry.refunded }),
        refundObjectOf,
        ...(creditNote === undefined ? [] : [creditNote]),
      ],
      billed: [
        stripeEvent('invoice.finalized', invoiceObject(entry.invoice, invoiceFields), { id: `evt_${of.id}Finalized${index}`, created: at }),
        stripeEvent('invoice_payment.paid', payment, { id: `evt_${of.id}Paid${index}`, created: at + 60 }),
      ],
      refundEvents: [
        ...(creditNote === undefined ? [] : [stripeEvent('credit_note.created', creditNote, { id: `evt_${of.id}CreditNote${index}`, created: refundedAt })]),
        stripeEvent('refund.created', refundObjectOf, { id: `evt_${of.id}Refund${index}`, created: refundedAt }),
      ],
    };
  });
}
