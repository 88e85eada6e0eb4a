import { describe, expect, it } from 'vitest';
import type { SubscriptionSnapshot } from '../../../events/subscription-updated';
import {
  deriveEntitlement,
  type EntitlementConfig,
  type EntitlementInputs,
  entitlementChanged,
  mergeEntitlementInputs,
  monthlyAmount,
  NO_INPUTS,
  withDispute,
  withGraceEnded,
  withPayment,
  withPaymentFailure,
  withSubscription,
  withUncollectible,
} from '../../../functions/domain/entitlement';
import { watermarkOf } from '../../../functions/domain/watermark';

const config: EntitlementConfig = {
  tiers: ['none', 'standard', 'premium'],
  noneTier: 'none',
  unmappedTier: 'standard',
  plans: [
    { plan: 'Starter', tier: 'standard', priceIds: ['price_starter'] },
    { plan: 'Pro', tier: 'premium', priceIds: ['price_pro', 'P-PRO'] },
  ],
};

function subscription(id: string, status: SubscriptionSnapshot['status'], priceId: string, quantity = 1, overrides: Partial<SubscriptionSnapshot> = {}): SubscriptionSnapshot {
  return {
    system: 'stripe',
    account: null,
    customerId: 'cus_1',
    id,
    status,
    currency: 'usd',
    items: [{ id: `si_${id}`, priceId, productId: null, description: null, quantity, unitAmount: 2000, interval: 'month', intervalCount: 1 }],
    currentPeriodStart: null,
    currentPeriodEnd: null,
    cancelAtPeriodEnd: false,
    canceledAt: status === 'canceled' ? '2026-03-01T00:00:00.000Z' : null,
    endedAt: null,
    livemode: false,
    ...overrides,
  };
}

type Step = (inputs: EntitlementInputs) => EntitlementInputs;
const at = (time: string, id: string) => ({ time, asOf: watermarkOf({ time, causationId: id }) });
const sub = (time: string, id: string, snapshot: SubscriptionSnapshot): Step => (inputs) => withSubscription(inputs, snapshot, at(time, id).time, at(time, id).asOf);
const failed = (time: string, id: string, invoiceId: string, amountDue = 2000): Step => (inputs) =>
  withPaymentFailure(inputs, { system: 'stripe', customerId: 'cus_1', invoiceId, amountDue, currency: 'usd', failureReason: 'card_declined' }, time, at(time, id).asOf);
const paid = (time: string, id: string, invoiceId: string, customerId: string | null = null): Step => (inputs) => withPayment(inputs, { system: 'stripe', customerId, invoiceId }, time, at(time, id).asOf);
const disputed = (time: string, id: string, closed: boolean, outcome: 'won' | 'lost' | null): Step => (inputs) =>
  withDispute(inputs, { system: 'stripe', customerId: 'cus_1', id: 'dp_1', invoiceId: 'in_1', amount: 2000, currency: 'usd', closed, outcome, updatedAt: time }, at(time, id).asOf);
const run = (steps: readonly Step[]) => deriveEntitlement('cust-1', steps.reduce((inputs, step) => step(inputs), NO_INPUTS), config);

describe('deriveEntitlement', () => {
  it('gives an active subscription its plan, tier, seats, MRR and the time it was first seen live', () => {
    const entitlement = run([sub('2026-01-01T00:00:00Z', 'evt_1', subscription('sub_1', 'active', 'price_pro', 5))]);
    expect(entitlement).toMatchObject({ customer: 'cust-1', plan: 'Pro', tier: 'premium', seats: 5, status: 'active', since: '2026-01-01T00:00:00.000Z', mrr: [{ currency: 'usd', amount: 10000 }] });
    expect(entitlement.billingCustomers).toEqual([{ system: 'stripe', customerId: 'cus_1' }]);
  });

  it('takes the higher tier of two subscriptions, seats of that plan only, MRR of both', () => {
    const entitlement = run([
      sub('2026-01-01T00:00:00Z', 'evt_1', subscription('sub_1', 'active', 'price_starter', 3)),
      sub('2026-02-01T00:00:00Z', 'evt_2', subscription('sub_2', 'active', 'price_pro', 2)),
    ]);
    expect(entitlement).toMatchObject({ plan: 'Pro', tier: 'premium', seats: 2, status: 'active', since: '2026-01-01T00:00:00.000Z', mrr: [{ currency: 'usd', amount: 10000 }] });
  });

  it('keeps the live subscription of a cancelled one plus an active one, and is cancelled (tier none) when both ended', () => {
    const cancelledPro = sub('2026-03-01T00:00:00Z', 'evt_3', subscription('sub_2', 'canceled', 'price_pro', 2));
    const activeStarter = sub('2026-01-01T00:00:00Z', 'evt_1', subscription('sub_1', 'active', 'price_starter', 3));
    expect(run([activeStarter, cancelledPro])).toMatchObject({ plan: 'Starter', tier: 'standard', seats: 3, status: 'active' });
    const both = run([activeStarter, cancelledPro, sub('2026-04-01T00:00:00Z', 'evt_4', subscription('sub_1', 'canceled', 'price_starter', 3, { canceledAt: '2026-04-01T00:00:00.000Z' }))]);
    expect(both).toMatchObject({ plan: null, tier: 'none', seats: 0, status: 'cancelled', since: '2026-04-01T00:00:00.000Z', mrr: [] });
  });

  it('is past due from a failed payment, names the open invoice, and active again from the time it is paid', () => {
    const active = sub('2026-01-01T00:00:00Z', 'evt_1', subscription('sub_1', 'active', 'price_pro'));
    const pastDue = run([active, failed('2026-02-01T00:00:00Z', 'evt_2', 'in_1')]);
    expect(pastDue).toMatchObject({ status: 'past_due', since: '2026-02-01T00:00:00.000Z', tier: 'premium' });
    expect(pastDue.openInvoices).toEqual([{ system: 'stripe', id: 'in_1', amountDue: 2000, currency: 'usd', failedAt: '2026-02-01T00:00:00.000Z', failureReason: 'card_declined' }]);
    const restored = run([active, failed('2026-02-01T00:00:00Z', 'evt_2', 'in_1'), paid('2026-02-03T00:00:00Z', 'evt_3', 'in_1')]);
    expect(restored).toMatchObject({ status: 'active', since: '2026-02-03T00:00:00.000Z', openInvoices: [] });
  });

  it('stays restored when the payment arrives before the failure it settles (an invoice once paid is settled)', () => {
    const active = sub('2026-01-01T00:00:00Z', 'evt_1', subscription('sub_1', 'active', 'price_pro'));
    const inOrder = run([active, failed('2026-02-01T00:00:00Z', 'evt_2', 'in_1'), paid('2026-02-03T00:00:00Z', 'evt_3', 'in_1')]);
    const shuffled = run([paid('2026-02-03T00:00:00Z', 'evt_3', 'in_1'), failed('2026-02-01T00:00:00Z', 'evt_2', 'in_1'), active]);
    expect(shuffled).toEqual(inOrder);
  });

  it('is suspended while a dispute is open, active after it is won, past due after it is lost until money comes in', () => {
    const active = sub('2026-01-01T00:00:00Z', 'evt_1', subscription('sub_1', 'active', 'price_pro'));
    const open = disputed('2026-02-10T00:00:00Z', 'evt_5', false, null);
    expect(run([active, open])).toMatchObject({ status: 'suspended', since: '2026-02-10T00:00:00.000Z' });
    expect(run([active, open, disputed('2026-02-20T00:00:00Z', 'evt_6', true, 'won')])).toMatchObject({ status: 'active', since: '2026-02-20T00:00:00.000Z' });
    const lost = [active, open, disputed('2026-02-20T00:00:00Z', 'evt_6', true, 'lost')];
    expect(run(lost)).toMatchObject({ status: 'past_due', since: '2026-02-20T00:00:00.000Z' });
    expect(run([...lost, paid('2026-03-01T00:00:00Z', 'evt_7', 'in_2', 'cus_1')])).toMatchObject({ status: 'active', since: '2026-03-01T00:00:00.000Z' });
    // The close delivered before the open: the newest update wins, the opening time is kept.
    expect(run([active, disputed('2026-02-20T00:00:00Z', 'evt_6', true, 'won'), open])).toEqual(run([active, open, disputed('2026-02-20T00:00:00Z', 'evt_6', true, 'won')]));
  });

  it('is suspended by an uncollectible invoice until it is paid', () => {
    const active = sub('2026-01-01T00:00:00Z', 'evt_1', subscription('sub_1', 'active', 'price_pro'));
    const uncollectible: Step = (inputs) => withUncollectible(inputs, { system: 'stripe', customerId: 'cus_1', id: 'in_9', amountRemaining: 5000 }, '2026-03-05T00:00:00Z', at('2026-03-05T00:00:00Z', 'evt_8').asOf);
    expect(run([active, failed('2026-03-01T00:00:00Z', 'evt_2', 'in_9'), uncollectible])).toMatchObject({ status: 'suspended', since: '2026-03-05T00:00:00.000Z' });
    expect(run([active, failed('2026-03-01T00:00:00Z', 'evt_2', 'in_9'), uncollectible, paid('2026-03-09T00:00:00Z', 'evt_9', 'in_9')])).toMatchObject({ status: 'active', since: '2026-03-09T00:00:00.000Z' });
  });

  it('is suspended when a dunning’s grace ends unpaid, in any order of the facts, and active again once paid', () => {
    const active = sub('2026-01-01T00:00:00Z', 'evt_1', subscription('sub_1', 'active', 'price_pro'));
    const graceOver = (time: string): Step => (inputs) => withGraceEnded(inputs, { system: 'stripe', customerId: 'cus_1', id: 'in_7', amountRemaining: 2000 }, time, at(time, 'saga-1:SuspendEntitlement').asOf);
    const failure = failed('2026-03-01T00:00:00Z', 'evt_2', 'in_7');
    const payment = paid('2026-03-20T00:00:00Z', 'evt_9', 'in_7');

    expect(run([active, failure])).toMatchObject({ status: 'past_due' });
    expect(run([active, failure, graceOver('2026-03-15T00:00:00Z')])).toMatchObject({ status: 'suspended', since: '2026-03-15T00:00:00.000Z' });
    // A repeated step keeps the first end.
    expect(run([active, failure, graceOver('2026-03-15T00:00:00Z'), graceOver('2026-03-16T00:00:00Z')])).toMatchObject({ status: 'suspended', since: '2026-03-15T00:00:00.000Z' });
    expect(run([active, failure, graceOver('2026-03-15T00:00:00Z'), payment])).toMatchObject({ status: 'active', since: '2026-03-20T00:00:00.000Z' });
    expect(run([payment, graceOver('2026-03-15T00:00:00Z'), active, failure])).toEqual(run([active, failure, graceOver('2026-03-15T00:00:00Z'), payment]));
  });

  it('takes the provider’s own past_due status, dated by the snapshot', () => {
    expect(run([sub('2026-01-05T00:00:00Z', 'evt_1', subscription('sub_1', 'past_due', 'price_starter'))])).toMatchObject({ status: 'past_due', since: '2026-01-05T00:00:00.000Z', tier: 'standard' });
  });

  it('keeps the newer snapshot when an older one arrives later, and the earliest live sighting', () => {
    const older = sub('2026-01-01T00:00:00Z', 'evt_1', subscription('sub_1', 'active', 'price_starter', 1));
    const newer = sub('2026-02-01T00:00:00Z', 'evt_2', subscription('sub_1', 'active', 'price_pro', 4));
    expect(run([newer, older])).toEqual(run([older, newer]));
    expect(run([newer, older])).toMatchObject({ plan: 'Pro', seats: 4, since: '2026-01-01T00:00:00.000Z', watermark: at('2026-02-01T00:00:00Z', 'evt_2').asOf });
  });

  it('gives a subscription whose price no plan names the unmapped tier, with its seats', () => {
    expect(run([sub('2026-01-01T00:00:00Z', 'evt_1', subscription('sub_1', 'active', 'price_custom', 7))])).toMatchObject({ plan: null, tier: 'standard', seats: 7 });
  });

  it('is the same for the same events delivered twice', () => {
    const steps = [sub('2026-01-01T00:00:00Z', 'evt_1', subscription('sub_1', 'active', 'price_pro')), failed('2026-02-01T00:00:00Z', 'evt_2', 'in_1')];
    expect(run([...steps, ...steps])).toEqual(run(steps));
  });
});

describe('mergeEntitlementInputs (two customers found to be one)', () => {
  // Two billing customers' events: each step is what one event applies, some of cus_1, some of cus_2.
  const failedOf = (customerId: string, time: string, id: string, invoiceId: string, amountDue: number): Step => (inputs) =>
    withPaymentFailure(inputs, { system: 'stripe', customerId, invoiceId, amountDue, currency: 'usd', failureReason: 'card_declined' }, time, at(time, id).asOf);
  const history: readonly Step[] = [
    sub('2026-01-01T00:00:00Z', 'evt_1', subscription('sub_1', 'active', 'price_starter', 3)),
    sub('2026-01-10T00:00:00Z', 'evt_2', subscription('sub_2', 'active', 'price_pro', 2, { customerId: 'cus_2' })),
    failedOf('cus_2', '2026-02-01T00:00:00Z', 'evt_3', 'in_2', 4000),
    sub('2026-02-01T00:05:00Z', 'evt_4', subscription('sub_2', 'past_due', 'price_pro', 2, { customerId: 'cus_2' })),
    failedOf('cus_2', '2026-02-04T00:00:00Z', 'evt_5', 'in_2', 4100),
    // The payment names no customer (a Stripe invoice payment): it may land on either customer's facts.
    paid('2026-02-06T00:00:00Z', 'evt_6', 'in_2'),
    sub('2026-02-06T00:05:00Z', 'evt_7', subscription('sub_2', 'active', 'price_pro', 2, { customerId: 'cus_2' })),
    failedOf('cus_1', '2026-02-09T00:00:00Z', 'evt_8', 'in_1', 6000),
  ];
  const apply = (steps: readonly Step[]) => steps.reduce((inputs, step) => step(inputs), NO_INPUTS);
  /** Every way of splitting the history between the two customers (each keeping the events' order, or reversed). */
  const splits = Array.from({ length: 2 ** history.length }, (_, mask) => {
    const onSurvivor = history.filter((_, index) => (mask >> index) & 1);
    const onAbsorbed = history.filter((_, index) => !((mask >> index) & 1));
    return { survivor: apply(mask % 3 === 0 ? [...onSurvivor].reverse() : onSurvivor), absorbed: apply(onAbsorbed) };
  });

  it('gives the survivor the entitlement of every event of both, however they were split between the two', () => {
    const expected = deriveEntitlement('cust-1', apply(history), config);
    // Both subscriptions, the higher tier, the first failure paid, the second customer's failure still open.
    expect(expected).toMatchObject({ plan: 'Pro', tier: 'premium', seats: 2, status: 'past_due', since: '2026-02-09T00:00:00.000Z', mrr: [{ currency: 'usd', amount: 10000 }] });
    expect(expected.billingCustomers).toEqual([{ system: 'stripe', customerId: 'cus_1' }, { system: 'stripe', customerId: 'cus_2' }]);
    expect(expected.openInvoices).toEqual([{ system: 'stripe', id: 'in_1', amountDue: 6000, currency: 'usd', failedAt: '2026-02-09T00:00:00.000Z', failureReason: 'card_declined' }]);
    for (const [index, { survivor, absorbed }] of splits.entries()) {
      const merged = mergeEntitlementInputs(survivor, absorbed);
      // The very facts one customer would hold (first live sightings, latest marks), not only the same result.
      expect(merged, `split ${index}`).toEqual(apply(history));
      expect(deriveEntitlement('cust-1', merged, config), `split ${index}`).toEqual(expected);
    }
  });

  it('is order-free and idempotent: either way round, and merged again, the same facts', () => {
    for (const [index, { survivor, absorbed }] of splits.entries()) {
      const merged = mergeEntitlementInputs(survivor, absorbed);
      expect(mergeEntitlementInputs(absorbed, survivor), `split ${index}`).toEqual(merged);
      expect(mergeEntitlementInputs(merged, absorbed), `split ${index}`).toEqual(merged);
      expect(mergeEntitlementInputs(merged, merged), `split ${index}`).toEqual(merged);
    }
  });

  it('keeps the latest failure’s amount of an invoice both saw fail, and the survivor’s own facts when the absorbed had none', () => {
    const survivor = apply([failedOf('cus_1', '2026-02-01T00:00:00Z', 'evt_1', 'in_1', 2000), paid('2026-02-05T00:00:00Z', 'evt_3', 'in_1')]);
    const absorbed = apply([failedOf('cus_1', '2026-02-03T00:00:00Z', 'evt_2', 'in_1', 2500)]);
    expect(mergeEntitlementInputs(survivor, absorbed).invoices['stripe:in_1']).toMatchObject({ amountDue: 2500, failedAt: '2026-02-03T00:00:00.000Z', paidAt: '2026-02-05T00:00:00.000Z' });
    expect(mergeEntitlementInputs(survivor, NO_INPUTS)).toEqual(survivor);
  });
});

describe('monthlyAmount', () => {
  it('normalises to a month in exact minor units, rounding half up', () => {
    expect(monthlyAmount(12000, 1, 'year', 1)).toBe(1000);
    expect(monthlyAmount(10000, 1, 'year', 1)).toBe(833);
    expect(monthlyAmount(1000, 3, 'month', 3)).toBe(1000);
    expect(monthlyAmount(1000, 1, 'week', 1)).toBe(4333);
    expect(monthlyAmount(15, 1, 'year', 1)).toBe(1);
    expect(monthlyAmount(1000, 1, null, null)).toBeNull();
  });
});

describe('entitlementChanged', () => {
  it('ignores a newer watermark with the same result', () => {
    const first = run([sub('2026-01-01T00:00:00Z', 'evt_1', subscription('sub_1', 'active', 'price_pro'))]);
    expect(entitlementChanged(first, { ...first, watermark: 'later' })).toBe(false);
    expect(entitlementChanged(first, { ...first, status: 'past_due' })).toBe(true);
    expect(entitlementChanged(undefined, first)).toBe(true);
  });
});
