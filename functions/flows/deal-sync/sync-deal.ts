import type { DealLine, DealSnapshot } from '../../../events/crm-parts';
import type { DealDeleted } from '../../../events/deal-deleted';
import type { DealUpserted } from '../../../events/deal-upserted';
import type { DealWon } from '../../../events/deal-won';
import type { LedgerCurrency, LedgerPrecisions } from '../../domain/billing-ledger';
import type { DealConfig } from '../../domain/deal-config';
import type { DealLedger, DealLineValues, DealOrder, DealOrderState } from '../../domain/deal-ledger';
import {
  accountKey,
  dealAccountId,
  dealExternalId,
  dealKey,
  dealOrderSteps,
  deletionStep,
  IncompleteDealError,
  planDealLines,
  productRefOf,
  targetOrderState,
} from '../../domain/deal-quotation';
import type { IdentityMap } from '../../domain/identity-map';
import { BillingSetupError, DependencyMissingError } from '../../domain/invoice-errors';
import { formatMinorUnits } from '../../domain/odoo-document-lines';
import { amendContractLines } from '../../domain/subscription-contract';
import { isNewer, type WatermarkStore, watermarkOf } from '../../domain/watermark';
import { odooAmountToMinor } from '../../erp/odoo/odoo-money';
import { underWatermarkLease } from '../../platform/watermark-lease';
import { providerCurrencyExponent } from '../../providers/registry';
import { ODOO_PARTNER } from '../known-partner';

export interface DealSyncPorts {
  readonly ledger: DealLedger;
  readonly identityMap: IdentityMap;
  readonly watermarks: WatermarkStore;
  readonly config: DealConfig;
  /** Puts `deal.won` on the bus. */
  readonly publish: (events: readonly DealWon[]) => Promise<void>;
}

export type DealSyncOutcome =
  | {
      outcome: 'created' | 'amended' | 'unchanged' | 'flagged';
      orderId: number;
      state: DealOrderState;
      /** Lines created, changed or removed, + 1 when the quotation's customer or currency changed. */
      lineChanges: number;
      /** The id of the `deal.won` event put on the bus by this delivery, if it put one. */
      published: string | undefined;
    }
  | { outcome: 'cancelled' | 'flagged-deleted'; orderId: number }
  | { outcome: 'absent' }
  | { outcome: 'stale'; watermark: string };

export const ODOO_SALE_ORDER = { system: 'odoo', kind: 'sale.order' } as const;
/** The identity-map mark that a deal's `deal.won` is on the bus: a later closed-won delivery does not publish again. */
export const DEAL_WON_MARK = { system: 'saas_sync', kind: 'deal.won' } as const;

/** The deterministic id of a deal's `deal.won`: the same for every delivery, so consumers see one event. */
export const dealWonEventId = (deal: Pick<DealSnapshot, 'system' | 'id'>): string => `${dealKey(deal)}:won`;

/**
 * A deal event → the deal's Odoo sale order, exactly once in effect:
 * - the deal's write lease and watermark: only the newest snapshot is applied, in any delivery order;
 * - the order is found by identity map, else by its external id (`saas_sync.<system>_deal_<id>`, bound when the
 *   quotation is created, in the same transaction), so a create repeated after a crash finds it;
 * - everything that can fail for setup reasons (account's partner, products, currency, exact quantities) is
 *   decided before the first write: an unmapped line writes nothing;
 * - closed-won confirms the quotation once (a confirmed order is not confirmed again), then puts `deal.won` on
 *   the bus with the deal's deterministic id, marked in the identity map so that later deliveries do not
 *   publish again (a crash between the publish and the mark republishes the same event, same id);
 * - a confirmed order is never rewritten nor cancelled: a later line change, loss or deletion in the CRM is a
 *   note in its chatter, for finance to decide (it may already be delivered or invoiced).
 *
 * Odoo calls per event, warm container (currency and precisions cached; identity map knows partner and order),
 * as the contract tests count them:
 * - new open deal: 4 — `ir.model.data.search_read` (no order yet: crash recovery), `product.product.search_read`,
 *   `sale.order.load` (the quotation with its external id), `sale.order.write` (its lines);
 *   cold: + pricelist lookup 1 (+1 `load` when the currency has none);
 * - deal changed while a quotation: 4 with a line change (`read` order, `read` lines, products, one `write`),
 *   3 without;
 * - closed-won: + `action_confirm`, then `read` + lines `read` of the confirmed order for `deal.won` (+2);
 * - closed-lost: `read`, lines `read`, `action_cancel` (no product lookup);
 * - change to a confirmed order: `read`, lines `read`, products, `message_post`;
 * - deal.deleted: `read`, lines `read`, then `action_cancel` or `message_post`.
 */
export async function syncDeal(event: DealUpserted | DealDeleted, ports: DealSyncPorts): Promise<DealSyncOutcome> {
  const key = dealKey(event.data.deal);
  const candidate = watermarkOf(event);
  return underWatermarkLease<DealSyncOutcome>(ports.watermarks, key, event.id, async (current) => {
    if (!isNewer(candidate, current)) return { result: { outcome: 'stale', watermark: current ?? candidate } };
    const result = event.type === 'deal.upserted' ? await applyDeal(event, ports) : await deleteDeal(event, ports);
    return { result, commit: candidate };
  });
}

async function applyDeal(event: DealUpserted, ports: DealSyncPorts): Promise<DealSyncOutcome> {
  const deal = event.data.deal;
  const key = dealKey(deal);
  const target = targetOrderState(deal);
  const order = await locateOrder(ports, deal);
  // A deal lost before Odoo ever saw it: there is no quotation to cancel, and none is made.
  if (order === undefined && target === 'cancelled') return { outcome: 'absent' };

  if (order === undefined) {
    const partnerId = await accountPartner(ports, deal);
    const wanted = await wantedLines(deal, ports);
    const orderId = await ports.ledger.createQuotation(dealExternalId(deal), {
      reference: deal.id,
      partnerId,
      companyId: ports.config.companyId,
      currency: wanted.currency,
    });
    await ports.identityMap.link(key, { ...ODOO_SALE_ORDER, id: String(orderId) });
    const changes = wanted.lines.map((line) => ({ op: 'create' as const, line }));
    await ports.ledger.amendQuotation(orderId, changes);
    let state: DealOrderState = 'quotation';
    if (target === 'confirmed') {
      await ports.ledger.confirmOrder(orderId);
      state = 'confirmed';
    }
    const published = state === 'confirmed' ? await announceWon(event, ports, orderId, wanted) : undefined;
    return { outcome: 'created', orderId, state, lineChanges: changes.length, published };
  }

  const steps = dealOrderSteps(order.state, target);
  // Lines are planned (products looked up) only when they are written or compared: a loss needs none.
  const wanted = steps.amendLines || steps.compareConfirmedLines || target === 'confirmed' ? await wantedLines(deal, ports) : undefined;
  let state = order.state;
  let lineChanges = 0;
  let flagged = false;
  if (steps.reopen) {
    await ports.ledger.reopenOrder(order.id);
    state = 'quotation';
  }
  if (steps.amendLines && wanted) {
    const changes = amendContractLines(order.lines, wanted.lines, { confirmed: false, ...wanted.precisions });
    // A quotation follows the deal's account and currency too (a salesperson fixed them before the close).
    const partnerId = await accountPartner(ports, deal);
    const retarget =
      partnerId !== order.partnerId || wanted.currency.code !== order.currencyCode ? { partnerId, companyId: ports.config.companyId, currency: wanted.currency } : undefined;
    await ports.ledger.amendQuotation(order.id, changes, retarget);
    lineChanges = changes.length + (retarget === undefined ? 0 : 1);
  }
  if (steps.confirm) {
    await ports.ledger.confirmOrder(order.id);
    state = 'confirmed';
  }
  if (steps.cancel) {
    await ports.ledger.cancelOrder(order.id);
    state = 'cancelled';
  }
  if (steps.compareConfirmedLines && wanted) {
    const differences = amendContractLines(order.lines, wanted.lines, { confirmed: true, ...wanted.precisions });
    if (differences.length > 0) {
      await ports.ledger.note(order.id, confirmedChangeNote(deal, order, wanted));
      flagged = true;
    }
  }
  if (steps.flagConfirmedLoss) {
    await ports.ledger.note(
      order.id,
      `Deal ${deal.id}${deal.name ? ` “${deal.name}”` : ''} is marked lost in the CRM (${deal.system}), but this order is confirmed: ` +
        'the integration leaves it as it is. Cancel it here if the sale is off.',
    );
    flagged = true;
  }
  const published = target === 'confirmed' && state === 'confirmed' && wanted ? await announceWon(event, ports, order.id, wanted) : undefined;
  const changed = lineChanges > 0 || state !== order.state;
  const outcome = flagged ? 'flagged' : changed ? 'amended' : 'unchanged';
  return { outcome, orderId: order.id, state, lineChanges, published };
}

async function deleteDeal(event: DealDeleted, ports: DealSyncPorts): Promise<DealSyncOutcome> {
  const deal = event.data.deal;
  const order = await locateOrder(ports, deal);
  if (order === undefined) return { outcome: 'absent' };
  switch (deletionStep(order.state)) {
    case 'cancel':
      await ports.ledger.cancelOrder(order.id);
      return { outcome: 'cancelled', orderId: order.id };
    case 'flag':
      await ports.ledger.note(
        order.id,
        `Deal ${deal.id} was deleted in the CRM (${deal.system}), but this order is confirmed: the integration leaves it as it is.`,
      );
      return { outcome: 'flagged-deleted', orderId: order.id };
    case 'none':
      return { outcome: 'absent' };
  }
}

/** The deal's order: identity map (read), else its external id (linked when found). */
async function locateOrder(ports: DealSyncPorts, deal: Pick<DealSnapshot, 'system' | 'id'>): Promise<DealOrder | undefined> {
  const key = dealKey(deal);
  const known = await ports.identityMap.find(key, ODOO_SALE_ORDER.system, ODOO_SALE_ORDER.kind);
  if (known !== undefined) {
    const order = await ports.ledger.readOrder(Number(known));
    // Deleted in Odoo by a person: its external id went with it, so the deal gets a new quotation.
    if (order !== undefined) return order;
  }
  const found = await ports.ledger.findOrder(dealExternalId(deal));
  if (found !== undefined && String(found.id) !== known) await ports.identityMap.link(key, { ...ODOO_SALE_ORDER, id: String(found.id) });
  return found;
}

/** The Odoo partner of the deal's account, linked by the account flow. Not there yet: retry, never guess. */
async function accountPartner(ports: DealSyncPorts, deal: DealSnapshot): Promise<number> {
  const found = await ports.identityMap.find(accountKey(deal), ODOO_PARTNER.system, ODOO_PARTNER.kind);
  if (found === undefined) {
    throw new DependencyMissingError(`account ${dealAccountId(deal)} of deal ${deal.id} is not in Odoo yet (the account flow syncs it first)`);
  }
  return Number(found);
}

interface WantedLines {
  lines: DealLineValues[];
  currency: LedgerCurrency;
  precisions: LedgerPrecisions;
  productOf: (line: DealLine) => number | undefined;
}

/** The deal's lines as Odoo lines: currency, products (one lookup for every line) and exact money. */
async function wantedLines(deal: DealSnapshot, ports: DealSyncPorts): Promise<WantedLines> {
  if (deal.currency === null) throw new IncompleteDealError(`deal ${deal.id} has no currency: its prices cannot be written`);
  const code = deal.currency.toUpperCase();
  const [currency, precisions] = await Promise.all([ports.ledger.currency(code), ports.ledger.precisions()]);
  if (!currency) throw new BillingSetupError(`Odoo has no active currency ${code} (deal ${deal.id}): activate it in Odoo`);
  const refs = deal.lines.map((line) => productRefOf(line, deal.system, ports.config));
  const known = refs.some((ref) => ref !== undefined)
    ? await ports.ledger.products(refs.filter((ref) => ref !== undefined))
    : { byCode: new Map<string, number>(), ids: new Set<number>() };
  const productOf = (line: DealLine): number | undefined => {
    const ref = refs[deal.lines.indexOf(line)];
    if (ref === undefined) return undefined;
    if ('productId' in ref) return known.ids.has(ref.productId) ? ref.productId : undefined;
    return known.byCode.get(ref.defaultCode);
  };
  const lines = planDealLines(deal, {
    currency: code,
    precision: { currencyDecimals: currency.decimalPlaces, ...precisions },
    providerExponent: providerCurrencyExponent(deal.system, deal.currency),
    productOf,
  });
  return { lines, currency, precisions, productOf };
}

function confirmedChangeNote(deal: DealSnapshot, order: DealOrder, wanted: WantedLines): string {
  const currency = wanted.currency.code;
  const lines = deal.lines.map(
    (line) => `${line.name ?? line.sku ?? line.id}: ${line.quantity} × ${formatMinorUnits(line.unitAmount, providerCurrencyExponent(deal.system, currency))} ${currency}`,
  );
  return (
    `Deal ${deal.id}${deal.name ? ` “${deal.name}”` : ''} changed its lines in the CRM (${deal.system}) after ${order.name ?? 'this order'} was confirmed. ` +
    `The order was not changed: amend it here (or add an upsell quotation) if the customer agreed. The deal's lines now: ${lines.join('; ') || 'none'}.`
  );
}

/**
 * `deal.won` for a confirmed order, once per deal: skipped when the identity map marks it published. Built from
 * the confirmed order as Odoo holds it (its confirmation time, its amounts) and the deal's lines, so a republish
 * after a crash carries the same content under the same id.
 */
async function announceWon(event: DealUpserted, ports: DealSyncPorts, orderId: number, wanted: WantedLines): Promise<string | undefined> {
  const deal = event.data.deal;
  const key = dealKey(deal);
  const id = dealWonEventId(deal);
  if ((await ports.identityMap.find(key, DEAL_WON_MARK.system, DEAL_WON_MARK.kind)) !== undefined) return undefined;
  const order = await ports.ledger.readOrder(orderId);
  if (order === undefined || order.partnerId === undefined || order.orderDate === null) {
    throw new DependencyMissingError(`sale order ${orderId} of deal ${deal.id} could not be read back after its confirmation`);
  }
  const decimals = wanted.currency.decimalPlaces;
  const won: DealWon = {
    id,
    type: 'deal.won',
    source: deal.system,
    subject: key,
    time: order.orderDate,
    correlationId: event.correlationId,
    causationId: event.causationId,
    dataVersion: 1,
    data: {
      deal: { system: deal.system, account: deal.account, id: deal.id },
      name: deal.name,
      closeDate: deal.closeDate,
      account: { system: deal.system, account: deal.account, id: dealAccountId(deal) },
      order: { id: order.id, name: order.name, partnerId: order.partnerId, confirmedAt: order.orderDate },
      currency: wanted.currency.code.toLowerCase(),
      amountUntaxed: odooAmountToMinor(order.amountUntaxed, decimals),
      amountTotal: odooAmountToMinor(order.amountTotal, decimals),
      lines: deal.lines.map((line) => ({
        dealLineId: line.id,
        sku: line.sku,
        crmProductId: line.productId,
        odooProductId: wanted.productOf(line)!,
        name: line.name,
        quantity: line.quantity,
        unitAmount: line.unitAmount,
      })),
    },
  };
  await ports.publish([won]);
  await ports.identityMap.link(key, { ...DEAL_WON_MARK, id });
  return id;
}
