import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../../../events/catalog';
import type { TicketUpdated } from '../../../../events/ticket-updated';
import type { SubscriptionSnapshot } from '../../../../events/subscription-updated';
import { DependencyMissingError } from '../../../../functions/domain/invoice-errors';
import type { SupportPolicy } from '../../../../functions/domain/support-policy';
import { type EntitlementEvent, type EntitlementFlowPorts, syncEntitlement } from '../../../../functions/flows/entitlements/sync-entitlement';
import { syncTicket, type TicketFlowPorts } from '../../../../functions/flows/support-tickets/sync-ticket';
import { canonicalEnvelopes } from '../../../support/canonical-envelopes';
import { InMemoryCustomerDirectory, InMemoryIdentityMap, InMemoryWatermarks } from '../../../support/in-memory-ports';
import { InMemoryEntitlementStore, InMemorySupportDesk, InMemorySupportLedger, InMemoryTicketEffects } from '../../../support/in-memory-support';
import { shuffled } from '../../../support/seeded-shuffle';

const POLICY: SupportPolicy = {
  entitlements: { tiers: ['none', 'standard', 'premium'], noneTier: 'none', unmappedTier: 'standard', plans: [{ plan: 'Pro', tier: 'premium', priceIds: ['price_pro'] }] },
  tagPrefix: 'saas_',
  escalation: { tierPriorities: [{ tier: 'premium', priority: 'high' }], pastDueTag: 'billing_past_due' },
};

function world(options: { linked?: boolean } = {}) {
  const watermarks = new InMemoryWatermarks();
  const identityMap = new InMemoryIdentityMap();
  const store = new InMemoryEntitlementStore(watermarks);
  const desk = new InMemorySupportDesk();
  const ledger = new InMemorySupportLedger();
  const published: CanonicalEvent[] = [];
  ledger.contacts.set(42, { name: 'Acme GmbH', email: 'billing@acme.example' });
  void identityMap.link('stripe:customer:cus_1', { system: 'odoo', kind: 'res.partner', id: '42' });
  if (options.linked !== false) void identityMap.link('stripe:customer:cus_1', { system: 'saas_sync', kind: 'customer', id: 'cust-1' });
  const ports: EntitlementFlowPorts = {
    store,
    watermarks,
    identityMap,
    directory: new InMemoryCustomerDirectory(),
    partners: { partnerByExternalId: async () => undefined },
    ledger,
    desk,
    publish: async (events) => void published.push(...events),
    policy: POLICY,
  };
  const ticketPorts: TicketFlowPorts = { desk, entitlements: store, effects: new InMemoryTicketEffects(watermarks), watermarks, identityMap, directory: ports.directory, partners: ports.partners, ledger, policy: POLICY };
  return { ports, ticketPorts, store, desk, ledger, published, identityMap };
}

const envelope = canonicalEnvelopes({ start: '2026-05-01T00:00:00Z' });
const subscription = (status: SubscriptionSnapshot['status']): SubscriptionSnapshot => ({
  system: 'stripe',
  account: null,
  customerId: 'cus_1',
  id: 'sub_1',
  status,
  currency: 'usd',
  items: [{ id: 'si_1', priceId: 'price_pro', productId: null, description: null, quantity: 3, unitAmount: 5000, interval: 'month', intervalCount: 1 }],
  currentPeriodStart: null,
  currentPeriodEnd: null,
  cancelAtPeriodEnd: false,
  canceledAt: null,
  endedAt: status === 'canceled' ? '2026-05-01T00:00:09.000Z' : null,
  livemode: false,
});
const activated = { ...envelope('subscription.updated', 'stripe:subscription:sub_1'), type: 'subscription.updated', data: { subscription: subscription('active') } } as EntitlementEvent;
const failed = {
  ...envelope('payment.failed', 'stripe:invoice:in_1'),
  type: 'payment.failed',
  data: { attempt: { system: 'stripe', account: null, customerId: 'cus_1', invoiceId: 'in_1', amountDue: 5000, currency: 'usd', attemptCount: 1, failureReason: 'card_declined', nextAttemptAt: null } },
} as EntitlementEvent;
// A Stripe invoice payment names no customer: the invoice the failure named leads to it.
const paid = {
  ...envelope('payment.succeeded', 'stripe:invoice:in_1'),
  type: 'payment.succeeded',
  data: { payment: { system: 'stripe', account: null, customerId: null, id: 'inpay_1', invoiceId: 'in_1', amount: 5000, currency: 'usd', paidAt: '2026-05-01T00:00:03.000Z' } },
} as EntitlementEvent;
const cancelled = { ...envelope('subscription.updated', 'stripe:subscription:sub_1'), type: 'subscription.updated', data: { subscription: subscription('canceled') } } as EntitlementEvent;

function ticketEvent(kind: 'created' | 'status_changed', status: TicketUpdated['data']['ticket']['status'], organizationId: string, updatedAt: string, id: string): TicketUpdated {
  return {
    id: `zendesk:${id}:ticket.updated`,
    type: 'ticket.updated',
    source: 'zendesk',
    subject: 'zendesk:ticket:1001',
    time: updatedAt,
    correlationId: `zendesk:${id}`,
    causationId: id,
    dataVersion: 1,
    data: {
      ticket: { system: 'zendesk', id: '1001', organizationId, subject: 'Cannot log in', status, priority: 'normal', tags: [], createdAt: '2026-05-01T00:00:02.500Z', updatedAt },
      change: kind === 'created' ? { kind, previous: null, current: status } : { kind, previous: 'open', current: status },
    },
  };
}

describe('entitlements flow', () => {
  it('a customer since joined to another (two found to be one) is entitled as the survivor: one organization, not two', async () => {
    const { ports, desk } = world();
    const directory = new InMemoryCustomerDirectory();
    // The one-customer resolution joined cust-1 into cust-0 after it had linked the billing customer to cust-1.
    directory.holders.set('saas_sync:customer:cust-1', 'cust-0');
    const outcome = await syncEntitlement(activated, { ...ports, directory });
    expect(outcome).toMatchObject({ outcome: 'entitlement-changed', customer: 'cust-0' });
    expect([...desk.organizations.keys()]).toEqual(['cust-0']);
  });

  it('pushes the organization and publishes entitlement.changed on each change of standing, and nothing on a repeat', async () => {
    const { ports, desk, published } = world();
    expect(await syncEntitlement(activated, ports)).toMatchObject({ outcome: 'entitlement-changed', status: 'active', tier: 'premium' });
    const organization = desk.organizations.get('cust-1')!;
    expect(organization).toMatchObject({
      name: 'Acme GmbH',
      fields: { plan: 'Pro', tier: 'premium', standing: 'active', odooPartnerId: '42', billingCustomerId: 'stripe:cus_1', mrr: '150.00 USD' },
      managedTags: ['saas_tier_premium', 'saas_standing_active'],
    });
    // Its billing contact (the partner's email) is a user of the organization, linked once, when it is created.
    expect(desk.contacts).toEqual([{ organizationId: organization.id, name: 'Acme GmbH', email: 'billing@acme.example' }]);
    expect(await syncEntitlement(activated, ports)).toEqual({ outcome: 'entitlement-unchanged', customer: 'cust-1' });
    expect(await syncEntitlement(failed, ports)).toMatchObject({ outcome: 'entitlement-changed', status: 'past_due' });
    expect(await syncEntitlement(paid, ports)).toMatchObject({ outcome: 'entitlement-changed', status: 'active' });
    expect(await syncEntitlement(cancelled, ports)).toMatchObject({ outcome: 'entitlement-changed', status: 'cancelled', tier: 'none' });
    expect(published.map((event) => (event.type === 'entitlement.changed' ? [event.data.previous?.status ?? null, event.data.entitlement.status] : []))).toEqual([
      [null, 'active'],
      ['active', 'past_due'],
      ['past_due', 'active'],
      ['active', 'cancelled'],
    ]);
    expect(published[1]).toMatchObject({ subject: 'saas_sync:customer:cust-1', causationId: failed.id, id: `entitlement.changed:cust-1:${failed.id}` });
    expect(desk.organizations.get('cust-1')).toMatchObject({ fields: { tier: 'none', standing: 'cancelled', mrr: '' }, managedTags: ['saas_tier_none', 'saas_standing_cancelled'] });
    expect(desk.pushes).toBe(4);
    expect(desk.contacts).toHaveLength(1);
  });

  it('converges on the same organization whatever the order of the events, each delivered twice', async () => {
    const inOrder = world();
    for (const event of [activated, failed, paid]) await syncEntitlement(event, inOrder.ports);
    for (const seed of [1, 7, 42, 1234]) {
      const shuffledWorld = world();
      for (const event of shuffled([activated, failed, paid, activated, failed, paid], seed)) await syncEntitlement(event, shuffledWorld.ports);
      const { watermark: _w, ...fields } = shuffledWorld.desk.organizations.get('cust-1')!.fields;
      const { watermark: _v, ...expected } = inOrder.desk.organizations.get('cust-1')!.fields;
      expect(fields, `seed ${seed}`).toEqual(expected);
      expect(shuffledWorld.desk.organizations.get('cust-1')!.fields.standing).toBe('active');
    }
  });

  it('two customers found to be one: the survivor is entitled by both customers’ facts, and a ticket of the absorbed one’s organization by the survivor’s entitlement', async () => {
    const { ports, ticketPorts, desk, ledger, identityMap } = world();
    const directory = ports.directory as InMemoryCustomerDirectory;
    // A second billing customer of its own canonical customer: a Starter-like plan no plan names (the unmapped tier).
    await identityMap.link('stripe:customer:cus_2', { system: 'odoo', kind: 'res.partner', id: '43' });
    await identityMap.link('stripe:customer:cus_2', { system: 'saas_sync', kind: 'customer', id: 'cust-2' });
    ledger.contacts.set(43, { name: 'Acme Holding', email: 'ap@acme-holding.example' });
    const other = (quantity: number, seq: number) =>
      ({
        ...envelope('subscription.updated', 'stripe:subscription:sub_2'),
        id: `evt_sub_2_${seq}`,
        type: 'subscription.updated',
        data: { subscription: { ...subscription('active'), customerId: 'cus_2', id: 'sub_2', items: [{ id: 'si_2', priceId: 'price_basic', productId: null, description: null, quantity, unitAmount: 1000, interval: 'month', intervalCount: 1 }] } },
      }) as EntitlementEvent;
    await syncEntitlement(activated, ports);
    await syncEntitlement(failed, ports);
    await syncEntitlement(other(2, 1), ports);
    expect(desk.organizations.get('cust-2')).toMatchObject({ fields: { tier: 'standard', standing: 'active', mrr: '20.00 USD' } });

    // The one-customer resolution joins cust-1 into cust-2 (a link between the two was found): cust-1 forwards to cust-2.
    directory.holders.set('saas_sync:customer:cust-1', 'cust-2');
    expect(await syncEntitlement(other(3, 2), ports)).toMatchObject({ outcome: 'entitlement-changed', customer: 'cust-2', status: 'past_due', tier: 'premium' });
    expect(desk.organizations.get('cust-2')).toMatchObject({
      fields: { plan: 'Pro', tier: 'premium', standing: 'past_due', billingCustomerId: 'stripe:cus_1, stripe:cus_2', mrr: '180.00 USD' },
    });
    // The absorbed customer's invoice is paid (the payment names no customer: its invoice leads to cus_1, now cust-2).
    expect(await syncEntitlement(paid, ports)).toMatchObject({ outcome: 'entitlement-changed', customer: 'cust-2', status: 'active', tier: 'premium' });
    expect((await ports.store.load('cust-1')).published).toMatchObject({ status: 'past_due' });

    // A ticket of cust-1's organization: escalated as the survivor is entitled (premium, paid up), not by cust-1's last push.
    const organizationId = desk.organizations.get('cust-1')!.id;
    expect(await syncTicket(ticketEvent('created', 'new', organizationId, '2026-05-01T00:00:09.500Z', 'zd-9'), ticketPorts)).toMatchObject({ outcome: 'applied', escalated: true });
    expect(desk.ticketUpdates).toEqual([{ ticketId: '1001', change: { priority: 'high', addTags: [] } }]);
    expect(ledger.notes.at(-1)!.body).toMatch(/customer active, tier premium/);
  });

  it('waits (retryable DependencyMissingError) for the canonical customer link, and notes a payment on an invoice no failure named', async () => {
    const { ports, desk } = world({ linked: false });
    await expect(syncEntitlement(activated, ports)).rejects.toBeInstanceOf(DependencyMissingError);
    expect(desk.pushes).toBe(0);
    expect(await world().ports.store.load('cust-1')).toMatchObject({ published: undefined });
    expect(await syncEntitlement(paid, world().ports)).toEqual({ outcome: 'payment-noted-on-invoice', invoiceId: 'in_1' });
  });
});

describe('support-tickets flow', () => {
  it('escalates a new ticket of a premium customer past due (priority, tag, note naming the invoice) and notes it opened and solved on the partner, once each', async () => {
    const { ports, ticketPorts, desk, ledger } = world();
    await syncEntitlement(activated, ports);
    await syncEntitlement(failed, ports);
    const organizationId = desk.organizations.get('cust-1')!.id;
    const opened = ticketEvent('created', 'new', organizationId, '2026-05-01T00:00:02.500Z', 'zd-1');
    const solved = ticketEvent('status_changed', 'solved', organizationId, '2026-05-01T00:00:09.000Z', 'zd-2');

    expect(await syncTicket(opened, ticketPorts)).toEqual({ outcome: 'applied', escalated: true, noted: ['opened'] });
    expect(desk.ticketUpdates).toEqual([
      {
        ticketId: '1001',
        change: {
          priority: 'high',
          addTags: ['billing_past_due'],
          internalNote: expect.stringMatching(/past due since 2026-05-01\. Open: invoice in_1 \(50\.00 USD due, payment failed 2026-05-01: card_declined\)/),
        },
      },
    ]);
    expect(await syncTicket(opened, ticketPorts)).toEqual({ outcome: 'nothing-to-do', reason: 'already done for this ticket' });
    expect(await syncTicket(solved, ticketPorts)).toEqual({ outcome: 'applied', escalated: false, noted: ['solved'] });
    expect(ledger.notes.map((note) => note.partnerId)).toEqual([42, 42]);
    expect(ledger.notes[0]!.body).toMatch(/^Support ticket #1001 opened: “Cannot log in” \(high priority, customer past due, tier premium\)\. https:\/\/acme\.zendesk\.example\/agent\/tickets\/1001$/);
    expect(ledger.notes[1]!.body).toBe('Support ticket #1001 solved: “Cannot log in”. https://acme.zendesk.example/agent/tickets/1001');
    expect(desk.ticketUpdates).toHaveLength(1);
  });

  it('ends in the same desk and Odoo state when the solving arrives before the opening', async () => {
    const { ports, ticketPorts, desk, ledger } = world();
    await syncEntitlement(activated, ports);
    const organizationId = desk.organizations.get('cust-1')!.id;
    await syncTicket(ticketEvent('status_changed', 'solved', organizationId, '2026-05-01T00:00:09.000Z', 'zd-2'), ticketPorts);
    await syncTicket(ticketEvent('created', 'new', organizationId, '2026-05-01T00:00:02.500Z', 'zd-1'), ticketPorts);
    // Active premium: priority only, no arrears tag or note.
    expect(desk.ticketUpdates).toEqual([{ ticketId: '1001', change: { priority: 'high', addTags: [] } }]);
    expect(ledger.notes.map((note) => note.body.split(':')[0])).toEqual(['Support ticket #1001 solved', 'Support ticket #1001 opened']);
  });

  it('leaves alone a ticket of an organization the integration does not know', async () => {
    const { ticketPorts, desk, ledger } = world();
    expect(await syncTicket(ticketEvent('created', 'new', '999', '2026-05-01T00:00:02.500Z', 'zd-1'), ticketPorts)).toMatchObject({ outcome: 'not-a-customer' });
    expect(desk.ticketUpdates).toEqual([]);
    expect(ledger.notes).toEqual([]);
  });
});
