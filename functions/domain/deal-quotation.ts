import type { DealLine, DealSnapshot } from '../../events/crm-parts';
import { entityKey } from '../../events/envelope';
import { PermanentSyncError } from '../platform/errors';
import { EXTERNAL_ID_MODULE } from './customer-to-partner';
import type { DealConfig } from './deal-config';
import type { DealLineValues, DealOrderState, OdooProductRef } from './deal-ledger';
import { exactQuantityAndPrice, formatMinorUnits, InexactAmountError, type OdooLinePrecision, parseDecimal, toOdooMinor } from './odoo-document-lines';

/**
 * A CRM deal as an Odoo sale order, decided from the deal snapshot alone (the newest one wins, whatever the
 * delivery order):
 * - open deal → a quotation whose lines follow the deal's;
 * - closed-won → the quotation confirmed (the binding sale order);
 * - closed-lost → the quotation cancelled; reopened in the CRM → a quotation again.
 * A confirmed order is a commitment to the customer (it may already be delivered or invoiced): the integration
 * never rewrites or cancels it. What the CRM changes after that is flagged in the order's chatter for a person.
 */

/** A deal line no Odoo product can be found for: the deal cannot become a quotation until the mapping exists. */
export class UnmappedDealLineError extends PermanentSyncError {
  override name = 'UnmappedDealLineError';
}

/** A deal that cannot become an order as it stands (no account, no currency): fixed in the CRM, not by retrying. */
export class IncompleteDealError extends PermanentSyncError {
  override name = 'IncompleteDealError';
}

type DealRef = Pick<DealSnapshot, 'system' | 'id'>;

/** `<system>:deal:<id>`: the deal's identity-map key and watermark entity. */
export const dealKey = (deal: DealRef): string => entityKey(deal.system, 'deal', deal.id);

/** `saas_sync.<system>_deal_<id>`: binds the order to the deal, so a repeated create finds the same order. */
export const dealExternalId = (deal: DealRef): string => `${EXTERNAL_ID_MODULE}.${deal.system}_deal_${deal.id.replace(/[^A-Za-z0-9_]/g, '_')}`;

/** The account the deal is sold to: the CRM's primary one, else its first. */
export function dealAccountId(deal: Pick<DealSnapshot, 'id' | 'primaryAccountId' | 'accountIds'>): string {
  const accountId = deal.primaryAccountId ?? deal.accountIds[0];
  if (accountId === undefined) throw new IncompleteDealError(`deal ${deal.id} has no account: an order needs the customer it is sold to`);
  return accountId;
}

/** `<system>:account:<id>`: the identity-map key whose Odoo partner the order is for (the account flow links it). */
export const accountKey = (deal: Pick<DealSnapshot, 'system' | 'id' | 'primaryAccountId' | 'accountIds'>): string =>
  entityKey(deal.system, 'account', dealAccountId(deal));

/** The order state the deal asks for, from the CRM's own verdict flags (never a stage label). */
export function targetOrderState(deal: Pick<DealSnapshot, 'isClosedWon' | 'isClosedLost'>): DealOrderState {
  if (deal.isClosedWon) return 'confirmed';
  if (deal.isClosedLost) return 'cancelled';
  return 'quotation';
}

export interface DealOrderSteps {
  /** `action_draft`: a cancelled quotation whose deal is open (or won) again. */
  reopen: boolean;
  /** The quotation's lines are made equal to the deal's. */
  amendLines: boolean;
  confirm: boolean;
  cancel: boolean;
  /** A confirmed order: the deal's lines are compared and a difference is noted, never written. */
  compareConfirmedLines: boolean;
  /** The deal is lost, or deleted, but its order is confirmed: noted, never cancelled by the integration. */
  flagConfirmedLoss: boolean;
}

/** The steps from the order's state to the one the deal asks for. */
export function dealOrderSteps(current: DealOrderState, target: DealOrderState): DealOrderSteps {
  const none = { reopen: false, amendLines: false, confirm: false, cancel: false, compareConfirmedLines: false, flagConfirmedLoss: false };
  if (current === 'confirmed') return { ...none, compareConfirmedLines: target !== 'cancelled', flagConfirmedLoss: target === 'cancelled' };
  if (target === 'cancelled') return { ...none, cancel: current === 'quotation' };
  // An open or won deal: the quotation (reopened if it was cancelled) takes the deal's lines, then is confirmed when won.
  return { ...none, reopen: current === 'cancelled', amendLines: true, confirm: target === 'confirmed' };
}

/** What a deleted deal does to its order: a quotation is cancelled; a confirmed order only gets a note. */
export function deletionStep(current: DealOrderState): 'cancel' | 'flag' | 'none' {
  if (current === 'quotation') return 'cancel';
  if (current === 'confirmed') return 'flag';
  return 'none';
}

/**
 * The Odoo product a deal line is sold as: the configured mapping of its CRM product first (an explicit
 * decision), else its SKU as the product's Internal Reference; undefined when it has neither.
 */
export function productRefOf(line: DealLine, system: DealSnapshot['system'], config: Pick<DealConfig, 'products'>): OdooProductRef | undefined {
  const mapped = line.productId === null ? undefined : config.products[`${system}:${line.productId}`];
  if (typeof mapped === 'number') return { productId: mapped };
  if (typeof mapped === 'string') return { defaultCode: mapped };
  const sku = line.sku?.trim();
  return sku ? { defaultCode: sku } : undefined;
}

const describeLine = (line: DealLine): string =>
  `line ${line.id}${line.name ? ` “${line.name}”` : ''} (SKU ${line.sku ?? 'none'}, CRM product ${line.productId ?? 'none'})`;

/** One decimal as units / 10^scale, trailing zeros dropped (`"2.50"` → 25 / 10). */
function normalizedQuantity(text: string): { units: bigint; scale: number } {
  let { units, scale } = parseDecimal(text);
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  return { units, scale };
}

/**
 * The Odoo lines of a deal, with exact money. `productOf` says the Odoo product of each line (undefined:
 * unmapped). Every line must map: an unmapped line is a permanent error naming each such line, and nothing is
 * written (a quotation missing a line is a wrong offer).
 *
 * - The quantity is the deal's, exactly: one Odoo cannot hold at its `Product Unit of Measure` precision is
 *   refused (raise the precision in Odoo), never rounded.
 * - The unit price is the deal's in the deal's currency. When the CRM's line amount is not quantity × unit price
 *   (a CRM discount), the net is what the customer is offered: it is netted into the price (Odoo discounts are
 *   percentages, which cannot express most amounts exactly) and the description says the list price.
 * - A price Odoo cannot hold at its `Product Price` precision (a 3-decimal currency with 2-digit prices) goes
 *   as one exact amount (`exactQuantityAndPrice`), the real quantity and unit price in the description.
 */
export function planDealLines(
  deal: Pick<DealSnapshot, 'id' | 'lines'>,
  options: { currency: string; precision: OdooLinePrecision; providerExponent: number; productOf: (line: DealLine) => number | undefined },
): DealLineValues[] {
  const { precision, providerExponent } = options;
  const unmapped = deal.lines.filter((line) => options.productOf(line) === undefined);
  if (unmapped.length > 0) {
    throw new UnmappedDealLineError(
      `deal ${deal.id}: no Odoo product for ${unmapped.map(describeLine).join('; ')}. ` +
        'Give the Odoo product this SKU as its Internal Reference, or map the CRM product in the stage config (deals.products)',
    );
  }
  const currencyCode = options.currency.toUpperCase();
  const money = (minor: number): string => `${formatMinorUnits(minor, precision.currencyDecimals)} ${currencyCode}`;
  return deal.lines.map((line) => {
    const productId = options.productOf(line)!;
    const base = line.name?.trim() || line.sku?.trim() || `Deal line ${line.id}`;
    const quantity = normalizedQuantity(line.quantity);
    if (quantity.scale > precision.quantityDigits) {
      throw new InexactAmountError(
        `deal ${deal.id} ${describeLine(line)}: quantity ${line.quantity} has more decimals than Odoo's ${precision.quantityDigits}-digit quantities; ` +
          'raise the “Product Unit of Measure” precision in Odoo or round the quantity in the CRM',
      );
    }
    const quantityNumber = Number(line.quantity);
    const unit = toOdooMinor(line.unitAmount, providerExponent, precision.currencyDecimals);
    const scale = 10n ** BigInt(quantity.scale);
    const grossScaled = BigInt(unit) * quantity.units; // gross × 10^scale, exact
    const net = line.amount === null ? undefined : toOdooMinor(line.amount, providerExponent, precision.currencyDecimals);
    const discounted = net !== undefined && BigInt(net) * scale !== grossScaled;
    const priceExact = precision.currencyDecimals <= precision.priceDigits || unit % 10 ** (precision.currencyDecimals - precision.priceDigits) === 0;
    if (!discounted && priceExact) {
      return { productId, name: base, quantity: quantityNumber, priceUnit: Number(formatMinorUnits(unit, precision.currencyDecimals)) };
    }
    // The amount the customer is offered: the CRM's net, else quantity × unit price rounded as Odoo rounds a subtotal.
    const offered = net ?? Number((2n * grossScaled + scale) / (2n * scale));
    const exact = exactQuantityAndPrice(offered, quantityNumber, precision);
    const detail = discounted ? `${line.quantity} × ${money(unit)} list price, ${money(offered)} net` : `${line.quantity} × ${money(unit)}`;
    return { productId, name: `${base} (${detail})`, quantity: exact.quantity, priceUnit: exact.priceUnit };
  });
}
