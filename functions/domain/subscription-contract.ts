import type { SubscriptionSnapshot } from '../../events/subscription-updated';
import { exactQuantityAndPrice, formatMinorUnits, InexactAmountError, type OdooLinePrecision, toOdooMinor } from './odoo-document-lines';
import type { ContractLineChange, ContractLineValues, ContractState, ExistingContractLine } from './subscription-ledger';

/**
 * A provider subscription as an Odoo contract (a sale order), decided from the snapshot alone so that the
 * final order depends only on the newest snapshot, whatever the delivery order.
 */

type SubscriptionStatus = SubscriptionSnapshot['status'];

/**
 * The order state a subscription status asks for:
 * - active, trialing, past_due, paused: a running contract → confirmed (paused still binds the customer);
 * - unpaid: confirmed while the subscription lives, cancelled once the provider ended it (`endedAt`);
 * - canceled, incomplete_expired: cancelled;
 * - incomplete (first payment pending): a quotation. Odoo cannot take a confirmed order back to quotation,
 *   so a quotation target on a confirmed order leaves it confirmed (the provider never goes back to
 *   `incomplete` either).
 */
export function targetContractState(subscription: Pick<SubscriptionSnapshot, 'status' | 'endedAt'>): ContractState {
  switch (subscription.status) {
    case 'active':
    case 'trialing':
    case 'past_due':
    case 'paused':
      return 'confirmed';
    case 'unpaid':
      return subscription.endedAt === null ? 'confirmed' : 'cancelled';
    case 'canceled':
    case 'incomplete_expired':
      return 'cancelled';
    case 'incomplete':
      return 'quotation';
  }
}

/**
 * The past-due standing a status asks for: flagged while the subscription's invoices are unpaid (`past_due`,
 * `unpaid`), cleared for every other status. Every status decides (none "keeps" the tag), so the final
 * standing depends on the newest snapshot only, not on which older ones were seen: a subscription that was
 * past due, then cancelled, ends cleared whether or not its `active` in between was delivered. Debt left on a
 * cancelled subscription shows on its invoices (the invoice flow's "uncollectible" standing).
 */
export function pastDueStandingOf(status: SubscriptionStatus): 'flag' | 'clear' {
  return status === 'past_due' || status === 'unpaid' ? 'flag' : 'clear';
}

/** The Odoo order steps from the current state to the target: reopen, amend lines, then confirm or cancel. */
export function contractTransition(
  current: ContractState,
  target: ContractState,
): { reopen: boolean; amendLines: boolean; linesConfirmed: boolean; confirm: boolean; cancel: boolean } {
  const reopen = current === 'cancelled' && target !== 'cancelled';
  const state: ContractState = reopen ? 'quotation' : current;
  return {
    reopen,
    // A cancelled contract is closed: a later snapshot of an ended subscription changes nothing in it.
    amendLines: state !== 'cancelled',
    linesConfirmed: state === 'confirmed',
    confirm: target === 'confirmed' && state === 'quotation',
    cancel: target === 'cancelled' && state !== 'cancelled',
  };
}

/** One planned line per subscription item, before the product ids are known. */
export interface PlannedContractLine {
  priceId: string;
  name: string;
  quantity: number;
  priceUnit: number;
}

function intervalLabel(interval: SubscriptionSnapshot['items'][number]['interval'], count: number | null): string | undefined {
  if (interval === null) return undefined;
  const every = count ?? 1;
  if (every === 1) return { day: 'daily', week: 'weekly', month: 'monthly', year: 'yearly' }[interval];
  return `every ${every} ${interval}s`;
}

/** What a product made for a provider price is called (the first time Odoo sees the price). */
export function productNameOf(item: SubscriptionSnapshot['items'][number]): string {
  return item.description?.trim() || `Price ${item.priceId}`;
}

/**
 * The order lines of a subscription with exact money: `product_uom_qty` = the item's quantity and
 * `price_unit` = its unit amount, when Odoo can hold that price exactly at the `Product Price` precision.
 * When it cannot (a 3-decimal KWD price with 2-digit prices), the line carries quantity × unit amount as
 * one exact amount (quantity 1, or 0.1/0.01: `exactQuantityAndPrice`) and says the real quantity and unit
 * price in its description: the order total stays the provider's to the minor unit, rather than Odoo
 * rounding the unit price. Items without a unit amount (tiered, metered) are lines at price 0: their
 * amounts come on the invoices.
 */
export function planContractLines(
  subscription: Pick<SubscriptionSnapshot, 'items' | 'currency'>,
  options: { precision: OdooLinePrecision; providerExponent: number },
): PlannedContractLine[] {
  const { precision, providerExponent } = options;
  return subscription.items.map((item) => {
    if (!Number.isInteger(item.quantity)) {
      throw new InexactAmountError(`subscription item ${item.id} has a fractional quantity ${item.quantity}: not a seat count Odoo can carry exactly`);
    }
    const label = [productNameOf(item), intervalLabel(item.interval, item.intervalCount)].filter(Boolean);
    const baseName = label.length > 1 ? `${label[0]} (${label[1]})` : String(label[0]);
    if (item.unitAmount === null) {
      return { priceId: item.priceId, name: `${baseName} (usage-based: amounts on invoices)`, quantity: item.quantity, priceUnit: 0 };
    }
    const unit = toOdooMinor(item.unitAmount, providerExponent, precision.currencyDecimals);
    const net = unit * item.quantity;
    if (!Number.isSafeInteger(net)) throw new InexactAmountError(`subscription item ${item.id}: ${item.quantity} × ${unit} exceeds exact integers`);
    const exactUnit = item.quantity === 0 ? exactQuantityAndPrice(unit, 1, precision) : undefined;
    if (exactUnit !== undefined && exactUnit.quantityKept) {
      return { priceId: item.priceId, name: baseName, quantity: 0, priceUnit: exactUnit.priceUnit };
    }
    const { quantity, priceUnit, quantityKept } = exactQuantityAndPrice(net, item.quantity, precision);
    const unitText = `${formatMinorUnits(unit, precision.currencyDecimals)} ${subscription.currency.toUpperCase()}`;
    const name = quantityKept ? baseName : `${baseName} (quantity ${item.quantity} × ${unitText})`;
    return { priceId: item.priceId, name, quantity, priceUnit };
  });
}

/** Odoo float at `digits` → integer, for comparisons that must not depend on binary noise. */
function scaled(value: number, digits: number): number {
  return Math.round(value * 10 ** digits);
}

/**
 * The changes that make an order's lines equal the wanted ones. Lines are matched by product (one product
 * per provider price, and a subscription has at most one item per price): a wanted product's first line is
 * updated in place (quantity, unit price, description), a new product gets a new line, and every other
 * product line leaves the order — deleted on a quotation, set to quantity 0 on a confirmed order (Odoo
 * refuses to delete a confirmed line). A plan change is therefore "old plan at quantity 0, new plan
 * added": the product of a confirmed line is never rewritten (Odoo refuses it once the line is invoiced or
 * the order is locked). Lines without a product (sections, notes a person added) are left alone.
 */
export function amendContractLines(
  existing: readonly ExistingContractLine[],
  wanted: readonly ContractLineValues[],
  options: { confirmed: boolean; priceDigits: number; quantityDigits: number },
): ContractLineChange[] {
  const changes: ContractLineChange[] = [];
  const byProduct = new Map<number, ExistingContractLine[]>();
  for (const line of [...existing].sort((a, b) => a.id - b.id)) {
    if (line.productId === undefined) continue;
    byProduct.set(line.productId, [...(byProduct.get(line.productId) ?? []), line]);
  }
  const same = (line: ExistingContractLine, values: ContractLineValues): boolean =>
    line.name === values.name &&
    scaled(line.quantity, options.quantityDigits) === scaled(values.quantity, options.quantityDigits) &&
    scaled(line.priceUnit, options.priceDigits) === scaled(values.priceUnit, options.priceDigits);
  const leave = (line: ExistingContractLine): void => {
    if (!options.confirmed) changes.push({ op: 'remove', lineId: line.id });
    else if (scaled(line.quantity, options.quantityDigits) !== 0) changes.push({ op: 'zero', lineId: line.id });
  };
  for (const values of wanted) {
    // Each wanted line takes the oldest unused line of its product; what no wanted line takes leaves.
    const line = byProduct.get(values.productId)?.shift();
    if (line === undefined) changes.push({ op: 'create', line: values });
    else if (!same(line, values)) changes.push({ op: 'update', lineId: line.id, line: values });
  }
  for (const lines of byProduct.values()) lines.forEach(leave);
  return changes;
}
