import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_ENTITLEMENT_STATE } from '../../../functions/domain/entitlement-store';
import { EntitlementTable } from '../../../functions/state/entitlement-table';
import { TicketEffectsTable } from '../../../functions/state/ticket-effects-table';
import { LeaseLostError, WatermarkTable } from '../../../functions/state/watermark-table';
import { startDynamoDb, STATE_TABLES } from '../../support/dynamodb-local';

let dynamo: Awaited<ReturnType<typeof startDynamoDb>>;

beforeAll(async () => {
  dynamo = await startDynamoDb([STATE_TABLES.watermarks]);
});
afterAll(() => dynamo.stop());

describe('EntitlementTable (DynamoDB, beside the watermark lease)', () => {
  const entitlements = () => new EntitlementTable(dynamo.documents, 'watermarks');
  const watermarks = () => new WatermarkTable(dynamo.documents, 'watermarks', 60);

  it('saves a customer’s state only under its lease, keeps it across the lease’s commit, and reads it back', async () => {
    const state = { ...EMPTY_ENTITLEMENT_STATE, organizationName: 'Acme GmbH', inputs: { ...EMPTY_ENTITLEMENT_STATE.inputs, customers: [{ system: 'stripe' as const, customerId: 'cus_1' }] } };
    expect(await entitlements().load('cust-1')).toEqual(EMPTY_ENTITLEMENT_STATE);
    await expect(entitlements().save('cust-1', 'evt_1', state)).rejects.toBeInstanceOf(LeaseLostError);
    await watermarks().acquire('entitlement:cust-1', 'evt_1');
    await entitlements().save('cust-1', 'evt_1', state);
    await watermarks().commit('entitlement:cust-1', 'evt_1', '2026-05-01T00:00:01.000Z|evt_1');
    expect(await entitlements().load('cust-1')).toEqual(state);
    expect(await watermarks().acquire('entitlement:cust-1', 'evt_2')).toEqual({ watermark: '2026-05-01T00:00:01.000Z|evt_1' });
  });

  it('meets an invoice’s failure and its payment whichever is recorded first', async () => {
    const table = entitlements();
    // The payment first (it names no customer): the failure's claim finds it.
    expect(await table.recordInvoicePayment({ system: 'stripe', id: 'in_1' }, '2026-05-01T00:00:03.000Z')).toEqual({ owner: undefined });
    expect(await table.claimInvoice({ system: 'stripe', id: 'in_1' }, { system: 'stripe', customerId: 'cus_1' })).toEqual({ paidAt: '2026-05-01T00:00:03.000Z' });
    // The failure first: the payment finds its owner.
    expect(await table.claimInvoice({ system: 'stripe', id: 'in_2' }, { system: 'stripe', customerId: 'cus_1' })).toEqual({ paidAt: null });
    expect(await table.recordInvoicePayment({ system: 'stripe', id: 'in_2' }, '2026-05-02T00:00:00.000Z')).toEqual({ owner: { system: 'stripe', customerId: 'cus_1' } });
    expect(await table.invoiceOwner({ system: 'stripe', id: 'in_2' })).toEqual({ system: 'stripe', customerId: 'cus_1' });
    expect(await table.invoiceOwner({ system: 'stripe', id: 'in_9' })).toBeUndefined();
  });
});

describe('TicketEffectsTable (DynamoDB)', () => {
  it('records a ticket’s effects under its lease only', async () => {
    const effects = new TicketEffectsTable(dynamo.documents, 'watermarks');
    const lease = new WatermarkTable(dynamo.documents, 'watermarks', 60);
    expect(await effects.load('zendesk:ticket:1')).toEqual({ escalated: false, openedNoted: false, solvedNoted: false });
    await expect(effects.save('zendesk:ticket:1', 'evt_1', { escalated: true, openedNoted: false, solvedNoted: false })).rejects.toBeInstanceOf(LeaseLostError);
    await lease.acquire('zendesk:ticket:1', 'evt_1');
    await effects.save('zendesk:ticket:1', 'evt_1', { escalated: true, openedNoted: true, solvedNoted: false });
    expect(await effects.load('zendesk:ticket:1')).toEqual({ escalated: true, openedNoted: true, solvedNoted: false });
  });
});
