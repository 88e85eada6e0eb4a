import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DealWon } from '../../events/deal-won';
import type { ExecutionRecord } from '../../local/runtime/stepfunctions/local-state-machines';
import { HubspotCrmApi } from '../../functions/providers/hubspot/hubspot-crm-api';
import { HUBSPOT_WRITE_BACK_DEFAULTS } from '../../lib/config/stages';
import { SANDBOX_HUBSPOT_ACCESS_TOKEN } from '../../local/sandboxes/hubspot/server';
import { SANDBOX_STRIPE_API_KEY } from '../../local/sandboxes/stripe/server';
import { SANDBOX_ZENDESK_API_EMAIL, SANDBOX_ZENDESK_API_TOKEN } from '../../local/sandboxes/zendesk/server';
import { archivedCanonicalEvents, type Harness, onboardingEnded, onboardingRunsOf, STAGE, startHarness, waitFor } from './local-stack-harness';

/**
 * The onboarding saga end to end on the local runtime, from the synthesized template: a deal won in the HubSpot
 * sandbox → crm-sync's partner and deal-sync's confirmed order, `deal.won` on the bus → the saga's rule → starter →
 * the Standard state machine, whose steps are the stack's Lambda bundles writing to the Odoo, Stripe and Zendesk
 * sandboxes. Then a permanent failure at each step in turn (real causes: an order that is another partner's, an order
 * cancelled, Stripe refusing the customer, a line with no price mapping, the desk refusing the organization) and the
 * target systems' state after the compensations; a re-delivered deal.won; a redrive after a Stripe outage.
 */

const PRICES = STAGE.config.sagas.onboarding.prices.bySku;
const FIELDS = STAGE.config.zendesk!.organizationFields;
const ZENDESK_AUTH = `Basic ${Buffer.from(`${SANDBOX_ZENDESK_API_EMAIL}/token:${SANDBOX_ZENDESK_API_TOKEN}`).toString('base64')}`;
const UNMAPPED_SKU = 'ONB-GOLD';
const CRM = HUBSPOT_WRITE_BACK_DEFAULTS;

let harness: Harness;
let hubspotUrl: string;
let zendeskUrl: string;
let eventSeq = 0;

beforeAll(async () => {
  harness = await startHarness({ retryDelayScale: 0.2 });
  hubspotUrl = harness.providerApi('hubspot').sandboxUrl!;
  zendeskUrl = harness.providerApi('zendesk').sandboxUrl!;
  // What finance set up: the products sold (Internal Reference = the CRM line's SKU) and their Stripe prices.
  await harness.odoo.create('product.product', { name: 'Pro plan', default_code: 'PRO', list_price: 1, sale_ok: true, type: 'service' });
  await harness.odoo.create('product.product', { name: 'Gold support', default_code: UNMAPPED_SKU, list_price: 1, sale_ok: true, type: 'service' });
  await harness.seedStripe([{ id: PRICES['PRO'], object: 'price', currency: 'usd', product: 'prod_pro', nickname: 'Pro', unit_amount: 4900, recurring: { interval: 'month', interval_count: 1 } }]);
}, 300_000);

afterAll(async () => {
  await harness?.close();
});

// ---- the systems as a user sees them -------------------------------------------------------------------------

async function stripe<T>(path: string): Promise<T> {
  const response = await fetch(`${harness.stripe.url}${path}`, { headers: { Authorization: `Bearer ${SANDBOX_STRIPE_API_KEY}` } });
  return (await response.json()) as T;
}
type StripeCustomer = { id: string; deleted?: boolean; metadata: Record<string, string> };
/** The live Stripe customers made for a HubSpot company (by the link metadata the saga writes). */
async function stripeCustomersOf(companyId: number): Promise<StripeCustomer[]> {
  const { data } = await stripe<{ data: StripeCustomer[] }>('/v1/customers?limit=100');
  return data.filter((customer) => customer.metadata?.['hubspot_company_id'] === String(companyId));
}
async function stripeSubscriptionsOf(customerId: string) {
  return (await stripe<{ data: { id: string; status: string; collection_method: string; items: { data: { price: { id: string }; quantity: number }[] } }[] }>(`/v1/subscriptions?customer=${customerId}&status=all`)).data;
}
async function stripeFault(body: unknown | null): Promise<void> {
  const response = await fetch(`${harness.stripe.url}/_sandbox/faults`, body === null ? { method: 'DELETE' } : { method: 'POST', body: JSON.stringify(body) });
  expect(response.ok).toBe(true);
}
async function zendeskOrganization(customerId: string): Promise<{ id: number; organization_fields: Record<string, string>; tags: string[] } | undefined> {
  const response = await fetch(`${zendeskUrl}/api/v2/organizations/search?external_id=${customerId}`, { headers: { Authorization: ZENDESK_AUTH } });
  return ((await response.json()) as { organizations: { id: number; organization_fields: Record<string, string>; tags: string[] }[] }).organizations[0];
}
const hubspot = () => new HubspotCrmApi({ token: async () => SANDBOX_HUBSPOT_ACCESS_TOKEN, baseUrl: hubspotUrl, requestsPer10Seconds: 100 });
async function hubspotProperties(objectType: 'deals' | 'companies', id: number, names: readonly string[]): Promise<Readonly<Record<string, string | null | undefined>>> {
  return (await hubspot().batchRead(objectType, [String(id)], names)).get(String(id))?.properties ?? {};
}
/** The note the saga leaves on the CRM deal when it undoes an onboarding (found by its key, as the workspace finds it). */
async function undoneNote(execution: ExecutionRecord): Promise<string | null | undefined> {
  const [note] = await hubspot().searchEqual('notes', { [CRM.activityKeyProperty]: `onboarding:${execution.name}:undone` }, ['hs_note_body']);
  return note?.properties['hs_note_body'];
}
async function orderState(orderId: number): Promise<string | undefined> {
  const [order] = await harness.odoo.searchRead<{ state: string }>('sale.order', [['id', '=', orderId]], ['state']);
  return order?.state;
}

// ---- deals won in the HubSpot sandbox ------------------------------------------------------------------------

const executionsOf = (dealId: number): ExecutionRecord[] => onboardingRunsOf(harness.stack, { system: 'hubspot', id: String(dealId) });
const finished = (name: string) => (execution: ExecutionRecord) => execution.name === name && execution.status !== 'RUNNING';

async function finishedExecution(dealId: number): Promise<ExecutionRecord> {
  return onboardingEnded(harness.stack, { system: 'hubspot', id: String(dealId) });
}

/** What a state left in the saga state (its output), from the execution's history. */
function stepOutput<T>(execution: ExecutionRecord, state: string): T {
  const record = execution.states?.filter((candidate) => candidate.name === state && candidate.status === 'SUCCEEDED').at(-1);
  if (!record) throw new Error(`${state} did not succeed in ${execution.name}: ${JSON.stringify(execution.states?.map((s) => [s.name, s.status]))}`);
  return record.output as T;
}
const statesRun = (execution: ExecutionRecord) => execution.states?.map((state) => `${state.name}:${state.status}`);

/** A HubSpot company with a contact and a deal of one line, won: the signed batch HubSpot sends. */
async function winDeal(n: number, line: { sku: string; quantity: string; price: string }): Promise<{ companyId: number; dealId: number }> {
  const ids = { company: 8100 + n, contact: 8200 + n, deal: 8300 + n, line: 8400 + n };
  const seed = async (path: string, body: unknown) => expect((await fetch(`${hubspotUrl}/_sandbox/${path}`, { method: 'POST', body: JSON.stringify(body) })).status).toBe(200);
  await seed('objects', { type: 'companies', records: [{ id: ids.company, properties: { name: `Onboard ${n} GmbH`, domain: `onboard${n}.example`, city: 'Berlin', country: 'Germany' } }] });
  await seed('objects', { type: 'contacts', records: [{ id: ids.contact, properties: { firstname: 'Ada', lastname: `Owner${n}`, email: `ada@onboard${n}.example` } }] });
  await seed('objects', {
    type: 'deals',
    records: [{ id: ids.deal, properties: { dealname: `Plan ${n}`, amount: line.price, deal_currency_code: 'USD', pipeline: 'default', dealstage: 'closedwon', hs_is_closed_won: 'true', hs_is_closed: 'true' } }],
  });
  await seed('objects', { type: 'line_items', records: [{ id: ids.line, properties: { name: line.sku, hs_sku: line.sku, quantity: line.quantity, price: line.price, amount: line.price } }] });
  await seed('associations', { from: 'contacts', to: 'companies', links: [{ fromId: ids.contact, toId: ids.company, primary: true }] });
  await seed('associations', { from: 'deals', to: 'companies', links: [{ fromId: ids.deal, toId: ids.company, primary: true }] });
  await seed('associations', { from: 'deals', to: 'line_items', links: [{ fromId: ids.deal, toId: ids.line }] });
  const thin = (subscriptionType: string, objectId: number, fields: Record<string, unknown> = {}) => {
    eventSeq++;
    return { eventId: 5000 + eventSeq, subscriptionId: 51, portalId: 62515, appId: 54321, occurredAt: Date.now() - 1_000 + eventSeq, subscriptionType, attemptNumber: 0, objectId, changeSource: 'CRM_UI', sourceId: 'userId:47812075', ...fields };
  };
  const body = JSON.stringify([
    thin('company.creation', ids.company),
    thin('contact.propertyChange', ids.contact, { propertyName: 'email', propertyValue: `ada@onboard${n}.example` }),
    thin('deal.propertyChange', ids.deal, { propertyName: 'dealstage', propertyValue: 'closedwon' }),
  ]);
  const response = await fetch(harness.webhookUrlOf('hubspot'), { method: 'POST', headers: harness.providerApi('hubspot').webhookHeaders!(body), body });
  expect(response.status).toBe(200);
  return { companyId: ids.company, dealId: ids.deal };
}

/** Puts a canonical `deal.won` on the stack's bus, as deal-sync does. */
async function putDealWon(event: DealWon): Promise<void> {
  // The stack's own bus: not the account's default bus, nor a provider's partner bus.
  const buses = [...harness.stack.buses].filter(([name]) => name !== 'default' && !name.startsWith('aws.partner')).map(([, candidate]) => candidate);
  expect(buses).toHaveLength(1);
  const [bus] = buses;
  const result = await bus!.putEvents([{ Source: 'odoo-saas-sync', DetailType: 'deal.won', Detail: JSON.stringify(event) }]);
  expect(result.FailedEntryCount).toBe(0);
}
const wonEventOf = (dealId: number): DealWon => {
  const archived = archivedCanonicalEvents(harness).find((event) => event.detailType === 'deal.won' && event.detail.id === `hubspot:deal:${dealId}:won`);
  if (!archived) throw new Error(`no deal.won of ${dealId} in the archive`);
  return archived.detail as unknown as DealWon;
};

describe('onboarding saga on the local runtime (Odoo, HubSpot, Stripe, Zendesk sandboxes)', () => {
  let happy: { companyId: number; dealId: number; execution: ExecutionRecord };

  it('a won deal → a Stripe customer and subscription with the link metadata, a Zendesk organization with the tier, the order kept', async () => {
    const won = await winDeal(1, { sku: 'PRO', quantity: '3', price: '49.00' });
    const execution = await finishedExecution(won.dealId);
    happy = { ...won, execution };

    expect(execution.status, `${execution.error}: ${execution.cause}`).toBe('SUCCEEDED');
    const output = JSON.parse(execution.output ?? '{}') as Record<string, Record<string, unknown>>;
    const partnerId = output['ensurePartner']!['partnerId'] as number;
    const customerId = output['ensurePartner']!['customerId'] as string;
    expect(output['writeBackToCrm']).toEqual({ outcome: 'written' });

    const [customer, ...others] = await stripeCustomersOf(won.companyId);
    expect(others).toEqual([]);
    expect(customer!.metadata).toEqual({ odoo_partner_id: String(partnerId), hubspot_company_id: String(won.companyId), crm_deal_id: `hubspot:${won.dealId}`, saas_sync_customer_id: customerId });
    const subscriptions = await stripeSubscriptionsOf(customer!.id);
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0]).toMatchObject({ status: 'active', collection_method: 'send_invoice', items: { data: [{ price: { id: PRICES['PRO'] }, quantity: 3 }] } });

    const organization = await zendeskOrganization(customerId);
    expect(organization?.organization_fields).toMatchObject({ [FIELDS.tier]: 'premium', [FIELDS.standing]: 'active', [FIELDS.odooPartnerId]: String(partnerId), [FIELDS.billingCustomerId]: `stripe:${customer!.id}` });
    const orderId = output['verifyContract']!['orderId'] as number;
    expect(await orderState(orderId)).toBe('sale');
    // The CRM carries the ids: the deal its Odoo order and Stripe subscription, the company its partner and customers.
    expect(await hubspotProperties('deals', won.dealId, Object.values(CRM.dealProperties))).toMatchObject({ [CRM.dealProperties.odooOrderId]: String(orderId), [CRM.dealProperties.billingSubscriptionId]: subscriptions[0]!.id });
    expect(await hubspotProperties('companies', won.companyId, Object.values(CRM.companyProperties))).toMatchObject({
      [CRM.companyProperties.odooPartnerId]: String(partnerId),
      [CRM.companyProperties.billingCustomerId]: customer!.id,
      [CRM.companyProperties.customerId]: customerId,
    });
  }, 240_000);

  it('a re-delivered deal.won starts no second run', async () => {
    const won = wonEventOf(happy.dealId);
    // The starter's invocation with the re-delivered event: the rule did deliver it.
    const starterCalls: unknown[] = [];
    const stopListening = harness.stack.activity.onInvocation((invocation) => {
      if (/onboarding/i.test(invocation.functionName) && /Starter/i.test(invocation.functionName)) starterCalls.push(invocation.event);
    });
    try {
      await putDealWon(won);
      await waitFor(() => starterCalls.find((event) => (event as { detail?: { id?: string } }).detail?.id === won.id), { what: 'the starter given the re-delivered deal.won', timeoutMs: 30_000 });
    } finally {
      stopListening();
    }
    expect(executionsOf(happy.dealId)).toHaveLength(1);
    expect((await stripeCustomersOf(happy.companyId))).toHaveLength(1);
  });

  describe('a permanent failure at each step undoes what the steps before it made', () => {
    it('EnsurePartner: a deal.won whose order is another partner’s → nothing made, nothing undone', async () => {
      const other = wonEventOf(happy.dealId);
      const foreign: DealWon = { ...other, id: `${other.id}:foreign`, data: { ...other.data, order: { ...other.data.order, partnerId: other.data.order.partnerId + 100_000 } } };
      await putDealWon(foreign);
      const execution = await waitFor(() => executionsOf(happy.dealId).find((candidate) => candidate.name !== happy.execution.name && candidate.status !== 'RUNNING'), { what: 'the foreign onboarding', timeoutMs: 60_000 });
      expect(execution.status).toBe('FAILED');
      expect(execution.cause).toMatch(/PartnerMismatchError/);
      expect(statesRun(execution)).toEqual(['EnsurePartner:CAUGHT', 'Failed:FAILED']);
      // The first run's order and subscription are untouched.
      expect(await orderState(other.data.order.id)).toBe('sale');
      expect((await stripeSubscriptionsOf((await stripeCustomersOf(happy.companyId))[0]!.id)).map((s) => s.status)).toEqual(['active']);
    }, 90_000);

    it('EnsureBillingCustomer: Stripe refuses the customer → the order cancelled, nothing at Stripe or Zendesk', async () => {
      await stripeFault({ status: 400, path: '/v1/customers', count: 20 });
      try {
        const won = await winDeal(2, { sku: 'PRO', quantity: '1', price: '49.00' });
        const execution = await finishedExecution(won.dealId);
        expect(execution.status).toBe('FAILED');
        expect(execution.cause).toMatch(/Sandbox fault 400/);
        expect(statesRun(execution)).toEqual(['EnsurePartner:SUCCEEDED', 'VerifyContract:SUCCEEDED', 'EnsureBillingCustomer:CAUGHT', 'CancelContract:SUCCEEDED', 'NoteUndoneOnDeal:SUCCEEDED', 'Failed:FAILED']);
        const { orderId } = stepOutput<{ verifyContract: { orderId: number } }>(execution, 'VerifyContract').verifyContract;
        expect(await orderState(orderId)).toBe('cancel');
        const { customerId } = stepOutput<{ ensurePartner: { customerId: string } }>(execution, 'EnsurePartner').ensurePartner;
        expect(await zendeskOrganization(customerId)).toBeUndefined();
      } finally {
        await stripeFault(null);
      }
    }, 240_000);

    it('Subscribe: a line with no price mapping → the customer this run made deleted at Stripe, the order cancelled', async () => {
      const won = await winDeal(3, { sku: UNMAPPED_SKU, quantity: '1', price: '99.00' });
      const execution = await finishedExecution(won.dealId);
      expect(execution.status).toBe('FAILED');
      expect(execution.cause).toMatch(/UnmappedPriceError: no stripe price is mapped for line 8403 \(SKU ONB-GOLD/);
      const { customerId, created } = stepOutput<{ ensureBillingCustomer: { customerId: string; created: boolean } }>(execution, 'EnsureBillingCustomer').ensureBillingCustomer;
      expect(created).toBe(true);
      expect(await stripe<StripeCustomer>(`/v1/customers/${customerId}`)).toMatchObject({ id: customerId, deleted: true });
      expect(await stripeCustomersOf(won.companyId)).toEqual([]);
      expect(await orderState(stepOutput<{ verifyContract: { orderId: number } }>(execution, 'VerifyContract').verifyContract.orderId)).toBe('cancel');
      expect(await undoneNote(execution)).toMatch(
        new RegExp(`^Onboarding of this won deal was undone: UnmappedPriceError: no stripe price is mapped for line 8403 .*\\. Undone: billing customer ${customerId}: deleted; Odoo order S\\d+: cancelled\\.$`),
      );
    }, 240_000);

    it('WriteBackToCrm: HubSpot refuses the deal → the entitlement revoked on the organization, the subscription cancelled, the customer deleted, the order cancelled, the deal noted', async () => {
      const dealId = 8306;
      const fault = await fetch(`${hubspotUrl}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ status: 400, remaining: 1, pathPrefix: `/crm/v3/objects/deals/${dealId}` }) });
      expect(fault.ok).toBe(true);
      const won = await winDeal(6, { sku: 'PRO', quantity: '1', price: '49.00' });
      expect(won.dealId).toBe(dealId);
      const execution = await finishedExecution(won.dealId);
      expect(execution.status).toBe('FAILED');
      expect(statesRun(execution)?.slice(-7)).toEqual([
        'WriteBackToCrm:CAUGHT', 'RevokeEntitlement:SUCCEEDED', 'CancelSubscription:SUCCEEDED', 'DeleteBillingCustomer:SUCCEEDED', 'CancelContract:SUCCEEDED', 'NoteUndoneOnDeal:SUCCEEDED', 'Failed:FAILED',
      ]);
      const { customerId } = stepOutput<{ ensurePartner: { customerId: string } }>(execution, 'EnsurePartner').ensurePartner;
      const { subscription } = stepOutput<{ subscribe: { subscription: { id: string; customerId: string } } }>(execution, 'Subscribe').subscribe;
      // The organization stays (tickets, users) and no longer shows the tier this run granted.
      expect(stepOutput<{ grantEntitlement: { tier: string } }>(execution, 'GrantEntitlement').grantEntitlement.tier).toBe('premium');
      expect((await zendeskOrganization(customerId))?.organization_fields).toMatchObject({ [FIELDS.tier]: 'none', [FIELDS.standing]: 'cancelled' });
      expect(await stripe<{ status: string }>(`/v1/subscriptions/${subscription.id}`)).toMatchObject({ status: 'canceled' });
      expect(await stripe<StripeCustomer>(`/v1/customers/${subscription.customerId}`)).toMatchObject({ deleted: true });
      expect(await orderState(stepOutput<{ verifyContract: { orderId: number } }>(execution, 'VerifyContract').verifyContract.orderId)).toBe('cancel');
      expect(await undoneNote(execution)).toMatch(/^Onboarding of this won deal was undone: .*HubspotRequestError.*\. Undone: support entitlement: revoked; billing subscription sub_\w+: cancelled; billing customer cus_\w+: deleted; Odoo order S\d+: cancelled\.$/);
      // Nothing of this run's ids is left on the deal.
      expect(await hubspotProperties('deals', dealId, [CRM.dealProperties.billingSubscriptionId])).not.toMatchObject({ [CRM.dealProperties.billingSubscriptionId]: subscription.id });
    }, 240_000);

    it('VerifyContract: a deal.won whose order was cancelled since → nothing made at Stripe', async () => {
      const [undone] = executionsOf(8303);
      const cancelled = wonEventOf(8303);
      const customersBefore = (await stripe<{ data: unknown[] }>('/v1/customers?limit=100')).data.length;
      await putDealWon({ ...cancelled, id: `${cancelled.id}:again` });
      const execution = await waitFor(() => executionsOf(8303).find((candidate) => candidate.name !== undone!.name && candidate.status !== 'RUNNING'), { what: 'the second onboarding of deal 8303', timeoutMs: 60_000 });
      expect(execution.status).toBe('FAILED');
      expect(execution.cause).toMatch(/ContractNotConfirmedError: Odoo order S\d+ is cancelled, not confirmed/);
      expect(statesRun(execution)).toEqual(['EnsurePartner:SUCCEEDED', 'VerifyContract:CAUGHT', 'NoteUndoneOnDeal:SUCCEEDED', 'Failed:FAILED']);
      expect((await stripe<{ data: unknown[] }>('/v1/customers?limit=100')).data).toHaveLength(customersBefore);
    }, 90_000);

    it('GrantEntitlement: the desk refuses the organization → the subscription cancelled, the customer deleted, the order cancelled', async () => {
      // The desk refuses the one write the step makes (a refusal is permanent: the step is not retried).
      const fault = await fetch(`${zendeskUrl}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ status: 400, remaining: 1, pathPrefix: '/api/v2/organizations/create_or_update' }) });
      expect(fault.ok).toBe(true);
      const won = await winDeal(4, { sku: 'PRO', quantity: '2', price: '49.00' });
      const execution = await finishedExecution(won.dealId);
      expect(execution.status).toBe('FAILED');
      expect(statesRun(execution)?.slice(-6)).toEqual(['GrantEntitlement:CAUGHT', 'CancelSubscription:SUCCEEDED', 'DeleteBillingCustomer:SUCCEEDED', 'CancelContract:SUCCEEDED', 'NoteUndoneOnDeal:SUCCEEDED', 'Failed:FAILED']);
      const { subscription } = stepOutput<{ subscribe: { subscription: { id: string; customerId: string } } }>(execution, 'Subscribe').subscribe;
      expect(await stripe<{ status: string }>(`/v1/subscriptions/${subscription.id}`)).toMatchObject({ status: 'canceled' });
      expect(await stripe<StripeCustomer>(`/v1/customers/${subscription.customerId}`)).toMatchObject({ deleted: true });
      expect(await orderState(stepOutput<{ verifyContract: { orderId: number } }>(execution, 'VerifyContract').verifyContract.orderId)).toBe('cancel');
      const { customerId } = stepOutput<{ ensurePartner: { customerId: string } }>(execution, 'EnsurePartner').ensurePartner;
      expect(await zendeskOrganization(customerId)).toBeUndefined();
    }, 240_000);
  });

  it('a run failed by a Stripe outage (retries spent) is redriven once Stripe is back: it finishes without a second customer', async () => {
    await stripeFault({ status: 503, path: '/v1/subscriptions', count: 1_000 });
    const won = await winDeal(5, { sku: 'PRO', quantity: '1', price: '49.00' });
    const failed = await finishedExecution(won.dealId);
    expect(failed.status).toBe('FAILED');
    // A transient failure is not compensated: the run stops at the step, the customer stays for the redrive.
    expect(statesRun(failed)?.at(-1)).toBe('Subscribe:FAILED');
    expect(await stripeCustomersOf(won.companyId)).toHaveLength(1);

    await stripeFault(null);
    harness.stack.stateMachines.redriveExecution(failed.executionArn);
    const redriven = await waitFor(() => executionsOf(won.dealId).find(finished(failed.name)), { what: 'the redriven onboarding', timeoutMs: 120_000 });
    expect(redriven.status, `${redriven.error}: ${redriven.cause}`).toBe('SUCCEEDED');
    expect(redriven.redriveCount).toBe(1);
    const customers = await stripeCustomersOf(won.companyId);
    expect(customers).toHaveLength(1);
    expect((await stripeSubscriptionsOf(customers[0]!.id)).map((subscription) => subscription.status)).toEqual(['active']);
    expect(redriven.states?.filter((state) => state.name === 'EnsureBillingCustomer')).toHaveLength(1);
  }, 300_000);
});
