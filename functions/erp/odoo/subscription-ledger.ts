import type { SourceSystem } from '../../../events/envelope';
import type { BillingLedger, LedgerCurrency, LedgerPrecisions, ProductNaming } from '../../domain/billing-ledger';
import { BillingSetupError } from '../../domain/invoice-errors';
import type {
  ContractDraft,
  ContractLineChange,
  ContractLineValues,
  ContractOrder,
  ContractState,
  SubscriptionLedger,
} from '../../domain/subscription-ledger';
import { OdooBillingLedger } from './billing-ledger';
import { many2oneId, type OdooCaller, type OdooRecord, type OdooValues } from './odoo-caller';
import { OdooProtocolError } from './odoo-errors';
import { searchRead, upsertByExternalId } from './record-operations';
import { SingleFlightCache } from './single-flight-cache';
import { EXTERNAL_ID_MODULE } from '../../domain/customer-to-partner';

const ORDER = 'sale.order';
const LINE = 'sale.order.line';
const ORDER_FIELDS = ['name', 'state', 'partner_id', 'order_line'];
const LINE_FIELDS = ['product_id', 'name', 'product_uom_qty', 'price_unit'];

/** `sale.order.line`'s taxes field: `tax_id` up to Odoo 18, `tax_ids` from 19. */
export type SaleLineTaxField = 'tax_id' | 'tax_ids';


/** An order's state as a contract's (deals read their orders the same way). */
export function contractStateOf(state: unknown): ContractState {
  if (state === 'cancel') return 'cancelled';
  // `done` is the locked state of Odoo up to 16; both are confirmed orders.
  if (state === 'sale' || state === 'done') return 'confirmed';
  return 'quotation';
}

/**
 * Contracts as `sale.order` over the Odoo client. Calls per operation, warm container:
 * - findOrder: 1 (`search_read` by `client_order_ref` and partner) + 1 (`read` of its lines; 0 when not found or no lines);
 * - readOrder: 1 (`read`) + 1 (lines; 0 without lines);
 * - createOrder: 1 (`create` with its lines) — +1 once per container: `fields_get` of the line tax field, and
 *   once per currency and container: the pricelist of the currency (1 `search_read`, +1 `load()` the first time);
 * - amendOrder: 1 (`write` of `order_line` commands), 0 for no change — same one-time `fields_get`;
 * - confirmOrder 1 (`action_confirm`); reopenOrder 1 (`action_draft`);
 * - cancelOrder 1 (`action_cancel` with `disable_cancel_warning`); +2 if an Odoo still answers with the
 *   cancel wizard (then `sale.order.cancel` create + `action_cancel`);
 * - currency, precisions, products, partnerByExternalId: the billing ledger's (cached per container).
 */
export class OdooSubscriptionLedger implements SubscriptionLedger {
  private taxField: Promise<SaleLineTaxField> | undefined;
  private readonly pricelists = new SingleFlightCache<string, number>();

  constructor(
    private readonly odoo: OdooCaller,
    /** Shared with the billing flows of the container, so currencies and products are cached once. */
    private readonly billing: Pick<BillingLedger, 'currency' | 'precisions' | 'products' | 'partnerByExternalId'> = new OdooBillingLedger(odoo),
  ) {}

  currency(code: string): Promise<LedgerCurrency | undefined> {
    return this.billing.currency(code);
  }

  precisions(): Promise<LedgerPrecisions> {
    return this.billing.precisions();
  }

  products(system: SourceSystem, prices: ReadonlyArray<{ priceId: string; name: string }>, options?: ProductNaming): Promise<Map<string, number>> {
    return this.billing.products(system, prices, options);
  }

  partnerByExternalId(externalId: string): Promise<number | undefined> {
    return this.billing.partnerByExternalId(externalId);
  }

  /**
   * The tax field of order lines, asked once per container with `fields_get(allfields=[both names])`:
   * Odoo answers only the fields that exist. Asking the model rather than inferring from the server
   * version or the transport (Odoo 19 still serves JSON-RPC) also holds for a customised database.
   */
  saleLineTaxField(): Promise<SaleLineTaxField> {
    if (!this.taxField) {
      const asked = this.odoo
        .call<Record<string, unknown>>(LINE, 'fields_get', { allfields: ['tax_ids', 'tax_id'], attributes: ['type', 'relation'] })
        .then((fields): SaleLineTaxField => {
          if (fields && 'tax_ids' in fields) return 'tax_ids';
          if (fields && 'tax_id' in fields) return 'tax_id';
          throw new BillingSetupError('sale.order.line has neither tax_ids nor tax_id: is the sale module installed?');
        });
      // A failed probe is not cached: the next call asks again.
      asked.catch(() => {
        if (this.taxField === asked) this.taxField = undefined;
      });
      this.taxField = asked;
    }
    return this.taxField;
  }

  async findOrder(reference: string, partnerId: number): Promise<ContractOrder | undefined> {
    const orders = await searchRead(this.odoo, ORDER, [['client_order_ref', '=', reference], ['partner_id', '=', partnerId]], ORDER_FIELDS, {
      order: 'id asc',
    });
    const order = orders.find((candidate) => candidate.state !== 'cancel') ?? orders[0];
    return order ? this.withLines(order) : undefined;
  }

  async readOrder(id: number): Promise<ContractOrder | undefined> {
    const [order] = await this.odoo.call<OdooRecord[]>(ORDER, 'read', { ids: [id], fields: ORDER_FIELDS });
    return order ? this.withLines(order) : undefined;
  }

  async createOrder(draft: ContractDraft): Promise<number> {
    const taxField = await this.saleLineTaxField();
    const [id] = await this.odoo.call<number[]>(ORDER, 'create', {
      vals_list: [
        {
          partner_id: draft.partnerId,
          client_order_ref: draft.reference,
          company_id: draft.companyId,
          // An order's currency is its pricelist's (Odoo computes `currency_id` from it; written directly, it is
          // recomputed to the company's): one pricelist per currency.
          pricelist_id: await this.pricelistOf(draft.currency, draft.companyId),
          order_line: draft.lines.map((line) => [0, 0, lineValues(line, taxField)]),
        },
      ],
    });
    if (typeof id !== 'number') throw new OdooProtocolError('create returned no order id', { model: ORDER, method: 'create' });
    return id;
  }

  /**
   * A pricelist in the order's currency: one the company already has (finance's), else ours, created once by
   * external id (`saas_sync.pricelist_eur`). No rules: the contract lines carry their prices explicitly. Shared with
   * the deal ledger: one pricelist per currency and company for every order the integration makes.
   */
  pricelistOf(currency: LedgerCurrency, companyId: number): Promise<number> {
    return this.pricelists.get(`${companyId}:${currency.code}`, async () => {
      const [existing] = await searchRead(this.odoo, 'product.pricelist', [['currency_id', '=', currency.id], ['company_id', 'in', [false, companyId]]], ['name'], {
        limit: 1,
        order: 'id asc',
      });
      if (existing) return existing.id;
      const name = `${EXTERNAL_ID_MODULE}.pricelist_${currency.code.toLowerCase()}`;
      return (await upsertByExternalId(this.odoo, 'product.pricelist', name, { name: `${currency.code} contracts`, currency_id: currency.id })).id;
    });
  }

  async amendOrder(id: number, changes: readonly ContractLineChange[]): Promise<void> {
    if (changes.length === 0) return;
    const taxField = await this.saleLineTaxField();
    const commands = changes.map((change) => {
      switch (change.op) {
        case 'create':
          return [0, 0, lineValues(change.line, taxField)];
        case 'update':
          // The product stays: only quantity, price and description change (see amendContractLines).
          return [1, change.lineId, updateValues(change.line, taxField)];
        case 'zero':
          return [1, change.lineId, { product_uom_qty: 0 }];
        case 'remove':
          return [2, change.lineId, 0];
      }
    });
    await this.odoo.call(ORDER, 'write', { ids: [id], vals: { order_line: commands } });
  }

  async confirmOrder(id: number): Promise<void> {
    await this.odoo.call(ORDER, 'action_confirm', { ids: [id] });
  }

  async reopenOrder(id: number): Promise<void> {
    await this.odoo.call(ORDER, 'action_draft', { ids: [id] });
  }

  async cancelOrder(id: number): Promise<void> {
    // Odoo 18 answers a confirmed order's `action_cancel` with the cancel wizard (it would email the
    // customer) unless told not to; Odoo 19 ignores the key.
    const context = { disable_cancel_warning: true };
    const result = await this.odoo.call<unknown>(ORDER, 'action_cancel', { ids: [id], context });
    const action = result as { res_model?: unknown } | null;
    if (typeof action === 'object' && action !== null && action.res_model === 'sale.order.cancel') {
      const wizard = 'sale.order.cancel';
      const [wizardId] = await this.odoo.call<number[]>(wizard, 'create', { vals_list: [{ order_id: id }], context });
      if (typeof wizardId !== 'number') throw new OdooProtocolError('cancel wizard create returned no id', { model: wizard, method: 'create' });
      await this.odoo.call(wizard, 'action_cancel', { ids: [wizardId], context });
    }
  }

  private async withLines(order: OdooRecord): Promise<ContractOrder> {
    const lineIds = Array.isArray(order.order_line) ? (order.order_line as number[]) : [];
    const lines = lineIds.length === 0 ? [] : await this.odoo.call<OdooRecord[]>(LINE, 'read', { ids: lineIds, fields: LINE_FIELDS });
    return {
      id: order.id,
      name: typeof order.name === 'string' ? order.name : null,
      state: contractStateOf(order.state),
      partnerId: many2oneId(order.partner_id),
      lines: lines.map((line) => ({
        id: line.id,
        productId: many2oneId(line.product_id),
        name: typeof line.name === 'string' ? line.name : '',
        quantity: Number(line.product_uom_qty ?? 0),
        priceUnit: Number(line.price_unit ?? 0),
      })),
    };
  }
}

/** A new line: explicit empty taxes, or Odoo applies the product's (or the company's default 15%) sale tax. */
function lineValues(line: ContractLineValues, taxField: SaleLineTaxField): OdooValues {
  return { product_id: line.productId, ...updateValues(line, taxField) };
}

/**
 * Quantity and unit price are written together: Odoo recomputes `price_unit` from the pricelist when the
 * quantity changes, unless the same write sets it. Taxes are written again so that a line whose taxes a
 * person changed comes back to the contract's (none).
 */
function updateValues(line: ContractLineValues, taxField: SaleLineTaxField): OdooValues {
  return { name: line.name, product_uom_qty: line.quantity, price_unit: line.priceUnit, discount: 0, [taxField]: [[6, 0, []]] };
}
