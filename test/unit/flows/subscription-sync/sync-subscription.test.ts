import { describe, expect, it } from 'vitest';
import { type SubscriptionAmended, subscriptionAmendedSchema } from '../../../../events/subscription-amended';
import type { SubscriptionSnapshot, SubscriptionUpdated } from '../../../../events/subscription-updated';
import type { BillingConfig } from '../../../../functions/domain/billing-config';
import { amendContractLines, planContractLines, targetContractState } from '../../../../functions/domain/subscription-contract';
import { DependencyMissingError } from '../../../../functions/domain/invoice-errors';
import { isRetryable } from '../../../../functions/platform/errors';
import { syncSubscription, type SubscriptionSyncPorts } from '../../../../functions/flows/subscription-sync/sync-subscription';
import { InMemoryIdentityMap, InMemoryWatermarks, customerIdentityTestPorts } from '../../../support/in-memory-ports';
import { InMemoryStanding, InMemorySubscriptionLedger } from '../../../support/in-memory-contracts';

const CUSTOMER = 'cus_SUB1';
const PARTNER_ID = 557;
const config: BillingConfig = {
  companies: [{ account: null, currency: '*', companyId: 1, salesJournalId: 1, bankJournalId: 6 }],
  taxes: [],
  writeOffUncollectible: false,
  standingTags: { pastDue: 'Past due', disputed: 'Disputed', uncollectible: 'Uncollectible' },
};

type Item = SubscriptionSnapshot['items'][number];
const item = (priceId: string, quantity: number, unitAmount: number | null, description = `Plan ${priceId}`): Item => ({
  id: 'si_1', priceId, productId: null, description, quantity, unitAmount, interval: 'month', intervalCount: 1,
});
function snapshot(status: SubscriptionSnapshot['status'], items: Item[], overrides: Partial<SubscriptionSnapshot> = {}): SubscriptionSnapshot {
  return {
    system: 'stripe', account: null, customerId: CUSTOMER, id: 'sub_1', status, currency: 'usd', items,
    currentPeriodStart: '2026-11-01T00:00:00Z', currentPeriodEnd: '2026-12-01T00:00:00Z', cancelAtPeriodEnd: false,
    canceledAt: null, endedAt: null, livemode: false, ...overrides,
  };
}
const updated = (second: number, subscription: SubscriptionSnapshot): SubscriptionUpdated => ({
  id: `stripe:evt_${second}:subscription.updated`, type: 'subscription.updated', source: 'stripe', subject: `stripe:subscription:${subscription.id}`,
  time: new Date(Date.UTC(2026, 10, 1, 10, 0, second)).toISOString(), correlationId: `stripe:evt_${second}`, causationId: `evt_${second}`,
  dataVersion: 1, data: { subscription },
});

function ports() {
  const ledger = new InMemorySubscriptionLedger();
  ledger.partnerExternalIds.set(`saas_sync.stripe_customer_${CUSTOMER}`, PARTNER_ID);
  const standing = new InMemoryStanding();
  const watermarks = new InMemoryWatermarks();
  const published: SubscriptionAmended[] = [];
  const publish = async (events: readonly SubscriptionAmended[]) => void published.push(...events);
  const all: SubscriptionSyncPorts = { ledger, standing, identityMap: new InMemoryIdentityMap(), ...customerIdentityTestPorts(), watermarks, config, publish };
  return { ...all, ledger, standing, watermarks, published, all };
}

function permutations<T>(values: readonly T[]): T[][] {
  if (values.length <= 1) return [[...values]];
  return values.flatMap((value, index) => permutations([...values.slice(0, index), ...values.slice(index + 1)]).map((rest) => [value, ...rest]));
}

// A subscription's life: bought, upgraded 1 → 3 seats, moved to another plan while a payment fails, paid again.
const lifecycle = [
  updated(1, snapshot('active', [item('price_BASIC', 1, 4999)])),
  updated(2, snapshot('active', [item('price_BASIC', 3, 4999)])),
  updated(3, snapshot('past_due', [item('price_PRO', 3, 9900, 'Pro')])),
  updated(4, snapshot('active', [item('price_PRO', 3, 9900, 'Pro')])),
];
const cancelled = updated(5, snapshot('canceled', [item('price_PRO', 3, 9900, 'Pro')], { canceledAt: '2026-11-20T00:00:00Z', endedAt: '2026-11-20T00:00:00Z' }));

async function applyAll(events: readonly SubscriptionUpdated[]) {
  const p = ports();
  for (const event of events) await syncSubscription(event, p.all);
  return { contract: p.ledger.contract('sub_1'), tags: p.standing.tagsOf(PARTNER_ID), p };
}

describe('subscription.updated → the subscription contract (sale order)', () => {
  it('creates a confirmed order for a new subscription with one line per item at the exact unit price, and remembers it', async () => {
    // Prepare
    const p = ports();
    const event = updated(1, snapshot('active', [item('price_BASIC', 2, 4999), { ...item('price_SEATS', 5, 1250, 'Seats'), id: 'si_2' }]));
    // Act
    const outcome = await syncSubscription(event, p.all);
    // Assess
    expect(outcome).toEqual({ outcome: 'created', orderId: 1, state: 'confirmed', lineChanges: 2, standing: 'unchanged', published: undefined });
    expect(p.ledger.contract('sub_1')).toEqual([
      {
        state: 'confirmed', partnerId: PARTNER_ID, currency: 'USD', total: 2 * 4999 + 5 * 1250,
        lines: [
          { price: 'stripe:price_BASIC', name: 'Plan price_BASIC (monthly)', quantity: 2, priceUnit: 49.99 },
          { price: 'stripe:price_SEATS', name: 'Seats (monthly)', quantity: 5, priceUnit: 12.5 },
        ],
      },
    ]);
    expect(await p.identityMap.find('stripe:subscription:sub_1', 'odoo', 'sale.order')).toBe('1');
  });

  it.each([
    ['the order of the events', lifecycle, 'confirmed'],
    ['the order of the events, ending cancelled', [...lifecycle, cancelled], 'cancelled'],
  ] as const)('ends in the same contract whatever %s and however often each is delivered', async (_name, events, finalState) => {
    // Prepare
    const expected = await applyAll(events);
    // Act
    const runs = await Promise.all(
      permutations(events).map((order) => applyAll([...order, ...[...order].reverse(), order[0]!])),
    );
    // Assess
    expect(expected.contract).toEqual([
      {
        state: finalState, partnerId: PARTNER_ID, currency: 'USD', total: 3 * 9900,
        lines: [{ price: 'stripe:price_PRO', name: 'Pro (monthly)', quantity: 3, priceUnit: 99 }],
      },
    ]);
    expect(expected.tags).toEqual([]);
    for (const run of runs) {
      expect(run.contract).toEqual(expected.contract);
      expect(run.tags).toEqual(expected.tags);
    }
  });

  it('amends a confirmed order in place: more seats update the line, a plan change zeroes the old line and adds the new one', async () => {
    // Prepare
    const p = ports();
    await syncSubscription(lifecycle[0]!, p.all);
    // Act
    const upgrade = await syncSubscription(lifecycle[1]!, p.all);
    const planChange = await syncSubscription(updated(3, snapshot('active', [item('price_PRO', 3, 9900, 'Pro')])), p.all);
    // Assess
    const order = p.ledger.orders.get(1)!;
    expect(upgrade).toMatchObject({ outcome: 'amended', state: 'confirmed', lineChanges: 1 });
    expect(planChange).toMatchObject({ outcome: 'amended', state: 'confirmed', lineChanges: 2 });
    expect(order.lines.map(({ name, quantity, priceUnit }) => ({ name, quantity, priceUnit }))).toEqual([
      { name: 'Plan price_BASIC (monthly)', quantity: 0, priceUnit: 49.99 },
      { name: 'Pro (monthly)', quantity: 3, priceUnit: 99 },
    ]);
    expect(p.ledger.orders.size).toBe(1);
  });

  it('announces a confirmed contract’s line change as subscription.amended (previous and new lines), once per snapshot', async () => {
    // Prepare
    const p = ports();
    await syncSubscription(lifecycle[0]!, p.all);
    // Act
    const upgrade = await syncSubscription(lifecycle[1]!, p.all);
    const redelivered = await syncSubscription(lifecycle[1]!, p.all);
    const unchanged = await syncSubscription(updated(3, lifecycle[1]!.data.subscription), p.all);
    // Assess
    expect(upgrade).toMatchObject({ outcome: 'amended', published: 'stripe:evt_2:subscription.updated:amended' });
    expect(redelivered).toMatchObject({ outcome: 'stale' });
    expect(unchanged).toMatchObject({ outcome: 'unchanged', published: undefined });
    expect(p.published).toHaveLength(1);
    const [amended] = p.published;
    expect(subscriptionAmendedSchema.safeParse(amended).success).toBe(true);
    expect(amended).toMatchObject({
      id: 'stripe:evt_2:subscription.updated:amended', type: 'subscription.amended', subject: 'stripe:subscription:sub_1', time: lifecycle[1]!.time,
      data: {
        subscription: { id: 'sub_1', customerId: CUSTOMER },
        order: { id: 1, name: 'S00001', partnerId: PARTNER_ID },
        currency: 'usd',
        previousLines: [{ name: 'Plan price_BASIC (monthly)', quantity: '1.00', unitPrice: '49.99' }],
        lines: [{ name: 'Plan price_BASIC (monthly)', quantity: '3.00', unitPrice: '49.99' }],
      },
    });
  });

  it('republishes the same amendment after a crash before the write (same id, same lines), then writes it', async () => {
    // Prepare
    const p = ports();
    await syncSubscription(lifecycle[0]!, p.all);
    const amendOrder = p.ledger.amendOrder.bind(p.ledger);
    p.ledger.amendOrder = async () => {
      throw new Error('Odoo went away');
    };
    // Act
    const crashed = await syncSubscription(lifecycle[1]!, p.all).catch((caught: unknown) => caught);
    p.ledger.amendOrder = amendOrder;
    const retried = await syncSubscription(lifecycle[1]!, p.all);
    // Assess
    expect(crashed).toBeInstanceOf(Error);
    expect(retried).toMatchObject({ outcome: 'amended', published: 'stripe:evt_2:subscription.updated:amended' });
    expect(p.published).toHaveLength(2);
    expect(p.published[1]).toEqual(p.published[0]);
    expect(p.ledger.contract('sub_1')[0]?.lines).toMatchObject([{ quantity: 3 }]);
  });

  it('announces no amendment of a new contract, a quotation or an ending, though their lines change', async () => {
    // Prepare
    const p = ports();
    const quotation = ports();
    // Act
    await syncSubscription(lifecycle[0]!, p.all);
    await syncSubscription(updated(2, cancelled.data.subscription), p.all);
    await syncSubscription(updated(1, snapshot('incomplete', [item('price_BASIC', 1, 4999)])), quotation.all);
    const quotationAmended = await syncSubscription(updated(2, snapshot('incomplete', [item('price_BASIC', 2, 4999)])), quotation.all);
    // Assess
    expect(p.ledger.contract('sub_1')[0]?.state).toBe('cancelled');
    expect(quotationAmended).toMatchObject({ outcome: 'amended', state: 'quotation', lineChanges: 1 });
    expect(p.published).toEqual([]);
    expect(quotation.published).toEqual([]);
  });

  it('flags the partner past due with a note, clears it with a note when active again, and stays quiet when nothing changes', async () => {
    // Prepare
    const p = ports();
    const pastDue = snapshot('past_due', [item('price_BASIC', 1, 4999)]);
    // Act
    const flagged = await syncSubscription(updated(1, pastDue), p.all);
    const tagsWhilePastDue = p.standing.tagsOf(PARTNER_ID);
    const again = await syncSubscription(updated(2, pastDue), p.all);
    const cleared = await syncSubscription(updated(3, snapshot('active', [item('price_BASIC', 1, 4999)])), p.all);
    // Assess
    expect([flagged.outcome, 'standing' in flagged && flagged.standing]).toEqual(['created', 'flagged-past-due']);
    expect(tagsWhilePastDue).toEqual(['Past due']);
    expect(again).toMatchObject({ outcome: 'unchanged', standing: 'unchanged' });
    expect(cleared).toMatchObject({ standing: 'cleared-past-due' });
    expect(p.standing.tagsOf(PARTNER_ID)).toEqual([]);
    expect(p.standing.notes.map((note) => note.body)).toEqual([
      expect.stringContaining('sub_1 is past_due'),
      expect.stringContaining('sub_1 is active again: nothing overdue'),
    ]);
  });

  it('cancels the order of an ended subscription and notes it on the partner once', async () => {
    // Prepare
    const p = ports();
    await syncSubscription(lifecycle[3]!, p.all);
    // Act
    const outcome = await syncSubscription(cancelled, p.all);
    const redelivered = await syncSubscription({ ...cancelled, id: 'stripe:evt_6:subscription.updated', causationId: 'evt_6', time: '2026-11-01T10:00:06.000Z' }, p.all);
    // Assess
    expect(outcome).toMatchObject({ outcome: 'amended', state: 'cancelled' });
    expect(redelivered).toMatchObject({ outcome: 'unchanged', state: 'cancelled' });
    expect(p.standing.notes.filter((note) => note.body.includes('ended'))).toEqual([
      { model: 'res.partner', id: PARTNER_ID, body: expect.stringContaining('contract S00001 cancelled') },
    ]);
  });

  it('cancels an unpaid subscription only once the provider ended it', async () => {
    expect(targetContractState({ status: 'unpaid', endedAt: null })).toBe('confirmed');
    expect(targetContractState({ status: 'unpaid', endedAt: '2026-11-20T00:00:00Z' })).toBe('cancelled');
    expect(targetContractState({ status: 'incomplete_expired', endedAt: null })).toBe('cancelled');
    expect(targetContractState({ status: 'incomplete', endedAt: null })).toBe('quotation');
  });

  it('finds the order by client_order_ref after a crash that lost the identity-map link, instead of creating another', async () => {
    // Prepare
    const p = ports();
    await syncSubscription(lifecycle[0]!, p.all);
    const fresh = { ...p.all, identityMap: new InMemoryIdentityMap(), ...customerIdentityTestPorts(), watermarks: new InMemoryWatermarks() };
    // Act
    const outcome = await syncSubscription(lifecycle[1]!, fresh);
    // Assess
    expect(outcome).toMatchObject({ outcome: 'amended', orderId: 1 });
    expect(p.ledger.orders.size).toBe(1);
    expect(await fresh.identityMap.find('stripe:subscription:sub_1', 'odoo', 'sale.order')).toBe('1');
  });

  it('retries (never guesses) when the customer is not in Odoo yet, writing nothing and giving the lease back', async () => {
    // Prepare
    const p = ports();
    p.ledger.partnerExternalIds.clear();
    // Act
    const error = await syncSubscription(lifecycle[0]!, p.all).catch((caught: unknown) => caught);
    // Assess
    expect(error).toBeInstanceOf(DependencyMissingError);
    expect(isRetryable(error)).toBe(true);
    expect(p.ledger.orders.size).toBe(0);
    expect(p.watermarks.leases.size).toBe(0);
  });

  it('skips a snapshot older than the one applied', async () => {
    const p = ports();
    await syncSubscription(lifecycle[1]!, p.all);
    expect(await syncSubscription(lifecycle[0]!, p.all)).toMatchObject({ outcome: 'stale' });
    expect(p.ledger.contract('sub_1')[0]?.lines).toEqual([expect.objectContaining({ quantity: 3 })]);
  });
});

describe('contract lines', () => {
  const precision = (currencyDecimals: number, priceDigits = 2) => ({ currencyDecimals, priceDigits, quantityDigits: 2 });

  it('converts unit amounts exactly in zero-, two- and three-decimal currencies', () => {
    expect(planContractLines(snapshot('active', [item('p', 3, 4999)]), { precision: precision(2), providerExponent: 2 })).toEqual([
      { priceId: 'p', name: 'Plan p (monthly)', quantity: 3, priceUnit: 49.99 },
    ]);
    expect(planContractLines({ currency: 'jpy', items: [item('p', 2, 1500)] }, { precision: precision(0), providerExponent: 0 })).toEqual([
      { priceId: 'p', name: 'Plan p (monthly)', quantity: 2, priceUnit: 1500 },
    ]);
    // 12.500 KWD fits 2-digit prices; 4.125 KWD does not: the line carries 2 × 4.125 = 8.250 as one amount.
    expect(planContractLines({ currency: 'kwd', items: [item('p', 2, 12500)] }, { precision: precision(3), providerExponent: 3 })).toEqual([
      { priceId: 'p', name: 'Plan p (monthly)', quantity: 2, priceUnit: 12.5 },
    ]);
    expect(planContractLines({ currency: 'kwd', items: [item('p', 2, 4125)] }, { precision: precision(3), providerExponent: 3 })).toEqual([
      { priceId: 'p', name: 'Plan p (monthly) (quantity 2 × 4.125 KWD)', quantity: 1, priceUnit: 8.25 },
    ]);
    // With 3-digit prices configured, the quantity and unit price stay as they are.
    expect(planContractLines({ currency: 'kwd', items: [item('p', 2, 4125)] }, { precision: precision(3, 3), providerExponent: 3 })).toEqual([
      { priceId: 'p', name: 'Plan p (monthly)', quantity: 2, priceUnit: 4.125 },
    ]);
  });

  it('deletes leaving lines of a quotation, zeroes them on a confirmed order, and never rewrites a product', () => {
    const existing = [
      { id: 10, productId: 1, name: 'Basic', quantity: 1, priceUnit: 49.99 },
      { id: 11, productId: undefined, name: 'Section added by sales', quantity: 0, priceUnit: 0 },
    ];
    const wanted = [{ productId: 2, name: 'Pro', quantity: 3, priceUnit: 99 }];
    const options = { priceDigits: 2, quantityDigits: 2 };
    expect(amendContractLines(existing, wanted, { ...options, confirmed: false })).toEqual([
      { op: 'create', line: wanted[0] },
      { op: 'remove', lineId: 10 },
    ]);
    expect(amendContractLines(existing, wanted, { ...options, confirmed: true })).toEqual([
      { op: 'create', line: wanted[0] },
      { op: 'zero', lineId: 10 },
    ]);
    expect(amendContractLines([{ ...existing[0]!, priceUnit: 49.990000000000002 }], [{ productId: 1, name: 'Basic', quantity: 1, priceUnit: 49.99 }], { ...options, confirmed: true })).toEqual([]);
  });
});
