import type { LedgerCurrency } from '../../functions/domain/billing-ledger';
import type { DealLedger, DealLineChange, DealOrder, OdooProductRef, QuotationDraft, QuotationTarget } from '../../functions/domain/deal-ledger';
import type { ExistingContractLine } from '../../functions/domain/subscription-ledger';

const CURRENCIES: Record<string, LedgerCurrency> = {
  EUR: { id: 1, code: 'EUR', decimalPlaces: 2 },
  USD: { id: 2, code: 'USD', decimalPlaces: 2 },
  JPY: { id: 25, code: 'JPY', decimalPlaces: 0 },
  KWD: { id: 94, code: 'KWD', decimalPlaces: 3 },
};

interface StoredOrder extends Omit<DealOrder, 'amountUntaxed' | 'amountTotal' | 'currencyCode'> {
  externalId: string;
  reference: string;
  currency: LedgerCurrency;
  notes: string[];
}

/**
 * Odoo's sale orders for deals in memory, with the rules of the real thing the flow depends on: only a quotation
 * is confirmed, a confirmed order's lines cannot be deleted, only a cancelled order goes back to quotation, the
 * external id is bound with the order. Amounts are computed without taxes (untaxed = total). Counts calls.
 */
export class InMemoryDealLedger implements DealLedger {
  readonly orders = new Map<number, StoredOrder>();
  /** Sellable products by Internal Reference. */
  readonly productCodes = new Map<string, number>();
  readonly calls = new Map<string, number>();
  now = '2026-12-03T10:00:00.000Z';
  private nextId = 1;
  private nextLineId = 100;

  private count(method: string): void {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
  }

  writes(): number {
    return ['createQuotation', 'amendQuotation', 'confirmOrder', 'cancelOrder', 'reopenOrder', 'note'].reduce((sum, method) => sum + (this.calls.get(method) ?? 0), 0);
  }

  async currency(code: string) {
    return CURRENCIES[code];
  }
  async precisions() {
    return { priceDigits: 2, quantityDigits: 2 };
  }
  async products(refs: readonly OdooProductRef[]) {
    this.count('products');
    const known = new Set(this.productCodes.values());
    const byCode = new Map<string, number>();
    const ids = new Set<number>();
    for (const ref of refs) {
      if ('defaultCode' in ref && this.productCodes.has(ref.defaultCode)) byCode.set(ref.defaultCode, this.productCodes.get(ref.defaultCode)!);
      if ('productId' in ref && known.has(ref.productId)) ids.add(ref.productId);
    }
    return { byCode, ids };
  }
  async findOrder(externalId: string) {
    this.count('findOrder');
    const order = [...this.orders.values()].find((candidate) => candidate.externalId === externalId);
    return order ? this.view(order) : undefined;
  }
  async readOrder(id: number) {
    this.count('readOrder');
    const order = this.orders.get(id);
    return order ? this.view(order) : undefined;
  }
  async createQuotation(externalId: string, draft: QuotationDraft) {
    this.count('createQuotation');
    const id = this.nextId++;
    this.orders.set(id, {
      id,
      name: `S${String(id).padStart(5, '0')}`,
      state: 'quotation',
      partnerId: draft.partnerId,
      externalId,
      reference: draft.reference,
      currency: draft.currency,
      lines: [],
      orderDate: this.now,
      notes: [],
    });
    return id;
  }
  async amendQuotation(id: number, changes: readonly DealLineChange[], retarget?: QuotationTarget) {
    if (changes.length === 0 && retarget === undefined) return;
    this.count('amendQuotation');
    const order = this.must(id);
    if (order.state === 'cancelled') throw new Error('a cancelled order cannot be edited');
    if (retarget !== undefined) Object.assign(order, { partnerId: retarget.partnerId, currency: retarget.currency });
    for (const change of changes) {
      if (change.op === 'create') order.lines.push({ id: this.nextLineId++, ...change.line });
      else if (change.op === 'update') Object.assign(this.line(order, change.lineId), { name: change.line.name, quantity: change.line.quantity, priceUnit: change.line.priceUnit });
      else if (change.op === 'zero') this.line(order, change.lineId).quantity = 0;
      else {
        if (order.state === 'confirmed') throw new Error('Once a sales order is confirmed, you can\'t remove one of its lines');
        order.lines = order.lines.filter((line) => line.id !== change.lineId);
      }
    }
  }
  async confirmOrder(id: number) {
    this.count('confirmOrder');
    const order = this.must(id);
    if (order.state !== 'quotation') throw new Error('Some orders are not in a state requiring confirmation.');
    order.state = 'confirmed';
    order.orderDate = this.now;
  }
  async cancelOrder(id: number) {
    this.count('cancelOrder');
    this.must(id).state = 'cancelled';
  }
  async reopenOrder(id: number) {
    this.count('reopenOrder');
    const order = this.must(id);
    if (order.state === 'cancelled') order.state = 'quotation';
  }
  async note(id: number, body: string) {
    this.count('note');
    this.must(id).notes.push(body);
  }

  private must(id: number): StoredOrder {
    const order = this.orders.get(id);
    if (!order) throw new Error(`Record sale.order(${id}) does not exist`);
    return order;
  }
  private line(order: StoredOrder, lineId: number): ExistingContractLine {
    const line = order.lines.find((candidate) => candidate.id === lineId);
    if (!line) throw new Error(`no line ${lineId}`);
    return line;
  }
  private view(order: StoredOrder): DealOrder {
    const untaxedMinor = order.lines.reduce((sum, line) => sum + Math.round(line.quantity * line.priceUnit * 10 ** order.currency.decimalPlaces), 0);
    const amount = untaxedMinor / 10 ** order.currency.decimalPlaces;
    return {
      id: order.id,
      name: order.name,
      state: order.state,
      partnerId: order.partnerId,
      currencyCode: order.currency.code,
      lines: order.lines.map((line) => ({ ...line })),
      amountUntaxed: amount,
      amountTotal: amount,
      orderDate: order.orderDate,
    };
  }
}
