import { describe, expect, it } from 'vitest';
import type { CustomerDeleted } from '../../../../events/customer-deleted';
import type { CustomerSnapshot, CustomerUpserted } from '../../../../events/customer-upserted';
import { syncCustomer } from '../../../../functions/flows/customer-sync/sync-customer';
import { CrmWriteBackWorkspace } from '../../../support/crm-write-back-workspace';
import { InMemoryPartners, InMemoryWatermarks, inMemoryIdentityPorts } from '../../../support/in-memory-ports';
import { RoundTrips } from '../../../support/round-trips';

const CUSTOMER = 'cus_QXg1o8vcGmoR32';
const subject = `stripe:customer:${CUSTOMER}`;

function snapshot(overrides: Partial<CustomerSnapshot> = {}): CustomerSnapshot {
  return { system: 'stripe', id: CUSTOMER, name: 'Acme', email: 'a@acme.example', phone: null, address: null, currency: 'usd', livemode: false, links: [], taxId: null, ...overrides };
}
function upserted(eventId: string, second: number, overrides: Partial<CustomerSnapshot> = {}): CustomerUpserted {
  return {
    id: `stripe:${eventId}:customer.upserted`,
    type: 'customer.upserted',
    source: 'stripe',
    subject,
    time: new Date(Date.UTC(2026, 10, 23, 10, 0, second)).toISOString(),
    correlationId: `stripe:${eventId}`,
    causationId: eventId,
    dataVersion: 2,
    data: { customer: snapshot(overrides) },
  };
}
function deleted(eventId: string, second: number): CustomerDeleted {
  return {
    id: `stripe:${eventId}:customer.deleted`,
    type: 'customer.deleted',
    source: 'stripe',
    subject,
    time: new Date(Date.UTC(2026, 10, 23, 10, 0, second)).toISOString(),
    correlationId: `stripe:${eventId}`,
    causationId: eventId,
    dataVersion: 1,
    data: { customer: { system: 'stripe', id: CUSTOMER } },
  };
}
function ports() {
  const partners = new InMemoryPartners();
  return { ...inMemoryIdentityPorts({ partners }), partners, watermarks: new InMemoryWatermarks() };
}

/** Every ordering of a small list (Heap's algorithm would do; the lists here are short). */
function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

describe('syncCustomer', () => {
  it('creates the partner once with the Stripe id in ref, then updates it with one call through the identity map', async () => {
    // Prepare
    const p = ports();
    // Act
    const first = await syncCustomer(upserted('evt_1', 1), p);
    const callsAfterCreate = p.partners.calls;
    const second = await syncCustomer(upserted('evt_2', 2, { name: 'Acme Inc.' }), p);
    // Assess
    expect(first).toEqual({ outcome: 'upserted', partnerId: 1 });
    expect(second).toEqual({ outcome: 'upserted', partnerId: 1 });
    expect(p.partners.records.size).toBe(1);
    expect(p.partners.records.get(1)).toMatchObject({ name: 'Acme Inc.', ref: CUSTOMER, email: 'a@acme.example', is_company: true });
    expect(p.partners.calls - callsAfterCreate).toBe(1);
    expect(await p.identityMap.find(subject, 'odoo', 'res.partner')).toBe('1');
  });

  it('writes a new billing customer (three keys) in 7 round trips to its stores, the CRM write-back included', async () => {
    // Each round trip is a DynamoDB request on the event's critical path (they were 14, one after the other).
    const p = ports();
    const trips = new RoundTrips();
    const hubspot = new CrmWriteBackWorkspace('hubspot', []);
    const measured = { ...p, directory: trips.measured(p.directory), identityMap: trips.measured(p.identityMap), watermarks: trips.measured(p.watermarks), crmWorkspaceOf: () => hubspot };
    expect(await syncCustomer(upserted('evt_1', 1, { taxId: 'DE123456789' }), measured)).toEqual({ outcome: 'upserted', partnerId: 1 });
    expect(trips.rounds).toEqual([
      1, // the write lease (and the watermark)
      5, // the record's keys looked up, with the record's partner link and its own customer's partner
      3, // the keys claimed
      1, // the customer's forward, after the claims
      1, // the links (the customer's partner, the record's partner, customer and state) in one request
      1, // the watermark committed
      1, // the write-back: the customer's keys (no CRM company among them: no record state read)
    ]);
    expect(hubspot.changes).toEqual([]);
  });

  it('ignores an older update that arrives after a newer one', async () => {
    const p = ports();
    await syncCustomer(upserted('evt_new', 20, { name: 'New name' }), p);
    const outcome = await syncCustomer(upserted('evt_old', 10, { name: 'Old name' }), p);
    expect(outcome.outcome).toBe('stale');
    expect(p.partners.records.get(1)?.name).toBe('New name');
  });

  it('ends with no active partner, and never two, for every order and repetition of create, updates and delete', async () => {
    const events = [upserted('evt_a', 1, { name: 'A' }), upserted('evt_b', 2, { name: 'B', phone: '+1 555' }), upserted('evt_c', 2, { name: 'C' }), deleted('evt_d', 3)];
    for (const order of permutations(events)) {
      const p = ports();
      for (const event of [...order, ...order.slice(0, 2)]) await syncCustomer(event, p);
      // The deletion is the newest change: a partner created before it arrived is archived; none is created after it.
      expect(p.partners.records.size).toBeLessThanOrEqual(1);
      expect([...p.partners.records.values()].filter((record) => record.active)).toEqual([]);
    }
  });

  it('applies updates only: same final partner for every order of updates (ties broken by event id)', async () => {
    const events = [upserted('evt_a', 1, { name: 'A' }), upserted('evt_c', 2, { name: 'C' }), upserted('evt_b', 2, { name: 'B' })];
    const finalNames = new Set<string>();
    for (const order of permutations(events)) {
      const p = ports();
      for (const event of order) await syncCustomer(event, p);
      expect(p.partners.records.size).toBe(1);
      finalNames.add(p.partners.records.get(1)!.name);
    }
    expect([...finalNames]).toEqual(['C']);
  });

  it('archives the partner on deletion, and ignores a stale upsert afterwards', async () => {
    const p = ports();
    await syncCustomer(upserted('evt_1', 1), p);
    expect(await syncCustomer(deleted('evt_2', 5), p)).toEqual({ outcome: 'archived', archived: true });
    expect((await syncCustomer(upserted('evt_3', 2), p)).outcome).toBe('stale');
    expect(p.partners.records.get(1)?.active).toBe(false);
  });

  it('refuses to write while another event holds the customer’s lease (retryable), and releases its own lease on failure', async () => {
    const p = ports();
    await p.watermarks.acquire(subject, 'someone-else');
    await expect(syncCustomer(upserted('evt_1', 1), p)).rejects.toMatchObject({ name: 'EntityBusyError', retryable: true });
    await p.watermarks.release(subject, 'someone-else');

    p.partners.upsert = async () => {
      throw new Error('Odoo is down');
    };
    await expect(syncCustomer(upserted('evt_1', 1), p)).rejects.toThrow('Odoo is down');
    expect(p.watermarks.leases.size).toBe(0);
    expect(p.watermarks.watermarks.size).toBe(0);
  });
});
