import { entityKey } from '../../../events/envelope';
import { type ContractLine, SUBSCRIPTION_AMENDED, SUBSCRIPTION_AMENDED_VERSION, type SubscriptionAmended } from '../../../events/subscription-amended';
import type { SubscriptionSnapshot, SubscriptionUpdated } from '../../../events/subscription-updated';
import { type AccountStandingLedger, markStanding } from '../../domain/account-standing';
import { type BillingConfig, companyRouteFor } from '../../domain/billing-config';
import type { LedgerCurrency, LedgerPrecisions } from '../../domain/billing-ledger';
import type { IdentityMap } from '../../domain/identity-map';
import { BillingSetupError } from '../../domain/invoice-errors';
import { formatMinorUnits } from '../../domain/odoo-document-lines';
import { providerCurrencyExponent } from '../../providers/registry';
import {
  amendContractLines,
  contractTransition,
  pastDueStandingOf,
  planContractLines,
  productNameOf,
  targetContractState,
} from '../../domain/subscription-contract';
import type { ContractLineValues, ContractOrder, ContractState, ExistingContractLine, SubscriptionLedger } from '../../domain/subscription-ledger';
import { isNewer, type WatermarkStore, watermarkOf } from '../../domain/watermark';
import { knownPartner } from '../known-partner';
import { underWatermarkLease } from '../../platform/watermark-lease';

export interface SubscriptionSyncPorts {
  readonly ledger: SubscriptionLedger;
  readonly standing: AccountStandingLedger;
  readonly identityMap: IdentityMap;
  readonly watermarks: WatermarkStore;
  readonly config: BillingConfig;
  /** Puts `subscription.amended` on the bus. */
  readonly publish: (events: readonly SubscriptionAmended[]) => Promise<void>;
}

export type StandingMark = 'flagged-past-due' | 'cleared-past-due' | 'unchanged';

export type SubscriptionSyncOutcome =
  | {
      outcome: 'created' | 'amended' | 'unchanged';
      orderId: number;
      state: ContractState;
      lineChanges: number;
      standing: StandingMark;
      /** The id of the `subscription.amended` this delivery put on the bus, if it put one. */
      published: string | undefined;
    }
  | { outcome: 'stale'; watermark: string };

export const ODOO_SALE_ORDER = { system: 'odoo', kind: 'sale.order' } as const;

/** `<system>:subscription:<id>`: the identity-map key and the watermark entity of a subscription. */
/** The deterministic id of the amendment a snapshot makes: a redelivery republishes the same event, which consumers deduplicate. */
export const subscriptionAmendedEventId = (event: Pick<SubscriptionUpdated, 'id'>): string => `${event.id}:amended`;

export const subscriptionKey = (subscription: Pick<SubscriptionSnapshot, 'system' | 'id'>): string =>
  entityKey(subscription.system, 'subscription', subscription.id);

/**
 * `subscription.updated` (a full snapshot) → the subscription's contract in Odoo, a sale order:
 * - the subscription's write lease and watermark: only the newest snapshot is applied, whatever the order
 *   and number of deliveries, so the order ends as the newest snapshot says;
 * - identity map, else a search by `client_order_ref`, before creating: a crash between the create and the
 *   identity-map write finds the order instead of duplicating it;
 * - lines follow the snapshot (amendContractLines), then the state: confirmed, cancelled, or left a quotation;
 * - a confirmed contract whose lines change (not a new one, a quotation, an ending) is announced as
 *   `subscription.amended` (the amendment saga), before the write: see `announceAmendment`;
 * - the partner's past-due standing follows the status; a cancellation is noted on the partner.
 * Every step is idempotent against what Odoo holds, so a retry after a failure part-way completes the work.
 *
 * Odoo calls per event, warm container (identity map knows partner and order; tax field, currency,
 * products and tags cached), as the contract tests count them:
 * - new subscription: 4 — `sale.order.search_read` (none), `create` with its lines, `action_confirm`, `res.partner.read` (standing);
 * - amendment (seats, plan, price): 4 — `sale.order.read`, `sale.order.line.read`, one `sale.order.write`, `res.partner.read`;
 * - unchanged snapshot: 3 (no write); cancellation: + `message_post` + `action_cancel`;
 * - standing change: + `message_post` + `res.partner.write`.
 * Cold container: + `fields_get` (tax field) 1, currency 1, products 2 for unseen prices, partner by external id 1, tag 1–2.
 */
/**
 * `leaseOwner`: who holds the subscription's lease while this runs — the event (the flow, and its redeliveries), or a
 * saga's step applying the same event beside the flow: an owner of its own, or the lease (re-entrant for its owner)
 * would let both in at once and both close the contract (two notes: the offboarding e2e saw it).
 */
export async function syncSubscription(event: SubscriptionUpdated, ports: SubscriptionSyncPorts, leaseOwner: string = event.id): Promise<SubscriptionSyncOutcome> {
  const subscription = event.data.subscription;
  const key = subscriptionKey(subscription);
  const candidate = watermarkOf(event);
  return underWatermarkLease<SubscriptionSyncOutcome>(ports.watermarks, key, leaseOwner, async (current) => {
    if (!isNewer(candidate, current)) return { result: { outcome: 'stale', watermark: current ?? candidate } };

    // Everything that can fail for setup reasons is decided before the first write.
    const route = companyRouteFor(ports.config, subscription);
    const partnerId = await knownPartner(ports, subscription);
    const { lines: wanted, currency, precisions } = await wantedLines(subscription, ports);
    const { priceDigits, quantityDigits } = precisions;
    const target = targetContractState(subscription);

    const order = await locateOrder(ports, key, subscription.id, partnerId);
    let orderId: number;
    let state: ContractState;
    let lineChanges = 0;
    let published: string | undefined;
    let outcome: 'created' | 'amended' | 'unchanged';
    if (order === undefined) {
      orderId = await ports.ledger.createOrder({ reference: subscription.id, partnerId, companyId: route.companyId, currency, lines: wanted });
      await ports.identityMap.link(key, { ...ODOO_SALE_ORDER, id: String(orderId) });
      ({ state } = await moveToTarget(ports, { id: orderId, name: null, state: 'quotation', partnerId, lines: [] }, target, subscription, { changes: [] }));
      lineChanges = wanted.length;
      outcome = 'created';
    } else {
      orderId = order.id;
      const step = contractTransition(order.state, target);
      const changes = step.amendLines ? amendContractLines(order.lines, wanted, { confirmed: step.linesConfirmed, priceDigits, quantityDigits }) : [];
      if (step.linesConfirmed && !step.cancel && changes.length > 0) published = await announceAmendment(event, ports, order, { lines: wanted, currency, precisions });
      ({ state } = await moveToTarget(ports, order, target, subscription, { changes }));
      lineChanges = changes.length;
      outcome = lineChanges > 0 || state !== order.state ? 'amended' : 'unchanged';
    }

    const standing = await markPastDue(ports, partnerId, subscription);
    return { result: { outcome, orderId, state, lineChanges, standing, published }, commit: candidate };
  });
}

/** The wanted lines with their products (created on first sight, one per provider price, without taxes). */
async function wantedLines(
  subscription: SubscriptionSnapshot,
  ports: SubscriptionSyncPorts,
): Promise<{ lines: ContractLineValues[]; currency: LedgerCurrency; precisions: LedgerPrecisions }> {
  const currencyCode = subscription.currency.toUpperCase();
  const [currency, precisions] = await Promise.all([ports.ledger.currency(currencyCode), ports.ledger.precisions()]);
  if (!currency) throw new BillingSetupError(`Odoo has no currency ${currencyCode} (subscription ${subscription.id})`);
  const planned = planContractLines(subscription, {
    precision: { currencyDecimals: currency.decimalPlaces, ...precisions },
    providerExponent: providerCurrencyExponent(subscription.system, subscription.currency),
  });
  const prices = [...new Map(subscription.items.map((item) => [item.priceId, { priceId: item.priceId, name: productNameOf(item) }])).values()];
  const products = prices.length === 0 ? new Map<string, number>() : await ports.ledger.products(subscription.system, prices, { authoritativeNames: true });
  const lines = planned.map((line) => {
    const productId = products.get(line.priceId);
    if (productId === undefined) throw new BillingSetupError(`no Odoo product for price ${line.priceId}`);
    return { productId, name: line.name, quantity: line.quantity, priceUnit: line.priceUnit };
  });
  return { lines, currency, precisions };
}

/** The subscription's order: identity map, then `client_order_ref` (linked when found). */
async function locateOrder(ports: SubscriptionSyncPorts, key: string, reference: string, partnerId: number): Promise<ContractOrder | undefined> {
  const known = await ports.identityMap.find(key, ODOO_SALE_ORDER.system, ODOO_SALE_ORDER.kind);
  if (known !== undefined) {
    const order = await ports.ledger.readOrder(Number(known));
    // Deleted in Odoo by a person: found again by reference, or created anew.
    if (order !== undefined) return order;
  }
  const found = await ports.ledger.findOrder(reference, partnerId);
  if (found !== undefined && String(found.id) !== known) await ports.identityMap.link(key, { ...ODOO_SALE_ORDER, id: String(found.id) });
  return found;
}

/** Reopen, amend, then confirm or cancel, as the transition says. A cancellation is noted on the partner first. */
async function moveToTarget(
  ports: SubscriptionSyncPorts,
  order: ContractOrder,
  target: ContractState,
  subscription: SubscriptionSnapshot,
  plan: { changes: ReturnType<typeof amendContractLines> },
): Promise<{ state: ContractState }> {
  const step = contractTransition(order.state, target);
  if (step.reopen) await ports.ledger.reopenOrder(order.id);
  if (step.amendLines) await ports.ledger.amendOrder(order.id, plan.changes);
  if (step.confirm) {
    await ports.ledger.confirmOrder(order.id);
    return { state: 'confirmed' };
  }
  if (step.cancel) {
    if (order.partnerId !== undefined) {
      const ended = subscription.endedAt ?? subscription.canceledAt;
      await ports.standing.note(
        'res.partner',
        order.partnerId,
        `Subscription ${subscription.id} ended (status ${subscription.status}${ended === null ? '' : `, ${ended.slice(0, 10)}`}): ` +
          `contract ${order.name ?? `sale order ${order.id}`} cancelled.`,
      );
    }
    await ports.ledger.cancelOrder(order.id);
    return { state: 'cancelled' };
  }
  return { state: step.reopen ? 'quotation' : order.state };
}

/** `past_due`/`unpaid` → the past-due tag; any other status clears it. A note only when the tag changes. */
async function markPastDue(ports: SubscriptionSyncPorts, partnerId: number, subscription: SubscriptionSnapshot): Promise<StandingMark> {
  const wanted = pastDueStandingOf(subscription.status);
  const tag = ports.config.standingTags.pastDue;
  const flag = wanted === 'flag';
  const body = flag
    ? `Subscription ${subscription.id} is ${subscription.status}: invoices are unpaid. Standing “${tag}” set.`
    : `Subscription ${subscription.id} is ${subscription.status}${subscription.status === 'active' ? ' again' : ''}: nothing overdue. Standing “${tag}” cleared.`;
  const changed = await markStanding(ports.standing, partnerId, tag, flag, body);
  if (!changed) return 'unchanged';
  return flag ? 'flagged-past-due' : 'cleared-past-due';
}

/** A contract line as the event carries it: exact decimal text at Odoo's precisions. */
export function contractLineOf(line: Pick<ContractLineValues, 'productId' | 'name' | 'quantity' | 'priceUnit'>, precisions: LedgerPrecisions): ContractLine {
  const text = (value: number, digits: number) => formatMinorUnits(Math.round(value * 10 ** digits), digits);
  return { odooProductId: line.productId, name: line.name, quantity: text(line.quantity, precisions.quantityDigits), unitPrice: text(line.priceUnit, precisions.priceDigits) };
}

/** The event's lines as values to amend an order to (the amendment saga's restore). */
export function contractLineValuesOf(line: ContractLine): ContractLineValues {
  return { productId: line.odooProductId, name: line.name, quantity: Number(line.quantity), priceUnit: Number(line.unitPrice) };
}

/** What a confirmed contract sells: its product lines with a quantity (a line zeroed by an earlier change sells nothing). */
export function sellingLines(lines: readonly ExistingContractLine[]): ContractLineValues[] {
  return lines.filter((line): line is ExistingContractLine & { productId: number } => line.productId !== undefined && line.quantity !== 0).map(({ productId, name, quantity, priceUnit }) => ({ productId, name, quantity, priceUnit }));
}

/**
 * `subscription.amended` for a confirmed contract about to take the snapshot's lines: the lines it sells now and
 * those it will. Published before the write, under the subscription's lease: a crash after the write would leave a
 * redelivery finding nothing to change and the amendment unannounced, while a crash before it republishes the same
 * event (same id, same content: the order is unchanged), which the saga's execution name deduplicates. The saga
 * verifies the write under the same lease, so it waits for this delivery to finish. No identity-map mark is needed,
 * unlike `deal.won`: each amendment is one snapshot's, and the watermark skips that snapshot once applied.
 */
async function announceAmendment(
  event: SubscriptionUpdated,
  ports: SubscriptionSyncPorts,
  order: ContractOrder,
  wanted: { lines: readonly ContractLineValues[]; currency: LedgerCurrency; precisions: LedgerPrecisions },
): Promise<string> {
  const subscription = event.data.subscription;
  const id = subscriptionAmendedEventId(event);
  const amended: SubscriptionAmended = {
    id,
    type: SUBSCRIPTION_AMENDED,
    source: subscription.system,
    subject: subscriptionKey(subscription),
    time: event.time,
    correlationId: event.correlationId,
    causationId: event.causationId,
    dataVersion: SUBSCRIPTION_AMENDED_VERSION,
    data: {
      subscription,
      order: { id: order.id, name: order.name, partnerId: order.partnerId ?? null },
      currency: wanted.currency.code.toLowerCase(),
      previousLines: sellingLines(order.lines).map((line) => contractLineOf(line, wanted.precisions)),
      lines: wanted.lines.map((line) => contractLineOf(line, wanted.precisions)),
    },
  };
  await ports.publish([amended]);
  return id;
}
