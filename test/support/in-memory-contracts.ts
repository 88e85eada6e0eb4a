import type { SourceSystem } from '../../events/envelope';
import type { AccountStandingLedger, StandingNoteTarget } from '../../functions/domain/account-standing';
import type { LedgerCurrency } from '../../functions/domain/billing-ledger';
import type {
  ContractDraft,
  ContractLineChange,
  ContractOrder,
  ContractState,
  ExistingContractLine,
  SubscriptionLedger,
} from '../../functions/domain/subscription-ledger';

const CURRENCIES: Record<string, LedgerCurrency> = {
  USD: { id: 1, code: 'USD', decimalPlaces: 2 },
  JPY: { id: 25, code: 'JPY', decimalPlaces: 0 },
  KWD: { id: 94, code: 'KWD', decimalPlaces: 3 },
};

interface Order {
  id: number;
  name: string;
  reference: string;
  partnerId: number;
  companyId: number;
  currency: LedgerCurrency;
  state: ContractState;
  lines: ExistingContractLine[];
}

/**
 * Odoo's sale orders in memory, with the rules of the real thing that shape the flow: a confirmed order's
 * line cannot be deleted, only a quotation is confirmed, only a cancelled order goes back to quotation.
 * Counts calls per method.
 */
export class InMemorySubscriptionLedger implements SubscriptionLedger {
  readonly orders = new Map<number, Order>();
  readonly products_ = new Map<string, number>();
  readonly partnerExternalIds = new Map<string, number>();
  readonly calls = new Map<string, number>();
  priceDigits = 2;
  private nextId = 1;

  private count(method: string): void {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
  }

  async currency(code: string) {
    return CURRENCIES[code];
  }
  async precisions() {
    return { priceDigits: this.priceDigits, quantityDigits: 2 };
  }
  async products(system: SourceSystem, prices: ReadonlyArray<{ priceId: string; name: string }>) {
    this.count('products');
    return new Map(
      prices.map((price) => {
        const key = `${system}:${price.priceId}`;
        if (!this.products_.has(key)) this.products_.set(key, 1000 + this.products_.size);
        return [price.priceId, this.products_.get(key)!] as const;
      }),
    );
  }
  async partnerByExternalId(externalId: string) {
    this.count('partnerByExternalId');
    return this.partnerExternalIds.get(externalId);
  }
  async findOrder(reference: string, partnerId: number) {
    this.count('findOrder');
    const found = [...this.orders.values()].filter((order) => order.reference === reference && order.partnerId === partnerId);
    const order = found.find((candidate) => candidate.state !== 'cancelled') ?? found[0];
    return order ? this.view(order) : undefined;
  }
  async readOrder(id: number) {
    this.count('readOrder');
    const order = this.orders.get(id);
    return order ? this.view(order) : undefined;
  }
  async createOrder(draft: ContractDraft) {
    this.count('createOrder');
    const id = this.nextId++;
    this.orders.set(id, {
      id, name: `S${String(id).padStart(5, '0')}`, reference: draft.reference, partnerId: draft.partnerId, companyId: draft.companyId,
      currency: draft.currency, state: 'quotation', lines: draft.lines.map((line) => ({ id: this.nextId++, ...line })),
    });
    return id;
  }
  async amendOrder(id: number, changes: readonly ContractLineChange[]) {
    if (changes.length === 0) return;
    this.count('amendOrder');
    const order = this.orders.get(id)!;
    for (const change of changes) {
      if (change.op === 'create') order.lines.push({ id: this.nextId++, ...change.line });
      else if (change.op === 'update') {
        const line = order.lines.find((candidate) => candidate.id === change.lineId)!;
        if (line.productId !== change.line.productId) throw new Error('You cannot modify the product of this order line.');
        Object.assign(line, change.line);
      } else if (change.op === 'zero') order.lines.find((candidate) => candidate.id === change.lineId)!.quantity = 0;
      else {
        if (order.state === 'confirmed') throw new Error("Once a sales order is confirmed, you can't remove one of its lines. Set the quantity to 0 instead.");
        order.lines = order.lines.filter((line) => line.id !== change.lineId);
      }
    }
  }
  async confirmOrder(id: number) {
    this.count('confirmOrder');
    const order = this.orders.get(id)!;
    if (order.state !== 'quotation') throw new Error('It is not allowed to confirm an order in the following states: ' + order.state);
    order.state = 'confirmed';
  }
  async cancelOrder(id: number) {
    this.count('cancelOrder');
    this.orders.get(id)!.state = 'cancelled';
  }
  async reopenOrder(id: number) {
    this.count('reopenOrder');
    const order = this.orders.get(id)!;
    if (order.state === 'cancelled') order.state = 'quotation';
  }

  /** Untaxed total as Odoo computes it (round per line), in minor units of the order currency. */
  totalOf(order: Order): number {
    const scale = 10 ** order.currency.decimalPlaces;
    return order.lines.reduce((sum, line) => sum + Math.round(line.quantity * line.priceUnit * scale), 0);
  }

  /** What finance sees of a subscription's contract: the orders for the reference, lines with a quantity, the total. */
  contract(reference: string) {
    const orders = [...this.orders.values()].filter((order) => order.reference === reference);
    return orders.map((order) => ({
      state: order.state,
      partnerId: order.partnerId,
      currency: order.currency.code,
      total: this.totalOf(order),
      lines: order.lines
        .filter((line) => line.quantity !== 0)
        .map(({ productId, name, quantity, priceUnit }) => ({ price: this.priceOf(productId), name, quantity, priceUnit }))
        .sort((a, b) => a.price.localeCompare(b.price)),
    }));
  }

  /** The provider price a product was made for (product ids depend on the order prices are first seen in). */
  priceOf(productId: number | undefined): string {
    return [...this.products_].find(([, id]) => id === productId)?.[0] ?? `product ${productId}`;
  }

  private view(order: Order): ContractOrder {
    return { id: order.id, name: order.name, state: order.state, partnerId: order.partnerId, lines: order.lines.map((line) => ({ ...line })) };
  }
}

/** Partner tags and chatter notes in memory. */
export class InMemoryStanding implements AccountStandingLedger {
  readonly tags = new Map<number, Set<string>>();
  readonly notes: Array<{ model: StandingNoteTarget; id: number; body: string }> = [];

  async hasTag(partnerId: number, tagName: string) {
    return this.tags.get(partnerId)?.has(tagName) ?? false;
  }
  async addTag(partnerId: number, tagName: string) {
    this.tags.set(partnerId, new Set([...(this.tags.get(partnerId) ?? []), tagName]));
  }
  async removeTag(partnerId: number, tagName: string) {
    this.tags.get(partnerId)?.delete(tagName);
  }
  async note(model: StandingNoteTarget, id: number, body: string) {
    this.notes.push({ model, id, body });
  }
  tagsOf(partnerId: number): string[] {
    return [...(this.tags.get(partnerId) ?? [])].sort();
  }
}
