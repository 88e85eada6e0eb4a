import type { BillingLedger, LedgerCurrency, LedgerPrecisions } from '../../domain/billing-ledger';
import type { DealLedger, DealLineChange, DealLineValues, DealOrder, OdooProductRef, QuotationDraft, QuotationTarget } from '../../domain/deal-ledger';
import { OdooBillingLedger } from './billing-ledger';
import { many2oneId, many2oneName, type OdooCaller, type OdooRecord, type OdooValues } from './odoo-caller';
import { loadRows, postNote, resolveExternalIds, searchRead, toImportRow } from './record-operations';
import { contractStateOf, OdooSubscriptionLedger } from './subscription-ledger';

const ORDER = 'sale.order';
const LINE = 'sale.order.line';
const ORDER_FIELDS = ['name', 'state', 'partner_id', 'currency_id', 'order_line', 'amount_untaxed', 'amount_total', 'date_order'];
const LINE_FIELDS = ['product_id', 'name', 'product_uom_qty', 'price_unit'];


/** Odoo's UTC datetime text (`2026-12-03 13:40:00`) → ISO 8601. */
function isoOf(value: unknown): string | null {
  if (typeof value !== 'string' || !/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(value)) return null;
  return `${value.replace(' ', 'T')}.000Z`;
}

/**
 * Deals as `sale.order` over the Odoo client. Calls per operation, warm container:
 * - products: 1 (`product.product.search_read` by Internal Reference and id); 0 for no reference;
 * - findOrder: 1 (`ir.model.data.search_read`) + readOrder when bound;
 * - readOrder: 1 (`read`) + 1 (lines `read`; 0 without lines);
 * - createQuotation: 1 (`load()`: the order and its external id in one transaction) — once per currency and
 *   container: the pricelist of the currency (the subscription ledger's: 1 `search_read`, +1 `load()` the first time);
 * - amendQuotation: 1 (`write` of `order_line` commands, with partner and pricelist when retargeted), 0 for no change;
 * - confirmOrder 1 (`action_confirm`); reopenOrder 1 (`action_draft`); note 1 (`message_post`);
 * - cancelOrder: the subscription ledger's (1 `action_cancel` without the wizard);
 * - currency, precisions: the billing ledger's (cached per container).
 */
export class OdooDealLedger implements DealLedger {
  /** The sale-order operations contracts and deals share: pricelist per currency, cancel without the wizard. */
  private readonly orders: OdooSubscriptionLedger;

  constructor(
    private readonly odoo: OdooCaller,
    private readonly billing: Pick<BillingLedger, 'currency' | 'precisions' | 'products' | 'partnerByExternalId'> = new OdooBillingLedger(odoo),
  ) {
    this.orders = new OdooSubscriptionLedger(odoo, billing);
  }

  currency(code: string): Promise<LedgerCurrency | undefined> {
    return this.billing.currency(code);
  }

  precisions(): Promise<LedgerPrecisions> {
    return this.billing.precisions();
  }

  async products(refs: readonly OdooProductRef[]): Promise<{ byCode: Map<string, number>; ids: Set<number> }> {
    const codes = [...new Set(refs.flatMap((ref) => ('defaultCode' in ref ? [ref.defaultCode] : [])))];
    const ids = [...new Set(refs.flatMap((ref) => ('productId' in ref ? [ref.productId] : [])))];
    const byCode = new Map<string, number>();
    const found = new Set<number>();
    if (codes.length === 0 && ids.length === 0) return { byCode, ids: found };
    const byCodeDomain = ['default_code', 'in', codes];
    const byIdDomain = ['id', 'in', ids];
    const domain = codes.length > 0 && ids.length > 0 ? ['|', byCodeDomain, byIdDomain] : [codes.length > 0 ? byCodeDomain : byIdDomain];
    // Sellable, active products only (`active` is Odoo's default filter): an archived product is not offered.
    const products = await searchRead(this.odoo, 'product.product', [['sale_ok', '=', true], ...domain], ['default_code'], { order: 'id asc' });
    const shared = new Set<string>();
    for (const product of products) {
      if (ids.includes(product.id)) found.add(product.id);
      const code = product.default_code;
      if (typeof code !== 'string' || !codes.includes(code)) continue;
      // Two products with one Internal Reference: which one is meant is not ours to guess.
      if (byCode.has(code)) shared.add(code);
      byCode.set(code, product.id);
    }
    for (const code of shared) byCode.delete(code);
    return { byCode, ids: found };
  }

  async findOrder(externalId: string): Promise<DealOrder | undefined> {
    const bound = (await resolveExternalIds(this.odoo, [externalId])).get(externalId);
    return bound?.model === ORDER ? this.readOrder(bound.id) : undefined;
  }

  async readOrder(id: number): Promise<DealOrder | undefined> {
    const [order] = await this.odoo.call<OdooRecord[]>(ORDER, 'read', { ids: [id], fields: ORDER_FIELDS });
    return order ? this.withLines(order) : undefined;
  }

  async createQuotation(externalId: string, draft: QuotationDraft): Promise<number> {
    // An order's currency is its pricelist's (Odoo recomputes a `currency_id` written directly to the company's).
    const values: OdooValues = {
      partner_id: draft.partnerId,
      client_order_ref: draft.reference,
      company_id: draft.companyId,
      pricelist_id: await this.orders.pricelistOf(draft.currency, draft.companyId),
    };
    const { fields, row } = toImportRow(values);
    const [id] = await loadRows(this.odoo, ORDER, fields, [{ externalId, cells: row }]);
    return id!;
  }

  async amendQuotation(id: number, changes: readonly DealLineChange[], retarget?: QuotationTarget): Promise<void> {
    if (changes.length === 0 && retarget === undefined) return;
    const commands = changes.map((change) => {
      switch (change.op) {
        case 'create':
          return [0, 0, { product_id: change.line.productId, ...lineValues(change.line) }];
        case 'update':
          return [1, change.lineId, lineValues(change.line)];
        case 'zero':
          return [1, change.lineId, { product_uom_qty: 0 }];
        case 'remove':
          return [2, change.lineId, 0];
      }
    });
    // The partner and the pricelist in one write: Odoo recomputes a quotation's pricelist (so its currency) from a new
    // partner unless the same write sets it.
    const header = retarget === undefined ? {} : { partner_id: retarget.partnerId, pricelist_id: await this.orders.pricelistOf(retarget.currency, retarget.companyId) };
    await this.odoo.call(ORDER, 'write', { ids: [id], vals: { ...header, ...(commands.length > 0 ? { order_line: commands } : {}) } });
  }

  async confirmOrder(id: number): Promise<void> {
    await this.odoo.call(ORDER, 'action_confirm', { ids: [id] });
  }

  cancelOrder(id: number): Promise<void> {
    return this.orders.cancelOrder(id);
  }

  async reopenOrder(id: number): Promise<void> {
    await this.odoo.call(ORDER, 'action_draft', { ids: [id] });
  }

  async note(id: number, body: string): Promise<void> {
    await postNote(this.odoo, ORDER, id, body);
  }

  private async withLines(order: OdooRecord): Promise<DealOrder> {
    const lineIds = Array.isArray(order.order_line) ? (order.order_line as number[]) : [];
    const lines = lineIds.length === 0 ? [] : await this.odoo.call<OdooRecord[]>(LINE, 'read', { ids: lineIds, fields: LINE_FIELDS });
    return {
      id: order.id,
      name: typeof order.name === 'string' ? order.name : null,
      state: contractStateOf(order.state),
      partnerId: many2oneId(order.partner_id),
      currencyCode: many2oneName(order.currency_id),
      amountUntaxed: Number(order.amount_untaxed ?? 0),
      amountTotal: Number(order.amount_total ?? 0),
      orderDate: isoOf(order.date_order),
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

/**
 * Quantity and unit price are written together: Odoo recomputes `price_unit` from the pricelist when the quantity
 * changes, unless the same write sets it. Taxes are left to Odoo (the product's sale taxes, the partner's fiscal
 * position): the CRM sells net prices, finance owns the taxes.
 */
function lineValues(line: DealLineValues): OdooValues {
  return { name: line.name, product_uom_qty: line.quantity, price_unit: line.priceUnit, discount: 0 };
}
