import { describe, expect, it } from 'vitest';
import type { CustomerDeleted } from '../../../events/customer-deleted';
import type { SubscriptionSnapshot, SubscriptionUpdated } from '../../../events/subscription-updated';
import type { OpenInvoice } from '../../../functions/domain/open-invoices';
import { syncEntitlement } from '../../../functions/flows/entitlements/sync-entitlement';
import { syncSubscription } from '../../../functions/flows/subscription-sync/sync-subscription';
import type { OffboardingState } from '../../../functions/sagas/offboarding/offboarding-state';
import {
  archivePartner,
  checkOpenInvoices,
  closeContract,
  markFormerCustomer,
  type OffboardingPorts,
  recogniseEnd,
  revokeEntitlement,
} from '../../../functions/sagas/offboarding/offboarding-steps';
import { SAGA_PARTNER_ID, sagaCustomer } from '../../support/lifecycle-saga-fixtures';

const PARTNER_ID = SAGA_PARTNER_ID;

function snapshot(id: string, status: SubscriptionSnapshot['status'], ended: string | null = null): SubscriptionSnapshot {
  return {
    system: 'stripe', account: null, customerId: 'cus_1', id, status, currency: 'usd',
    items: [{ id: `si_${id}`, priceId: 'price_PRO', productId: null, description: 'Pro', quantity: 3, unitAmount: 9900, interval: 'month', intervalCount: 1 }],
    currentPeriodStart: null, currentPeriodEnd: null, cancelAtPeriodEnd: false, canceledAt: ended, endedAt: ended, livemode: false,
  };
}
const updated = (second: number, subscription: SubscriptionSnapshot): SubscriptionUpdated => ({
  id: `stripe:evt_${second}:subscription.updated`, type: 'subscription.updated', source: 'stripe', subject: `stripe:subscription:${subscription.id}`,
  time: new Date(Date.UTC(2026, 10, 1, 10, 0, second)).toISOString(), correlationId: `stripe:evt_${second}`, causationId: `evt_${second}`,
  dataVersion: 1, data: { subscription },
});
const deleted: CustomerDeleted = {
  id: 'stripe:evt_del:customer.deleted', type: 'customer.deleted', source: 'stripe', subject: 'stripe:customer:cus_1', time: '2026-11-25T09:00:00.000Z',
  correlationId: 'stripe:evt_del', causationId: 'evt_del', dataVersion: 1, data: { customer: { system: 'stripe', id: 'cus_1' } },
};

/** A customer with one (or two) Pro subscriptions, booked in Odoo and entitled, the way the flows left them. */
async function world(options: { subscriptions?: string[]; crmCompany?: string; openInvoices?: OpenInvoice[]; archivePartner?: boolean } = {}) {
  const customer = await sagaCustomer(options);
  const { ledger, standing, desk, crm } = customer;
  const archived: { externalId: string; knownId: number | undefined }[] = [];
  const ports: OffboardingPorts = {
    subscriptions: customer.subscriptions,
    entitlements: customer.entitlements,
    openInvoices: { openInvoicesOf: async (partnerId) => (partnerId === PARTNER_ID ? (options.openInvoices ?? []) : []) },
    crm,
    partners: {
      archive: async (externalId, knownId) => {
        const already = archived.some((entry) => entry.knownId === knownId);
        archived.push({ externalId, knownId });
        return { archived: !already };
      },
    },
    archivePartner: options.archivePartner ?? false,
  };
  let second = 1;
  for (const id of options.subscriptions ?? ['sub_1']) {
    const active = updated(second++, snapshot(id, 'active'));
    await syncSubscription(active, ports.subscriptions);
    await syncEntitlement(active, ports.entitlements);
  }
  return { ports, ledger, standing, desk, crm, archived };
}

/** Runs the steps in order as the state machine does, each result at its own path. */
async function offboard(event: OffboardingState['event'], ports: OffboardingPorts) {
  let state: OffboardingState = { sagaId: 'run-1', event };
  state = { ...state, recogniseEnd: await recogniseEnd(state, ports) };
  if (state.recogniseEnd?.outcome !== 'offboard') return state;
  const closeContractResult = await closeContract(state, ports);
  state = { ...state, revokeEntitlement: await revokeEntitlement(state, ports) };
  const markFormerCustomerResult = await markFormerCustomer(state, ports);
  state = { ...state, checkOpenInvoices: await checkOpenInvoices(state, ports) };
  const archivePartnerResult = await archivePartner(state, ports);
  return { ...state, closeContract: closeContractResult, markFormerCustomer: markFormerCustomerResult, archivePartner: archivePartnerResult };
}

const cancelledAt = '2026-11-20T00:00:00.000Z';

describe('offboarding steps', () => {
  it('ends at once for a snapshot that is no end', async () => {
    const { ports, ledger } = await world();
    const state = await offboard(updated(9, snapshot('sub_1', 'past_due')), ports);
    expect(state.recogniseEnd).toEqual({ outcome: 'not-an-end', status: 'past_due' });
    expect(ledger.contract('sub_1')[0]?.state).toBe('confirmed');
  });

  it('a subscription’s end: contract cancelled, entitlement cancelled on the desk, CRM company a former customer, nothing open', async () => {
    const { ports, ledger, desk, crm, standing } = await world({ crmCompany: '777' });

    const state = await offboard(updated(9, snapshot('sub_1', 'canceled', cancelledAt)), ports);

    expect(state).toMatchObject({
      recogniseEnd: { outcome: 'offboard', reason: 'subscription-ended', customer: 'cust-1', partnerId: PARTNER_ID },
      closeContract: { contracts: [{ subscriptionId: 'sub_1', state: 'cancelled' }] },
      revokeEntitlement: { customer: 'cust-1', standing: 'cancelled', changed: true },
      markFormerCustomer: { outcome: 'former-customer', companyId: '777' },
      checkOpenInvoices: { outcome: 'none-open' },
    });
    expect(ledger.contract('sub_1')[0]?.state).toBe('cancelled');
    expect(desk.organizations.get('cust-1')?.fields).toMatchObject({ standing: 'cancelled', tier: 'none' });
    expect(crm.companies.get('777')).toEqual({ lifecycle: 'former_customer' });
    // The partner stays: only subscription-sync's note of the end.
    expect(standing.notes.map((note) => note.body)).toEqual([expect.stringMatching(/^Subscription sub_1 ended \(status canceled, 2026-11-20\): contract .* cancelled\.$/)]);
  });

  it('the flow applied the end first: the saga closes nothing twice and still reports the contract and the standing', async () => {
    const { ports, ledger, standing } = await world();
    const end = updated(9, snapshot('sub_1', 'canceled', cancelledAt));
    await syncSubscription(end, ports.subscriptions);
    await syncEntitlement(end, ports.entitlements);

    const state = await offboard(end, ports);

    expect(state).toMatchObject({ closeContract: { contracts: [{ state: 'cancelled' }] }, revokeEntitlement: { standing: 'cancelled', changed: false } });
    expect(ledger.calls.get('cancelOrder')).toBe(1);
    expect(standing.notes).toHaveLength(1);
  });

  it('keeps a customer with another live subscription a customer in the CRM', async () => {
    const { ports, crm } = await world({ subscriptions: ['sub_1', 'sub_2'], crmCompany: '777' });
    const state = await offboard(updated(9, snapshot('sub_1', 'canceled', cancelledAt)), ports);
    expect(state).toMatchObject({ revokeEntitlement: { standing: 'active' }, markFormerCustomer: { outcome: 'still-a-customer', standing: 'active' } });
    expect(crm.companies.size).toBe(0);
  });

  it('a customer deleted at the provider: every contract of it cancelled with a note, entitlement cancelled, open invoices reported once', async () => {
    const open: OpenInvoice[] = [{ id: 91, name: 'INV/2026/00091', ref: 'in_91', amountDue: 29700, currency: 'USD', decimalPlaces: 2 }];
    const { ports, ledger, desk, standing } = await world({ subscriptions: ['sub_1', 'sub_2'], openInvoices: open });

    const state = await offboard(deleted, ports);

    expect(state).toMatchObject({
      recogniseEnd: { outcome: 'offboard', reason: 'customer-deleted' },
      closeContract: { contracts: [{ subscriptionId: 'sub_1', state: 'cancelled' }, { subscriptionId: 'sub_2', state: 'cancelled' }] },
      revokeEntitlement: { standing: 'cancelled', changed: true },
      markFormerCustomer: { outcome: 'no-crm-company' },
      checkOpenInvoices: { outcome: 'open-invoices', invoices: [{ name: 'INV/2026/00091', ref: 'in_91', amountDue: 29700, currency: 'USD' }] },
    });
    expect([ledger.contract('sub_1')[0]?.state, ledger.contract('sub_2')[0]?.state]).toEqual(['cancelled', 'cancelled']);
    expect(desk.organizations.get('cust-1')?.fields.standing).toBe('cancelled');
    const notes = standing.notes.map((note) => note.body);
    expect(notes.filter((note) => note.startsWith('Customer cus_1 was deleted at Stripe (2026-11-25)'))).toHaveLength(2);
    expect(notes.filter((note) => note.startsWith('Offboarding'))).toEqual(['Offboarding (the customer was deleted at its billing provider): 1 invoice still open — INV/2026/00091 (in_91): 297.00 USD due.']);

    // A redriven close finds the contracts closed: no second cancel, no second note.
    await closeContract({ sagaId: 'run-1', event: deleted, recogniseEnd: state.recogniseEnd }, ports);
    expect(ledger.calls.get('cancelOrder')).toBe(2);
  });

  it('a deleted customer that never subscribed: nothing to close, no organization made on the desk', async () => {
    const { ports, desk } = await world({ subscriptions: [] });
    const state = await offboard(deleted, ports);
    expect(state).toMatchObject({ closeContract: { contracts: [] }, revokeEntitlement: { standing: 'cancelled', changed: false }, checkOpenInvoices: { outcome: 'none-open' } });
    expect(desk.organizations.size).toBe(0);
  });
  describe('the partner archived only when the stage says so and nothing is left', () => {
    const end = () => updated(9, snapshot('sub_1', 'canceled', cancelledAt));

    it('by default the partner stays, and the run says why', async () => {
      const { ports, archived } = await world();
      const state = await offboard(end(), ports);
      expect(state.archivePartner).toEqual({ outcome: 'kept', reason: 'the stage keeps former customers’ partners (sagas.offboarding.archivePartner)' });
      expect(archived).toEqual([]);
    });

    it('configured: no plan and nothing open → the customer’s partner archived; a redrive finds it archived', async () => {
      const { ports, archived } = await world({ archivePartner: true });
      const state = await offboard(end(), ports);
      expect(state.archivePartner).toEqual({ outcome: 'archived', partnerId: PARTNER_ID });
      expect(archived).toEqual([{ externalId: 'saas_sync.cust-1', knownId: PARTNER_ID }]);
      expect(await archivePartner(state, ports)).toEqual({ outcome: 'already-archived', partnerId: PARTNER_ID });
    });

    it('configured: an open invoice keeps the partner active for finance to collect', async () => {
      const open: OpenInvoice = { id: 91, name: 'INV/2026/00091', ref: 'in_1', amountDue: 4900, currency: 'USD', decimalPlaces: 2 };
      const { ports, archived } = await world({ archivePartner: true, openInvoices: [open] });
      const state = await offboard(end(), ports);
      expect(state.archivePartner).toEqual({ outcome: 'kept', reason: '1 invoice still open' });
      expect(archived).toEqual([]);
    });

    it('configured: another live subscription keeps the customer, and its partner', async () => {
      const { ports, archived } = await world({ archivePartner: true, subscriptions: ['sub_1', 'sub_2'] });
      const state = await offboard(end(), ports);
      expect(state.archivePartner).toEqual({ outcome: 'kept', reason: 'the customer is still active: another subscription gives it a plan' });
      expect(archived).toEqual([]);
    });
  });
});
