import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_ZENDESK_API_EMAIL, SANDBOX_ZENDESK_API_TOKEN } from '../../local/sandboxes/zendesk/server';
import { customerObject, invoiceObject, invoicePaymentObject, type StoryLine, type StripeObjectJson, subscriptionObject } from '../fixtures/stripe/billing-story';
import { stripeEvent } from '../fixtures/stripe/stripe-events';
import { shuffled } from '../support/seeded-shuffle';
import { deadLetters, flowQueues, type Harness, odooLabel, type OdooUnderTest, postStripeWebhook, queueDepth, REAL_ODOO_START_TIMEOUT_MS, STAGE, startHarness, waitFor, waitForFlowsSettled } from './local-stack-harness';
import { OdooFinanceView } from './odoo-finance-view';

/**
 * Support end to end on the local runtime: Stripe webhooks (signed as Stripe signs them) → the billing flows and the
 * entitlements flow → the Zendesk sandbox's organization; tickets opened in the Zendesk sandbox → its signed event
 * subscription → the Zendesk ingest → the ticket flow → escalation in Zendesk and notes in Odoo's chatter.
 * The canonical customer (the organization's external id) is the one the one-customer resolution links.
 */

const FIELDS = STAGE.config.zendesk!.organizationFields;
const AGENT_ID = 361000000042;
const SUBSCRIPTION_LINES: StoryLine[] = [{ price: 'price_pro_monthly', description: 'Pro (monthly)', quantity: 5, unitAmount: 2000 }];

interface ZendeskOrganization {
  id: number;
  name: string;
  tags: string[];
  organization_fields: Record<string, string>;
}
interface ZendeskTicket {
  id: number;
  status: string;
  priority: string;
  tags: string[];
  comments: { author_id: number; body: string; public: boolean }[];
}

/** One customer's story: its Stripe objects and webhooks, phase by phase. */
function story(name: string, t0: number) {
  const customer = `cus_e2eZ${name}`;
  const subscription = `sub_e2eZ${name}`;
  const invoice = `in_e2eZ${name}`;
  const companyName = `Zeta Support ${name} Ltd`;
  const subscriptionWith = (status: string) => subscriptionObject(subscription, { customer, currency: 'usd', status, lines: SUBSCRIPTION_LINES, created: t0 + 10 });
  const openInvoice = invoiceObject(invoice, { customer, customerName: companyName, currency: 'usd', lines: SUBSCRIPTION_LINES, subscription, finalizedAt: t0 + 20 });
  const evt = (suffix: string) => `evt_e2eZ${name}${suffix}`;
  return {
    customer,
    // The canonical customer the one-customer resolution gives a billing customer that speaks first.
    canonical: `stripe_customer_${customer}`,
    invoice,
    companyName,
    stripeObjects: [
      customerObject(customer, { name: companyName, email: `billing@zeta-${name.toLowerCase()}.example`, currency: 'usd' }),
      subscriptionWith('canceled'),
      invoiceObject(invoice, { customer, customerName: companyName, currency: 'usd', lines: SUBSCRIPTION_LINES, subscription, finalizedAt: t0 + 20, status: 'paid', attemptCount: 2, paidAt: t0 + 86400 }),
      invoicePaymentObject(`inpay_e2eZ${name}`, { invoice, currency: 'usd', amount: 10000, paymentIntent: `pi_e2eZ${name}`, paidAt: t0 + 86400 }),
    ] as StripeObjectJson[],
    activation: [
      stripeEvent('customer.created', customerObject(customer, { name: companyName, email: `billing@zeta-${name.toLowerCase()}.example`, currency: 'usd' }), { id: evt('CustomerCreated'), created: t0 }),
      stripeEvent('customer.subscription.created', subscriptionWith('active'), { id: evt('SubscriptionCreated'), created: t0 + 10 }),
    ],
    failure: [
      stripeEvent('invoice.finalized', openInvoice, { id: evt('InvoiceFinalized'), created: t0 + 20 }),
      stripeEvent('invoice.payment_failed', { ...openInvoice, attempt_count: 1, attempted: true, last_finalization_error: null }, { id: evt('PaymentFailed'), created: t0 + 30 }),
      stripeEvent('customer.subscription.updated', subscriptionWith('past_due'), { id: evt('SubscriptionPastDue'), created: t0 + 31 }),
    ],
    recovery: [
      stripeEvent('invoice_payment.paid', invoicePaymentObject(`inpay_e2eZ${name}`, { invoice, currency: 'usd', amount: 10000, paymentIntent: `pi_e2eZ${name}`, paidAt: t0 + 86400 }), { id: evt('InvoicePaid'), created: t0 + 86400 }),
      stripeEvent('customer.subscription.updated', subscriptionWith('active'), { id: evt('SubscriptionActive'), created: t0 + 86401 }),
    ],
    cancellation: [stripeEvent('customer.subscription.deleted', subscriptionWith('canceled'), { id: evt('SubscriptionDeleted'), created: t0 + 86400 * 20 })],
  };
}

/** The support stories on a stack of their own (the Odoo sandbox's run: support-stories.test.ts). */
export function supportStories(target: OdooUnderTest): void {
  describe(`support end to end on ${odooLabel(target)}`, () => {
    let harness: Harness;
    beforeAll(async () => {
      harness = await startHarness({ retryDelayScale: 0.2, odoo: target });
    }, REAL_ODOO_START_TIMEOUT_MS);
    afterAll(async () => {
      await harness?.close();
    });
    supportStoryCases(() => harness);
  });
}

/**
 * The support stories on a running harness: on a real Odoo they run on another suite's stack and database (the PayPal
 * stories', CI's budget: no server of their own). Their customers, organizations and tickets are their own, and they
 * need the stack to have dead-lettered nothing before them. The dev environment subscribed the Zendesk sandbox's
 * event subscription to the stack's webhook when it started it, as `npm start` does.
 */
export function supportStoryCases(harnessOf: () => Harness): void {
  describe('support: entitlements into Zendesk, tickets escalated and noted in Odoo', () => {
    const T0 = 1_791_000_000;
    let harness: Harness;
    let odoo: OdooFinanceView;
    let zendeskUrl: string;
    const authorization = `Basic ${Buffer.from(`${SANDBOX_ZENDESK_API_EMAIL}/token:${SANDBOX_ZENDESK_API_TOKEN}`).toString('base64')}`;

    beforeAll(() => {
      harness = harnessOf();
      odoo = new OdooFinanceView(harness.odooConnection);
      zendeskUrl = harness.providerApi('zendesk').sandboxUrl!;
    });

    async function sandbox<T = Record<string, unknown>>(route: string, body: unknown): Promise<T> {
      const response = await fetch(`${zendeskUrl}/_sandbox/${route}`, { method: 'POST', body: JSON.stringify(body) });
      expect(response.ok, `${route}: ${response.status}`).toBe(true);
      return (await response.json()) as T;
    }
    async function organizationOf(canonical: string): Promise<ZendeskOrganization | undefined> {
      const response = await fetch(`${zendeskUrl}/api/v2/organizations/search?external_id=${canonical}`, { headers: { Authorization: authorization } });
      return ((await response.json()) as { organizations: ZendeskOrganization[] }).organizations[0];
    }
    const ticketOf = async (id: number) => (await sandbox<{ ticket: ZendeskTicket }>('ticket', { id })).ticket;
    const deliveries = async () => (await sandbox<{ deliveries: { envelope: Record<string, unknown> & { type: string; subject: string }; status: number }[] }>('deliveries', {})).deliveries;

    async function deliver(events: readonly ReturnType<typeof stripeEvent>[]): Promise<void> {
      for (const event of events) expect((await postStripeWebhook(harness.webhookUrl, event)).status, event.id).toBe(200);
      expect(await waitForFlowsSettled(harness.stack, { timeoutMs: 90_000 })).toEqual([]);
    }

    /** Each event twice, in an order from the seed, concurrently in pairs (as a provider's retries arrive). */
    async function deliverTwiceShuffled(events: readonly ReturnType<typeof stripeEvent>[], seed: number): Promise<void> {
      const order = shuffled([...events, ...events], seed);
      for (let index = 0; index < order.length; index += 2) {
        const pair = order.slice(index, index + 2);
        const answers = await Promise.all(pair.map((event) => postStripeWebhook(harness.webhookUrl, event)));
        for (const answer of answers) expect(answer.status).toBe(200);
      }
      expect(await waitForFlowsSettled(harness.stack, { timeoutMs: 90_000 })).toEqual([]);
    }

    async function redeliverTicketEvents(ticketId: number): Promise<void> {
      const sign = harness.providerApi('zendesk').webhookHeaders!;
      const ours = (await deliveries()).filter((delivery) => delivery.envelope.subject === `zen:ticket:${ticketId}` && /ticket\.(created|status_changed)$/.test(delivery.envelope.type));
      for (const { envelope } of ours) {
        const body = JSON.stringify(envelope);
        expect((await fetch(harness.webhookUrlOf('zendesk'), { method: 'POST', headers: sign(body), body })).status).toBe(200);
      }
    }

    /** The support notes of the partner's chatter as a finance user reads them (the HTML body's text). */
    const supportNotes = async (partnerId: number) =>
      (await odoo.notesOn('res.partner', partnerId)).filter((note) => note.includes('Support ticket #')).map((note) => note.replace(/<[^>]+>/g, ''));

    /** What a support agent and a finance user see of one customer, with its own ids left out. */
    async function visibleState(canonical: string, customer: string, invoice: string, ticketId: number) {
      const organization = (await organizationOf(canonical))!;
      const partner = (await odoo.customer(customer))!;
      const ticket = await ticketOf(ticketId);
      const { [FIELDS.odooPartnerId]: partnerField, [FIELDS.billingCustomerId]: billingField, [FIELDS.watermark]: _watermark, ...fields } = organization.organization_fields;
      expect(partnerField).toBe(String(partner.id));
      expect(billingField).toBe(`stripe:${customer}`);
      return {
        fields,
        tags: organization.tags,
        ticket: {
          status: ticket.status,
          priority: ticket.priority,
          tags: ticket.tags,
          comments: ticket.comments.map((comment) => ({ public: comment.public, byIntegration: String(comment.author_id) === STAGE.config.zendesk!.apiUserId, body: comment.body.replaceAll(invoice, '<invoice>') })),
        },
        // The partner's standing tags are left out: the dunning saga sets them on its own clock (the local stage's
        // 20 s grace), so two runs a few seconds apart may see them at different steps.
        notes: (await supportNotes(partner.id)).map((note) => note.replaceAll(String(ticketId), '#')).sort(),
      };
    }

    const a = story('A', T0);
    let ticketA = 0;

    it('a subscription activates → the customer’s organization in Zendesk with its plan, premium tier, standing, Odoo partner and MRR', async () => {
      await harness.seedStripe(a.stripeObjects);
      await deliver(a.activation);
      const organization = await waitFor(() => organizationOf(a.canonical), { what: 'the Zendesk organization' });
      const partner = (await odoo.customer(a.customer))!;
      expect(organization).toMatchObject({
        name: a.companyName,
        tags: ['saas_standing_active', 'saas_tier_premium'],
        organization_fields: {
          [FIELDS.plan]: 'Pro',
          [FIELDS.tier]: 'premium',
          [FIELDS.standing]: 'active',
          [FIELDS.odooPartnerId]: String(partner.id),
          [FIELDS.billingCustomerId]: `stripe:${a.customer}`,
          [FIELDS.mrr]: '100.00 USD',
        },
      });
      // Its billing contact (the partner's email) is a user of the organization.
      const { users } = await sandbox<{ users: { email: string }[] }>('users-of', { organizationId: organization.id });
      expect(users.map((user) => user.email)).toEqual(['billing@zeta-a.example']);
    }, 180_000);

    it('the payment fails → past due in Zendesk; a new ticket of the organization is escalated with the open invoice, and Odoo’s chatter shows it', async () => {
      await deliver(a.failure);
      const organization = (await organizationOf(a.canonical))!;
      expect(organization.organization_fields[FIELDS.standing]).toBe('past_due');
      expect(organization.tags).toEqual(['saas_standing_past_due', 'saas_tier_premium']);

      const requester = (await sandbox<{ user: { id: number } }>('users', { name: 'Ada Admin', email: 'ada@zeta-a.example', organizationId: organization.id })).user;
      const opened = await sandbox<{ ticket: { id: number }; delivery: { status: number } }>('tickets', { subject: 'Cannot export reports', requesterId: requester.id, organizationId: organization.id });
      expect(opened.delivery.status).toBe(200);
      ticketA = opened.ticket.id;
      expect(await waitForFlowsSettled(harness.stack, { timeoutMs: 60_000 })).toEqual([]);

      const ticket = await ticketOf(ticketA);
      expect(ticket).toMatchObject({ priority: 'high', tags: ['billing_past_due'] });
      expect(ticket.comments.filter((comment) => !comment.public)).toEqual([
        { author_id: Number(STAGE.config.zendesk!.apiUserId), public: false, created_at: expect.any(String), body: expect.stringMatching(new RegExp(`past due since .*invoice ${a.invoice} \\(100\\.00 USD due`)) },
      ]);
      const partner = (await odoo.customer(a.customer))!;
      expect(await supportNotes(partner.id)).toEqual([expect.stringMatching(new RegExp(`^Support ticket #${ticketA} opened: “Cannot export reports” \\(high priority, customer past due, tier premium\\)\\. ${zendeskUrl}/agent/tickets/${ticketA}$`))]);
    }, 180_000);

    it('our own ticket update comes back from Zendesk, is answered 200 and dropped: no new effect', async () => {
      const ownEvents = (await deliveries()).filter((delivery) => delivery.envelope.subject === `zen:ticket:${ticketA}` && (delivery.envelope['detail'] as { actor_id: string }).actor_id === STAGE.config.zendesk!.apiUserId);
      expect(ownEvents.map((delivery) => [delivery.envelope.type, delivery.status]).sort()).toEqual([
        ['zen:event-type:ticket.comment_added', 200],
        ['zen:event-type:ticket.priority_changed', 200],
        ['zen:event-type:ticket.tags_changed', 200],
      ]);
      expect(await waitForFlowsSettled(harness.stack)).toEqual([]);
      const ticket = await ticketOf(ticketA);
      expect(ticket.comments.filter((comment) => !comment.public)).toHaveLength(1);
      expect(await supportNotes((await odoo.customer(a.customer))!.id)).toHaveLength(1);
    }, 60_000);

    it('the ticket is solved → a second note in Odoo; the payment succeeds → standing restored', async () => {
      await sandbox('ticket-status', { id: ticketA, status: 'solved', actorId: AGENT_ID });
      await deliver(a.recovery);
      const partner = (await odoo.customer(a.customer))!;
      expect((await supportNotes(partner.id))[1]).toBe(`Support ticket #${ticketA} solved: “Cannot export reports”. ${zendeskUrl}/agent/tickets/${ticketA}`);
      const organization = (await organizationOf(a.canonical))!;
      expect(organization.organization_fields).toMatchObject({ [FIELDS.standing]: 'active', [FIELDS.tier]: 'premium' });
      expect(organization.tags).toEqual(['saas_standing_active', 'saas_tier_premium']);
    }, 180_000);

    it('the subscription is cancelled → tier none', async () => {
      await deliver(a.cancellation);
      const organization = (await organizationOf(a.canonical))!;
      expect(organization.organization_fields).toMatchObject({ [FIELDS.standing]: 'cancelled', [FIELDS.tier]: 'none', [FIELDS.plan]: '', [FIELDS.mrr]: '' });
      expect(organization.tags).toEqual(['saas_standing_cancelled', 'saas_tier_none']);
    }, 180_000);

    it('a forged or stale Zendesk signature → 401, nothing published or enqueued', async () => {
      const [created] = (await deliveries()).filter((delivery) => delivery.envelope.type === 'zen:event-type:ticket.created');
      const body = JSON.stringify({ ...created!.envelope, id: 'forged-envelope' });
      const sign = harness.providerApi('zendesk').webhookHeaders!;
      const eventsBefore = harness.stack.activity.recentEvents().length;
      const forged = { ...sign(body), 'X-Zendesk-Webhook-Signature': sign(`${body} `)['X-Zendesk-Webhook-Signature']! };
      const stale = sign(body, { transmittedAt: new Date(Date.now() - 6 * 60_000) });
      for (const headers of [forged, stale]) expect((await fetch(harness.webhookUrlOf('zendesk'), { method: 'POST', headers, body })).status).toBe(401);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(harness.stack.activity.recentEvents()).toHaveLength(eventsBefore);
      expect(flowQueues(harness.stack).reduce((sum, { queue }) => sum + queueDepth(harness.stack, queue), 0)).toBe(0);
    }, 30_000);

    it('the same story for another customer, every event delivered twice and shuffled → the same Zendesk and Odoo state', async () => {
      const b = story('B', T0);
      await harness.seedStripe(b.stripeObjects);
      await deliverTwiceShuffled(b.activation, 11);
      await deliverTwiceShuffled(b.failure, 12);
      const organization = (await organizationOf(b.canonical))!;
      const requester = (await sandbox<{ user: { id: number } }>('users', { name: 'Bea Admin', email: 'bea@zeta-b.example', organizationId: organization.id })).user;
      const ticketB = (await sandbox<{ ticket: { id: number } }>('tickets', { subject: 'Cannot export reports', requesterId: requester.id, organizationId: organization.id })).ticket.id;
      await redeliverTicketEvents(ticketB);
      expect(await waitForFlowsSettled(harness.stack)).toEqual([]);
      await sandbox('ticket-status', { id: ticketB, status: 'solved', actorId: AGENT_ID });
      await redeliverTicketEvents(ticketB);
      await deliverTwiceShuffled(b.recovery, 13);
      await deliverTwiceShuffled(b.cancellation, 14);

      const expected = await visibleState(a.canonical, a.customer, a.invoice, ticketA);
      expect(await visibleState(b.canonical, b.customer, b.invoice, ticketB)).toEqual(expected);
      expect(deadLetters(harness.stack)).toEqual([]);
    }, 300_000);

    it('two customers later found to be one company → the survivor’s organization is entitled by both: the higher tier, MRR of both, both billing customers', async () => {
      const companyLink = { hubspot_company_id: '77001' };
      const starter: StoryLine[] = [{ price: 'price_starter_monthly', description: 'Starter (monthly)', quantity: 2, unitAmount: 1000 }];
      const customerOf = (id: string, name: string, metadata: Record<string, string>) => ({ ...customerObject(id, { name, email: `billing@${id.toLowerCase()}.example`, currency: 'usd' }), metadata });
      const subscriptionOf = (id: string, customer: string, lines: StoryLine[]) => subscriptionObject(id, { customer, currency: 'usd', status: 'active', lines, created: T0 + 10 });
      // C names the CRM company from the start.
      const c = customerOf('cus_e2eZC', 'Zeta Join Ltd', companyLink);
      const subC = subscriptionOf('sub_e2eZC', c.id as string, SUBSCRIPTION_LINES);
      await harness.seedStripe([c, subC]);
      await deliver([stripeEvent('customer.created', c, { id: 'evt_e2eZCCreated', created: T0 }), stripeEvent('customer.subscription.created', subC, { id: 'evt_e2eZCSubscribed', created: T0 + 10 })]);
      expect((await organizationOf('stripe_customer_cus_e2eZC'))?.organization_fields).toMatchObject({ [FIELDS.tier]: 'premium', [FIELDS.mrr]: '100.00 USD' });

      // D, a second billing account of the company, set up on its Odoo partner: a customer of its own until it names
      // the CRM company too (one partner, so the join needs no partner merge, which the Odoo sandbox does not do).
      const partner = (await odoo.customer('cus_e2eZC'))!;
      const d = customerOf('cus_e2eZD', 'Zeta Join Ltd', { odoo_partner_id: String(partner.id) });
      const subD = subscriptionOf('sub_e2eZD', d.id as string, starter);
      await harness.seedStripe([{ ...d, metadata: { ...d.metadata, ...companyLink } }, subD]);
      await deliver([stripeEvent('customer.created', d, { id: 'evt_e2eZDCreated', created: T0 }), stripeEvent('customer.subscription.created', subD, { id: 'evt_e2eZDSubscribed', created: T0 + 10 })]);
      expect((await organizationOf('stripe_customer_cus_e2eZD'))?.organization_fields).toMatchObject({ [FIELDS.tier]: 'standard', [FIELDS.plan]: 'Starter', [FIELDS.mrr]: '20.00 USD' });

      // D names the company C named: the two are one customer, D's the survivor (found first by its own key). Its next
      // billing event derives its entitlement from both customers' facts.
      await deliver([stripeEvent('customer.updated', { ...d, metadata: { ...d.metadata, ...companyLink } }, { id: 'evt_e2eZDLinked', created: T0 + 20 })]);
      await deliver([stripeEvent('customer.subscription.updated', subscriptionOf('sub_e2eZD', d.id as string, [{ ...starter[0]!, quantity: 3 }]), { id: 'evt_e2eZDSeats', created: T0 + 30 })]);
      expect((await organizationOf('stripe_customer_cus_e2eZD'))?.organization_fields).toMatchObject({
        [FIELDS.plan]: 'Pro',
        [FIELDS.tier]: 'premium',
        [FIELDS.standing]: 'active',
        [FIELDS.odooPartnerId]: String(partner.id),
        [FIELDS.billingCustomerId]: 'stripe:cus_e2eZC, stripe:cus_e2eZD',
        [FIELDS.mrr]: '130.00 USD',
      });
      expect(deadLetters(harness.stack)).toEqual([]);
    }, 300_000);
  });
}
