import { describe, expect, it } from 'vitest';
import type { AccountSnapshot, ContactSnapshot } from '../../../../events/crm-parts';
import { syncCustomer } from '../../../../functions/flows/customer-sync/sync-customer';
import { type CrmEvent, syncCrm } from '../../../../functions/flows/crm-sync/sync-crm';
import { InMemoryPartners, InMemoryWatermarks, inMemoryIdentityPorts } from '../../../support/in-memory-ports';
import { shuffled } from '../../../support/seeded-shuffle';

const PORTAL = '62515';
const account = (id: string, overrides: Partial<AccountSnapshot> = {}): AccountSnapshot => ({
  system: 'hubspot', account: PORTAL, id, ownerId: null, updatedAt: null, name: 'Acme Analytics GmbH', domain: 'acme-analytics.example', website: null, phone: '+49 30 1', industry: null, lifecycleStage: 'customer',
  address: { line1: 'CRM street 1', line2: null, city: 'Berlin', postalCode: '10117', state: null, country: 'Germany' }, links: [], taxId: null, ...overrides,
});
const contact = (id: string, accountId: string | null, overrides: Partial<ContactSnapshot> = {}): ContactSnapshot => ({
  system: 'hubspot', account: PORTAL, id, ownerId: null, updatedAt: null, firstName: 'Ada', lastName: `Person ${id}`, email: `p${id}@acme-analytics.example`, phone: null, jobTitle: 'CFO', lifecycleStage: null,
  accountIds: accountId === null ? [] : [accountId], primaryAccountId: accountId, ...overrides,
});
const envelope = (type: string, kind: string, id: string, second: number) => ({
  id: `hubspot:${type}:${id}:${second}`, type, source: 'hubspot' as const, subject: `hubspot:${kind}:${id}`, time: new Date(Date.UTC(2026, 11, 1, 10, 0, second)).toISOString(),
  correlationId: `hubspot:${id}:${second}`, causationId: `${id}:${second}`,
});
const accountUpserted = (snapshot: AccountSnapshot, second: number) => ({ ...envelope('account.upserted', 'account', snapshot.id, second), type: 'account.upserted' as const, dataVersion: 2 as const, data: { account: snapshot } });
const contactUpserted = (snapshot: ContactSnapshot, second: number) => ({ ...envelope('contact.upserted', 'contact', snapshot.id, second), type: 'contact.upserted' as const, dataVersion: 1 as const, data: { contact: snapshot } });
const contactMerged = (snapshot: ContactSnapshot, mergedIds: string[], second: number) => ({ ...envelope('contact.merged', 'contact', snapshot.id, second), type: 'contact.merged' as const, dataVersion: 1 as const, data: { contact: snapshot, mergedIds } });
const contactDeleted = (id: string, second: number) => ({ ...envelope('contact.deleted', 'contact', id, second), type: 'contact.deleted' as const, dataVersion: 1 as const, data: { contact: { system: 'hubspot' as const, account: PORTAL, id } } });
const accountMerged = (snapshot: AccountSnapshot, mergedIds: string[], second: number) => ({ ...envelope('account.merged', 'account', snapshot.id, second), type: 'account.merged' as const, dataVersion: 2 as const, data: { account: snapshot, mergedIds } });
const accountDeleted = (id: string, second: number) => ({ ...envelope('account.deleted', 'account', id, second), type: 'account.deleted' as const, dataVersion: 1 as const, data: { account: { system: 'hubspot' as const, account: PORTAL, id } } });

function ports() {
  const partners = new InMemoryPartners();
  return { ...inMemoryIdentityPorts({ partners }), partners, watermarks: new InMemoryWatermarks() };
}

/** Delivers until every event applied or went stale: a DependencyMissingError is retried later, as the queue does. */
async function deliver(events: CrmEvent[], p: ReturnType<typeof ports>) {
  let pending = [...events];
  for (let round = 0; pending.length > 0 && round < 10; round++) {
    const retry: CrmEvent[] = [];
    for (const event of pending) {
      try {
        await syncCrm(event, p);
      } catch (error) {
        if ((error as Error).name !== 'DependencyMissingError') throw error;
        retry.push(event);
      }
    }
    pending = retry;
  }
  expect(pending).toEqual([]);
}

const activePartners = (p: ReturnType<typeof ports>) => [...p.partners.records.entries()].filter(([, record]) => record.active).map(([id, record]) => ({ id, name: record.name, parent: record.parent_id ?? false, company: record.is_company }));

describe('syncCrm', () => {
  const story: CrmEvent[] = [
    accountUpserted(account('7101'), 1),
    contactUpserted(contact('7201', '7101'), 2),
    contactUpserted(contact('7202', '7101'), 3),
    contactUpserted(contact('7203', '7101'), 4),
    contactUpserted(contact('7201', '7101', { jobTitle: 'CEO' }), 5),
    // 7203 merged into 7202; 7201 deleted.
    contactMerged(contact('7202', '7101', { lastName: 'Merged' }), ['7203'], 6),
    contactDeleted('7201', 7),
  ];

  it('makes one company partner with its live contacts as children, whatever the order and however often delivered', async () => {
    const finals = new Set<string>();
    for (let seed = 1; seed <= 25; seed++) {
      const p = ports();
      await deliver(shuffled([...story, ...story], seed), p);
      const active = activePartners(p);
      const company = active.filter((partner) => partner.company);
      expect(company, `seed ${seed}`).toHaveLength(1);
      const children = active.filter((partner) => !partner.company);
      expect(children.map((child) => [child.name, child.parent]), `seed ${seed}`).toEqual([['Ada Merged', company[0]!.id]]);
      finals.add(JSON.stringify(active.map(({ name, parent, company: isCompany }) => ({ name, parent: parent === false ? false : 'company', isCompany }))));
    }
    expect(finals.size).toBe(1);
  });

  it('waits (retryable) for the account of a contact that arrives first', async () => {
    const p = ports();
    await expect(syncCrm(contactUpserted(contact('7201', '7101'), 2), p)).rejects.toMatchObject({ name: 'DependencyMissingError', retryable: true });
    expect(p.partners.records.size).toBe(0);
    expect(p.watermarks.leases.size).toBe(0);
  });

  it('writes the same partner as a billing customer of the same company, and keeps the billing address against a CRM edit', async () => {
    const p = ports();
    await syncCrm(accountUpserted(account('7101'), 1), p);
    const billing = await syncCustomer(
      {
        id: 'stripe:evt_1:customer.upserted', type: 'customer.upserted', source: 'stripe', subject: 'stripe:customer:cus_1', time: '2026-12-01T10:00:02.000Z', correlationId: 'stripe:evt_1', causationId: 'evt_1', dataVersion: 2,
        data: { customer: { system: 'stripe', id: 'cus_1', name: 'Acme Analytics GmbH', email: 'billing@acme-analytics.example', phone: null, address: { line1: 'Billing street 9', line2: null, city: 'Berlin', postalCode: '10115', state: null, country: 'DE' }, currency: 'eur', livemode: false, links: [{ system: 'hubspot', kind: 'account', id: '7101' }], taxId: null } },
      },
      p,
    );
    const crmEdit = await syncCrm(accountUpserted(account('7101', { address: { line1: 'CRM street 2', line2: null, city: 'Munich', postalCode: '80331', state: null, country: 'Germany' }, phone: '+49 89 2' }), 3), p);
    expect(crmEdit).toEqual({ outcome: 'upserted', partnerId: billing.outcome === 'upserted' ? billing.partnerId : -1 });
    expect(p.partners.records.size).toBe(1);
    expect(p.partners.records.get(crmEdit.outcome === 'upserted' ? crmEdit.partnerId : -1)).toMatchObject({ street: 'Billing street 9', city: 'Berlin', phone: '+49 89 2' });
    expect(p.drops).toContainEqual({ field: 'billingAddress', source: 'crm', record: 'hubspot:account:7101' });
  });

  it('a company merge in the CRM: the merged-away company’s partner merged into the survivor’s, its late events stale', async () => {
    const p = ports();
    const survivor = await syncCrm(accountUpserted(account('7101', { domain: 'one.example' }), 1), p);
    const absorbed = await syncCrm(accountUpserted(account('7102', { domain: 'two.example', name: 'Acme duplicate' }), 2), p);
    await syncCrm(contactUpserted(contact('7201', '7102'), 3), p);
    const merged = await syncCrm(accountMerged(account('7101', { domain: 'one.example' }), ['7102'], 4), p);
    const [survivorId, absorbedId] = [survivor, absorbed].map((outcome) => (outcome.outcome === 'upserted' ? outcome.partnerId : -1));
    expect(merged).toEqual({ outcome: 'merged', partnerId: survivorId, mergedIds: ['7102'] });
    expect(p.merger.merges).toEqual([[survivorId, absorbedId]]);
    expect(await p.identityMap.find('hubspot:account:7102', 'odoo', 'res.partner')).toBe(String(survivorId));
    expect((await syncCrm(accountUpserted(account('7102', { name: 'Late' }), 3), p)).outcome).toBe('stale');
    // A contact of the merged-away company now goes under the survivor.
    await syncCrm(contactUpserted(contact('7201', '7102', { jobTitle: 'CTO' }), 5), p);
    expect(activePartners(p).filter((partner) => !partner.company).map((partner) => partner.parent)).toEqual([survivorId]);
  });

  it('archives, never deletes, the partner of a deleted account no other system still has', async () => {
    const p = ports();
    await syncCrm(accountUpserted(account('7101'), 1), p);
    expect(await syncCrm(accountDeleted('7101', 2), p)).toEqual({ outcome: 'archived', archived: true });
    expect([...p.partners.records.values()].map((record) => record.active)).toEqual([false]);
  });

  describe('a record restored in the CRM (HubSpot restore, Salesforce UNDELETE: an upsert newer than the deletion)', () => {
    const partnerOfRecord = async (p: ReturnType<typeof ports>, key: string) => p.partners.records.get(Number(await p.identityMap.find(key, 'odoo', 'res.partner')));

    it('unarchives the company partner its deletion archived, whatever the order and however often delivered', async () => {
      const events: CrmEvent[] = [accountUpserted(account('7101'), 1), accountDeleted('7101', 2), accountUpserted(account('7101', { phone: '+49 30 9' }), 3)];
      for (let seed = 1; seed <= 20; seed++) {
        const p = ports();
        await deliver(shuffled([...events, ...events], seed), p);
        expect(await partnerOfRecord(p, 'hubspot:account:7101'), `seed ${seed}`).toMatchObject({ active: true, phone: '+49 30 9', is_company: true });
        expect(p.partners.records.size).toBe(1);
      }
      // Without its restore, no order brings the partner back: an upsert older than the deletion is stale, not a restore.
      for (let seed = 1; seed <= 10; seed++) {
        const p = ports();
        await deliver(shuffled([...events.slice(0, 2), ...events.slice(0, 2)], seed), p);
        expect([...p.partners.records.values()].filter((record) => record.active), `seed ${seed}`).toEqual([]);
      }
    });

    it('says it restored, once: the next edit of the live record is a plain upsert', async () => {
      const p = ports();
      await syncCrm(accountUpserted(account('7101'), 1), p);
      await syncCrm(accountDeleted('7101', 2), p);
      const restore = await syncCrm(accountUpserted(account('7101'), 3), p);
      expect(restore).toMatchObject({ outcome: 'upserted', restored: true });
      expect(await syncCrm(accountUpserted(account('7101', { phone: '+49 30 2' }), 4), p)).toEqual({ outcome: 'upserted', partnerId: restore.outcome === 'upserted' ? restore.partnerId : -1 });
    });

    it('unarchives a restored contact, under its company again', async () => {
      const p = ports();
      await deliver([accountUpserted(account('7101'), 1), contactUpserted(contact('7201', '7101'), 2), contactDeleted('7201', 3)], p);
      expect((await partnerOfRecord(p, 'hubspot:contact:7201'))?.active).toBe(false);
      expect(await syncCrm(contactUpserted(contact('7201', '7101'), 4), p)).toMatchObject({ outcome: 'upserted', restored: true });
      const company = await p.identityMap.find('hubspot:account:7101', 'odoo', 'res.partner');
      expect(await partnerOfRecord(p, 'hubspot:contact:7201')).toMatchObject({ active: true, parent_id: Number(company) });
    });

    it('leaves archived a partner someone archived in Odoo while its CRM record lived: only a restore unarchives', async () => {
      const p = ports();
      const { partnerId } = (await syncCrm(accountUpserted(account('7101'), 1), p)) as { partnerId: number };
      await p.partners.archive('by hand in Odoo', partnerId);
      expect(await syncCrm(accountUpserted(account('7101', { phone: '+49 30 3' }), 2), p)).toEqual({ outcome: 'upserted', partnerId });
      expect(p.partners.records.get(partnerId)).toMatchObject({ active: false, phone: '+49 30 3' });
    });
  });

  describe('a contact of several companies (Odoo’s parent_id holds one)', () => {
    const parentOf = async (p: ReturnType<typeof ports>, contactId: string) => p.partners.records.get(Number(await p.identityMap.find(`hubspot:contact:${contactId}`, 'odoo', 'res.partner')))?.parent_id;
    const companyPartner = async (p: ReturnType<typeof ports>, accountId: string) => Number(await p.identityMap.find(`hubspot:account:${accountId}`, 'odoo', 'res.partner'));
    const twoCompanies = async () => {
      const p = ports();
      await syncCrm(accountUpserted(account('7101', { domain: 'one.example' }), 1), p);
      await syncCrm(accountUpserted(account('7102', { domain: 'two.example', name: 'Second Co' }), 2), p);
      return p;
    };

    it('goes under the company the CRM marks primary, wherever it is listed; the other company gets no partner of it', async () => {
      const p = await twoCompanies();
      await syncCrm(contactUpserted(contact('7201', null, { accountIds: ['7101', '7102'], primaryAccountId: '7102' }), 3), p);
      expect(await parentOf(p, '7201')).toBe(await companyPartner(p, '7102'));
      expect(activePartners(p).filter((partner) => !partner.company)).toHaveLength(1);
    });

    it('with none marked primary, under the lowest id, whatever order a read lists them in', async () => {
      for (const [second, accountIds] of [[3, ['7102', '7101']], [4, ['7101', '7102']]] as const) {
        const p = await twoCompanies();
        await syncCrm(contactUpserted(contact('7201', null, { accountIds: [...accountIds], primaryAccountId: null }), second), p);
        expect(await parentOf(p, '7201')).toBe(await companyPartner(p, '7101'));
      }
    });

    it('moves when the CRM makes another company its primary', async () => {
      const p = await twoCompanies();
      await syncCrm(contactUpserted(contact('7201', null, { accountIds: ['7101', '7102'], primaryAccountId: '7101' }), 3), p);
      await syncCrm(contactUpserted(contact('7201', null, { accountIds: ['7102', '7101'], primaryAccountId: '7102' }), 4), p);
      expect(await parentOf(p, '7201')).toBe(await companyPartner(p, '7102'));
    });
  });
});
