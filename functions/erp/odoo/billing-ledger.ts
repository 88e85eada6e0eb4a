import type { SourceSystem } from '../../../events/envelope';
import type {
  BillingLedger,
  DocumentDraft,
  DocumentMoveType,
  LedgerCreditNote,
  LedgerCurrency,
  LedgerDocument,
  LedgerPayment,
  LedgerPrecisions,
  PaymentRegistration,
  ProductNaming,
  ReversalRequest,
} from '../../domain/billing-ledger';
import { EXTERNAL_ID_MODULE } from '../../domain/customer-to-partner';
import { BillingSetupError } from '../../domain/invoice-errors';
import { DEFAULT_PRICE_DIGITS, DEFAULT_QUANTITY_DIGITS, type OdooTaxRate, UnsupportedTaxError } from '../../domain/odoo-document-lines';
import { postAndRead } from './billing-operations';
import { many2oneId, many2oneName, type OdooCaller, type OdooRecord } from './odoo-caller';
import { cancelInvoice, createAndPostInvoice, createCreditNote, postMove, registerPayment } from './invoice-operations';
import { minorToOdooAmount, odooAmountToMinor } from './odoo-money';
import { addPartnerTag, removePartnerTag } from './partner-operations';
import { loadRows, postNote, resolveExternalIds, searchRead, upsertByExternalId } from './record-operations';
import { SingleFlightCache } from './single-flight-cache';
import { OdooProtocolError } from './odoo-errors';
import { odooLineValues } from './invoice-line-values';

const MOVE = 'account.move';
const PAYMENT = 'account.payment';
const DOCUMENT_FIELDS = ['move_type', 'state', 'name', 'partner_id', 'currency_id', 'amount_total', 'amount_residual', 'matched_payment_ids'];

/** `saas_sync.<system>_price_<price id>`. */
export function priceExternalId(system: SourceSystem, priceId: string): string {
  return `${EXTERNAL_ID_MODULE}.${system}_price_${priceId.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** `saas_sync.partner_tag_past_due`. */
export function tagExternalId(name: string): string {
  return `${EXTERNAL_ID_MODULE}.partner_tag_${name.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

export interface OdooBillingLedgerOptions {
  /** `decimal.precision` of "Product Price" and "Product Unit of Measure" in the target database (Odoo defaults: 2 and 2). */
  precisions?: Partial<LedgerPrecisions>;
}

/**
 * The billing ledger over the Odoo client. Calls per operation once the container is warm (currency,
 * taxes, tags and products are cached per container — they are configuration, not data that changes
 * under us):
 * - currency: 1 the first time per code (+1 to activate an archived one), then 0;
 * - taxes: 1 for the ids not cached yet, else 0; precisions: 0 (configured);
 * - products: 0 when cached; else 1 (`ir.model.data` resolve) + 1 (`load()` of every missing one at once);
 * - findDocument / findReversal / findPayment / partnerByExternalId: 1; readDocument: 1; payments: 1 (0 for none);
 * - creditNotesOf: 1 (`search_read` of the invoice's credit notes);
 * - createPostedDocument: 3 (create, action_post, read back the totals), +1 for a paid-out credit note (its link);
 *   postDocument: 2;
 * - cancelDocument: 2 (button_draft, button_cancel), 3 with `retireRef`;
 * - reverseDocument: 3 (wizard create, refund_moves, action_post of the credit note), +2 when paid out (unlink, link);
 * - registerPayment: 3 (search_read of the invoice's open receivable items, wizard create, action_create_payments);
 *   in a consumer batch the search and the create merge with the other payments' (call-coalescer.ts);
 * - tagId: 0 cached, else 1 (search by name) or 2 (+ `load()` by external id, created once across containers);
 * - partnerHasTag / addPartnerTag / removePartnerTag / note: 1.
 */
export class OdooBillingLedger implements BillingLedger {
  private readonly currencies = new SingleFlightCache<string, LedgerCurrency | undefined>();
  private readonly taxRates = new Map<number, OdooTaxRate>();
  private readonly productIds = new SingleFlightCache<string, number>();
  /** The names this container wrote with authority (BillingLedger.products): written again only when they change. */
  private readonly productNames = new Map<string, string>();
  private readonly tagIds = new SingleFlightCache<string, number>();
  private readonly precisionDigits: LedgerPrecisions;

  constructor(
    private readonly odoo: OdooCaller,
    options: OdooBillingLedgerOptions = {},
  ) {
    this.precisionDigits = { priceDigits: DEFAULT_PRICE_DIGITS, quantityDigits: DEFAULT_QUANTITY_DIGITS, ...options.precisions };
  }

  async currency(code: string): Promise<LedgerCurrency | undefined> {
    const lookup = this.currencies.get(code, () => this.readCurrency(code));
    const currency = await lookup;
    // "Odoo has no such currency" is not kept: it may be added while the container lives.
    if (currency === undefined) this.currencies.forget(code, lookup);
    return currency;
  }

  private async readCurrency(code: string): Promise<LedgerCurrency | undefined> {
    const [record] = await searchRead(this.odoo, 'res.currency', [['name', '=', code]], ['name', 'decimal_places', 'active'], {
      limit: 1,
      context: { active_test: false },
    });
    if (!record) return undefined;
    // Odoo hides archived currencies from invoice forms; booking a document in one needs it active.
    if (record.active === false) await this.odoo.call('res.currency', 'write', { ids: [record.id], vals: { active: true } });
    return { id: record.id, code, decimalPlaces: Number(record.decimal_places) };
  }

  async taxes(ids: readonly number[]): Promise<Map<number, OdooTaxRate>> {
    const missing = ids.filter((id) => !this.taxRates.has(id));
    if (missing.length > 0) {
      const records = await this.odoo.call<OdooRecord[]>('account.tax', 'read', { ids: missing, fields: ['amount', 'amount_type', 'price_include'] });
      for (const record of records) {
        if (record.amount_type !== 'percent') {
          throw new UnsupportedTaxError(`Odoo tax ${record.id} computes as "${String(record.amount_type)}": only percent taxes can be mapped exactly`);
        }
        this.taxRates.set(record.id, { id: record.id, percent: String(record.amount), priceInclude: record.price_include === true });
      }
    }
    const found = new Map<number, OdooTaxRate>();
    for (const id of ids) {
      const rate = this.taxRates.get(id);
      if (rate) found.set(id, rate);
    }
    return found;
  }

  async precisions(): Promise<LedgerPrecisions> {
    return this.precisionDigits;
  }

  async products(system: SourceSystem, prices: ReadonlyArray<{ priceId: string; name: string }>, options: ProductNaming = {}): Promise<Map<string, number>> {
    const authoritative = options.authoritativeNames === true;
    // Not known to this container, or (authoritative) known under another name. A lookup that failed is forgotten
    // while its name may still be recorded from an earlier success: it is unseen again, never "no product".
    const unseen = prices.filter(
      (price) => this.productIds.peek(price.priceId) === undefined || (authoritative && this.productNames.get(price.priceId) !== price.name),
    );
    let named: Promise<void> | undefined;
    if (unseen.length > 0) {
      const resolving = authoritative ? this.loadProducts(system, unseen, 'rename') : this.resolveProducts(system, unseen);
      for (const price of unseen) {
        this.productIds.set(
          price.priceId,
          resolving.then((ids) => {
            const id = ids.get(price.priceId);
            if (id === undefined) throw new OdooProtocolError(`no product.product came back for price ${price.priceId}`, { model: 'product.product', method: 'load' });
            return id;
          }),
        );
      }
      if (authoritative) {
        // Recorded at once, not when Odoo answers: the concurrent events of a batch naming the same price the same
        // way then wait for this one rename instead of each writing it again (serialised, as writes of one record
        // are). A failed rename forgets the name, so the next event writes it again.
        for (const price of unseen) this.productNames.set(price.priceId, price.name);
        named = resolving.then(
          () => undefined,
          (error: unknown) => {
            for (const price of unseen) if (this.productNames.get(price.priceId) === price.name) this.productNames.delete(price.priceId);
            throw error;
          },
        );
      }
    }
    // Every lookup taken now, before any await: a failed one is forgotten by the cache (the next event retries it),
    // and peeking it later would find nothing and answer "no product" instead of the failure.
    const lookups = prices.map((price) => ({ priceId: price.priceId, lookup: this.productIds.peek(price.priceId)! }));
    await named;
    const result = new Map<string, number>();
    for (const { priceId, lookup } of lookups) result.set(priceId, await lookup);
    return result;
  }

  /** Finds the products of these prices by external id, and creates the missing ones in one `load()`. */
  private async resolveProducts(system: SourceSystem, prices: ReadonlyArray<{ priceId: string; name: string }>): Promise<Map<string, number>> {
    const byExternalId = new Map(prices.map((price) => [priceExternalId(system, price.priceId), price]));
    const resolved = await resolveExternalIds(this.odoo, [...byExternalId.keys()]);
    const ids = new Map<string, number>();
    const missing: Array<{ priceId: string; name: string }> = [];
    for (const [externalId, price] of byExternalId) {
      const found = resolved.get(externalId);
      if (found?.model === 'product.product') ids.set(price.priceId, found.id);
      else missing.push(price);
    }
    for (const [priceId, id] of await this.loadProducts(system, missing, 'keep existing')) ids.set(priceId, id);
    return ids;
  }

  /**
   * Creates these products by external id in one `load()`; an existing one is renamed, or (`keep existing`) left
   * as it is. Every product's external id is flagged `noupdate`, and a `keep existing` load runs in Odoo's
   * `update` mode, which skips records so flagged: a first sight from an invoice line that raced the
   * subscription's load can no longer overwrite the subscription's name (the shuffled e2e caught it).
   */
  private async loadProducts(
    system: SourceSystem,
    prices: ReadonlyArray<{ priceId: string; name: string }>,
    existing: 'rename' | 'keep existing',
  ): Promise<Map<string, number>> {
    // A service, no sale taxes: the invoice line's explicit tax_ids decide, never the product's default 15%.
    const rows = prices.map((price) => ({ externalId: priceExternalId(system, price.priceId), cells: [price.name, price.priceId, 'service', ''] }));
    const context = existing === 'rename' ? { noupdate: true } : { noupdate: true, mode: 'update' };
    const created = await loadRows(this.odoo, 'product.product', ['name', 'default_code', 'type', 'taxes_id/.id'], rows, context);
    return new Map(prices.map((price, index) => [price.priceId, created[index]!]));
  }

  async findDocument(ref: string, moveTypes: readonly DocumentMoveType[]): Promise<number | undefined> {
    const records = await searchRead(this.odoo, MOVE, [['ref', '=', ref], ['move_type', 'in', [...moveTypes]]], ['state'], { order: 'id asc' });
    return (records.find((record) => record.state !== 'cancel') ?? records[0])?.id;
  }

  async findReversal(invoiceId: number, marker: string): Promise<number | undefined> {
    const [record] = await searchRead(
      this.odoo,
      MOVE,
      [['move_type', '=', 'out_refund'], ['reversed_entry_id', '=', invoiceId], ['ref', 'ilike', marker], ['state', '!=', 'cancel']],
      ['state'],
      { limit: 1 },
    );
    return record?.id;
  }

  async creditNotesOf(invoiceId: number, currency: LedgerCurrency): Promise<LedgerCreditNote[]> {
    const records = await searchRead(
      this.odoo,
      MOVE,
      [['move_type', '=', 'out_refund'], ['reversed_entry_id', '=', invoiceId], ['state', '!=', 'cancel']],
      ['state', 'ref', 'payment_reference', 'amount_total'],
      { order: 'id asc' },
    );
    return records.map((record) => ({
      id: record.id,
      state: record.state === 'posted' ? 'posted' : 'draft',
      ref: text(record.ref),
      paymentReference: text(record.payment_reference),
      amountTotal: odooAmountToMinor(Number(record.amount_total), currency.decimalPlaces),
    }));
  }

  async readDocument(id: number): Promise<LedgerDocument | undefined> {
    const [record] = await this.odoo.call<OdooRecord[]>(MOVE, 'read', { ids: [id], fields: DOCUMENT_FIELDS });
    return record ? this.toDocument(record) : undefined;
  }

  async createPostedDocument(draft: DocumentDraft): Promise<LedgerDocument> {
    // Posted with `reversed_entry_id`, a credit note is offset against the invoice's open balance by Odoo itself;
    // one that a payment will pay out is posted unlinked and linked after (linkReversal).
    const linkedOnCreate = draft.reversedEntryId !== undefined && draft.paidOut !== true;
    const posted = await createAndPostInvoice(this.odoo, {
      move_type: draft.moveType,
      partner_id: draft.partnerId,
      ref: draft.ref,
      payment_reference: draft.paymentReference ?? draft.ref,
      journal_id: draft.journalId,
      currency_id: draft.currency.id,
      invoice_date: draft.invoiceDate,
      ...(draft.dueDate === null ? {} : { invoice_date_due: draft.dueDate }),
      ...(draft.narration === undefined ? {} : { narration: draft.narration }),
      ...(linkedOnCreate ? { reversed_entry_id: draft.reversedEntryId } : {}),
      invoice_line_ids: draft.lines.map((line) => [0, 0, odooLineValues(line)]),
    });
    if (draft.reversedEntryId !== undefined && !linkedOnCreate) await this.linkReversal(posted.id, draft.reversedEntryId);
    const decimals = draft.currency.decimalPlaces;
    return {
      id: posted.id,
      moveType: draft.moveType,
      state: posted.state === 'posted' ? 'posted' : posted.state === 'cancel' ? 'cancel' : 'draft',
      name: posted.name,
      partnerId: draft.partnerId,
      currency: draft.currency,
      amountTotal: odooAmountToMinor(posted.amountTotal ?? Number.NaN, decimals),
      amountResidual: odooAmountToMinor(posted.amountResidual ?? Number.NaN, decimals),
      matchedPaymentIds: [],
    };
  }

  /**
   * Paid-out credit notes (a refund's): Odoo's `_post` reconciles a credit note carrying `reversed_entry_id` with
   * whatever the invoice still owes. Before the invoice's payment is booked (webhooks are unordered), or on Odoo
   * 18 whose invoice payments leave the receivable open, that offsets the refund against the invoice: the invoice
   * then reads partially paid once its payment comes, the credit note reads paid with no money sent back, and
   * the refund's outbound payment is refused ("nothing left to pay"). So such a credit note is posted unlinked
   * and linked to its invoice afterwards, which Odoo allows on a posted move and does not reconcile. 1 call.
   */
  private async linkReversal(creditNoteId: number, invoiceId: number): Promise<void> {
    await this.odoo.call(MOVE, 'write', { ids: [creditNoteId], vals: { reversed_entry_id: invoiceId } });
  }

  async postDocument(id: number): Promise<LedgerDocument> {
    return this.toDocument(await postAndRead(this.odoo, id, DOCUMENT_FIELDS));
  }

  async cancelDocument(id: number, options: { retireRef?: string } = {}): Promise<void> {
    await cancelInvoice(this.odoo, id);
    if (options.retireRef !== undefined) {
      await this.odoo.call(MOVE, 'write', { ids: [id], vals: { ref: options.retireRef, payment_reference: options.retireRef } });
    }
  }

  async reverseDocument(invoiceId: number, request: ReversalRequest): Promise<{ creditNoteId: number }> {
    const { creditNoteId } = await createCreditNote(this.odoo, invoiceId, request);
    // The wizard's draft carries `reversed_entry_id`: unlinked before posting when a payment pays it out (linkReversal).
    if (request.paidOut === true) await this.odoo.call(MOVE, 'write', { ids: [creditNoteId], vals: { reversed_entry_id: false } });
    await postMove(this.odoo, creditNoteId);
    if (request.paidOut === true) await this.linkReversal(creditNoteId, invoiceId);
    return { creditNoteId };
  }

  async payments(ids: readonly number[], currency: LedgerCurrency): Promise<LedgerPayment[]> {
    if (ids.length === 0) return [];
    const records = await this.odoo.call<OdooRecord[]>(PAYMENT, 'read', { ids: [...ids], fields: ['memo', 'amount', 'state'] });
    return records.map((record) => ({
      id: record.id,
      memo: text(record.memo),
      amount: odooAmountToMinor(Number(record.amount), currency.decimalPlaces),
      state: String(record.state),
    }));
  }

  /** `action_draft` + `action_cancel`: 2 calls (a posted payment must go back to draft first). */
  async cancelPayment(paymentId: number): Promise<void> {
    await this.odoo.call(PAYMENT, 'action_draft', { ids: [paymentId] });
    await this.odoo.call(PAYMENT, 'action_cancel', { ids: [paymentId] });
  }

  async findPayment(memo: string, partnerId: number): Promise<number | undefined> {
    const [record] = await searchRead(this.odoo, PAYMENT, [['memo', '=', memo], ['partner_id', '=', partnerId], ['state', '!=', 'canceled']], ['state'], {
      limit: 1,
    });
    return record?.id;
  }

  async registerPayment(invoiceId: number, payment: PaymentRegistration): Promise<{ paymentId: number }> {
    return registerPayment(this.odoo, invoiceId, {
      amount: minorToOdooAmount(payment.amount, payment.currency.decimalPlaces),
      paymentDate: payment.date,
      communication: payment.memo,
      journalId: payment.journalId,
    });
  }

  /** `account.payment` create + `action_post`: 2 calls (test/contract/odoo/real-odoo-cases: account.payment.customer_credit). */
  async registerCustomerCredit(partnerId: number, payment: PaymentRegistration): Promise<{ paymentId: number }> {
    const [paymentId] = await this.odoo.call<number[]>(PAYMENT, 'create', {
      vals_list: [
        {
          payment_type: 'inbound',
          partner_type: 'customer',
          partner_id: partnerId,
          amount: minorToOdooAmount(payment.amount, payment.currency.decimalPlaces),
          currency_id: payment.currency.id,
          date: payment.date,
          memo: payment.memo,
          journal_id: payment.journalId,
        },
      ],
    });
    if (typeof paymentId !== 'number') throw new BillingSetupError('account.payment create returned no id');
    await this.odoo.call(PAYMENT, 'action_post', { ids: [paymentId] });
    return { paymentId };
  }

  async partnerByExternalId(externalId: string): Promise<number | undefined> {
    const found = (await resolveExternalIds(this.odoo, [externalId])).get(externalId);
    return found?.model === 'res.partner' ? found.id : undefined;
  }

  tagId(name: string): Promise<number> {
    return this.tagIds.get(name, async () => {
      // A tag finance already made is reused; ours is created by external id, so two containers create it once.
      const [existing] = await searchRead(this.odoo, 'res.partner.category', [['name', '=', name]], ['name'], { limit: 1 });
      return existing?.id ?? (await upsertByExternalId(this.odoo, 'res.partner.category', tagExternalId(name), { name })).id;
    });
  }

  async partnerHasTag(partnerId: number, tagId: number): Promise<boolean> {
    const [partner] = await this.odoo.call<OdooRecord[]>('res.partner', 'read', { ids: [partnerId], fields: ['category_id'] });
    return Array.isArray(partner?.category_id) && (partner.category_id as unknown[]).includes(tagId);
  }

  async addPartnerTag(partnerId: number, tagId: number): Promise<void> {
    await addPartnerTag(this.odoo, partnerId, tagId);
  }

  async removePartnerTag(partnerId: number, tagId: number): Promise<void> {
    await removePartnerTag(this.odoo, partnerId, tagId);
  }

  async note(model: 'res.partner' | 'account.move' | 'sale.order', id: number, body: string): Promise<void> {
    await postNote(this.odoo, model, id, body);
  }

  private async toDocument(record: OdooRecord): Promise<LedgerDocument> {
    const code = many2oneName(record.currency_id);
    const currency = code === undefined ? undefined : await this.currency(code);
    if (!currency) throw new BillingSetupError(`account.move ${record.id} has no readable currency (${JSON.stringify(record.currency_id)})`);
    const state = record.state === 'posted' || record.state === 'cancel' ? record.state : 'draft';
    return {
      id: record.id,
      moveType: String(record.move_type),
      state,
      name: text(record.name) === '/' ? null : text(record.name),
      partnerId: many2oneId(record.partner_id),
      currency,
      amountTotal: odooAmountToMinor(Number(record.amount_total), currency.decimalPlaces),
      amountResidual: odooAmountToMinor(Number(record.amount_residual), currency.decimalPlaces),
      matchedPaymentIds: Array.isArray(record.matched_payment_ids) ? (record.matched_payment_ids as number[]) : [],
    };
  }
}
