import { describe, expect, it } from 'vitest';
import type { CustomerDirectory } from '../../../functions/domain/customer-directory';
import { type CustomerCandidate, normalizeDomain, resolutionKeys } from '../../../functions/domain/customer-resolution';
import { DEFAULT_IDENTITY_CONFIG } from '../../../functions/domain/identity-config';
import { absorbedCustomers, canonicalCustomer, partnerOfCustomer, resolveCustomer, writeCustomerPartner } from '../../../functions/flows/customer-identity';
import { InMemoryCustomerDirectory, InMemoryPartners, inMemoryIdentityPorts } from '../../support/in-memory-ports';
import { RoundTrips } from '../../support/round-trips';

const stripeCustomer = (id: string, overrides: Partial<CustomerCandidate> = {}): CustomerCandidate => ({ entityKey: `stripe:customer:${id}`, links: [], taxId: null, emails: [], websites: [], ...overrides });
const crmAccount = (id: string, overrides: Partial<CustomerCandidate> = {}): CustomerCandidate => ({ entityKey: `hubspot:account:${id}`, links: [], taxId: null, emails: [], websites: [], ...overrides });

/** A directory whose every answer comes after a few turns of the event loop, so concurrent resolutions interleave. */
class InterleavingDirectory implements CustomerDirectory {
  private turn = 0;
  constructor(
    readonly inner: InMemoryCustomerDirectory,
    private readonly delays: readonly number[],
  ) {}
  private async pause() {
    const turns = this.delays[this.turn++ % this.delays.length]!;
    for (let index = 0; index < turns; index++) await Promise.resolve();
  }
  async holderOf(key: string) {
    await this.pause();
    return this.inner.holderOf(key);
  }
  async claim(key: string, customerId: string) {
    await this.pause();
    return this.inner.claim(key, customerId);
  }
  async keysOf(customerId: string) {
    await this.pause();
    return this.inner.keysOf(customerId);
  }
}

describe('the keys a record is recognised by', () => {
  it('puts explicit links first, then the VAT, then company domains, leaving free-mail domains out', () => {
    const keys = resolutionKeys(
      stripeCustomer('cus_1', { links: [{ system: 'hubspot', kind: 'account', id: '7' }], taxId: 'de 123.456.789', emails: ['ada@Gmail.com', 'billing@acme.example'], websites: ['https://www.acme.example/about'] }),
      DEFAULT_IDENTITY_CONFIG,
    );
    expect(keys).toEqual([
      { key: 'hubspot:account:7', evidence: 'explicit' },
      { key: 'match:vat:DE123456789', evidence: 'match' },
      { key: 'match:domain:acme.example', evidence: 'match' },
    ]);
  });

  it('follows the configured order, and leaves out a rule the stage does not list', () => {
    const candidate = stripeCustomer('cus_1', { links: [{ system: 'hubspot', kind: 'account', id: '7' }], taxId: 'DE123456789', emails: ['a@acme.example'] });
    expect(resolutionKeys(candidate, { ...DEFAULT_IDENTITY_CONFIG, resolution: ['domain', 'explicitLink'] }).map((key) => key.key)).toEqual(['match:domain:acme.example', 'hubspot:account:7']);
  });

  it('normalizes web domains', () => {
    expect(normalizeDomain('HTTPS://WWW.Acme.Example:443/x?y')).toBe('acme.example');
    expect(normalizeDomain('not a domain')).toBeNull();
  });
});

describe('resolveCustomer', () => {
  it('gives a billing customer that names a CRM company the customer of that company, whichever speaks first', async () => {
    for (const first of ['crm', 'billing'] as const) {
      const ports = inMemoryIdentityPorts();
      const crm = () => resolveCustomer(ports, crmAccount('7'));
      const billing = () => resolveCustomer(ports, stripeCustomer('cus_1', { links: [{ system: 'hubspot', kind: 'account', id: '7' }] }));
      const [a, b] = first === 'crm' ? [await crm(), await billing()] : [await billing(), await crm()];
      expect(a.customerId).toBe(b.customerId);
    }
  });

  it('matches by company email domain, never by a free-mail one', async () => {
    const ports = inMemoryIdentityPorts();
    const account = await resolveCustomer(ports, crmAccount('7', { websites: ['acme.example'] }));
    expect((await resolveCustomer(ports, stripeCustomer('cus_1', { emails: ['billing@acme.example'] }))).customerId).toBe(account.customerId);
    const gmail1 = await resolveCustomer(ports, stripeCustomer('cus_2', { emails: ['ada@gmail.com'] }));
    const gmail2 = await resolveCustomer(ports, stripeCustomer('cus_3', { emails: ['bob@gmail.com'] }));
    expect(gmail1.customerId).not.toBe(gmail2.customerId);
  });

  it('a new customer’s lookups, then its claims, each go to the directory at once: its round trips do not grow with its keys', async () => {
    // A directory that tells how many of its requests were in flight together (each answers after a timer).
    const inner = new InMemoryCustomerDirectory();
    const trips = new RoundTrips();
    const directory: CustomerDirectory = {
      holderOf: (key) => trips.measure(() => inner.holderOf(key)),
      claim: (key, customerId) => trips.measure(() => inner.claim(key, customerId)),
      keysOf: (customerId) => inner.keysOf(customerId),
    };
    const record = stripeCustomer('cus_wide', { taxId: 'DE123', emails: ['ap@wide.example'], websites: ['https://wide-group.example'] });
    const keys = 1 + resolutionKeys(record, DEFAULT_IDENTITY_CONFIG).length;
    const { customerId } = await resolveCustomer({ directory, identity: DEFAULT_IDENTITY_CONFIG }, record);
    // Every key looked up in one round, claimed in one round, then the customer's forward read once after the claims
    // (one after the other, they were 3 × keys + 1 round trips; the same forward read again at the end, 4 rounds).
    expect(trips.rounds).toEqual([keys, keys, 1]);
    expect((await inner.keysOf(customerId)).sort()).toEqual([record.entityKey, ...resolutionKeys(record, DEFAULT_IDENTITY_CONFIG).map(({ key }) => key)].sort());
  });

  it('ends with ONE customer when records of one company resolve at the same time, in any interleaving', async () => {
    const records = [
      crmAccount('7', { websites: ['acme.example'], links: [{ system: 'stripe', kind: 'customer', id: 'cus_2' }] }),
      stripeCustomer('cus_1', { emails: ['billing@acme.example'] }),
      stripeCustomer('cus_2', { emails: ['ap@acme.example'] }),
    ];
    for (let seed = 0; seed < 60; seed++) {
      const delays = Array.from({ length: 7 }, (_, index) => (seed * 7 + index * 3) % 5);
      const inner = new InMemoryCustomerDirectory();
      const ports = { ...inMemoryIdentityPorts(), directory: new InterleavingDirectory(inner, delays) };
      const resolved = await Promise.all(records.map((record) => resolveCustomer(ports, record)));
      const canonical = await Promise.all(resolved.map((resolution) => canonicalCustomer(inner, resolution.customerId)));
      expect(new Set(canonical).size, `seed ${seed}`).toBe(1);
      // A record resolved again (a redelivery) finds the same customer.
      expect(await canonicalCustomer(inner, (await resolveCustomer({ ...ports, directory: inner }, records[1]!)).customerId)).toBe(canonical[0]);
    }
  });

  it('joins two customers that already exist when a later explicit link shows they are one', async () => {
    const ports = inMemoryIdentityPorts();
    const account = await resolveCustomer(ports, crmAccount('7'));
    const billing = await resolveCustomer(ports, stripeCustomer('cus_1'));
    expect(billing.customerId).not.toBe(account.customerId);
    const linked = await resolveCustomer(ports, stripeCustomer('cus_1', { links: [{ system: 'hubspot', kind: 'account', id: '7' }] }));
    expect(linked.merges).toEqual([{ survivor: billing.customerId, absorbed: account.customerId }]);
    expect(await canonicalCustomer(ports.directory, account.customerId)).toBe(billing.customerId);
    expect((await resolveCustomer(ports, crmAccount('7'))).customerId).toBe(billing.customerId);
  });

  it('names every customer joined into a survivor, through joins of joins, and none for a customer never joined', async () => {
    const ports = inMemoryIdentityPorts();
    const [first, second, third] = (await Promise.all(['cus_1', 'cus_2', 'cus_3'].map(async (id) => (await resolveCustomer(ports, stripeCustomer(id))).customerId))) as [string, string, string];
    // cus_1's customer joins cus_2's (a CRM company both link to), which later joins cus_3's.
    await resolveCustomer(ports, stripeCustomer('cus_1', { links: [{ system: 'hubspot', kind: 'account', id: '8' }] }));
    const joined = await resolveCustomer(ports, stripeCustomer('cus_2', { links: [{ system: 'hubspot', kind: 'account', id: '8' }] }));
    expect(joined.merges).toEqual([{ survivor: second, absorbed: first }]);
    await resolveCustomer(ports, stripeCustomer('cus_3', { links: [{ system: 'stripe', kind: 'customer', id: 'cus_2' }] }));
    expect(await canonicalCustomer(ports.directory, first)).toBe(third);
    expect(await absorbedCustomers(ports.directory, third)).toEqual([first, second].sort());
    expect(await absorbedCustomers(ports.directory, first)).toEqual([]);
  });
});

describe('writeCustomerPartner', () => {
  const crmWrite = (candidate: CustomerCandidate, street: string) => ({
    candidate,
    source: 'crm' as const,
    values: { legalName: { name: 'Acme (CRM)' }, phone: { phone: '+1 555 0100' }, billingAddress: { street, street2: false as const, city: false as const, zip: false as const } },
    always: { is_company: true },
  });
  const billingWrite = (candidate: CustomerCandidate) => ({
    candidate,
    source: 'billing' as const,
    values: { legalName: { name: 'Acme GmbH' }, phone: { phone: '+1 555 0199' }, billingAddress: { street: 'Billing street 1', street2: false as const, city: 'Berlin', zip: '10117' } },
    always: { is_company: true },
    onCreate: { ref: 'cus_1' },
  });

  it('writes ONE partner for a CRM company and the billing customer that is the same company, each owner its fields', async () => {
    const partners = new InMemoryPartners();
    const ports = inMemoryIdentityPorts({ partners });
    const link = [{ system: 'hubspot' as const, kind: 'account', id: '7' }];
    const first = await writeCustomerPartner(ports, crmWrite(crmAccount('7'), 'CRM street 9'));
    const second = await writeCustomerPartner(ports, billingWrite(stripeCustomer('cus_1', { links: link })));
    const third = await writeCustomerPartner(ports, crmWrite(crmAccount('7'), 'CRM street 10'));
    expect(new Set([first.partnerId, second.partnerId, third.partnerId]).size).toBe(1);
    expect(partners.records.size).toBe(1);
    // The CRM created it (all its fields); billing then wrote what billing owns; the CRM's later address is dropped.
    expect(partners.records.get(first.partnerId)).toMatchObject({ name: 'Acme GmbH', street: 'Billing street 1', city: 'Berlin', phone: '+1 555 0100' });
    expect(ports.drops).toEqual([
      { field: 'phone', source: 'billing', record: 'stripe:customer:cus_1' },
      { field: 'legalName', source: 'crm', record: 'hubspot:account:7' },
      { field: 'billingAddress', source: 'crm', record: 'hubspot:account:7' },
    ]);
    expect(await partnerOfCustomer(ports.identityMap, first.customerId)).toBe(first.partnerId);
    expect(await ports.identityMap.find('stripe:customer:cus_1', 'saas_sync', 'customer')).toBe(first.customerId);
  });

  it('consolidates on a retry the partners a failed merge left: the join is not lost with the attempt', async () => {
    const partners = new InMemoryPartners();
    const ports = inMemoryIdentityPorts({ partners });
    const account = await writeCustomerPartner(ports, crmWrite(crmAccount('7'), 'CRM street 9'));
    const billing = await writeCustomerPartner(ports, billingWrite(stripeCustomer('cus_1')));
    const linkedWrite = billingWrite(stripeCustomer('cus_1', { links: [{ system: 'hubspot', kind: 'account', id: '7' }] }));
    const merge = ports.merger.merge.bind(ports.merger);
    ports.merger.merge = async () => {
      throw new Error('Odoo timed out');
    };
    await expect(writeCustomerPartner(ports, linkedWrite)).rejects.toThrow('Odoo timed out');
    ports.merger.merge = merge;
    await writeCustomerPartner(ports, linkedWrite);
    expect(ports.merger.merges).toEqual([[billing.partnerId, account.partnerId]]);
    expect([...partners.records.keys()]).toEqual([billing.partnerId]);
  });

  it('merges the two partners in Odoo when a later link joins two customers that each have one (or flags them, by configuration)', async () => {
    for (const onDuplicatePartners of ['merge', 'review'] as const) {
      const partners = new InMemoryPartners();
      const ports = inMemoryIdentityPorts({ partners, identity: { onDuplicatePartners } });
      const account = await writeCustomerPartner(ports, crmWrite(crmAccount('7'), 'CRM street 9'));
      const billing = await writeCustomerPartner(ports, billingWrite(stripeCustomer('cus_1')));
      expect(billing.partnerId).not.toBe(account.partnerId);
      const linked = await writeCustomerPartner(ports, billingWrite(stripeCustomer('cus_1', { links: [{ system: 'hubspot', kind: 'account', id: '7' }] })));
      if (onDuplicatePartners === 'merge') {
        expect(ports.merger.merges).toEqual([[billing.partnerId, account.partnerId]]);
        expect(linked.partnerId).toBe(billing.partnerId);
        expect(await ports.identityMap.find('hubspot:account:7', 'odoo', 'res.partner')).toBe(String(billing.partnerId));
        expect([...partners.records.keys()]).toEqual([billing.partnerId]);
      } else {
        // Flagged once, however often the company's records are written again.
        await writeCustomerPartner(ports, billingWrite(stripeCustomer('cus_1', { links: [{ system: 'hubspot', kind: 'account', id: '7' }] })));
        await writeCustomerPartner(ports, crmWrite(crmAccount('7'), 'CRM street 9'));
        expect(ports.merger.flags).toEqual([[billing.partnerId, account.partnerId]]);
        expect(ports.merger.merges).toEqual([]);
      }
    }
  });
});
