import { describe, expect, it } from 'vitest';
import type { AccountSnapshot } from '../../../events/crm-parts';
import type { CustomerSnapshot, CustomerUpserted } from '../../../events/customer-upserted';
import { type CrmEvent, syncCrm } from '../../../functions/flows/crm-sync/sync-crm';
import { syncCustomer } from '../../../functions/flows/customer-sync/sync-customer';
import { CrmWriteBackWorkspace } from '../../support/crm-write-back-workspace';
import { InMemoryPartners, InMemoryWatermarks, inMemoryIdentityPorts } from '../../support/in-memory-ports';
import { shuffled } from '../../support/seeded-shuffle';

const PORTAL = '62515';
const account = (id: string, overrides: Partial<AccountSnapshot> = {}): AccountSnapshot => ({
  system: 'hubspot', account: PORTAL, id, ownerId: null, updatedAt: null, name: 'Acme Analytics GmbH', domain: 'acme-analytics.example', website: null, phone: null, industry: null, lifecycleStage: null,
  address: null, links: [], taxId: null, ...overrides,
});
const accountUpserted = (snapshot: AccountSnapshot, second: number): CrmEvent => ({
  id: `hubspot:account.upserted:${snapshot.id}:${second}`, type: 'account.upserted', source: 'hubspot', subject: `hubspot:account:${snapshot.id}`,
  time: new Date(Date.UTC(2026, 11, 1, 10, 0, second)).toISOString(), correlationId: `c${second}`, causationId: `c${second}`, dataVersion: 2, data: { account: snapshot },
});
const customer = (id: string, overrides: Partial<CustomerSnapshot> = {}): CustomerSnapshot => ({
  system: 'stripe', id, name: 'Acme', email: 'billing@acme-analytics.example', phone: null, address: null, currency: 'usd', livemode: false, links: [], taxId: null, ...overrides,
});
const customerUpserted = (snapshot: CustomerSnapshot, second: number): CustomerUpserted => ({
  id: `stripe:evt_${snapshot.id}_${second}:customer.upserted`, type: 'customer.upserted', source: 'stripe', subject: `stripe:customer:${snapshot.id}`,
  time: new Date(Date.UTC(2026, 11, 1, 10, 0, second)).toISOString(), correlationId: `s${second}`, causationId: `s${second}`, dataVersion: 2, data: { customer: snapshot },
});

function ports(hubspot = new CrmWriteBackWorkspace('hubspot', ['7101', '7102'])) {
  const partners = new InMemoryPartners();
  return { ...inMemoryIdentityPorts({ partners }), partners, watermarks: new InMemoryWatermarks(), hubspot, crmWorkspaceOf: (system: string) => (system === 'hubspot' ? hubspot : undefined) };
}
const customerIdOf = async (p: ReturnType<typeof ports>, key: string) => p.identityMap.find(key, 'saas_sync', 'customer');

describe('the CRM write-back', () => {
  it('writes a CRM company’s Odoo partner and customer ids onto it once its partner exists', async () => {
    const p = ports();
    await syncCrm(accountUpserted(account('7101'), 1), p);
    const [partnerId] = [...p.partners.records.keys()];
    expect(p.hubspot.companies.get('7101')).toEqual({ odooPartnerId: partnerId, customerId: await customerIdOf(p, 'hubspot:account:7101') });
  });

  it('writes the billing customer id when a billing customer joins the company (explicit link), and the partner stays one', async () => {
    const p = ports();
    await syncCrm(accountUpserted(account('7101'), 1), p);
    await syncCustomer(customerUpserted(customer('cus_1', { links: [{ system: 'hubspot', kind: 'account', id: '7101' }] }), 2), p);
    expect(p.partners.records.size).toBe(1);
    expect(p.hubspot.companies.get('7101')).toMatchObject({ odooPartnerId: [...p.partners.records.keys()][0], billingCustomerId: 'cus_1' });
  });

  it('writes onto a company a billing customer named before the company’s own event came (the link claims it)', async () => {
    const p = ports();
    await syncCustomer(customerUpserted(customer('cus_1', { links: [{ system: 'hubspot', kind: 'account', id: '7102' }] }), 1), p);
    expect(p.hubspot.companies.get('7102')).toMatchObject({ odooPartnerId: [...p.partners.records.keys()][0], billingCustomerId: 'cus_1' });
  });

  it('does not loop: the CRM’s echo of our write, and every redelivery in any order, changes nothing more', async () => {
    const story = [accountUpserted(account('7101'), 1), customerUpserted(customer('cus_1', { links: [{ system: 'hubspot', kind: 'account', id: '7101' }] }), 2)];
    for (let seed = 1; seed <= 10; seed++) {
      const p = ports();
      for (const event of shuffled([...story, ...story], seed)) {
        if (event.type === 'customer.upserted') await syncCustomer(event, p);
        else await syncCrm(event, p);
      }
      // Each of the three ids written once, whatever the order: none rewritten, none undone.
      expect(p.hubspot.changes.map((change) => change.split('=')[0]).sort(), `seed ${seed}`).toEqual(['7101 billingCustomerId', '7101 customerId', '7101 odooPartnerId']);
      expect(p.partners.records.size).toBe(1);
      expect(p.hubspot.companies.get('7101'), `seed ${seed}`).toEqual({ odooPartnerId: [...p.partners.records.keys()][0], billingCustomerId: 'cus_1', customerId: await customerIdOf(p, 'hubspot:account:7101') });
      // The company as the CRM now holds it, our ids on it, sent back (had the ingest not dropped it): nothing written.
      await syncCrm(accountUpserted(account('7101', { links: [{ system: 'stripe', kind: 'customer', id: 'cus_1' }] }), 3), p);
      expect(p.hubspot.changes, `seed ${seed}`).toHaveLength(3);
    }
  });

  it('writes nothing to a CRM the function is not given, nor for a billing customer alone', async () => {
    const p = { ...ports(), crmWorkspaceOf: () => undefined };
    await syncCrm(accountUpserted(account('7101'), 1), p);
    expect(p.hubspot.changes).toEqual([]);
    const alone = ports();
    await syncCustomer(customerUpserted(customer('cus_9', { email: 'x@elsewhere.example' }), 1), alone);
    expect(alone.hubspot.changes).toEqual([]);
  });
});
