import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../../events/catalog';
import type { DealWon } from '../../../events/deal-won';
import type { SupportPolicy } from '../../../functions/domain/support-policy';
import { recordWasDeleted } from '../../../functions/flows/customer-identity';
import { isRetryable, PermanentSyncError } from '../../../functions/platform/errors';
import type { OnboardingConfig } from '../../../functions/sagas/onboarding/onboarding-config';
import { parseOnboardingState, type OnboardingState } from '../../../functions/sagas/onboarding/onboarding-state';
import * as steps from '../../../functions/sagas/onboarding/onboarding-steps';
import { InMemoryDealLedger } from '../../support/in-memory-deals';
import { InMemoryOnboardingBilling, InMemoryOnboardingCrm } from '../../support/in-memory-onboarding';
import { InMemoryCustomerDirectory, InMemoryIdentityMap, InMemoryWatermarks } from '../../support/in-memory-ports';
import { InMemoryEntitlementStore, InMemorySupportDesk, InMemorySupportLedger } from '../../support/in-memory-support';

const POLICY: SupportPolicy = {
  entitlements: { tiers: ['none', 'standard', 'premium'], noneTier: 'none', unmappedTier: 'standard', plans: [{ plan: 'Pro', tier: 'premium', priceIds: ['price_pro'] }] },
  tagPrefix: 'saas_',
  escalation: { tierPriorities: [], pastDueTag: 'billing_past_due' },
};
const CONFIG: OnboardingConfig = { billingSystem: 'stripe', collection: { method: 'send_invoice', daysUntilDue: 30 }, prices: { bySku: { SEAT: 'price_pro' }, byOdooProduct: {} } };
const PARTNER = 42;

/**
 * The state machine's order (lib/sagas.ts) and its Catch: the steps run in turn, each result at its path; a permanent
 * failure runs the compensations of the steps done, in reverse, each result at its path, as the execution would.
 */
const SAGA = [
  { step: 'ensurePartner', run: steps.ensurePartner, undo: ['noteUndoneOnDeal', steps.noteUndoneOnDeal] },
  { step: 'verifyContract', run: steps.verifyContract, undo: ['cancelContract', steps.cancelContract] },
  { step: 'ensureBillingCustomer', run: steps.ensureBillingCustomer, undo: ['deleteBillingCustomer', steps.deleteBillingCustomer] },
  { step: 'subscribe', run: steps.subscribe, undo: ['cancelSubscription', steps.cancelSubscription] },
  { step: 'grantEntitlement', run: steps.grantEntitlement, undo: ['revokeEntitlement', steps.revokeEntitlement] },
  { step: 'writeBackToCrm', run: steps.writeBackToCrm },
] as const;

type Ports = steps.OnboardingPorts & { world: ReturnType<typeof world> };

function world() {
  const watermarks = new InMemoryWatermarks();
  const identityMap = new InMemoryIdentityMap();
  const directory = new InMemoryCustomerDirectory();
  const deals = new InMemoryDealLedger();
  const contacts = new InMemorySupportLedger();
  const desk = new InMemorySupportDesk();
  const store = new InMemoryEntitlementStore(watermarks);
  const billing = new InMemoryOnboardingBilling();
  const crm = new InMemoryOnboardingCrm();
  const published: CanonicalEvent[] = [];
  contacts.contacts.set(PARTNER, { name: 'Acme Analytics GmbH', email: 'billing@acme-analytics.example' });
  return { watermarks, identityMap, directory, deals, contacts, desk, store, billing, crm, published };
}

async function portsOf(w = world()): Promise<Ports> {
  // What crm-sync made: the account's partner and canonical customer; what deal-sync made: the confirmed order.
  await w.identityMap.link('hubspot:account:7101', { system: 'odoo', kind: 'res.partner', id: String(PARTNER) });
  await w.identityMap.link('hubspot:account:7101', { system: 'saas_sync', kind: 'customer', id: 'cust-7101' });
  const orderId = await w.deals.createQuotation('saas_sync.hubspot_deal_7301', { reference: '7301', partnerId: PARTNER, companyId: 1, currency: { id: 1, code: 'EUR', decimalPlaces: 2 } });
  await w.deals.confirmOrder(orderId);
  let clock = Date.parse('2026-12-03T10:00:00Z');
  return {
    world: w,
    identityMap: w.identityMap,
    directory: w.directory,
    contacts: w.contacts,
    deals: w.deals,
    billing: w.billing,
    entitlements: { store: w.store, watermarks: w.watermarks, identityMap: w.identityMap, directory: w.directory, partners: { partnerByExternalId: async () => undefined }, ledger: w.contacts, desk: w.desk, publish: async (events) => void w.published.push(...events), policy: POLICY },
    crm: w.crm,
    config: CONFIG,
    now: () => new Date((clock += 1000)),
  };
}

function wonDeal(overrides: Partial<DealWon['data']> = {}): DealWon {
  return {
    id: 'hubspot:deal:7301:won', type: 'deal.won', source: 'hubspot', subject: 'hubspot:deal:7301', time: '2026-12-03T09:59:00.000Z',
    correlationId: 'hubspot:901', causationId: 'hubspot:deal:7301', dataVersion: 1,
    data: {
      deal: { system: 'hubspot', account: '62515', id: '7301' }, name: 'Annual plan', closeDate: null, account: { system: 'hubspot', account: '62515', id: '7101' },
      order: { id: 1, name: 'S00001', partnerId: PARTNER, confirmedAt: '2026-12-03T09:58:00.000Z' }, currency: 'eur', amountUntaxed: 120050, amountTotal: 120050,
      lines: [{ dealLineId: '7401', sku: 'SEAT', crmProductId: null, odooProductId: 9, name: 'Seat', quantity: '2', unitAmount: 60025 }],
      ...overrides,
    },
  };
}

/** Runs the saga over the ports; returns the final state and, when a step failed for good, its name and error. */
async function runSaga(ports: Ports, event: DealWon, initial: Partial<OnboardingState> = {}) {
  let state: Record<string, unknown> = { sagaId: 'exec-1', event, ...initial };
  const done: (readonly [string, (state: OnboardingState, ports: steps.OnboardingPorts) => Promise<unknown>])[] = [];
  for (const { step, run, ...rest } of SAGA) {
    if (state[step] !== undefined) {
      if ('undo' in rest) done.push(rest.undo);
      continue;
    }
    try {
      state = { ...state, [step]: await run(parseOnboardingState(state), ports) };
    } catch (error) {
      if (isRetryable(error)) throw error;
      state = { ...state, failure: { Error: 'PermanentSyncError', Cause: `${(error as Error).name}: ${(error as Error).message}` } };
      for (const [name, undo] of done.reverse()) state = { ...state, [name]: await undo(parseOnboardingState(state), ports) };
      return { state, failedAt: step, error: error as Error };
    }
    if ('undo' in rest) done.push(rest.undo);
  }
  return { state, failedAt: undefined, error: undefined };
}

const organizationOf = (ports: Ports) => ports.world.desk.organizations.get('cust-7101');

describe('onboarding saga steps', () => {
  it('happy path: a subscribed billing customer with metadata, the organization with its tier, the CRM carrying the ids', async () => {
    const ports = await portsOf();
    const { state, failedAt } = await runSaga(ports, wonDeal());

    expect(failedAt).toBeUndefined();
    const { billing, crm, identityMap } = ports.world;
    expect(billing.live()).toEqual({ customers: ['cus_1'], subscriptions: ['sub_2'] });
    expect(billing.customers.get('cus_1')?.draft).toEqual({
      name: 'Acme Analytics GmbH', email: 'billing@acme-analytics.example',
      links: { odooPartnerId: PARTNER, customerId: 'cust-7101', crm: { system: 'hubspot', accountId: '7101', dealId: '7301' } },
    });
    expect(billing.subscriptions.get('sub_2')?.items).toMatchObject([{ priceId: 'price_pro', quantity: 2 }]);
    expect(organizationOf(ports)?.fields).toMatchObject({ tier: 'premium', odooPartnerId: String(PARTNER), standing: 'active' });
    expect(state['grantEntitlement']).toMatchObject({ outcome: 'entitlement-changed', tier: 'premium', customer: 'cust-7101' });
    expect(crm.deals.get('7301')).toEqual({ odooOrderId: 1, billingSubscriptionId: 'sub_2' });
    expect(crm.companies.get('7101')).toEqual({ odooPartnerId: PARTNER, billingCustomerId: 'cus_1', customerId: 'cust-7101' });
    // The billing customer's own webhooks later find its canonical customer and partner.
    expect(await identityMap.find('stripe:customer:cus_1', 'saas_sync', 'customer')).toBe('cust-7101');
    expect(await identityMap.find('stripe:customer:cus_1', 'odoo', 'res.partner')).toBe(String(PARTNER));
    expect(ports.world.deals.orders.get(1)?.state).toBe('confirmed');
    // The new subscription's webhook finds the won deal's order as its contract: no second Odoo order for one sale.
    expect(await identityMap.find('stripe:subscription:sub_2', 'odoo', 'sale.order')).toBe('1');
  });

  it('a customer already billed at the provider is subscribed as it is, and undoing the onboarding keeps it', async () => {
    const ports = await portsOf();
    await ports.billing.ensureCustomer({ name: 'Acme', email: null, links: { odooPartnerId: PARTNER, customerId: 'cust-7101', crm: { system: 'hubspot', accountId: '7101', dealId: '1' } } }, undefined, 'signup');
    await ports.identityMap.link('saas_sync:customer:cust-7101', { system: 'stripe', kind: 'customer', id: 'cus_1' });
    ports.world.crm.refuse = true;

    const { state, failedAt } = await runSaga(ports, wonDeal());

    expect(failedAt).toBe('writeBackToCrm');
    expect(state['ensureBillingCustomer']).toEqual({ system: 'stripe', customerId: 'cus_1', created: false });
    expect(state['deleteBillingCustomer']).toEqual({ outcome: 'kept-existing' });
    expect(ports.world.billing.live()).toEqual({ customers: ['cus_1'], subscriptions: [] });
  });

  describe('a permanent failure at each step undoes exactly what the steps before it made', () => {
    it('EnsurePartner (the order is another partner’s): nothing made, the deal noted', async () => {
      const ports = await portsOf();
      const { state, failedAt, error } = await runSaga(ports, wonDeal({ order: { id: 1, name: 'S00001', partnerId: 77, confirmedAt: '2026-12-03T09:58:00.000Z' } }));
      expect(failedAt).toBe('ensurePartner');
      expect(error).toBeInstanceOf(steps.PartnerMismatchError);
      // Nothing was done: no compensation ran (the construct goes straight to Fail).
      expect(state['noteUndoneOnDeal']).toBeUndefined();
      expect(ports.world.deals.orders.get(1)?.state).toBe('confirmed');
      expect(ports.world.billing.customers.size).toBe(0);
    });

    it('VerifyContract (the order was cancelled since): the partner kept, the deal noted', async () => {
      const ports = await portsOf();
      await ports.world.deals.cancelOrder(1);
      const { state, failedAt } = await runSaga(ports, wonDeal());
      expect(failedAt).toBe('verifyContract');
      expect(state['noteUndoneOnDeal']).toEqual({ outcome: 'noted', partnerKept: true });
      expect([...ports.world.crm.notes.values()]).toEqual([{ dealId: '7301', text: 'Onboarding of this won deal was undone: ContractNotConfirmedError: Odoo order S00001 is cancelled, not confirmed. Nothing had been made yet.' }]);
      expect(ports.world.billing.customers.size).toBe(0);
    });

    it('EnsureBillingCustomer (the provider refuses the customer): the order cancelled with a note, the deal noted', async () => {
      const ports = await portsOf();
      ports.world.billing.refuse.add('customer');
      const { state, failedAt } = await runSaga(ports, wonDeal());
      expect(failedAt).toBe('ensureBillingCustomer');
      const order = ports.world.deals.orders.get(1)!;
      expect(order.state).toBe('cancelled');
      expect(order.notes).toEqual(['Onboarding undone, order cancelled: RefusedWriteError: customer refused.']);
      expect(state['cancelContract']).toEqual({ outcome: 'cancelled' });
      expect([...ports.world.crm.notes.values()][0]?.text).toBe('Onboarding of this won deal was undone: RefusedWriteError: customer refused. Undone: Odoo order S00001: cancelled.');
    });

    it('Subscribe (a line with no price mapping): the customer this run made deleted, the order cancelled', async () => {
      const ports = await portsOf();
      const lines = [{ dealLineId: '7402', sku: 'GOLD', crmProductId: null, odooProductId: 10, name: 'Gold support', quantity: '1', unitAmount: 9900 }];
      const { state, failedAt, error } = await runSaga(ports, wonDeal({ lines }));
      expect(failedAt).toBe('subscribe');
      expect(error?.message).toBe('no stripe price is mapped for line 7402 (SKU GOLD, Odoo product 10) (stage config sagas.onboarding.prices)');
      expect(ports.world.billing.live()).toEqual({ customers: [], subscriptions: [] });
      expect(state['deleteBillingCustomer']).toEqual({ outcome: 'deleted' });
      expect(ports.world.deals.orders.get(1)?.state).toBe('cancelled');
      // The deleted customer is no longer taken for the company's live billing customer (the CRM write-back reads this).
      const made = (state['ensureBillingCustomer'] as { customerId: string }).customerId;
      expect(await recordWasDeleted(ports.world.identityMap, `stripe:customer:${made}`)).toBe(true);
    });

    it('GrantEntitlement (the desk refuses): subscription cancelled, customer deleted, order cancelled, no organization', async () => {
      const ports = await portsOf();
      ports.world.desk.upsertOrganization = async () => {
        throw new PermanentSyncError('desk refused');
      };
      const { state, failedAt } = await runSaga(ports, wonDeal());
      expect(failedAt).toBe('grantEntitlement');
      expect(ports.world.billing.live()).toEqual({ customers: [], subscriptions: [] });
      expect(state['cancelSubscription']).toEqual({ outcome: 'cancelled' });
      expect(ports.world.desk.organizations.size).toBe(0);
      expect(ports.world.deals.orders.get(1)?.state).toBe('cancelled');
      expect([...ports.world.crm.notes.values()][0]?.text).toContain('Undone: billing subscription sub_2: cancelled; billing customer cus_1: deleted; Odoo order S00001: cancelled.');
    });

    it('WriteBackToCrm (the CRM refuses): entitlement revoked on the organization, subscription cancelled, customer deleted, order cancelled', async () => {
      const ports = await portsOf();
      ports.world.crm.refuse = true;
      const { state, failedAt } = await runSaga(ports, wonDeal());
      expect(failedAt).toBe('writeBackToCrm');
      // The organization stays (tickets, users) and no longer shows the tier this run granted.
      expect(organizationOf(ports)?.fields).toMatchObject({ tier: 'none', standing: 'cancelled' });
      expect(state['revokeEntitlement']).toEqual({ outcome: 'revoked', tier: 'none' });
      expect(ports.world.billing.live()).toEqual({ customers: [], subscriptions: [] });
      expect(state['cancelSubscription']).toEqual({ outcome: 'cancelled' });
      expect(ports.world.deals.orders.get(1)?.state).toBe('cancelled');
      expect(ports.world.published.map((event) => (event.data as { entitlement: { status: string } }).entitlement.status)).toEqual(['active', 'cancelled']);
    });
  });

  it('a missing partner link is retryable (crm-sync has not made it yet), never guessed', async () => {
    const w = world();
    const ports = await portsOf(w);
    const state = parseOnboardingState({ sagaId: 'exec-1', event: wonDeal({ account: { system: 'hubspot', account: '62515', id: '9999' } }) });
    await expect(steps.ensurePartner(state, ports)).rejects.toSatisfy((error) => isRetryable(error) && (error as Error).name === 'DependencyMissingError');
  });

  it('a step run again after its writes (a lost answer) makes nothing twice: the same keys find the first objects', async () => {
    const ports = await portsOf();
    const first = await runSaga(ports, wonDeal());
    const { ensureBillingCustomer: _customer, subscribe: _subscription, ...rest } = first.state;
    await runSaga(ports, wonDeal(), rest as Partial<OnboardingState>);
    expect(ports.world.billing.customers.size).toBe(1);
    expect(ports.world.billing.subscriptions.size).toBe(1);
  });

  it('a note says the failed step’s message, not the Lambda error JSON Step Functions carries as the cause', () => {
    const lambdaCause = JSON.stringify({ errorType: 'PermanentSyncError', errorMessage: 'UnmappedPriceError: no stripe price is mapped for line 1', trace: ['PermanentSyncError: …', '    at x (index.mjs:5:1)'] });
    const state = parseOnboardingState({ sagaId: 'exec-1', event: wonDeal(), failure: { Error: 'PermanentSyncError', Cause: lambdaCause } });
    expect(steps.undoneNote(state)).toBe('Onboarding of this won deal was undone: UnmappedPriceError: no stripe price is mapped for line 1. Nothing had been made yet.');
  });

  it('compensations are tolerant: an order already cancelled, a subscription and customer already gone', async () => {
    const ports = await portsOf();
    const { state } = await runSaga(ports, wonDeal());
    const undoing = parseOnboardingState({ ...state, failure: { Error: 'PermanentSyncError', Cause: 'x' } });
    await ports.world.deals.cancelOrder(1);
    await ports.billing.cancelSubscription('sub_2');
    await ports.billing.deleteCustomer('cus_1');
    expect(await steps.cancelContract(undoing, ports)).toEqual({ outcome: 'already-cancelled' });
    expect(await steps.cancelSubscription(undoing, ports)).toEqual({ outcome: 'cancelled' });
    expect(await steps.deleteBillingCustomer(undoing, ports)).toEqual({ outcome: 'not-found' });
    expect(ports.world.deals.orders.get(1)?.notes).toEqual([]);
  });
});
