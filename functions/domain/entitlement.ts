import * as z from 'zod/mini';
import type { SourceSystem } from '../../events/envelope';
import type { SubscriptionSnapshot } from '../../events/subscription-updated';
import type { Watermark } from './watermark';

/**
 * A customer's entitlement: what its subscriptions give it (plan, support tier, seats) and whether it may use it
 * now (standing), derived from facts the billing events state, never from their order.
 *
 * Each fact is kept with its own order: a subscription by its snapshot's watermark (last writer wins), an invoice
 * by the latest failure, payment and uncollectible marks it has seen (each a maximum), a dispute by its update's
 * watermark. Maxima and last-writer-wins commute, so the same events in any order, or twice, give the same facts
 * and hence the same entitlement: that is what lets shuffled and repeated deliveries converge.
 */

export const ENTITLEMENT_STATUSES = ['active', 'past_due', 'suspended', 'cancelled'] as const;
export type EntitlementStatus = (typeof ENTITLEMENT_STATUSES)[number];

/** Plans → support tiers (stage config): the plans are the billing provider's price / plan ids. */
export const entitlementConfigSchema = z.strictObject({
  /** The tiers, lowest first: a customer with two plans gets the higher tier. `noneTier` is what no live subscription gives. */
  tiers: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
  noneTier: z.string().check(z.minLength(1)),
  /** The tier of a live subscription none of whose prices a plan names (a custom deal): usually the lowest paid tier. */
  unmappedTier: z.string().check(z.minLength(1)),
  plans: z.array(
    z.strictObject({
      /** The name support sees (`Pro`). */
      plan: z.string().check(z.minLength(1)),
      tier: z.string().check(z.minLength(1)),
      /** The provider price / plan ids of this plan, any provider (`price_…`, `P-…`). */
      priceIds: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
    }),
  ),
});
export type EntitlementConfig = z.infer<typeof entitlementConfigSchema>;

/** A billing customer: one provider's customer id. Its canonical customer may have several. */
export interface BillingCustomerRef {
  readonly system: SourceSystem;
  readonly customerId: string;
}

export interface SubscriptionFact {
  readonly system: SourceSystem;
  readonly id: string;
  /** The billing customer it bills (absent on facts kept before it was recorded). */
  readonly customerId?: string;
  readonly status: SubscriptionSnapshot['status'];
  readonly currency: string;
  readonly items: readonly { priceId: string; quantity: number; unitAmount: number | null; interval: 'day' | 'week' | 'month' | 'year' | null; intervalCount: number | null }[];
  /** The earliest event time that saw it live: a minimum, so it does not depend on the order of deliveries. */
  readonly liveSince: string | null;
  readonly endedAt: string | null;
  readonly asOf: Watermark;
}

export interface InvoiceFact {
  readonly system: SourceSystem;
  readonly id: string;
  readonly amountDue: number | null;
  readonly currency: string | null;
  /** The latest failed collection attempt seen. */
  readonly failedAt: string | null;
  readonly failureReason: string | null;
  /** Paid in full (the provider's payment on this invoice). A paid invoice is settled whatever failed before. */
  readonly paidAt: string | null;
  readonly uncollectibleAt: string | null;
  /**
   * When a dunning's grace period ended with the invoice still unpaid (the dunning saga's fact: no provider states
   * it). Absent on facts kept before dunning wrote it; a later payment settles the invoice all the same.
   */
  readonly graceEndedAt?: string | null;
  readonly asOf: Watermark;
}

export interface DisputeFact {
  readonly system: SourceSystem;
  readonly id: string;
  readonly invoiceId: string | null;
  readonly amount: number;
  readonly currency: string;
  readonly closed: boolean;
  readonly outcome: 'won' | 'lost' | null;
  /** The earliest update seen (a minimum) and the update time of the newest one. */
  readonly openedAt: string;
  readonly updatedAt: string;
  readonly asOf: Watermark;
}

/** Everything the entitlement of one customer is derived from. */
export interface EntitlementInputs {
  readonly customers: readonly BillingCustomerRef[];
  readonly subscriptions: Readonly<Record<string, SubscriptionFact>>;
  readonly invoices: Readonly<Record<string, InvoiceFact>>;
  readonly disputes: Readonly<Record<string, DisputeFact>>;
}

export const NO_INPUTS: EntitlementInputs = { customers: [], subscriptions: {}, invoices: {}, disputes: {} };

/** An invoice whose payment is overdue, as the entitlement names it (the agent's note quotes it). */
export interface OpenInvoice {
  readonly system: SourceSystem;
  readonly id: string;
  readonly amountDue: number | null;
  readonly currency: string | null;
  readonly failedAt: string;
  readonly failureReason: string | null;
}

export interface Entitlement {
  /** The canonical customer id. */
  readonly customer: string;
  readonly plan: string | null;
  readonly tier: string;
  readonly seats: number;
  readonly status: EntitlementStatus;
  /** Since when the status holds, as the facts say; null when no fact dates it. */
  readonly since: string | null;
  /** Monthly recurring revenue per currency, exact minor units (a yearly price ÷ 12 rounds half up to the minor unit). */
  readonly mrr: readonly { currency: string; amount: number }[];
  readonly billingCustomers: readonly BillingCustomerRef[];
  readonly openInvoices: readonly OpenInvoice[];
  /** The newest fact it was derived from: a push of an entitlement with an older watermark is stale. */
  readonly watermark: Watermark;
}

const factKey = (system: string, id: string) => `${system}:${id}`;
const maxOf = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a > b ? a : b);
const minOf = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a < b ? a : b);
const iso = (time: string) => new Date(time).toISOString();

/** Subscription statuses in which the customer has the plan (a past-due one still has it, in bad standing). */
const LIVE_STATUSES: ReadonlySet<SubscriptionSnapshot['status']> = new Set(['active', 'trialing', 'past_due', 'unpaid', 'paused']);

function withCustomer(inputs: EntitlementInputs, customer: BillingCustomerRef): BillingCustomerRef[] {
  const known = inputs.customers.some((ref) => ref.system === customer.system && ref.customerId === customer.customerId);
  const customers = known ? [...inputs.customers] : [...inputs.customers, customer];
  return customers.sort((a, b) => factKey(a.system, a.customerId).localeCompare(factKey(b.system, b.customerId)));
}

/** A subscription snapshot: the newest by watermark wins; `liveSince` keeps the earliest live sighting of any. */
export function withSubscription(inputs: EntitlementInputs, snapshot: SubscriptionSnapshot, time: string, asOf: Watermark): EntitlementInputs {
  const key = factKey(snapshot.system, snapshot.id);
  const current = inputs.subscriptions[key];
  const seenLive = LIVE_STATUSES.has(snapshot.status) ? iso(time) : null;
  const liveSince = minOf(current?.liveSince ?? null, seenLive);
  const newer = current === undefined || asOf > current.asOf;
  const fact: SubscriptionFact = newer
    ? {
        system: snapshot.system,
        id: snapshot.id,
        customerId: snapshot.customerId,
        status: snapshot.status,
        currency: snapshot.currency,
        items: snapshot.items.map((item) => ({ priceId: item.priceId, quantity: item.quantity, unitAmount: item.unitAmount, interval: item.interval, intervalCount: item.intervalCount })),
        liveSince,
        endedAt: snapshot.endedAt === null ? (snapshot.status === 'canceled' ? (snapshot.canceledAt ?? iso(time)) : null) : snapshot.endedAt,
        asOf,
      }
    : { ...current, liveSince };
  return { ...inputs, customers: withCustomer(inputs, { system: snapshot.system, customerId: snapshot.customerId }), subscriptions: { ...inputs.subscriptions, [key]: fact } };
}

/**
 * A billing customer deleted at its provider: its subscriptions end there with it (ended at the deletion unless
 * they ended before). A fact kept before subscriptions named their customer is taken as this customer's only when it
 * is the canonical customer's one billing customer at that provider: never another customer's subscription ended.
 */
export function withCustomerDeleted(inputs: EntitlementInputs, customer: BillingCustomerRef, deletedAt: string, asOf: Watermark): EntitlementInputs {
  const soleCustomerThere = inputs.customers.filter((ref) => ref.system === customer.system).length === 1;
  const subscriptions = Object.fromEntries(
    Object.entries(inputs.subscriptions).map(([key, fact]) => {
      const billsThisCustomer = fact.system === customer.system && (fact.customerId === customer.customerId || (fact.customerId === undefined && soleCustomerThere));
      if (!billsThisCustomer || asOf <= fact.asOf) return [key, fact];
      const ended: SubscriptionFact = { ...fact, status: 'canceled', endedAt: fact.endedAt ?? iso(deletedAt), asOf };
      return [key, ended];
    }),
  );
  return { ...inputs, subscriptions };
}

function invoiceFact(inputs: EntitlementInputs, system: SourceSystem, id: string): InvoiceFact {
  return inputs.invoices[factKey(system, id)] ?? { system, id, amountDue: null, currency: null, failedAt: null, failureReason: null, paidAt: null, uncollectibleAt: null, asOf: '' };
}

function withInvoice(inputs: EntitlementInputs, customer: BillingCustomerRef | null, fact: InvoiceFact): EntitlementInputs {
  return {
    ...inputs,
    customers: customer === null ? [...inputs.customers] : withCustomer(inputs, customer),
    invoices: { ...inputs.invoices, [factKey(fact.system, fact.id)]: fact },
  };
}

/** A failed collection attempt: the latest failure is kept (its amount and reason are what the agent is told). */
export function withPaymentFailure(
  inputs: EntitlementInputs,
  failure: { system: SourceSystem; customerId: string; invoiceId: string; amountDue: number; currency: string; failureReason: string | null },
  time: string,
  asOf: Watermark,
): EntitlementInputs {
  const current = invoiceFact(inputs, failure.system, failure.invoiceId);
  const newer = asOf > current.asOf;
  const fact: InvoiceFact = {
    ...current,
    failedAt: maxOf(current.failedAt, iso(time)),
    ...(newer || current.amountDue === null ? { amountDue: failure.amountDue, currency: failure.currency, failureReason: failure.failureReason } : {}),
    asOf: newer ? asOf : current.asOf,
  };
  return withInvoice(inputs, { system: failure.system, customerId: failure.customerId }, fact);
}

/** A payment on an invoice: settled, whatever failed before or after it was sent (a paid invoice is not retried). */
export function withPayment(inputs: EntitlementInputs, payment: { system: SourceSystem; customerId: string | null; invoiceId: string }, paidAt: string, asOf: Watermark): EntitlementInputs {
  const current = invoiceFact(inputs, payment.system, payment.invoiceId);
  const fact: InvoiceFact = { ...current, paidAt: maxOf(current.paidAt, iso(paidAt)), asOf: asOf > current.asOf ? asOf : current.asOf };
  return withInvoice(inputs, payment.customerId === null ? null : { system: payment.system, customerId: payment.customerId }, fact);
}

/** An invoice written off as uncollectible: the customer is suspended until it is paid. */
export function withUncollectible(inputs: EntitlementInputs, invoice: { system: SourceSystem; customerId: string; id: string; amountRemaining: number }, markedAt: string, asOf: Watermark): EntitlementInputs {
  const current = invoiceFact(inputs, invoice.system, invoice.id);
  const fact: InvoiceFact = {
    ...current,
    amountDue: current.amountDue ?? invoice.amountRemaining,
    uncollectibleAt: maxOf(current.uncollectibleAt, iso(markedAt)),
    asOf: asOf > current.asOf ? asOf : current.asOf,
  };
  return withInvoice(inputs, { system: invoice.system, customerId: invoice.customerId }, fact);
}

/**
 * A dunning's grace period over with the invoice still unpaid: the customer is suspended until the invoice is paid.
 * The earliest end is kept (a minimum: a redriven or repeated step changes nothing).
 */
export function withGraceEnded(inputs: EntitlementInputs, invoice: { system: SourceSystem; customerId: string; id: string; amountRemaining: number }, endedAt: string, asOf: Watermark): EntitlementInputs {
  const current = invoiceFact(inputs, invoice.system, invoice.id);
  const fact: InvoiceFact = {
    ...current,
    amountDue: current.amountDue ?? invoice.amountRemaining,
    graceEndedAt: minOf(current.graceEndedAt ?? null, iso(endedAt)),
    asOf: asOf > current.asOf ? asOf : current.asOf,
  };
  return withInvoice(inputs, { system: invoice.system, customerId: invoice.customerId }, fact);
}

/** A dispute opened or closed: the newest update wins; `openedAt` keeps the earliest. */
export function withDispute(
  inputs: EntitlementInputs,
  dispute: { system: SourceSystem; customerId: string; id: string; invoiceId: string | null; amount: number; currency: string; closed: boolean; outcome: 'won' | 'lost' | null; updatedAt: string },
  asOf: Watermark,
): EntitlementInputs {
  const key = factKey(dispute.system, dispute.id);
  const current = inputs.disputes[key];
  const openedAt = minOf(current?.openedAt ?? null, iso(dispute.updatedAt))!;
  const newer = current === undefined || asOf > current.asOf;
  const fact: DisputeFact = newer
    ? { system: dispute.system, id: dispute.id, invoiceId: dispute.invoiceId, amount: dispute.amount, currency: dispute.currency, closed: dispute.closed, outcome: dispute.outcome, openedAt, updatedAt: iso(dispute.updatedAt), asOf }
    : { ...current, openedAt };
  return { ...inputs, customers: withCustomer(inputs, { system: dispute.system, customerId: dispute.customerId }), disputes: { ...inputs.disputes, [key]: fact } };
}

/** Of two facts about one thing, the one of the newer event; the same watermark twice: the larger, so that either order picks it. */
function newerFact<T extends { readonly asOf: Watermark }>(a: T, b: T): T {
  if (a.asOf !== b.asOf) return a.asOf > b.asOf ? a : b;
  return JSON.stringify(a) >= JSON.stringify(b) ? a : b;
}

function mergeFacts<T extends { readonly asOf: Watermark }>(a: Readonly<Record<string, T>>, b: Readonly<Record<string, T>>, merge: (left: T, right: T) => T): Record<string, T> {
  const merged: Record<string, T> = { ...a };
  for (const [key, fact] of Object.entries(b)) merged[key] = merged[key] === undefined ? fact : merge(merged[key], fact);
  return Object.fromEntries(Object.entries(merged).sort(([left], [right]) => left.localeCompare(right)));
}

/**
 * The facts of two customers found to be one, as if every event of both had been applied to one: each fact merges as
 * its events do (the newest snapshot wins, first sightings are minima, failure, payment and write-off marks maxima),
 * so the merge is commutative and idempotent — merging the same customer's facts again, or in another order, gives
 * the same inputs, whichever of the two an event was applied to.
 */
export function mergeEntitlementInputs(a: EntitlementInputs, b: EntitlementInputs): EntitlementInputs {
  return {
    customers: b.customers.reduce<readonly BillingCustomerRef[]>((known, customer) => withCustomer({ ...a, customers: known }, customer), a.customers),
    subscriptions: mergeFacts(a.subscriptions, b.subscriptions, (left, right) => ({ ...newerFact(left, right), liveSince: minOf(left.liveSince, right.liveSince) })),
    invoices: mergeFacts(a.invoices, b.invoices, (left, right) => {
      const newer = newerFact(left, right);
      const older = newer === left ? right : left;
      // The amount and reason are the latest failure's (else the written-off amount: the newer fact's that has one).
      const failure = left.failedAt !== right.failedAt ? ((left.failedAt ?? '') > (right.failedAt ?? '') ? left : right) : newer.amountDue !== null ? newer : older;
      return {
        ...newer,
        amountDue: failure.amountDue,
        currency: failure.currency,
        failureReason: failure.failureReason,
        failedAt: maxOf(left.failedAt, right.failedAt),
        paidAt: maxOf(left.paidAt, right.paidAt),
        uncollectibleAt: maxOf(left.uncollectibleAt, right.uncollectibleAt),
      };
    }),
    disputes: mergeFacts(a.disputes, b.disputes, (left, right) => ({ ...newerFact(left, right), openedAt: minOf(left.openedAt, right.openedAt)! })),
  };
}

/**
 * A price's monthly amount in exact minor units. Months have no fixed length, so a week is 52/12 of a month and a
 * day 365/12 (the usual MRR convention); the division rounds half up to the minor unit, in integers.
 */
export function monthlyAmount(unitAmount: number, quantity: number, interval: SubscriptionFact['items'][number]['interval'], intervalCount: number | null): number | null {
  if (interval === null || !Number.isInteger(quantity)) return null;
  const count = BigInt(intervalCount ?? 1);
  const total = BigInt(unitAmount) * BigInt(quantity);
  const [numerator, denominator] =
    interval === 'month' ? [total, count] : interval === 'year' ? [total, 12n * count] : interval === 'week' ? [total * 52n, 12n * count] : [total * 365n, 12n * count];
  const sign = numerator < 0n ? -1n : 1n;
  const magnitude = numerator * sign;
  return Number(sign * ((magnitude * 2n + denominator) / (denominator * 2n)));
}

function tierRank(config: EntitlementConfig, tier: string): number {
  return config.tiers.indexOf(tier);
}

/** The entitlement the facts give the customer. Pure: the same inputs give the same entitlement. */
export function deriveEntitlement(customer: string, inputs: EntitlementInputs, config: EntitlementConfig): Entitlement {
  const subscriptions = Object.values(inputs.subscriptions);
  const invoices = Object.values(inputs.invoices);
  const disputes = Object.values(inputs.disputes);
  const watermark = [...subscriptions, ...invoices, ...disputes].reduce((newest, fact) => (fact.asOf > newest ? fact.asOf : newest), '');
  const live = subscriptions.filter((subscription) => LIVE_STATUSES.has(subscription.status));
  const openInvoices: OpenInvoice[] = invoices
    .filter((invoice) => invoice.failedAt !== null && invoice.paidAt === null && invoice.uncollectibleAt === null)
    .map((invoice) => ({ system: invoice.system, id: invoice.id, amountDue: invoice.amountDue, currency: invoice.currency, failedAt: invoice.failedAt!, failureReason: invoice.failureReason }))
    .sort((a, b) => a.failedAt.localeCompare(b.failedAt) || a.id.localeCompare(b.id));
  const base = { customer, billingCustomers: inputs.customers, watermark };

  if (live.length === 0) {
    const ended = subscriptions.reduce<string | null>((latest, subscription) => maxOf(latest, subscription.endedAt), null);
    return { ...base, plan: null, tier: config.noneTier, seats: 0, status: 'cancelled', since: ended, mrr: [], openInvoices };
  }

  // The plan: the highest tier any live subscription's prices give; its seats are the quantities of that plan's prices.
  let best: { plan: string | null; tier: string } = { plan: null, tier: config.unmappedTier };
  let bestRank = -1;
  for (const subscription of live) {
    for (const item of subscription.items) {
      const plan = config.plans.find((candidate) => candidate.priceIds.includes(item.priceId));
      if (plan !== undefined && tierRank(config, plan.tier) > bestRank) {
        best = { plan: plan.plan, tier: plan.tier };
        bestRank = tierRank(config, plan.tier);
      }
    }
  }
  const planPrices = new Set(config.plans.find((candidate) => candidate.plan === best.plan)?.priceIds ?? []);
  const seats = live.flatMap((subscription) => subscription.items).filter((item) => best.plan === null || planPrices.has(item.priceId)).reduce((sum, item) => sum + item.quantity, 0);

  const mrrByCurrency = new Map<string, number>();
  for (const subscription of live) {
    for (const item of subscription.items) {
      if (item.unitAmount === null) continue;
      const monthly = monthlyAmount(item.unitAmount, item.quantity, item.interval, item.intervalCount);
      if (monthly !== null) mrrByCurrency.set(subscription.currency, (mrrByCurrency.get(subscription.currency) ?? 0) + monthly);
    }
  }
  const mrr = [...mrrByCurrency].map(([currency, amount]) => ({ currency, amount })).sort((a, b) => a.currency.localeCompare(b.currency));

  const { status, since } = standing(live, invoices, disputes, openInvoices);
  return { ...base, plan: best.plan, tier: best.tier, seats, status, since, mrr, openInvoices };
}

/**
 * Suspended: money is contested or written off (an open dispute, an uncollectible unpaid invoice), a dunning's grace
 * ended with the invoice unpaid, or the provider paused the subscription. Past due: a failed invoice still unpaid, a lost dispute, or the provider says so. Else
 * active since the later of the first live sighting and the last settlement (a paid failure, a closed dispute).
 */
function standing(live: readonly SubscriptionFact[], invoices: readonly InvoiceFact[], disputes: readonly DisputeFact[], openInvoices: readonly OpenInvoice[]): { status: EntitlementStatus; since: string | null } {
  const asOfTime = (asOf: Watermark) => asOf.split('|')[0] ?? null;
  const suspendedSince = [
    ...disputes.filter((dispute) => !dispute.closed).map((dispute) => dispute.openedAt),
    ...invoices.filter((invoice) => invoice.uncollectibleAt !== null && invoice.paidAt === null).map((invoice) => invoice.uncollectibleAt!),
    ...invoices.filter((invoice) => (invoice.graceEndedAt ?? null) !== null && invoice.paidAt === null).map((invoice) => invoice.graceEndedAt!),
    ...live.filter((subscription) => subscription.status === 'paused').map((subscription) => asOfTime(subscription.asOf)),
  ];
  if (suspendedSince.length > 0) return { status: 'suspended', since: suspendedSince.reduce<string | null>((earliest, time) => minOf(earliest, time), null) };

  // A lost dispute took the money back: past due until a later payment brings money in again.
  const latestPayment = invoices.reduce<string | null>((latest, invoice) => maxOf(latest, invoice.paidAt), null);
  const lostUnrepaid = disputes.filter((dispute) => dispute.closed && dispute.outcome === 'lost' && (latestPayment === null || latestPayment <= dispute.updatedAt));
  const pastDueSince = [
    ...openInvoices.map((invoice) => invoice.failedAt),
    ...lostUnrepaid.map((dispute) => dispute.updatedAt),
    ...live.filter((subscription) => subscription.status === 'past_due' || subscription.status === 'unpaid').map((subscription) => asOfTime(subscription.asOf)),
  ];
  if (pastDueSince.length > 0) return { status: 'past_due', since: pastDueSince.reduce<string | null>((earliest, time) => minOf(earliest, time), null) };

  const settledAt = [
    ...invoices.filter((invoice) => invoice.paidAt !== null && (invoice.failedAt !== null || invoice.uncollectibleAt !== null)).map((invoice) => invoice.paidAt!),
    ...disputes.filter((dispute) => dispute.closed).map((dispute) => dispute.updatedAt),
    // The payment that brought money in after a lost dispute.
    ...(disputes.some((dispute) => dispute.closed && dispute.outcome === 'lost') && latestPayment !== null ? [latestPayment] : []),
  ].reduce<string | null>((latest, time) => maxOf(latest, time), null);
  const liveSince = live.reduce<string | null>((earliest, subscription) => minOf(earliest, subscription.liveSince), null);
  return { status: 'active', since: maxOf(liveSince, settledAt) };
}

/** Whether two entitlements differ in anything support sees (the watermark alone is no change). */
export function entitlementChanged(previous: Entitlement | undefined, next: Entitlement): boolean {
  if (previous === undefined) return true;
  const { watermark: _previousWatermark, ...before } = previous;
  const { watermark: _nextWatermark, ...after } = next;
  return JSON.stringify(before) !== JSON.stringify(after);
}
