/**
 * Reconciliation: what the provider says happened in a period against what Odoo holds.
 * Pure: no I/O, no clock. Every amount is an integer in the provider's minor units of its currency:
 * provider amounts as the provider sends them, Odoo amounts converted at the Odoo boundary by
 * `odooAmountToMinor(amount, currency.decimal_places)` (0 for JPY, 2 for USD, 3 for KWD), then shifted to
 * the provider's exponent where the two differ (ISK: 0 in Odoo, 2 at a provider that writes it with two decimals). So `amount_total` 12.345 KWD
 * is 12345 and 5000 JPY is 5000: amounts compare exactly, never as floats.
 *
 * ## Which Odoo documents are ours
 * Only documents carrying a provider reference of ours (`OUR_REFERENCE`): an `out_invoice` whose `ref`
 * or `payment_reference` is a provider invoice id (`in_…`), an inbound `account.payment` whose `memo` is a
 * provider payment id (`inpay_…`, `pi_…`, `ch_…`, `py_…`), an outbound payment or an `out_refund` whose
 * memo/ref is a refund id (`re_…`, `pyr_…`). Anything else (a move typed by hand, a vendor bill, a payment
 * whose memo is an invoice number) is not ours: never an orphan, never matched.
 *
 * ## Matching
 * - invoice ↔ `out_invoice` moves with `ref` or `payment_reference` = the invoice id;
 * - payment ↔ inbound payments whose memo is the payment's id or one of its other references (the
 *   invoice payment, its payment intent, its charge: whichever the payment flow wrote as memo);
 * - refund ↔ outbound payments whose memo is the refund id, and `out_refund` moves whose `ref` or
 *   `payment_reference` is the refund id.
 * When several live (not cancelled) Odoo documents match one provider document, the best one
 * (posted/paid first, then the lowest id) is compared and each other one is a `duplicate_in_odoo`.
 *
 * ## Drift kinds
 * - `missing_in_odoo`: the provider document should be in Odoo and no document of ours matches it.
 * - `amount_mismatch`: the Odoo amount (or currency) differs from the provider's, to the minor unit.
 * - `state_mismatch`: the Odoo state disagrees with the provider's status (table below), or a payment is
 *   not reconciled with its invoice's move.
 * - `partner_mismatch`: the invoice's Odoo partner is not the customer's (`res.partner.ref` ≠ `cus_…`).
 * - `duplicate_in_odoo`: a second live Odoo document for one provider document.
 * - `orphan_in_odoo`: a live Odoo document of ours whose provider id is neither in the period's provider
 *   documents nor known to the provider outside the period (`knownOutsidePeriod`, which the caller fills
 *   by asking the provider about each candidate: a boundary effect of time zones is not an orphan).
 *   Cancelled orphans are ignored: they weigh nothing in the books.
 *
 * ## Invoice status (provider) → Odoo `state` / `payment_state`
 * | provider        | expected in Odoo                                                    |
 * |-----------------|---------------------------------------------------------------------|
 * | `draft`         | nothing: not a document until finalized (skipped, its moves not orphans) |
 * | `open`          | `posted`, `not_paid` or `partial`                                   |
 * | `paid`          | `posted`, `paid` or `in_payment` (paid, bank reconciliation pending) |
 * | `void`          | `cancel`, or `posted` + `reversed` (a full credit note); absence is fine |
 * | `uncollectible` | `posted`, any payment state (a write-off may have settled it)        |
 * Payments: an Odoo payment is expected `in_process` or `paid`. Refunds `succeeded` or `pending` are
 * expected in Odoo (payment `in_process`/`paid`, or a `posted` credit note); a `failed` or `canceled`
 * refund must have no live document there.
 */

export type DocumentType = 'invoice' | 'payment' | 'refund';
export const DRIFT_KINDS = ['missing_in_odoo', 'amount_mismatch', 'state_mismatch', 'partner_mismatch', 'duplicate_in_odoo', 'orphan_in_odoo'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/** Provider ids this project writes into Odoo, by document type. */
export const OUR_REFERENCE: Record<DocumentType, RegExp> = {
  invoice: /^in_[A-Za-z0-9]+$/,
  payment: /^(inpay|pi|ch|py)_[A-Za-z0-9]+$/,
  refund: /^(re|pyr)_[A-Za-z0-9]+$/,
};

export function isOurReference(documentType: DocumentType, reference: string | null | undefined): reference is string {
  return typeof reference === 'string' && OUR_REFERENCE[documentType].test(reference);
}

export interface ProviderInvoice {
  id: string;
  customerId: string;
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

export interface ProviderDocuments {
  /** How the report names the provider (`detail` of a state mismatch); `Provider` when not given. */
  providerName?: string;
  invoices: readonly ProviderInvoice[];
  payments: readonly ProviderPayment[];
  refunds: readonly ProviderRefund[];
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
  /** `reconciled_invoice_ids`: the moves it pays. */
  reconciledMoveIds: readonly number[];
}

export interface OdooDocuments {
  moves: readonly OdooMove[];
  payments: readonly OdooPayment[];
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

const LIVE_MOVE = (move: OdooMove) => move.state !== 'cancel';
const LIVE_PAYMENT = (payment: OdooPayment) => payment.state !== 'canceled' && payment.state !== 'rejected';
const SETTLED_PAYMENT_STATES = new Set(['in_process', 'paid']);

interface StateRule {
  expected: string;
  accepts: (move: OdooMove) => boolean;
}

const INVOICE_STATE_RULES: Record<Exclude<ProviderInvoice['status'], 'draft'>, StateRule> = {
  open: { expected: 'posted/not_paid|partial', accepts: (m) => m.state === 'posted' && (m.paymentState === 'not_paid' || m.paymentState === 'partial') },
  paid: { expected: 'posted/paid|in_payment', accepts: (m) => m.state === 'posted' && (m.paymentState === 'paid' || m.paymentState === 'in_payment') },
  void: { expected: 'cancel|posted/reversed', accepts: (m) => m.state === 'cancel' || (m.state === 'posted' && m.paymentState === 'reversed') },
  uncollectible: { expected: 'posted', accepts: (m) => m.state === 'posted' },
};

/** A negative invoice's credit note: posted (its credit is the customer's until used), or cancelled when voided. */
const NEGATIVE_INVOICE_RULES: typeof INVOICE_STATE_RULES = {
  open: { expected: 'posted', accepts: (m) => m.state === 'posted' },
  paid: { expected: 'posted', accepts: (m) => m.state === 'posted' },
  void: INVOICE_STATE_RULES.void,
  uncollectible: { expected: 'posted', accepts: (m) => m.state === 'posted' },
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

export function reconcile(provider: ProviderDocuments, odoo: OdooDocuments): ReconciliationResult {
  const items: DriftItem[] = [];
  const claimedMoves = new Set<number>();
  const claimedPayments = new Set<number>();

  const invoiceMoves = indexBy(
    odoo.moves.filter((move) => move.moveType === 'out_invoice'),
    moveReferences,
  );
  const refundMoves = indexBy(
    odoo.moves.filter((move) => move.moveType === 'out_refund'),
    moveReferences,
  );
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
      items.push({ kind: 'duplicate_in_odoo', documentType, providerId, odooId: extra.id, currency, detail: `also in Odoo as ${chosen?.id ?? '?'}` });
    }
  };

  const compareAmount = (documentType: DocumentType, providerId: string, expected: { amount: number; currency: string }, actual: { id: number; amount: number; currency: string }): void => {
    if (actual.currency !== expected.currency) {
      items.push({
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
      items.push({ kind: 'amount_mismatch', documentType, providerId, odooId: actual.id, expected: expected.amount, actual: actual.amount, currency: expected.currency });
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
      if (invoice.status !== 'void') {
        items.push({ kind: 'missing_in_odoo', documentType: 'invoice', providerId: invoice.id, expected: invoice.total, currency: invoice.currency });
      }
      continue;
    }
    invoiceMoveOf.set(invoice.id, chosen);
    reportDuplicates('invoice', invoice.id, invoice.currency, candidates.filter(LIVE_MOVE), chosen);
    compareAmount('invoice', invoice.id, { amount: Math.abs(invoice.total), currency: invoice.currency }, { id: chosen.id, amount: chosen.amountTotal, currency: chosen.currency });
    const rule = credit ? NEGATIVE_INVOICE_RULES[invoice.status] : INVOICE_STATE_RULES[invoice.status];
    if (!rule.accepts(chosen)) {
      items.push({
        kind: 'state_mismatch',
        documentType: 'invoice',
        providerId: invoice.id,
        odooId: chosen.id,
        expected: rule.expected,
        actual: moveStateOf(chosen),
        currency: invoice.currency,
        detail: `${provider.providerName ?? 'Provider'} status ${invoice.status}`,
      });
    }
    if (chosen.partnerRef !== invoice.customerId) {
      items.push({ kind: 'partner_mismatch', documentType: 'invoice', providerId: invoice.id, odooId: chosen.id, expected: invoice.customerId, actual: chosen.partnerRef, currency: invoice.currency });
    }
  }

  // Payments.
  for (const payment of provider.payments) {
    const references = [payment.id, ...(payment.references ?? [])];
    const candidates = [...new Set(references.flatMap((reference) => inboundPayments.get(reference) ?? []))];
    for (const candidate of candidates) claimedPayments.add(candidate.id);
    const chosen = best(candidates, paymentRank);
    if (!chosen || !LIVE_PAYMENT(chosen)) {
      items.push({
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
      items.push({ kind: 'state_mismatch', documentType: 'payment', providerId: payment.id, odooId: chosen.id, expected: 'in_process|paid', actual: chosen.state, currency: payment.currency });
    }
    // The move of the paid invoice: from this period's invoices, else any of ours Odoo returned for it.
    const invoiceMove = invoiceMoveOf.get(payment.invoiceId) ?? best(invoiceMoves.get(payment.invoiceId) ?? [], moveRank);
    // A payment of an invoice already paid by another is booked as the customer's credit: reconciled with nothing.
    const customerCredit = chosen.reconciledMoveIds.length === 0 && invoiceMove !== undefined && (invoiceMove.paymentState === 'paid' || invoiceMove.paymentState === 'in_payment');
    if (invoiceMove && !customerCredit && !chosen.reconciledMoveIds.includes(invoiceMove.id)) {
      items.push({
        kind: 'state_mismatch',
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

  // Refunds: the outbound payment carries the money; a credit note alone is accepted.
  for (const refund of provider.refunds) {
    const payments = outboundPayments.get(refund.id) ?? [];
    const moves = refundMoves.get(refund.id) ?? [];
    for (const payment of payments) claimedPayments.add(payment.id);
    for (const move of moves) claimedMoves.add(move.id);
    const livePayments = payments.filter(LIVE_PAYMENT);
    const liveMoves = moves.filter(LIVE_MOVE);
    if (refund.status !== 'succeeded' && refund.status !== 'pending') {
      // The money never left: no live outbound payment may remain. Its credit note may (the customer is still owed it).
      for (const live of livePayments) {
        items.push({
          kind: 'state_mismatch',
          documentType: 'refund',
          providerId: refund.id,
          odooId: live.id,
          expected: 'absent or cancelled',
          actual: live.state,
          currency: refund.currency,
          detail: `${provider.providerName ?? 'Provider'} refund ${refund.status}`,
        });
      }
      continue;
    }
    const payment = best(livePayments, paymentRank);
    const move = best(liveMoves, moveRank);
    if (!payment && !move) {
      items.push({ kind: 'missing_in_odoo', documentType: 'refund', providerId: refund.id, expected: refund.amount, currency: refund.currency });
      continue;
    }
    reportDuplicates('refund', refund.id, refund.currency, livePayments, payment);
    reportDuplicates('refund', refund.id, refund.currency, liveMoves, move);
    if (payment) {
      compareAmount('refund', refund.id, refund, payment);
      if (!SETTLED_PAYMENT_STATES.has(payment.state)) {
        items.push({ kind: 'state_mismatch', documentType: 'refund', providerId: refund.id, odooId: payment.id, expected: 'in_process|paid', actual: payment.state, currency: refund.currency });
      }
    } else if (move) {
      compareAmount('refund', refund.id, refund, { id: move.id, amount: move.amountTotal, currency: move.currency });
      if (move.state !== 'posted') {
        items.push({ kind: 'state_mismatch', documentType: 'refund', providerId: refund.id, odooId: move.id, expected: 'posted', actual: move.state, currency: refund.currency });
      }
    }
  }

  // Orphans: live documents of ours that no provider document claimed.
  const known = provider.knownOutsidePeriod ?? new Set<string>();
  const orphan = (documentType: DocumentType, reference: string, odooId: number, amount: number, currency: string): void => {
    if (known.has(reference)) return;
    items.push({ kind: 'orphan_in_odoo', documentType, providerId: reference, odooId, actual: amount, currency });
  };
  for (const move of odoo.moves) {
    if (claimedMoves.has(move.id) || !LIVE_MOVE(move)) continue;
    const documentType = move.moveType === 'out_invoice' ? 'invoice' : move.moveType === 'out_refund' ? 'refund' : undefined;
    if (!documentType) continue;
    const reference = moveReferences(move).find((candidate) => isOurReference(documentType, candidate));
    if (reference) orphan(documentType, reference, move.id, move.amountTotal, move.currency);
  }
  for (const payment of odoo.payments) {
    if (claimedPayments.has(payment.id) || !LIVE_PAYMENT(payment)) continue;
    const documentType = payment.paymentType === 'inbound' ? 'payment' : 'refund';
    if (isOurReference(documentType, payment.memo)) orphan(documentType, payment.memo, payment.id, payment.amount, payment.currency);
  }

  const order: Record<DocumentType, number> = { invoice: 0, payment: 1, refund: 2 };
  items.sort(
    (a, b) =>
      order[a.documentType] - order[b.documentType] ||
      DRIFT_KINDS.indexOf(a.kind) - DRIFT_KINDS.indexOf(b.kind) ||
      a.providerId.localeCompare(b.providerId) ||
      (a.odooId ?? 0) - (b.odooId ?? 0),
  );
  return { items, summary: summarize(provider, items) };
}

function summarize(provider: ProviderDocuments, items: readonly DriftItem[]): ReconciliationSummary {
  const byKind = Object.fromEntries(DRIFT_KINDS.map((kind) => [kind, 0])) as Record<DriftKind, number>;
  const byDocumentType: Record<DocumentType, number> = { invoice: 0, payment: 0, refund: 0 };
  for (const item of items) {
    byKind[item.kind] += 1;
    byDocumentType[item.documentType] += 1;
  }
  return {
    checked: {
      invoice: provider.invoices.filter((invoice) => invoice.status !== 'draft').length,
      payment: provider.payments.length,
      refund: provider.refunds.length,
    },
    drift: items.length,
    byKind,
    byDocumentType,
  };
}
