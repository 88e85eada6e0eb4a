import { entityKey } from '../../../events/envelope';
import type { SubscriptionSnapshot, SubscriptionUpdated } from '../../../events/subscription-updated';
import { type AccountStandingLedger, markStanding } from '../../domain/account-standing';
import { type BillingConfig, companyRouteFor } from '../../domain/billing-config';
import type { LedgerCurrency, LedgerPrecisions } from '../../domain/billing-ledger';
import type { IdentityMap } from '../../domain/identity-map';
import { BillingSetupError } from '../../domain/invoice-errors';
import { providerCurrencyExponent } from '../../providers/registry';
import {
  amendContractLines,
  contractTransition,
  pastDueStandingOf,
  planContractLines,
  productNameOf,
  targetContractState,
} from '../../domain/subscription-contract';
import type { ContractLineValues, ContractOrder, ContractState, SubscriptionLedger } from '../../domain/subscription-ledger';
import { isNewer, type WatermarkStore, watermarkOf } from '../../domain/watermark';
import { knownPartner } from '../known-partner';
import { underWatermarkLease } from '../../platform/watermark-lease';

export interface SubscriptionSyncPorts {
  readonly ledger: SubscriptionLedger;
  readonly standing: AccountStandingLedger;
  readonly identityMap: IdentityMap;
  readonly watermarks: WatermarkStore;
  readonly config: BillingConfig;
}

export type StandingMark = 'flagged-past-due' | 'cleared-past-due' | 'unchanged';

export type SubscriptionSyncOutcome =
  | { outcome: 'created' | 'amended' | 'unchanged'; orderId: number; state: ContractState; lineChanges: number; standing: StandingMark }
  | { outcome: 'stale'; watermark: string };

export const ODOO_SALE_ORDER = { system: 'odoo', kind: 'sale.order' } as const;

/** `<system>:subscription:<id>`: the identity-map key and the watermark entity of a subscription. */
export const subscriptionKey = (subscription: Pick<SubscriptionSnapshot, 'system' | 'id'>): string =>
  entityKey(subscription.system, 'subscription', subscription.id);

/**
 * `subscription.updated` (a full snapshot) → the subscription's contract in Odoo, a sale order:
 * - the subscription's write lease and watermark: only the newest snapshot is applied, whatever the order
 *   and number of deliveries, so the order ends as the newest snapshot says;
 * - identity map, else a search by `client_order_ref`, before creating: a crash between the create and the
 *   identity-map write finds the order instead of duplicating it;
 * - lines follow the snapshot (amendContractLines), then the state: confirmed, cancelled, or left a quotation;
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
      ({ state } = await moveToTarget(ports, order, target, subscription, { changes }));
      lineChanges = changes.length;
      outcome = lineChanges > 0 || state !== order.state ? 'amended' : 'unchanged';
    }

    const standing = await markPastDue(ports, partnerId, subscription);
    return { result: { outcome, orderId, state, lineChanges, standing }, commit: candidate };
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
