import type { CreditNoteIssued } from '../../events/credit-note-issued';
import type { DocumentLine } from '../../events/billing-parts';
import type { CustomerSnapshot } from '../../events/customer-upserted';
import type { SourceSystem } from '../../events/envelope';
import type { InvoiceSnapshot } from '../../events/invoice-finalized';
import type { RefundCreated } from '../../events/refund-created';
import type { OdooTaxRate, PlannedLine } from './odoo-document-lines';

/**
 * The ports of the billing flows. Amounts crossing them are integers in the Odoo currency's minor units
 * (`decimalPlaces` of the currency), never floats; the Odoo adapter converts at its boundary.
 */

export interface LedgerCurrency {
  id: number;
  /** ISO 4217, upper case as Odoo names it. */
  code: string;
  decimalPlaces: number;
}

/** Odoo precisions for lines (`decimal.precision`): see odoo-document-lines.ts. */
export interface LedgerPrecisions {
  priceDigits: number;
  quantityDigits: number;
}

export type DocumentMoveType = 'out_invoice' | 'out_refund';

/** A customer invoice or credit note as the flows need to see it. */
export interface LedgerDocument {
  id: number;
  moveType: string;
  state: 'draft' | 'posted' | 'cancel';
  name: string | null;
  partnerId: number | undefined;
  currency: LedgerCurrency;
  /** Minor units. */
  amountTotal: number;
  amountResidual: number;
  /** Payments matched with the document (Odoo 18+ `matched_payment_ids`). */
  matchedPaymentIds: number[];
}

/** A credit note reversing an invoice, as the refund and credit-note flows look for it. */
export interface LedgerCreditNote {
  id: number;
  state: 'draft' | 'posted';
  ref: string | null;
  paymentReference: string | null;
  /** Minor units of the invoice's currency. */
  amountTotal: number;
}

export interface LedgerPayment {
  id: number;
  memo: string | null;
  /** Minor units of the payment's currency. */
  amount: number;
  state: string;
}

/**
 * A planned line as a document carries it (odoo-document-lines.ts), with the Odoo product of its price (none for
 * a line without a price, or the rounding line); `negated`: a document whose total is negative is booked as a
 * credit note with the same lines, each of the opposite sign.
 */
export interface DraftLine {
  readonly line: PlannedLine;
  readonly productId?: number;
  readonly negated?: boolean;
}

/** A customer document to create and post. The ledger writes its lines in Odoo's format. */
export interface DocumentDraft {
  moveType: DocumentMoveType;
  /** The provider document id: `ref` and `payment_reference`, how a repeated create finds it. */
  ref: string;
  /** `payment_reference` when it is not `ref` (a credit note names the refunds that pay it out). */
  paymentReference?: string;
  partnerId: number;
  companyId: number;
  journalId: number;
  currency: LedgerCurrency;
  /** `YYYY-MM-DD`. */
  invoiceDate: string;
  dueDate: string | null;
  lines: readonly DraftLine[];
  /** The invoice a credit note reverses. */
  reversedEntryId?: number;
  /**
   * The credit note's money leaves through an outbound payment registered on it (a refund): it must stay open
   * for that payment, never be offset against the invoice it reverses. Left unset (a write-off, a lost dispute,
   * a credit before payment), Odoo offsets it against what the invoice still owes, as an accountant would.
   */
  paidOut?: boolean;
  narration?: string;
}

export interface ProductNaming {
  authoritativeNames?: boolean;
}

/** How a credit note of a whole invoice is made (BillingLedger.reverseDocument). */
export interface ReversalRequest {
  /** Why: on the credit note's `ref`, how a repeated attempt finds it. */
  reason: string;
  /** `YYYY-MM-DD`. */
  date: string;
  /** The sales journal of the credit note (the invoice's company route). */
  journalId: number;
  /** As DocumentDraft.paidOut. */
  paidOut?: boolean;
}

export interface PaymentRegistration {
  /** Minor units of `currency`. */
  amount: number;
  currency: LedgerCurrency;
  /** `YYYY-MM-DD`. */
  date: string;
  /** The provider payment id: the Odoo payment's memo. */
  memo: string;
  journalId: number;
}

/** The Odoo side of billing. */
export interface BillingLedger {
  /** The Odoo currency of an ISO code, archived ones included (and activated); undefined when Odoo has none. */
  currency(code: string): Promise<LedgerCurrency | undefined>;
  /** Odoo sale taxes by id (rate, inclusiveness); absent ids are missing in Odoo. */
  taxes(ids: readonly number[]): Promise<Map<number, OdooTaxRate>>;
  precisions(): Promise<LedgerPrecisions>;
  /**
   * The service products of provider prices, created on first sight (no taxes): price id → product id. Names are
   * those of the first sight, unless `authoritativeNames`: then an existing product is renamed, so that the
   * final name does not depend on which event came first (the subscription's item names are authoritative; an
   * invoice line's description only names a product nobody named yet).
   */
  products(system: SourceSystem, prices: ReadonlyArray<{ priceId: string; name: string }>, options?: ProductNaming): Promise<Map<string, number>>;
  /** The customer document of one of these types whose `ref` is the provider id, in any state (crash recovery: never create twice). */
  findDocument(ref: string, moveTypes: readonly DocumentMoveType[]): Promise<number | undefined>;
  /** A credit note reversing `invoiceId` whose `ref` contains `marker`. */
  findReversal(invoiceId: number, marker: string): Promise<number | undefined>;
  readDocument(id: number): Promise<LedgerDocument | undefined>;
  /** The credit notes reversing `invoiceId` that are not cancelled (drafts included), amounts in `currency`'s minor units. */
  creditNotesOf(invoiceId: number, currency: LedgerCurrency): Promise<LedgerCreditNote[]>;
  /** Create and post; returns the document as Odoo computed it (compare its total before trusting it). */
  createPostedDocument(draft: DocumentDraft): Promise<LedgerDocument>;
  /** Post a draft left by an interrupted create; returns the document as Odoo computed it. */
  postDocument(id: number): Promise<LedgerDocument>;
  /**
   * Back to draft, then cancelled. `retireRef` replaces `ref`/`payment_reference` so that a later
   * attempt (after the cause is fixed) creates a new document instead of finding this one.
   */
  cancelDocument(id: number, options?: { retireRef?: string }): Promise<void>;
  /** Credit note of the whole invoice (every line and tax mirrored), posted. */
  reverseDocument(invoiceId: number, request: ReversalRequest): Promise<{ creditNoteId: number }>;
  payments(ids: readonly number[], currency: LedgerCurrency): Promise<LedgerPayment[]>;
  /**
   * Cancel a payment whose money did not move after all (a refund that failed): back to draft, then cancelled,
   * which undoes its reconciliation; the document it paid is open again.
   */
  cancelPayment(paymentId: number): Promise<void>;
  /** The customer payment with this memo (not cancelled). */
  findPayment(memo: string, partnerId: number): Promise<number | undefined>;
  /**
   * Register a payment on a posted invoice (an amount above the residual leaves the excess as customer credit),
   * or on a posted credit note: then Odoo makes it an outbound customer payment (money sent back).
   */
  registerPayment(invoiceId: number, payment: PaymentRegistration): Promise<{ paymentId: number }>;
  /**
   * Money received that no invoice is left to take (a second payment on a paid invoice): an inbound customer
   * payment on the partner, posted and reconciled with nothing — the customer's credit, which finance can apply
   * to a later invoice or pay back.
   */
  registerCustomerCredit(partnerId: number, payment: PaymentRegistration): Promise<{ paymentId: number }>;
  partnerByExternalId(externalId: string): Promise<number | undefined>;
  /** The partner tag of this name, created once. */
  tagId(name: string): Promise<number>;
  partnerHasTag(partnerId: number, tagId: number): Promise<boolean>;
  addPartnerTag(partnerId: number, tagId: number): Promise<void>;
  removePartnerTag(partnerId: number, tagId: number): Promise<void>;
  /** An internal note in the record's chatter, plain text (over RPC Odoo escapes a string body: markup would show as tags). */
  note(model: 'res.partner' | 'account.move' | 'sale.order', id: number, body: string): Promise<void>;
}

export type RefundSnapshot = RefundCreated['data']['refund'];
export type CreditNoteSnapshot = CreditNoteIssued['data']['creditNote'];

/** A provider tax rate as the billing config matches it (functions/domain/invoice-taxes.ts). */
export interface ProviderTaxRate {
  id: string;
  /** Exact decimal string (`"19"`, `"8.875"`); null when the rate is not a percentage (a flat amount per unit). */
  percentage: string | null;
  /** Whether the rate is included in prices (a line's own `inclusive` says how the provider computed it, and wins). */
  inclusive: boolean;
  /** Display name and jurisdiction, for humans. */
  label: string | null;
}

/**
 * The provider, asked for what an event depends on when Odoo does not have it yet (a payment before its
 * invoice, an invoice before its customer). `undefined`: the provider does not know it (yet).
 * The invoice is returned only once finalized (a draft has no lines to post yet), with every line.
 */
export interface BillingSource {
  customer(id: string): Promise<CustomerSnapshot | undefined>;
  invoice(id: string): Promise<InvoiceSnapshot | undefined>;
  /**
   * The invoice's complete lines, in the provider's order, for an invoice event that carried only the first
   * ones (`linesIncomplete`): every page is read. `undefined`: the provider does not know the invoice.
   * Optional (the provider adapter has it): without it such an invoice cannot be posted (a permanent error,
   * never an invoice missing lines).
   */
  invoiceLines?(invoice: { id: string }): Promise<DocumentLine[] | undefined>;
  /**
   * The invoice whose payment a refund gives back (e.g. the invoice payment of the refund's payment
   * intent), for refunds whose event does not say. `null`: the provider says the refunded payment paid no
   * invoice; `undefined`: it cannot tell (yet). Optional (a provider's source may have it): a source without it
   * leaves a refund without an invoice id retried, never guessed.
   */
  refundInvoice?(refund: RefundSnapshot): Promise<string | null | undefined>;
  /**
   * The provider credit note that pays this refund out (lists it among its refunds), if any (e.g. among
   * the credit notes of the invoice). Optional (a provider's source may have it): without it a
   * refund arriving before its credit note gets a credit note of its own (functions/domain/refund-credit-notes.ts).
   */
  creditNoteOfRefund?(refund: RefundSnapshot, invoiceId: string): Promise<CreditNoteSnapshot | undefined>;
  /**
   * The customer who made a payment (the charge's customer, else its payment intent's), for a dispute
   * whose payment no single invoice says the owner of (a payment intent that paid several invoices, a bare
   * charge). `null`: a payment of no customer (a guest checkout); `undefined`: the provider does not know the
   * payment. Optional (the provider adapter has it): without it such a dispute cannot be attached to an account.
   */
  paymentCustomer?(payment: { chargeId: string | null; paymentIntentId: string | null }): Promise<string | null | undefined>;
  /**
   * A tax rate by id, for the line taxes that name only their rate (a provider whose webhooks never expand
   * the rate) when the billing config does not map that id: its percentage is what the config
   * matches. `undefined`: the provider does not know the rate. Optional (a provider's source may have it, cached per
   * container): without it such a tax stays unmatched (`UnmappedTaxError`) unless the config names its id.
   */
  taxRate?(id: string): Promise<ProviderTaxRate | undefined>;
}
