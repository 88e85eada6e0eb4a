import { describe, expect, it } from 'vitest';
import type { SubscriptionSnapshot, SubscriptionUpdated } from '../../../events/subscription-updated';
import { syncEntitlement } from '../../../functions/flows/entitlements/sync-entitlement';
import { syncSubscription } from '../../../functions/flows/subscription-sync/sync-subscription';
import { isRetryable, PermanentSyncError } from '../../../functions/platform/errors';
import type { AmendmentState } from '../../../functions/sagas/amendment/amendment-state';
import {
  type AmendmentPorts,
  ContractGoneError,
  rederiveEntitlement,
  restoreContractLines,
  updateCrm,
  verifyContractAmended,
} from '../../../functions/sagas/amendment/amendment-steps';
import type { InMemorySubscriptionLedger } from '../../support/in-memory-contracts';
import { sagaCustomer } from '../../support/lifecycle-saga-fixtures';


type Item = SubscriptionSnapshot['items'][number];
const basic = (seats: number): Item => ({ id: 'si_1', priceId: 'price_BASIC', productId: null, description: 'Basic', quantity: seats, unitAmount: 4999, interval: 'month', intervalCount: 1 });
const pro = (seats: number): Item => ({ id: 'si_1', priceId: 'price_PRO', productId: null, description: 'Pro', quantity: seats, unitAmount: 9900, interval: 'month', intervalCount: 1 });
function snapshot(items: Item[], status: SubscriptionSnapshot['status'] = 'active'): SubscriptionSnapshot {
  const ended = status === 'canceled' ? '2026-11-20T00:00:00.000Z' : null;
  return {
    system: 'stripe', account: null, customerId: 'cus_1', id: 'sub_1', status, currency: 'usd', items,
    currentPeriodStart: null, currentPeriodEnd: null, cancelAtPeriodEnd: false, canceledAt: ended, endedAt: ended, livemode: false,
  };
}
const updated = (second: number, subscription: SubscriptionSnapshot): SubscriptionUpdated => ({
  id: `stripe:evt_${second}:subscription.updated`, type: 'subscription.updated', source: 'stripe', subject: 'stripe:subscription:sub_1',
  time: new Date(Date.UTC(2026, 10, 1, 10, 0, second)).toISOString(), correlationId: `stripe:evt_${second}`, causationId: `evt_${second}`,
  dataVersion: 1, data: { subscription },
});

/** A customer on Basic × 3, booked in Odoo and entitled as the flows left it; `amend` is subscription-sync applying a change. */
async function world(options: { crmCompany?: string; crm?: false } = {}) {
  const customer = await sagaCustomer(options);
  const { published } = customer;
  const ports: AmendmentPorts = { subscriptions: customer.subscriptions, entitlements: customer.entitlements, crm: options.crm === false ? undefined : customer.crm };
  const start = updated(1, snapshot([basic(3)]));
  await syncSubscription(start, ports.subscriptions);
  await syncEntitlement(start, ports.entitlements);
  /** subscription-sync applies a snapshot; returns the saga's input for the amendment it announced. */
  const amend = async (event: SubscriptionUpdated): Promise<AmendmentState> => {
    await syncSubscription(event, ports.subscriptions);
    const announced = published.find((candidate) => candidate.id === `${event.id}:amended`);
    if (announced === undefined) throw new Error(`${event.id} announced no amendment`);
    return { sagaId: announced.id, event: announced };
  };
  return { ...customer, ports, amend };
}

/** What finance sees of the contract: its lines with a quantity. */
const linesOf = (ledger: InMemorySubscriptionLedger) => ledger.contract('sub_1')[0]?.lines.map(({ name, quantity, priceUnit }) => ({ name, quantity, priceUnit }));

/** What Step Functions puts in the state when a step fails for good: Lambda's error as JSON in the Cause. */
const failedWith = (message: string) => ({ Error: 'PermanentSyncError', Cause: JSON.stringify({ errorType: 'PermanentSyncError', errorMessage: message, trace: ['at updateCrm'] }) });

describe('amendment steps', () => {
  it('a plan change: verified in Odoo, the entitlement re-derived on the desk (new tier), a note on the CRM company from → to', async () => {
    const { ports, desk, crm, amend } = await world({ crmCompany: '777' });
    let state = await amend(updated(2, snapshot([pro(5)])));

    state = { ...state, verifyContractAmended: await verifyContractAmended(state, ports) };
    state = { ...state, rederiveEntitlement: await rederiveEntitlement(state, ports) };
    const crmResult = await updateCrm(state, ports);

    expect(state.verifyContractAmended).toEqual({ outcome: 'amended', orderId: 1, orderName: 'S00001' });
    expect(state.rederiveEntitlement).toMatchObject({ outcome: 'entitlement-changed', customer: 'cust-1', tier: 'premium' });
    expect(desk.organizations.get('cust-1')?.fields).toMatchObject({ tier: 'premium', mrr: '495.00 USD' });
    expect(crmResult).toEqual({ outcome: 'noted', companyId: '777' });
    expect([...crm.companyNotes.values()]).toEqual([
      {
        companyId: '777',
        text: 'Contract S00001 amended (subscription sub_1 at Stripe, 2026-11-01): Basic (monthly) × 3 at 49.99 USD → Pro (monthly) × 5 at 99.00 USD.',
      },
    ]);
    // Once per run: the note's key.
    await updateCrm(state, ports);
    expect(crm.companyNotes.size).toBe(1);
  });

  it('the flow re-derived the entitlement first: unchanged, nothing pushed twice', async () => {
    const { ports, desk, amend } = await world();
    const change = updated(2, snapshot([basic(4)]));
    let state = await amend(change);
    await syncEntitlement(change, ports.entitlements);
    const pushes = desk.pushes;

    state = { ...state, verifyContractAmended: await verifyContractAmended(state, ports) };
    const result = await rederiveEntitlement(state, ports);

    expect(result).toMatchObject({ outcome: 'entitlement-unchanged', customer: 'cust-1' });
    expect(desk.pushes).toBe(pushes);
    expect(desk.organizations.get('cust-1')?.fields).toMatchObject({ mrr: '199.96 USD' });
  });

  it('a newer amendment since: superseded, and the restore leaves the contract as the newer one made it', async () => {
    const { ports, ledger, amend } = await world();
    const state = await amend(updated(2, snapshot([basic(5)])));
    await amend(updated(3, snapshot([pro(5)])));

    const verified = await verifyContractAmended(state, ports);
    const restored = await restoreContractLines({ ...state, verifyContractAmended: { ...verified, outcome: 'amended' }, failure: failedWith('boom') }, ports);

    expect(verified).toEqual({ outcome: 'superseded', orderId: 1, orderName: 'S00001' });
    expect(restored).toEqual({ outcome: 'newer-amendment-kept' });
    expect(linesOf(ledger)).toEqual([{ name: 'Pro (monthly)', quantity: 5, priceUnit: 99 }]);
    expect(await restoreContractLines({ ...state, verifyContractAmended: verified }, ports)).toEqual({ outcome: 'nothing-to-undo' });
  });

  it('waits (retryable) while subscription-sync has not written the amendment it announced, and fails for good on a cancelled contract', async () => {
    const { ports, ledger, published } = await world();
    const amendOrder = ledger.amendOrder.bind(ledger);
    ledger.amendOrder = async () => {
      throw new Error('Odoo went away');
    };
    const change = updated(2, snapshot([basic(5)]));
    await expect(syncSubscription(change, ports.subscriptions)).rejects.toThrow('Odoo went away');
    const state: AmendmentState = { sagaId: published[0]!.id, event: published[0]! };

    const waiting = await verifyContractAmended(state, ports).catch((caught: unknown) => caught);
    ledger.amendOrder = amendOrder;
    await syncSubscription(change, ports.subscriptions);
    const verified = await verifyContractAmended(state, ports);
    await syncSubscription(updated(3, snapshot([basic(5)], 'canceled')), ports.subscriptions);
    const gone = await verifyContractAmended(state, ports).catch((caught: unknown) => caught);

    expect(isRetryable(waiting)).toBe(true);
    expect(String(waiting)).toContain('does not have the amendment yet');
    expect(verified.outcome).toBe('amended');
    expect(gone).toBeInstanceOf(ContractGoneError);
    expect(isRetryable(gone)).toBe(false);
  });

  it('a permanent failure at UpdateCrm: the previous lines restored with a note saying why; run again, nothing more', async () => {
    const { ports, ledger, standing, crm, amend } = await world({ crmCompany: '777' });
    crm.noteOnCompany = async () => {
      throw new PermanentSyncError('the CRM refused the note');
    };
    let state = await amend(updated(2, snapshot([pro(5)])));
    state = { ...state, verifyContractAmended: await verifyContractAmended(state, ports) };
    state = { ...state, rederiveEntitlement: await rederiveEntitlement(state, ports) };
    const error = await updateCrm(state, ports).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermanentSyncError);

    state = { ...state, failure: failedWith('the CRM refused the note') };
    const restored = await restoreContractLines(state, ports);
    const again = await restoreContractLines(state, ports);

    expect(restored).toEqual({ outcome: 'restored' });
    expect(again).toEqual({ outcome: 'already-previous' });
    expect(linesOf(ledger)).toEqual([{ name: 'Basic (monthly)', quantity: 3, priceUnit: 49.99 }]);
    expect(ledger.contract('sub_1')[0]?.state).toBe('confirmed');
    expect(standing.notes.filter((note) => note.model === 'sale.order')).toEqual([
      {
        model: 'sale.order',
        id: 1,
        body: 'Amendment undone, lines restored to Basic (monthly) × 3 at 49.99 USD (were Pro (monthly) × 5 at 99.00 USD): the CRM refused the note.',
      },
    ]);
  });

  it('restores nothing on a contract cancelled since', async () => {
    const { ports, ledger, standing, amend } = await world();
    let state = await amend(updated(2, snapshot([basic(5)])));
    state = { ...state, verifyContractAmended: await verifyContractAmended(state, ports), failure: failedWith('boom') };
    await syncSubscription(updated(3, snapshot([basic(5)], 'canceled')), ports.subscriptions);

    expect(await restoreContractLines(state, ports)).toEqual({ outcome: 'order-gone' });
    expect(standing.notes.filter((note) => note.model === 'sale.order')).toEqual([]);
    expect(ledger.contract('sub_1')[0]?.state).toBe('cancelled');
  });

  it('says no-crm when the stage runs no CRM or the customer has no company there', async () => {
    const without = await world({ crm: false });
    const noCrm = await without.amend(updated(2, snapshot([basic(5)])));
    expect(await updateCrm({ ...noCrm, verifyContractAmended: await verifyContractAmended(noCrm, without.ports) }, without.ports)).toEqual({ outcome: 'no-crm', reason: 'the stage runs no CRM' });

    const noCompany = await world();
    const state = await noCompany.amend(updated(2, snapshot([basic(5)])));
    expect(await updateCrm({ ...state, verifyContractAmended: await verifyContractAmended(state, noCompany.ports) }, noCompany.ports)).toEqual({ outcome: 'no-crm', reason: 'customer cust-1 has no company in HubSpot' });
    expect(noCompany.crm.companyNotes.size).toBe(0);
  });
});
