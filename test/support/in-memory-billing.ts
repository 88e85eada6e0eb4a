import type { DocumentLine } from '../../events/billing-parts';
import type { CustomerSnapshot } from '../../events/customer-upserted';
import type { InvoiceSnapshot } from '../../events/invoice-finalized';
import type { SourceSystem } from '../../events/envelope';
import type {
  BillingLedger,
  BillingSource,
  CreditNoteSnapshot,
  DocumentDraft,
  DocumentMoveType,
  LedgerCreditNote,
  LedgerCurrency,
  LedgerDocument,
  LedgerPayment,
  PaymentRegistration,
  ProviderTaxRate,
  RefundSnapshot,
} from '../../functions/domain/billing-ledger';
import { type OdooTaxRate, simulateLineTaxes } from '../../functions/domain/odoo-document-lines';
import { odooLineValues } from '../../functions/erp/odoo/invoice-line-values';

interface Move {
  id: number;
  moveType: string;
  state: 'draft' | 'posted' | 'cancel';
  name: string | null;
  ref: string;
  paymentReference?: string;
  partnerId: number;
  currency: LedgerCurrency;
  lines: Array<Record<string, unknown>>;
  reversedEntryId?: number;
}
interface Payment {
  id: number;
  memo: string;
  partnerId: number;
  amount: number;
  invoiceId: number;
  state: string;
  /** As Odoo's payment wizard decides: money in for an invoice, out for a credit note. */
  paymentType: 'inbound' | 'outbound';
  journalId: number;
}

const CURRENCIES: Record<string, LedgerCurrency> = {
  USD: { id: 1, code: 'USD', decimalPlaces: 2 },
  EUR: { id: 125, code: 'EUR', decimalPlaces: 2 },
  JPY: { id: 25, code: 'JPY', decimalPlaces: 0 },
  KWD: { id: 94, code: 'KWD', decimalPlaces: 3 },
};

/**
 * Odoo's billing side in memory, as the real adapter behaves (amounts computed from the lines with the
 * per-line rounding, payments matched to invoices, tags, notes), counting calls per method.
 */
export class InMemoryLedger implements BillingLedger {
  readonly moves = new Map<number, Move>();
  readonly payments_ = new Map<number, Payment>();
  readonly products_ = new Map<string, number>();
  readonly partnerExternalIds = new Map<string, number>();
  readonly tags = new Map<string, number>();
  readonly partnerTags = new Map<number, Set<number>>();
  readonly notes: Array<{ model: string; id: number; body: string }> = [];
  readonly taxRates = new Map<number, OdooTaxRate>([
    [11, { id: 11, percent: '10', priceInclude: false }],
    [19, { id: 19, percent: '19', priceInclude: false }],
  ]);
  readonly calls = new Map<string, number>();
  /** Test hook: Odoo computes a different total (a tax changed in Odoo behind the config's back). */
  totalSkew = 0;
  private nextId = 100;

  private count(method: string): void {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
  }

  totalCalls(): number {
    return [...this.calls.values()].reduce((a, b) => a + b, 0);
  }

  async currency(code: string) {
    return CURRENCIES[code];
  }
  async taxes(ids: readonly number[]) {
    return new Map(ids.flatMap((id) => (this.taxRates.has(id) ? [[id, this.taxRates.get(id)!] as const] : [])));
  }
  async precisions() {
    return { priceDigits: 2, quantityDigits: 2 };
  }
  async products(system: SourceSystem, prices: ReadonlyArray<{ priceId: string; name: string }>) {
    this.count('products');
    return new Map(
      prices.map((price) => {
        const key = `${system}:${price.priceId}`;
        if (!this.products_.has(key)) this.products_.set(key, this.nextId++);
        return [price.priceId, this.products_.get(key)!];
      }),
    );
  }
  async findDocument(ref: string, moveTypes: readonly DocumentMoveType[]) {
    this.count('findDocument');
    const found = [...this.moves.values()].filter((move) => move.ref === ref && moveTypes.includes(move.moveType as DocumentMoveType));
    return (found.find((move) => move.state !== 'cancel') ?? found[0])?.id;
  }
  async findReversal(invoiceId: number, marker: string) {
    this.count('findReversal');
    return [...this.moves.values()].find((move) => move.reversedEntryId === invoiceId && move.ref.includes(marker) && move.state !== 'cancel')?.id;
  }
  async readDocument(id: number) {
    this.count('readDocument');
    const move = this.moves.get(id);
    return move ? this.document(move) : undefined;
  }
  async createPostedDocument(draft: DocumentDraft) {
    this.count('createPostedDocument');
    const id = this.nextId++;
    const move: Move = {
      id, moveType: draft.moveType, state: 'draft', name: null, ref: draft.ref, paymentReference: draft.paymentReference ?? draft.ref, partnerId: draft.partnerId,
      currency: draft.currency, lines: draft.lines.map(odooLineValues),
      ...(draft.reversedEntryId === undefined ? {} : { reversedEntryId: draft.reversedEntryId }),
    };
    this.moves.set(id, move);
    this.count('action_post');
    move.state = 'posted';
    move.name = `INV/${id}`;
    return this.document(move);
  }
  async postDocument(id: number) {
    this.count('postDocument');
    const move = this.moves.get(id)!;
    move.state = 'posted';
    move.name = `INV/${id}`;
    return this.document(move);
  }
  async cancelDocument(id: number, options: { retireRef?: string } = {}) {
    this.count('cancelDocument');
    const move = this.moves.get(id)!;
    move.state = 'cancel';
    // button_draft unmatches the payments.
    for (const payment of this.payments_.values()) if (payment.invoiceId === id) payment.invoiceId = -1;
    if (options.retireRef !== undefined) move.ref = options.retireRef;
  }
  async reverseDocument(invoiceId: number, request: { reason: string; date: string }) {
    this.count('reverseDocument');
    const invoice = this.moves.get(invoiceId)!;
    const id = this.nextId++;
    const { paymentReference: _dropped, ...copied } = invoice;
    this.moves.set(id, { ...copied, id, moveType: 'out_refund', state: 'posted', name: `RINV/${id}`, ref: `Reversal of: ${invoice.name}, ${request.reason}`, reversedEntryId: invoiceId });
    return { creditNoteId: id };
  }
  async creditNotesOf(invoiceId: number): Promise<LedgerCreditNote[]> {
    this.count('creditNotesOf');
    return [...this.moves.values()]
      .filter((move) => move.moveType === 'out_refund' && move.reversedEntryId === invoiceId && move.state !== 'cancel')
      .map((move) => ({
        id: move.id, state: move.state === 'posted' ? 'posted' : 'draft', ref: move.ref, paymentReference: move.paymentReference ?? null, amountTotal: this.totalOf(move),
      }));
  }
  async payments(ids: readonly number[]): Promise<LedgerPayment[]> {
    this.count('payments');
    return ids.flatMap((id) => {
      const payment = this.payments_.get(id);
      return payment ? [{ id, memo: payment.memo, amount: payment.amount, state: payment.state }] : [];
    });
  }
  async findPayment(memo: string, partnerId: number) {
    this.count('findPayment');
    return [...this.payments_.values()].find((payment) => payment.memo === memo && payment.partnerId === partnerId && payment.state !== 'canceled')?.id;
  }
  async registerPayment(invoiceId: number, payment: PaymentRegistration) {
    this.count('registerPayment');
    const invoice = this.moves.get(invoiceId)!;
    if (invoice.state !== 'posted') throw new Error('You can only register payment for posted journal entries.');
    const id = this.nextId++;
    this.payments_.set(id, {
      id, memo: payment.memo, partnerId: invoice.partnerId, amount: payment.amount, invoiceId, state: 'paid',
      paymentType: invoice.moveType === 'out_refund' ? 'outbound' : 'inbound', journalId: payment.journalId,
    });
    return { paymentId: id };
  }
  async cancelPayment(paymentId: number) {
    this.count('cancelPayment');
    const payment = this.payments_.get(paymentId)!;
    payment.state = 'canceled';
  }
  async registerCustomerCredit(partnerId: number, payment: PaymentRegistration) {
    this.count('registerCustomerCredit');
    const id = this.nextId++;
    this.payments_.set(id, { id, memo: payment.memo, partnerId, amount: payment.amount, invoiceId: -1, state: 'paid', paymentType: 'inbound', journalId: payment.journalId });
    return { paymentId: id };
  }
  async partnerByExternalId(externalId: string) {
    this.count('partnerByExternalId');
    return this.partnerExternalIds.get(externalId);
  }
  async tagId(name: string) {
    if (!this.tags.has(name)) {
      this.count('tagId');
      this.tags.set(name, this.nextId++);
    }
    return this.tags.get(name)!;
  }
  async partnerHasTag(partnerId: number, tagId: number) {
    this.count('partnerHasTag');
    return this.partnerTags.get(partnerId)?.has(tagId) ?? false;
  }
  async addPartnerTag(partnerId: number, tagId: number) {
    this.count('addPartnerTag');
    this.partnerTags.set(partnerId, new Set([...(this.partnerTags.get(partnerId) ?? []), tagId]));
  }
  async removePartnerTag(partnerId: number, tagId: number) {
    this.count('removePartnerTag');
    this.partnerTags.get(partnerId)?.delete(tagId);
  }
  async note(model: 'res.partner' | 'account.move' | 'sale.order', id: number, body: string) {
    this.count('note');
    this.notes.push({ model, id, body });
  }

  /** Total as Odoo computes it from the lines it holds. */
  totalOf(move: Move): number {
    const scale = 10 ** move.currency.decimalPlaces;
    return (
      move.lines.reduce((sum, line) => {
        const net = Math.round(Number(line.price_unit) * Number(line.quantity) * scale);
        const taxIds = ((line.tax_ids as unknown[][])[0]![2] as number[]).map((id) => this.taxRates.get(id)!);
        const { untaxed, tax } = simulateLineTaxes(net, taxIds);
        return sum + untaxed + tax;
      }, 0) + this.totalSkew
    );
  }

  private document(move: Move): LedgerDocument {
    const total = this.totalOf(move);
    const matched = [...this.payments_.values()].filter((payment) => payment.invoiceId === move.id);
    return {
      id: move.id, moveType: move.moveType, state: move.state, name: move.name, partnerId: move.partnerId, currency: move.currency,
      amountTotal: total, amountResidual: Math.max(0, total - matched.reduce((sum, payment) => sum + payment.amount, 0)),
      matchedPaymentIds: matched.map((payment) => payment.id),
    };
  }

  /** What finance sees, independent of ids and call order. */
  state() {
    const invoices = [...this.moves.values()].map((move) => ({
      ref: move.ref, type: move.moveType, state: move.state, total: this.totalOf(move), lines: move.lines.length,
      payments: [...this.payments_.values()].filter((payment) => payment.invoiceId === move.id).map((payment) => `${payment.memo}:${payment.amount}`).sort(),
    }));
    const tagNames = new Map([...this.tags].map(([name, id]) => [id, name]));
    const standing = [...this.partnerTags].map(([partner, tags]) => `${partner}:${[...tags].map((id) => tagNames.get(id)).sort().join(',')}`);
    return { invoices: invoices.sort((a, b) => `${a.ref}${a.type}`.localeCompare(`${b.ref}${b.type}`)), payments: this.payments_.size, standing };
  }

  /**
   * Customer documents as a finance user reads them in Odoo, independent of ids and call order: each move
   * with its reference, total, what it reverses and how it is paid (`payment_state` from its matched payments).
   */
  financeView() {
    const refOf = (id: number | undefined) => (id === undefined ? null : (this.moves.get(id)?.ref ?? null));
    const documents = [...this.moves.values()].map((move) => {
      const total = this.totalOf(move);
      const payments = [...this.payments_.values()].filter((payment) => payment.invoiceId === move.id && payment.state === 'paid');
      const paid = payments.reduce((sum, payment) => sum + payment.amount, 0);
      return {
        type: move.moveType, ref: move.ref, paymentReference: move.paymentReference ?? null, state: move.state, total, lines: move.lines.length,
        reverses: refOf(move.reversedEntryId),
        paymentState: move.state !== 'posted' ? 'not_paid' : paid === 0 ? 'not_paid' : paid >= total ? 'paid' : 'partial',
        payments: payments.map((payment) => `${payment.paymentType} ${payment.memo}:${payment.amount} journal ${payment.journalId}`).sort(),
      };
    });
    return documents.sort((a, b) => `${a.type}|${a.ref}`.localeCompare(`${b.type}|${b.ref}`));
  }
}

export class InMemoryBillingSource implements BillingSource {
  readonly customers = new Map<string, CustomerSnapshot>();
  readonly invoices = new Map<string, InvoiceSnapshot>();
  /** Refund id → the invoice its payment paid (null: none). */
  readonly refundInvoices = new Map<string, string | null>();
  /** Credit notes at the provider; `creditNoteOfRefund` finds the one listing a refund. */
  readonly creditNotes = new Map<string, CreditNoteSnapshot>();
  /** Tax rates at the provider, by id; `taxRateCalls` counts the reads of each. */
  readonly taxRates = new Map<string, ProviderTaxRate>();
  readonly taxRateCalls: string[] = [];
  calls = 0;
  async taxRate(id: string) {
    this.calls++;
    this.taxRateCalls.push(id);
    return this.taxRates.get(id);
  }
  async refundInvoice(refund: RefundSnapshot) {
    this.calls++;
    return this.refundInvoices.get(refund.id);
  }
  async creditNoteOfRefund(refund: RefundSnapshot, invoiceId: string) {
    this.calls++;
    return [...this.creditNotes.values()].find((note) => note.invoiceId === invoiceId && note.refundIds.includes(refund.id));
  }
  async customer(id: string) {
    this.calls++;
    return this.customers.get(id);
  }
  async invoice(id: string) {
    this.calls++;
    return this.invoices.get(id);
  }
  /** Every line of an invoice the provider holds (the `invoices` map's snapshot is taken as complete). */
  readonly invoiceLineCalls: string[] = [];
  async invoiceLines(invoice: { id: string }): Promise<DocumentLine[] | undefined> {
    this.calls++;
    this.invoiceLineCalls.push(invoice.id);
    return this.invoices.get(invoice.id)?.lines;
  }
}
