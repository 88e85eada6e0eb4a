import { lostDisputeMarker } from './dispute-resolution';
import { booksRefund, isOwnRefundCreditNote, refundsNamedBy } from './refund-credit-notes';

/**
 * Reconciliation: what the billing provider says happened in a period against what Odoo holds — the finance
 * control that must see every way the books can be wrong. Pure: no I/O, no clock. Every amount is an integer
 * in the provider's minor units of its currency: provider amounts as the provider sends them, Odoo amounts
 * converted at the Odoo boundary by `odooAmountToMinor(amount, currency.decimal_places)` (0 for JPY, 2 for
 * USD, 3 for KWD), then shifted to the provider's exponent where the two differ (ISK: 0 in Odoo, 2 at the
 * provider). So `amount_total` 12.345 KWD is 12345 and 5000 JPY is 5000: amounts compare exactly.
 *
 * ## Which Odoo documents are ours
 * Only documents carrying a provider reference of ours: each provider says what its ids look like, per document
 * type (`OurReferences`, from its reconciliation source): an `out_invoice` whose `ref` or `payment_reference` is
 * an invoice id, an inbound `account.payment` whose `memo` is a payment id, an outbound payment whose memo is a
 * refund or dispute id, an `out_refund` whose `ref` is a credit note id or whose references name a refund.
 * Anything else (a move typed by hand, a vendor bill, another provider's document) is not ours: never an orphan,
 * never matched.
 *
 * ## What "right" is, per provider document (how the billing flows book it)
 * - invoice: one posted `out_invoice` (`ref` = its id) of its total and currency, on the customer's partner, whose
 *   `payment_state` — what finance reads — matches the provider's status (table below). `payment_state`, not
 *   the residual: on Odoo 18 a wizard payment leaves the residual open while the invoice reads paid. A negative
 *   invoice (a downgrade's proration) is an `out_refund` with the same lines, of the opposite total.
 * - payment: one inbound payment (memo = its id or another id of it) of its amount, settled (`in_process` /
 *   `paid`), reconciled with its invoice's move — or reconciled with nothing when its invoice was already paid
 *   (a second payment, booked as the customer's credit).
 * - refund (succeeded / pending): a posted credit note naming it (its own, `ref` "Refund <id>", or the provider
 *   credit note whose `payment_reference` lists it) AND one outbound payment of the amount (memo = its id)
 *   reconciled with that credit note: the credit note is the document, the payment is the money leaving. A
 *   refund that failed or was canceled after it was booked: its outbound payment cancelled; the credit note
 *   may stay (the customer is still owed it).
 * - credit note (issued): a posted `out_refund` with `ref` = its id, of its total; or, when it lists refunds
 *   booked earlier with credit notes of their own, those (refund-credit-notes.ts, rule 3). Void: cancelled or absent.
 * - dispute lost: a posted credit note with the marker "Lost dispute <id>" and the chargeback, an outbound
 *   payment of the disputed amount (memo = its id) reconciled with it. Not lost: no live chargeback payment.
 *
 * ## Invoice status → Odoo `state` / `payment_state`
 * | provider        | expected in Odoo                                                    |
 * |-----------------|---------------------------------------------------------------------|
 * | `draft`         | nothing: not a document until finalized (skipped, its moves not orphans) |
 * | `open`          | `posted`, `not_paid` or `partial`                                   |
 * | `paid`          | `posted`, `paid` or `in_payment` (paid, bank reconciliation pending) |
 * | `void`          | `cancel`, or `posted` + `reversed` (a full credit note); absence is fine |
 * | `uncollectible` | `posted`, any payment state (a write-off, when configured, may have settled it) |
 *
 * ## Drift kinds (each item carries a `remedy`: see `REMEDIES`)
 * - `missing_in_odoo`: the document should be in Odoo and nothing of ours matches it.
 * - `duplicate_in_odoo`: a second live Odoo document for one provider document.
 * - `amount_mismatch`: the Odoo amount (or currency) differs from the provider's, to the minor unit.
 * - `state_mismatch`: the Odoo document's state is wrong (posted / cancelled / draft; a payment not settled; a
 *   failed refund's payment still live).
 * - `payment_state_mismatch`: the invoice's `payment_state` is not what the provider's status says (a paid
 *   invoice left partial or unpaid, an open one reading paid).
 * - `partner_mismatch`: the invoice's Odoo partner is not the customer's (`res.partner.ref` ≠ the customer id).
 * - `payment_not_linked`: the payment is not reconciled with the document it pays (its invoice, or the refund's
 *   or dispute's credit note).
 * - `refund_not_paid_out`: the credit note of a refund (or lost dispute) is there, open, but no outbound payment
 *   pays it out: the money that left at the provider never left in Odoo.
 * - `credit_note_offset`: the credit note was reconciled against its own invoice instead of being paid out: the
 *   invoice looks settled by a credit, and the money that left at the provider never left in Odoo.
 * - `orphan_in_odoo`: a live Odoo document of ours whose provider id is neither among the period's provider
 *   documents nor known to the provider outside the period (`knownOutsidePeriod`). Cancelled orphans weigh
 *   nothing in the books and are ignored.
 */

export type DocumentType = 'invoice' | 'payment' | 'refund' | 'credit_note' | 'dispute';
export const DOCUMENT_TYPES: readonly DocumentType[] = ['invoice', 'payment', 'refund', 'credit_note', 'dispute'];
export const DRIFT_KINDS = [
  'missing_in_odoo',
  'duplicate_in_odoo',
  'amount_mismatch',
  'state_mismatch',
  'payment_state_mismatch',
  'partner_mismatch',
  'payment_not_linked',
  'refund_not_paid_out',
  'credit_note_offset',
  'orphan_in_odoo',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/**
 * What the ids of one provider's documents look like in Odoo references, by document type (whole-string patterns):
 * the provider's reconciliation source says so. An id of ours that no provider document claims is an orphan.
 */
export type OurReferences = Readonly<Record<DocumentType, RegExp>>;

export function isOurReference(ours: OurReferences, documentType: DocumentType, reference: string | null | undefined): reference is string {
  return typeof reference === 'string' && ours[documentType].test(reference);
}

export interface ProviderInvoice {
  id: string;
  /** The provider's customer id; null when the provider's listing does not name the customer (the partner is not checked). */
  customerId: string | null;
  /** ISO 4217, lower case. */
  currency: string;
  /** `total`, minor units. */
  total: number;
  status: 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';
}

/** Money received against an invoice (a paid invoice payment). */
export interface ProviderPayment {
  id: string;
  invoiceId: string;
  amount: number;
  currency: string;
  /** Other ids of the same payment an Odoo memo may carry (payment intent, charge). */
  references?: readonly string[];
}

export interface ProviderRefund {
  id: string;
  /** The invoice the refunded payment paid, when known. */
  invoiceId: string | null;
  amount: number;
  currency: string;
  status: string;
}

/** A provider credit note: the document of money given back (its refunds are the money). */
export interface ProviderCreditNote {
  id: string;
  invoiceId: string;
  /** `total`, minor units. */
  total: number;
  currency: string;
  status: 'issued' | 'void';
  /** The refunds it pays out. */
  refundIds: readonly string[];
}

/** A dispute (chargeback): only a lost one moves money in the books. */
export interface ProviderDispute {
  id: string;
  amount: number;
  currency: string;
  /** The provider's status, as the report shows it. */
  status: string;
  /** Closed with the money taken back (the canonical outcome `lost`): the provider's module decides from its own words. */
  lost: boolean;
}

export interface ProviderDocuments {
  invoices: readonly ProviderInvoice[];
  payments: readonly ProviderPayment[];
  refunds: readonly ProviderRefund[];
  creditNotes?: readonly ProviderCreditNote[];
  disputes?: readonly ProviderDispute[];
  /** Provider ids found in Odoo but outside the period, which the provider confirmed it has. */
  knownOutsidePeriod?: ReadonlySet<string>;
}

/** An `account.move`, amounts in minor units of its currency. */
export interface OdooMove {
  id: number;
  moveType: string;
  ref: string | null;
  paymentReference: string | null;
  state: string;
  paymentState: string | null;
  amountTotal: number;
  currency: string;
  /** `ref` of the move's partner (the provider customer id for partners we synced). */
  partnerRef: string | null;
}

/** An `account.payment`, amount in minor units of its currency. */
export interface OdooPayment {
  id: number;
  memo: string | null;
  paymentType: string;
  state: string;
  amount: number;
  currency: string;
  /** `reconciled_invoice_ids`: the invoices and credit notes it is reconciled with. */
  reconciledMoveIds: readonly number[];
}

export interface OdooDocuments {
  moves: readonly OdooMove[];
  payments: readonly OdooPayment[];
}

/** What to do about a drift item: re-emit the provider document, redrive a dead letter, or a step by hand. */
export interface Remedy {
  action: 're-emit' | 'redrive' | 'manual';
  step: string;
}

export interface DriftItem {
  kind: DriftKind;
  documentType: DocumentType;
  providerId: string;
  odooId?: number;
  /** Minor units for amounts; a state description for states; a customer id for partners. */
  expected?: number | string;
  actual?: number | string | null;
  currency: string;
  /** For humans: what exactly differs. */
  detail?: string;
  remedy: Remedy;
}

export interface ReconciliationSummary {
  checked: Record<DocumentType, number>;
  drift: number;
  byKind: Record<DriftKind, number>;
  byDocumentType: Record<DocumentType, number>;
}

export interface ReconciliationResult {
  items: DriftItem[];
  summary: ReconciliationSummary;
}

const REEMIT_STEP = 're-emit it (reconcile with re-emit): the flows book it as its webhook would have';

/**
 * The suggested remedy per kind: what an operator does about it. Re-emit where the flows can repair it
 * themselves (they find what exists and add what is missing); by hand where a write of the flows would
 * not undo a wrong one (they never change an amount, unreconcile, or cancel a document they did not book).
 */
export function remedyFor(item: Omit<DriftItem, 'remedy'>): Remedy {
  const odoo = item.odooId === undefined ? 'the Odoo document' : `Odoo ${item.documentType === 'payment' || item.documentType === 'refund' || item.documentType === 'dispute' ? 'record' : 'move'} ${item.odooId}`;
  switch (item.kind) {
    case 'missing_in_odoo':
      return {
        action: 're-emit',
        step: `${REEMIT_STEP}. If the billing flow's dead-letter queue holds its event, read the reason there, fix it and redrive instead.`,
      };
    case 'refund_not_paid_out':
      return {
        action: 're-emit',
        step:
          `${REEMIT_STEP}: the flow finds the credit note and registers the outbound payment on it. If the next run still ` +
          `reports it, register an outbound payment of the amount on ${odoo} by hand, memo ${item.providerId}.`,
      };
    case 'credit_note_offset':
      return {
        action: 'manual',
        step:
          `unreconcile ${odoo} from its invoice (the invoice then reads as its payment left it), then register an outbound ` +
          `payment of the amount on the credit note, memo ${item.providerId}: the money left at the provider.`,
      };
    case 'duplicate_in_odoo':
      return { action: 'manual', step: `cancel ${odoo} (reset to draft, cancel): the other Odoo document already books ${item.providerId}.` };
    case 'amount_mismatch':
      return {
        action: 'manual',
        step:
          item.documentType === 'invoice' || item.documentType === 'credit_note'
            ? `reset ${odoo} to draft, correct its lines to the provider's total, post it again.`
            : `cancel ${odoo} and register the provider's amount with the same memo (${item.providerId}).`,
      };
    case 'state_mismatch':
      return { action: 'manual', step: `bring ${odoo} to ${String(item.expected)} (the provider's status: ${item.detail ?? 'see expected'}).` };
    case 'payment_state_mismatch':
      return {
        action: 'manual',
        step:
          `reconcile ${odoo} with what pays or credits it so it reads ${String(item.expected)}: a payment or credit missing ` +
          'from Odoo is reported on its own line (re-emit it); one reconciled elsewhere is a payment_not_linked line.',
      };
    case 'partner_mismatch':
      return { action: 'manual', step: `move ${odoo} to the customer's partner (ref ${String(item.expected)}), or merge the two partners if they are one company.` };
    case 'payment_not_linked':
      return { action: 'manual', step: `unreconcile ${odoo} from what it is matched with and reconcile it with ${String(item.expected).replace(/^reconciled with /, '')}.` };
    case 'orphan_in_odoo':
      return {
        action: 'manual',
        step: `the provider does not know ${item.providerId}: check it was not made on another provider account or deleted there; if nothing is owed, cancel ${odoo}.`,
      };
  }
}

const LIVE_MOVE = (move: OdooMove) => move.state !== 'cancel';
const LIVE_PAYMENT = (payment: OdooPayment) => payment.state !== 'canceled' && payment.state !== 'rejected';
const SETTLED_PAYMENT_STATES = new Set(['in_process', 'paid']);
/** Payment states of a credit note that something has settled (reconciled with it). */
const SETTLED_MOVE_PAYMENT_STATES = new Set(['paid', 'in_payment', 'partial', 'reversed']);

interface InvoiceRule {
  /** The move states accepted (`posted`, `cancel`). */
  states: readonly string[];
  /** The payment states accepted once the state is right; undefined: any. */
  paymentStates?: readonly string[];
  /** Other (state, payment state) pairs accepted. */
  alsoAccepts?: (move: OdooMove) => boolean;
}

const INVOICE_RULES: Record<Exclude<ProviderInvoice['status'], 'draft'>, InvoiceRule> = {
  open: { states: ['posted'], paymentStates: ['not_paid', 'partial'] },
  paid: { states: ['posted'], paymentStates: ['paid', 'in_payment'] },
  void: { states: ['cancel'], alsoAccepts: (m) => m.state === 'posted' && m.paymentState === 'reversed' },
  uncollectible: { states: ['posted'] },
};

/** A negative invoice's credit note: posted (its credit is the customer's until used), or cancelled when voided. */
const NEGATIVE_INVOICE_RULES: typeof INVOICE_RULES = {
  open: { states: ['posted'] },
  paid: { states: ['posted'] },
  void: INVOICE_RULES.void,
  uncollectible: { states: ['posted'] },
};

function moveStateOf(move: OdooMove): string {
  return move.paymentState ? `${move.state}/${move.paymentState}` : move.state;
}

/** Posted before draft before cancelled, then the oldest. */
function moveRank(move: OdooMove): number {
  return move.state === 'posted' ? 0 : move.state === 'draft' ? 1 : 2;
}

function paymentRank(payment: OdooPayment): number {
  return payment.state === 'paid' ? 0 : payment.state === 'in_process' ? 1 : LIVE_PAYMENT(payment) ? 2 : 3;
}

function best<T extends { id: number }>(records: readonly T[], rank: (record: T) => number): T | undefined {
  return [...records].sort((a, b) => rank(a) - rank(b) || a.id - b.id)[0];
}

/** The references of a move, without repeating one set in both fields. */
function moveReferences(move: OdooMove): string[] {
  return [...new Set([move.ref, move.paymentReference].filter((reference): reference is string => typeof reference === 'string' && reference !== ''))];
}

function indexBy<T>(records: readonly T[], keysOf: (record: T) => readonly string[]): Map<string, T[]> {
  const index = new Map<string, T[]>();
  for (const record of records) {
    for (const key of keysOf(record)) index.set(key, [...(index.get(key) ?? []), record]);
  }
  return index;
}

/** A `ref` carries a marker as a whole phrase ("Reversal of: INV/1, Lost dispute dp_1" carries "Lost dispute dp_1"). */
function carriesMarker(ref: string | null, marker: string): boolean {
  if (ref === null) return false;
  const at = ref.indexOf(marker);
  return at >= 0 && !/\w/.test(ref.charAt(at + marker.length));
}

export function reconcile(provider: ProviderDocuments, odoo: OdooDocuments, ours: OurReferences): ReconciliationResult {
  const items: DriftItem[] = [];
  const push = (item: Omit<DriftItem, 'remedy'>): void => {
    items.push({ ...item, remedy: remedyFor(item) });
  };
  const claimedMoves = new Set<number>();
  const claimedPayments = new Set<number>();

  const creditMoves = odoo.moves.filter((move) => move.moveType === 'out_refund');
  const movesById = new Map(odoo.moves.map((move) => [move.id, move]));
  const invoiceMoves = indexBy(
    odoo.moves.filter((move) => move.moveType === 'out_invoice'),
    moveReferences,
  );
  const refundMoves = indexBy(creditMoves, moveReferences);
  const inboundPayments = indexBy(
    odoo.payments.filter((payment) => payment.paymentType === 'inbound'),
    (payment) => (payment.memo ? [payment.memo] : []),
  );
  const outboundPayments = indexBy(
    odoo.payments.filter((payment) => payment.paymentType === 'outbound'),
    (payment) => (payment.memo ? [payment.memo] : []),
  );

  /** Each live candidate after the best one is a duplicate. */
  const reportDuplicates = <T extends { id: number }>(documentType: DocumentType, providerId: string, currency: string, live: T[], chosen: T | undefined): void => {
    for (const extra of live) {
      if (extra === chosen) continue;
      push({ kind: 'duplicate_in_odoo', documentType, providerId, odooId: extra.id, currency, detail: `also in Odoo as ${chosen?.id ?? '?'}` });
    }
  };

  const compareAmount = (documentType: DocumentType, providerId: string, expected: { amount: number; currency: string }, actual: { id: number; amount: number; currency: string }): void => {
    if (actual.currency !== expected.currency) {
      push({
        kind: 'amount_mismatch',
        documentType,
        providerId,
        odooId: actual.id,
        expected: expected.amount,
        actual: actual.amount,
        currency: expected.currency,
        detail: `currency ${expected.currency} in the provider, ${actual.currency} in Odoo`,
      });
    } else if (actual.amount !== expected.amount) {
      push({ kind: 'amount_mismatch', documentType, providerId, odooId: actual.id, expected: expected.amount, actual: actual.amount, currency: expected.currency });
    }
  };

  // Invoices.
  const invoiceMoveOf = new Map<string, OdooMove>();
  for (const invoice of provider.invoices) {
    // A negative invoice (a downgrade's proration, credited to the customer's balance) is booked as a credit
    // note with the same lines: an `out_refund` with the invoice id as `ref`, of the opposite total.
    const credit = invoice.total < 0;
    const candidates = (credit ? refundMoves : invoiceMoves).get(invoice.id) ?? [];
    for (const move of candidates) claimedMoves.add(move.id);
    if (invoice.status === 'draft') continue;
    const chosen = best(candidates, moveRank);
    if (!chosen) {
      if (invoice.status !== 'void') push({ kind: 'missing_in_odoo', documentType: 'invoice', providerId: invoice.id, expected: invoice.total, currency: invoice.currency });
      continue;
    }
    invoiceMoveOf.set(invoice.id, chosen);
    reportDuplicates('invoice', invoice.id, invoice.currency, candidates.filter(LIVE_MOVE), chosen);
    compareAmount('invoice', invoice.id, { amount: Math.abs(invoice.total), currency: invoice.currency }, { id: chosen.id, amount: chosen.amountTotal, currency: chosen.currency });
    const rule = (credit ? NEGATIVE_INVOICE_RULES : INVOICE_RULES)[invoice.status];
    const detail = `provider status ${invoice.status}`;
    if (rule.alsoAccepts?.(chosen)) {
      // Accepted as is (a voided invoice reversed by a whole credit note).
    } else if (!rule.states.includes(chosen.state)) {
      push({ kind: 'state_mismatch', documentType: 'invoice', providerId: invoice.id, odooId: chosen.id, expected: rule.states.join('|'), actual: moveStateOf(chosen), currency: invoice.currency, detail });
    } else if (rule.paymentStates && !rule.paymentStates.includes(chosen.paymentState ?? '')) {
      push({
        kind: 'payment_state_mismatch',
        documentType: 'invoice',
        providerId: invoice.id,
        odooId: chosen.id,
        expected: rule.paymentStates.join('|'),
        actual: chosen.paymentState ?? '(none)',
        currency: invoice.currency,
        detail,
      });
    }
    if (invoice.customerId !== null && chosen.partnerRef !== invoice.customerId) {
      push({ kind: 'partner_mismatch', documentType: 'invoice', providerId: invoice.id, odooId: chosen.id, expected: invoice.customerId, actual: chosen.partnerRef, currency: invoice.currency });
    }
  }

  // Payments.
  for (const payment of provider.payments) {
    const references = [payment.id, ...(payment.references ?? [])];
    const candidates = [...new Set(references.flatMap((reference) => inboundPayments.get(reference) ?? []))];
    for (const candidate of candidates) claimedPayments.add(candidate.id);
    const chosen = best(candidates, paymentRank);
    if (!chosen || !LIVE_PAYMENT(chosen)) {
      push({
        kind: 'missing_in_odoo',
        documentType: 'payment',
        providerId: payment.id,
        expected: payment.amount,
        currency: payment.currency,
        ...(chosen ? { odooId: chosen.id, detail: `only a ${chosen.state} payment in Odoo` } : {}),
      });
      continue;
    }
    reportDuplicates('payment', payment.id, payment.currency, candidates.filter(LIVE_PAYMENT), chosen);
    compareAmount('payment', payment.id, payment, chosen);
    if (!SETTLED_PAYMENT_STATES.has(chosen.state)) {
      push({ kind: 'state_mismatch', documentType: 'payment', providerId: payment.id, odooId: chosen.id, expected: 'in_process|paid', actual: chosen.state, currency: payment.currency });
    }
    // The move of the paid invoice: from this period's invoices, else any of ours Odoo returned for it.
    const invoiceMove = invoiceMoveOf.get(payment.invoiceId) ?? best(invoiceMoves.get(payment.invoiceId) ?? [], moveRank);
    // A payment of an invoice already paid by another is booked as the customer's credit: reconciled with nothing.
    const customerCredit = chosen.reconciledMoveIds.length === 0 && invoiceMove !== undefined && (invoiceMove.paymentState === 'paid' || invoiceMove.paymentState === 'in_payment');
    if (invoiceMove && !customerCredit && !chosen.reconciledMoveIds.includes(invoiceMove.id)) {
      push({
        kind: 'payment_not_linked',
        documentType: 'payment',
        providerId: payment.id,
        odooId: chosen.id,
        expected: `reconciled with move ${invoiceMove.id}`,
        actual: chosen.reconciledMoveIds.length ? `reconciled with move ${chosen.reconciledMoveIds.join(', ')}` : 'not reconciled',
        currency: payment.currency,
        detail: `invoice ${payment.invoiceId}`,
      });
    }
  }

  /**
   * Money given back (a refund, a lost dispute): a posted credit note AND an outbound payment of the amount
   * reconciled with it. The credit note is the one naming the document, else one the payment is reconciled with.
   */
  const checkPaidOut = (documentType: 'refund' | 'dispute', paidOut: { id: string; amount: number; currency: string }, names: (move: OdooMove) => boolean, ownCreditNote: (move: OdooMove) => boolean): void => {
    const payments = outboundPayments.get(paidOut.id) ?? [];
    const livePayments = payments.filter(LIVE_PAYMENT);
    const payment = best(livePayments, paymentRank);
    const reconciledWith = new Set(livePayments.flatMap((live) => live.reconciledMoveIds));
    const moves = creditMoves.filter((move) => names(move) || reconciledWith.has(move.id));
    for (const record of payments) claimedPayments.add(record.id);
    for (const move of moves) claimedMoves.add(move.id);
    const liveMoves = moves.filter(LIVE_MOVE);
    const creditNote = best(liveMoves, moveRank);
    const { currency } = paidOut;
    if (!payment && !creditNote) {
      push({ kind: 'missing_in_odoo', documentType, providerId: paidOut.id, expected: paidOut.amount, currency });
      return;
    }
    reportDuplicates(documentType, paidOut.id, currency, livePayments, payment);
    reportDuplicates(documentType, paidOut.id, currency, liveMoves, creditNote);
    if (creditNote) {
      // Its own credit note is of exactly the amount; a provider credit note is compared as a credit note.
      if (ownCreditNote(creditNote)) compareAmount(documentType, paidOut.id, paidOut, { id: creditNote.id, amount: creditNote.amountTotal, currency: creditNote.currency });
      if (creditNote.state !== 'posted') {
        push({ kind: 'state_mismatch', documentType, providerId: paidOut.id, odooId: creditNote.id, expected: 'posted', actual: creditNote.state, currency, detail: 'its credit note' });
      }
    }
    if (payment) {
      compareAmount(documentType, paidOut.id, paidOut, payment);
      if (!SETTLED_PAYMENT_STATES.has(payment.state)) {
        push({ kind: 'state_mismatch', documentType, providerId: paidOut.id, odooId: payment.id, expected: 'in_process|paid', actual: payment.state, currency });
      }
      if (!creditNote || !payment.reconciledMoveIds.includes(creditNote.id)) {
        const odooMoves = payment.reconciledMoveIds.map((id) => movesById.get(id)?.moveType ?? 'move');
        push({
          kind: 'payment_not_linked',
          documentType,
          providerId: paidOut.id,
          odooId: payment.id,
          expected: creditNote ? `reconciled with credit note ${creditNote.id}` : 'reconciled with a credit note of the same amount',
          actual: payment.reconciledMoveIds.length ? `reconciled with ${payment.reconciledMoveIds.map((id, at) => `${odooMoves[at]} ${id}`).join(', ')}` : 'not reconciled',
          currency,
        });
      }
      return;
    }
    // A credit note and no money out: either it is still open (the payment never came), or it was offset
    // against its own invoice (it reads settled although no money left).
    const cancelled = best(payments, paymentRank);
    const offset = creditNote!.state === 'posted' && SETTLED_MOVE_PAYMENT_STATES.has(creditNote!.paymentState ?? '');
    push({
      kind: offset ? 'credit_note_offset' : 'refund_not_paid_out',
      documentType,
      providerId: paidOut.id,
      odooId: creditNote!.id,
      expected: `an outbound payment of ${paidOut.amount} reconciled with the credit note`,
      actual: offset ? `credit note ${moveStateOf(creditNote!)}, no outbound payment` : cancelled ? `only a ${cancelled.state} outbound payment (${cancelled.id})` : 'no outbound payment',
      currency,
      ...(offset ? { detail: 'the credit note is reconciled with something else than money out (its invoice)' } : {}),
    });
  };

  /** A document whose money never moved (a failed refund, a dispute not lost): no live outbound payment may remain. */
  const checkNoMoneyOut = (documentType: 'refund' | 'dispute', id: string, currency: string, status: string): void => {
    const payments = outboundPayments.get(id) ?? [];
    for (const payment of payments) claimedPayments.add(payment.id);
    for (const live of payments.filter(LIVE_PAYMENT)) {
      push({ kind: 'state_mismatch', documentType, providerId: id, odooId: live.id, expected: 'cancel', actual: live.state, currency, detail: `provider status ${status}: no money left` });
    }
  };

  // Refunds.
  for (const refund of provider.refunds) {
    // A refund's credit notes stay claimed whatever its status: the customer may still be owed them.
    for (const move of creditMoves) if (booksRefund(move, refund.id)) claimedMoves.add(move.id);
    if (refund.status !== 'succeeded' && refund.status !== 'pending') {
      checkNoMoneyOut('refund', refund.id, refund.currency, refund.status);
      continue;
    }
    checkPaidOut(
      'refund',
      refund,
      (move) => booksRefund(move, refund.id),
      (move) => isOwnRefundCreditNote(move, refund.id),
    );
  }

  // Disputes.
  for (const dispute of provider.disputes ?? []) {
    const marker = lostDisputeMarker(dispute.id);
    if (!dispute.lost) {
      checkNoMoneyOut('dispute', dispute.id, dispute.currency, dispute.status);
      continue;
    }
    checkPaidOut('dispute', dispute, (move) => carriesMarker(move.ref, marker), (move) => carriesMarker(move.ref, marker));
  }

  // Provider credit notes.
  for (const creditNote of provider.creditNotes ?? []) {
    const candidates = (refundMoves.get(creditNote.id) ?? []).filter((move) => move.ref === creditNote.id);
    for (const move of candidates) claimedMoves.add(move.id);
    const live = candidates.filter(LIVE_MOVE);
    const chosen = best(live, moveRank);
    if (creditNote.status === 'void') {
      for (const move of live) {
        push({ kind: 'state_mismatch', documentType: 'credit_note', providerId: creditNote.id, odooId: move.id, expected: 'cancel', actual: moveStateOf(move), currency: creditNote.currency, detail: 'provider status void' });
      }
      continue;
    }
    if (!chosen) {
      // Rule 3 of refund-credit-notes.ts: its refunds were booked first with credit notes of their own carrying its total.
      const own = creditNote.refundIds.flatMap((refundId) => creditMoves.filter((move) => LIVE_MOVE(move) && isOwnRefundCreditNote(move, refundId)));
      const covered = creditNote.refundIds.length > 0 && own.length >= creditNote.refundIds.length && own.reduce((sum, move) => sum + move.amountTotal, 0) === creditNote.total;
      if (covered) for (const move of own) claimedMoves.add(move.id);
      if (!covered) push({ kind: 'missing_in_odoo', documentType: 'credit_note', providerId: creditNote.id, expected: creditNote.total, currency: creditNote.currency });
      continue;
    }
    reportDuplicates('credit_note', creditNote.id, creditNote.currency, live, chosen);
    compareAmount('credit_note', creditNote.id, { amount: creditNote.total, currency: creditNote.currency }, { id: chosen.id, amount: chosen.amountTotal, currency: chosen.currency });
    if (chosen.state !== 'posted') {
      push({ kind: 'state_mismatch', documentType: 'credit_note', providerId: creditNote.id, odooId: chosen.id, expected: 'posted', actual: chosen.state, currency: creditNote.currency });
    }
  }

  // Orphans: live documents of ours that no provider document claimed.
  const known = provider.knownOutsidePeriod ?? new Set<string>();
  const orphan = (documentType: DocumentType, reference: string, odooId: number, amount: number, currency: string): void => {
    if (known.has(reference)) return;
    push({ kind: 'orphan_in_odoo', documentType, providerId: reference, odooId, actual: amount, currency });
  };
  for (const move of odoo.moves) {
    if (claimedMoves.has(move.id) || !LIVE_MOVE(move)) continue;
    // An out_refund may book a provider credit note (`ref`), a refund (named by its references) or a negative invoice.
    const types: DocumentType[] = move.moveType === 'out_invoice' ? ['invoice'] : move.moveType === 'out_refund' ? ['credit_note', 'refund', 'invoice'] : [];
    const references = [...moveReferences(move), ...refundsNamedBy(move)];
    for (const documentType of types) {
      const reference = references.find((candidate) => isOurReference(ours, documentType, candidate));
      if (reference) {
        orphan(documentType, reference, move.id, move.amountTotal, move.currency);
        break;
      }
    }
  }
  for (const payment of odoo.payments) {
    if (claimedPayments.has(payment.id) || !LIVE_PAYMENT(payment)) continue;
    const types: DocumentType[] = payment.paymentType === 'inbound' ? ['payment'] : ['refund', 'dispute'];
    const documentType = types.find((type) => isOurReference(ours, type, payment.memo));
    if (documentType) orphan(documentType, payment.memo!, payment.id, payment.amount, payment.currency);
  }

  items.sort(
    (a, b) =>
      DOCUMENT_TYPES.indexOf(a.documentType) - DOCUMENT_TYPES.indexOf(b.documentType) ||
      DRIFT_KINDS.indexOf(a.kind) - DRIFT_KINDS.indexOf(b.kind) ||
      a.providerId.localeCompare(b.providerId) ||
      (a.odooId ?? 0) - (b.odooId ?? 0),
  );
  return { items, summary: summarize(provider, items) };
}

function summarize(provider: ProviderDocuments, items: readonly DriftItem[]): ReconciliationSummary {
  const byKind = Object.fromEntries(DRIFT_KINDS.map((kind) => [kind, 0])) as Record<DriftKind, number>;
  const byDocumentType = Object.fromEntries(DOCUMENT_TYPES.map((type) => [type, 0])) as Record<DocumentType, number>;
  for (const item of items) {
    byKind[item.kind] += 1;
    byDocumentType[item.documentType] += 1;
  }
  return {
    checked: {
      invoice: provider.invoices.filter((invoice) => invoice.status !== 'draft').length,
      payment: provider.payments.length,
      refund: provider.refunds.length,
      credit_note: provider.creditNotes?.length ?? 0,
      dispute: provider.disputes?.length ?? 0,
    },
    drift: items.length,
    byKind,
    byDocumentType,
  };
}
