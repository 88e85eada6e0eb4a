import type { CustomerSnapshot } from '../../events/customer-upserted';
import { customerExternalId } from '../../functions/domain/customer-to-partner';
import { type OdooReaderConnection, OdooRecordReader } from '../../local/dev-environment/odoo-record-reader';

/**
 * What a finance user sees in Odoo after the billing flows ran: customers with their tags, contracts
 * (sale orders), customer invoices and credit notes, payments. Read-only, over JSON-RPC `search_read`,
 * with amounts as Odoo shows them (decimal numbers in the document's currency).
 */

type Many2one = [number, string] | false;

export interface FinancePartner {
  id: number;
  name: string;
  ref: string | false;
  email: string | false;
  tags: string[];
}

export interface FinanceOrder {
  id: number;
  name: string;
  state: string;
  client_order_ref: string | false;
  partner_id: Many2one;
  currency_id: Many2one;
  amount_total: number;
}

export interface FinanceMove {
  id: number;
  name: string;
  move_type: string;
  state: string;
  ref: string | false;
  payment_reference: string | false;
  partner_id: Many2one;
  currency_id: Many2one;
  amount_untaxed: number;
  amount_tax: number;
  amount_total: number;
  payment_state: string;
  invoice_date: string | false;
  reversed_entry_id: Many2one;
  matched_payment_ids: number[];
}

export interface FinancePayment {
  id: number;
  name: string;
  state: string;
  memo: string | false;
  payment_type: string;
  partner_type: string;
  partner_id: Many2one;
  currency_id: Many2one;
  amount: number;
  date: string;
  reconciled_invoice_ids: number[];
}

/** A contract line: a sale order line. */
export interface FinanceOrderLine {
  id: number;
  order_id: Many2one;
  product_id: Many2one;
  name: string;
  product_uom_qty: number;
  price_unit: number;
  price_subtotal: number;
}

/** A line of an invoice or credit note (`account.move.line`; the Odoo sandbox keeps the invoice lines only). */
export interface FinanceMoveLine {
  id: number;
  move_id: Many2one;
  product_id: Many2one;
  name: string;
  quantity: number;
  price_unit: number;
  price_subtotal: number;
  price_total: number;
}

const MOVE_FIELDS = [
  'name',
  'move_type',
  'state',
  'ref',
  'payment_reference',
  'partner_id',
  'currency_id',
  'amount_untaxed',
  'amount_tax',
  'amount_total',
  'payment_state',
  'invoice_date',
  'reversed_entry_id',
  'matched_payment_ids',
];
const PAYMENT_FIELDS = ['name', 'state', 'memo', 'payment_type', 'partner_type', 'partner_id', 'currency_id', 'amount', 'date', 'reconciled_invoice_ids'];
const ORDER_FIELDS = ['name', 'state', 'client_order_ref', 'partner_id', 'currency_id', 'amount_total'];
const ORDER_LINE_FIELDS = ['order_id', 'product_id', 'name', 'product_uom_qty', 'price_unit', 'price_subtotal'];
const MOVE_LINE_FIELDS = ['move_id', 'product_id', 'name', 'quantity', 'price_unit', 'price_subtotal', 'price_total'];

export class OdooFinanceView {
  private readonly reader: OdooRecordReader;

  constructor(connection: OdooReaderConnection) {
    this.reader = new OdooRecordReader(connection);
  }

  /** The partner of a provider customer (external id `saas_sync.<system>_customer_<id>`), with its tag names. */
  async customer(customerId: string, system: CustomerSnapshot['system'] = 'stripe'): Promise<FinancePartner | undefined> {
    // The external id as the customer flow writes it (an id's `-` becomes `_`).
    const [module, name] = customerExternalId({ system, id: customerId }).split('.') as [string, string];
    const links = await this.searchRead<{ res_id: number }>('ir.model.data', [['module', '=', module], ['name', '=', name], ['model', '=', 'res.partner']], ['res_id']);
    if (links.length === 0) return undefined;
    return (await this.partners([['id', 'in', links.map((link) => link.res_id)]]))[0];
  }

  /** Every partner whose `ref` is the provider customer id (archived too): more than one is a duplicate. */
  async partnersWithRef(ref: string): Promise<FinancePartner[]> {
    return this.partners([['ref', '=', ref]]);
  }

  async ordersOf(partnerId: number): Promise<FinanceOrder[]> {
    return this.searchRead<FinanceOrder>('sale.order', [['partner_id', '=', partnerId]], ORDER_FIELDS, { order: 'id' });
  }

  /** The lines of contracts (sale orders), in order. */
  async orderLinesOf(orderIds: readonly number[]): Promise<FinanceOrderLine[]> {
    if (orderIds.length === 0) return [];
    return this.searchRead<FinanceOrderLine>('sale.order.line', [['order_id', 'in', [...orderIds]]], ORDER_LINE_FIELDS, { order: 'id' });
  }

  /** The lines of invoices and credit notes, in order. */
  async moveLinesOf(moveIds: readonly number[]): Promise<FinanceMoveLine[]> {
    if (moveIds.length === 0) return [];
    // The lines of the document as its form shows them: a real Odoo also keeps tax and receivable items.
    return this.searchRead<FinanceMoveLine>('account.move.line', [['move_id', 'in', [...moveIds]], ['display_type', '=', 'product']], MOVE_LINE_FIELDS, { order: 'id' });
  }

  /** Customer invoices and credit notes of a partner, in any state. */
  async movesOf(partnerId: number): Promise<FinanceMove[]> {
    return this.searchRead<FinanceMove>('account.move', [['partner_id', '=', partnerId], ['move_type', 'in', ['out_invoice', 'out_refund']]], MOVE_FIELDS, { order: 'id' });
  }

  /** The customer invoices whose `ref` is the provider invoice id: more than one is a duplicate. */
  async invoicesWithRef(ref: string): Promise<FinanceMove[]> {
    return this.searchRead<FinanceMove>('account.move', [['ref', '=', ref], ['move_type', '=', 'out_invoice']], MOVE_FIELDS, { order: 'id' });
  }

  async creditNotesReversing(invoiceId: number): Promise<FinanceMove[]> {
    return this.searchRead<FinanceMove>('account.move', [['reversed_entry_id', '=', invoiceId], ['move_type', '=', 'out_refund']], MOVE_FIELDS, { order: 'id' });
  }

  async paymentsOf(partnerId: number): Promise<FinancePayment[]> {
    return this.searchRead<FinancePayment>('account.payment', [['partner_id', '=', partnerId]], PAYMENT_FIELDS, { order: 'id' });
  }

  /** Chatter messages posted on a record (bodies as HTML). */
  async notesOn(model: 'res.partner' | 'account.move', id: number): Promise<string[]> {
    const messages = await this.searchRead<{ body: string | false }>('mail.message', [['model', '=', model], ['res_id', '=', id]], ['body'], { order: 'id' });
    return messages.map((message) => (message.body === false ? '' : message.body));
  }

  private async partners(domain: unknown[]): Promise<FinancePartner[]> {
    const partners = await this.searchRead<{ id: number; name: string; ref: string | false; email: string | false; category_id: number[] }>(
      'res.partner',
      domain,
      ['name', 'ref', 'email', 'category_id'],
      { order: 'id', context: { active_test: false } },
    );
    const tagIds = [...new Set(partners.flatMap((partner) => partner.category_id))];
    const tags = tagIds.length === 0 ? [] : await this.searchRead<{ id: number; name: string }>('res.partner.category', [['id', 'in', tagIds]], ['name']);
    const tagName = new Map(tags.map((tag) => [tag.id, tag.name]));
    return partners.map(({ category_id, ...partner }) => ({ ...partner, tags: category_id.map((id) => tagName.get(id) ?? `#${id}`).sort() }));
  }

  searchRead<Row>(model: string, domain: unknown[], fields: string[], options: { order?: string; context?: Record<string, unknown> } = {}): Promise<Row[]> {
    return this.reader.searchRead<Row>(model, domain, fields, options);
  }
}

/**
 * Everything finance sees of these customers, normalized so that two Odoo databases fed the same events can
 * be compared: no database ids, no sequence numbers (`INV/2026/00021` depends on the order documents were
 * posted in; inside references it becomes the Stripe id of the invoice it names), records sorted by content.
 * Business dates (invoice, payment) come from Stripe and are kept. Duplicates stay visible: every partner
 * with the customer's ref is listed, and every document and payment of every such partner.
 */
export async function financeSnapshot(view: OdooFinanceView, customerIds: readonly string[]): Promise<unknown> {
  const customers = [];
  for (const customerId of customerIds) {
    const partners = await view.partnersWithRef(customerId);
    const partnerIds = partners.map((partner) => partner.id);
    const [orders, moves, payments] = await Promise.all([
      Promise.all(partnerIds.map((id) => view.ordersOf(id))).then((lists) => lists.flat()),
      Promise.all(partnerIds.map((id) => view.movesOf(id))).then((lists) => lists.flat()),
      Promise.all(partnerIds.map((id) => view.paymentsOf(id))).then((lists) => lists.flat()),
    ]);
    const [lines, orderLines] = await Promise.all([view.moveLinesOf(moves.map((move) => move.id)), view.orderLinesOf(orders.map((order) => order.id))]);

    // A stable key per document, from Stripe's ids and amounts rather than Odoo's ids and numbers.
    const byId = new Map(moves.map((move) => [move.id, move]));
    const keyOf = (move: FinanceMove): string => {
      if (move.move_type === 'out_invoice') return `invoice ${String(move.ref)}`;
      const reversed = move.reversed_entry_id === false ? undefined : byId.get(move.reversed_entry_id[0]);
      return `credit note of ${reversed === undefined ? 'nothing' : keyOf(reversed)} for ${move.amount_total}`;
    };
    const names = moves
      .filter((move) => move.name && move.name !== '/')
      .map((move) => [move.name, `<${keyOf(move)}>`] as const)
      .sort(([left], [right]) => right.length - left.length);
    const pattern = names.length === 0 ? undefined : new RegExp(`(?<![A-Za-z0-9])(${names.map(([name]) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})(?![0-9])`, 'g');
    const named = new Map(names);
    const normalized = (text: string | false): string | false => (text === false || pattern === undefined ? text : text.replace(pattern, (name) => named.get(name) ?? name));
    const currency = (record: { currency_id: [number, string] | false }) => (record.currency_id === false ? false : record.currency_id[1]);
    const sorted = <T>(items: T[]): T[] => items.sort((left, right) => JSON.stringify(left).localeCompare(JSON.stringify(right)));

    customers.push({
      customer: customerId,
      partners: partners.map(({ name, ref, email, tags }) => ({ name, ref, email, tags })),
      orders: sorted(
        orders.map((order) => ({
          state: order.state,
          client_order_ref: order.client_order_ref,
          currency: currency(order),
          amount_total: order.amount_total,
          lines: sorted(
            orderLines
              .filter((line) => line.order_id !== false && line.order_id[0] === order.id)
              .map((line) => ({ product: line.product_id === false ? false : line.product_id[1], name: line.name, quantity: line.product_uom_qty, price_unit: line.price_unit, price_subtotal: line.price_subtotal })),
          ),
        })),
      ),
      documents: sorted(
        moves.map((move) => ({
          key: keyOf(move),
          move_type: move.move_type,
          state: move.state,
          ref: normalized(move.ref),
          payment_reference: normalized(move.payment_reference),
          currency: currency(move),
          amount_untaxed: move.amount_untaxed,
          amount_tax: move.amount_tax,
          amount_total: move.amount_total,
          payment_state: move.payment_state,
          invoice_date: move.invoice_date,
          lines: sorted(
            lines
              .filter((line) => line.move_id !== false && line.move_id[0] === move.id)
              .map((line) => ({
                product: line.product_id === false ? false : line.product_id[1],
                name: normalized(line.name),
                quantity: line.quantity,
                price_unit: line.price_unit,
                price_subtotal: line.price_subtotal,
                price_total: line.price_total,
              })),
          ),
        })),
      ),
      payments: sorted(
        payments.map((payment) => ({
          state: payment.state,
          payment_type: payment.payment_type,
          partner_type: payment.partner_type,
          memo: normalized(payment.memo),
          currency: currency(payment),
          amount: payment.amount,
          date: payment.date,
          paying: payment.reconciled_invoice_ids.map((id) => (byId.has(id) ? keyOf(byId.get(id)!) : `another partner's document`)).sort(),
        })),
      ),
    });
  }
  return customers;
}
