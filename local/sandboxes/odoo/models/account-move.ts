import { UserError } from '../odoo-errors';
import type { OdooEnvironment } from '../orm/environment';
import { field, isEmptyValue } from '../orm/fields';
import type { MethodTable, ModelDefinition } from '../orm/model';
import type { StoredRecord } from '../store';
import { companyOf, MAIN_COMPANY_ID } from './company';
import { currencyDecimalPlaces } from './currency';
import { defaultJournalOfType } from './journal';
import { fromMinorUnits, toMinorUnits } from './money';
import { increaseCustomerRank } from './partner';
import { lineDefaultsFromProduct } from './product';
import { computeDocumentAmounts, computeLineAmounts, type TaxableLine } from './tax';

const MOVE_TYPES = [
  ['entry', 'Journal Entry'],
  ['out_invoice', 'Customer Invoice'],
  ['out_refund', 'Customer Credit Note'],
  ['in_invoice', 'Vendor Bill'],
  ['in_refund', 'Vendor Credit Note'],
  ['out_receipt', 'Sales Receipt'],
  ['in_receipt', 'Purchase Receipt'],
] as const;

const SALE_DOCUMENT_TYPES = new Set(['out_invoice', 'out_refund', 'out_receipt']);
const PURCHASE_DOCUMENT_TYPES = new Set(['in_invoice', 'in_refund', 'in_receipt']);

export function isInvoice(move: StoredRecord): boolean {
  return SALE_DOCUMENT_TYPES.has(String(move.move_type)) || PURCHASE_DOCUMENT_TYPES.has(String(move.move_type));
}

/** The amounts of a journal entry, all in minor units of its currency. */
interface MoveAmounts {
  decimalPlaces: number;
  untaxed: number;
  tax: number;
  total: number;
  residual: number;
  paymentState: string;
}

/** The lines a document's total is made of: every item but its receivable one (`payment_term`). */
function invoiceLines(env: OdooEnvironment, moveId: number): StoredRecord[] {
  return env.store.all('account.move.line').filter((line) => line.move_id === moveId && !isTermItem(line));
}

const isTermItem = (line: StoredRecord): boolean => line.display_type === 'payment_term';

/**
 * The receivable item Odoo gives an invoice when it is posted (`display_type` `payment_term`): what the payment
 * wizard pays when named in its `line_ids`. Kept once per document; the sandbox's totals never count it.
 */
function ensureTermItem(env: OdooEnvironment, move: StoredRecord): void {
  if (!isInvoice(move) || env.store.all('account.move.line').some((line) => line.move_id === move.id && isTermItem(line))) return;
  const now = env.now();
  env.store.insert('account.move.line', { move_id: move.id, display_type: 'payment_term', name: '', quantity: 1, price_unit: 0, create_date: now, write_date: now });
}

function asTaxableLine(line: StoredRecord): TaxableLine {
  return {
    quantity: Number(line.quantity ?? 1),
    priceUnit: Number(line.price_unit ?? 0),
    discountPercent: Number(line.discount ?? 0),
    taxIds: (line.tax_ids as number[] | undefined) ?? [],
  };
}

/** Payments registered on an invoice (through the wizard) that are not cancelled. */
export function paymentsOfInvoice(env: OdooEnvironment, moveId: number): StoredRecord[] {
  return env.store
    .all('account.payment')
    .filter((payment) => (payment.reconciled_invoice_ids as number[] | undefined)?.includes(moveId) && payment.state === 'paid');
}

function computeMoveAmounts(env: OdooEnvironment, move: StoredRecord): MoveAmounts {
  const decimalPlaces = currencyDecimalPlaces(env, move.currency_id);
  if (typeof move.payment_id === 'number') {
    // The journal entry of a payment (19.0): its amount is the payment's; nothing is left to pay on it.
    const payment = env.model('account.payment').get(env, move.payment_id);
    const amount = toMinorUnits(Number(payment.amount), decimalPlaces);
    return { decimalPlaces, untaxed: amount, tax: 0, total: amount, residual: 0, paymentState: 'not_paid' };
  }
  const { untaxedMinorUnits, taxMinorUnits } = computeDocumentAmounts(env, invoiceLines(env, move.id).map(asTaxableLine), decimalPlaces);
  const total = untaxedMinorUnits + taxMinorUnits;
  const reversalOffset = reconciledWithReversals(env, move);
  const payments = paymentsOfInvoice(env, move.id);
  const lastReversal = Math.max(0, ...reversalsOf(env, move).map((reconciliation) => reconciliation.last_payment_id ?? 0));
  const paidAfterReversal = payments.some((payment) => payment.id > lastReversal);
  // 18.0 matches payments without reconciling them (see paymentsReconcileInvoices): they leave the residual as is.
  const reconciledPayments = env.differences.paymentsReconcileInvoices ? payments : [];
  const paid = reconciledPayments.reduce((sum, payment) => sum + toMinorUnits(Number(payment.amount), decimalPlaces), 0);
  const residual = Math.max(0, total - reversalOffset - paid);
  const paymentState = paymentStateOf(env, move, {
    total,
    residual,
    reversalOffset,
    matchedPayments: payments.length,
    reconciledPayments: reconciledPayments.length,
    paidAfterReversal,
  });
  return { decimalPlaces, untaxed: untaxedMinorUnits, tax: taxMinorUnits, total, residual, paymentState };
}

/**
 * Odoo's `_compute_payment_state`, from what the document is reconciled with: its payments and the documents
 * reversing it (or that it reverses). Nothing left and only reversals against it: `reversed` for an invoice
 * (the credit note itself reads `paid`).
 */
function paymentStateOf(
  env: OdooEnvironment,
  move: StoredRecord,
  amounts: { total: number; residual: number; reversalOffset: number; matchedPayments: number; reconciledPayments: number; paidAfterReversal: boolean },
): string {
  if (move.state !== 'posted' || !isInvoice(move)) return 'not_paid';
  if (amounts.total === 0) return 'paid';
  if (amounts.residual === 0) {
    const onlyReversals = amounts.reversalOffset > 0 && amounts.reconciledPayments === 0;
    return onlyReversals && !isRefund(move) ? 'reversed' : 'paid';
  }
  // 18.0: a wizard payment matched after the reversal's reconciliation makes the invoice read paid, as one before
  // it does not (recorded: credit_note.offset_then_invoice_paid_whole, credit_note.offset_after_invoice_paid).
  if (!env.differences.paymentsReconcileInvoices && amounts.reversalOffset > 0 && amounts.paidAfterReversal) return 'paid';
  if (amounts.reversalOffset > 0 || amounts.reconciledPayments > 0) return 'partial';
  // The recorded 18.0 quirk: unreconciled payments matched to the invoice make it read `paid`, unless something
  // is reconciled with it (then `partial`: recorded in credit_note.offset_after_invoice_paid).
  if (!env.differences.paymentsReconcileInvoices && amounts.matchedPayments > 0) return 'paid';
  return 'not_paid';
}

function isRefund(move: StoredRecord): boolean {
  return move.move_type === 'out_refund' || move.move_type === 'in_refund';
}

/**
 * Hidden column of a document posted with `reversed_entry_id`: what Odoo's `_reconcile_reversed_moves`
 * reconciled, at posting, between it and the document it reverses. Not a field: Odoo keeps it as the partial
 * reconciliation of the two receivable (payable) items, which the sandbox does not have.
 */
const REVERSAL_RECONCILIATION = 'sandbox_reversal_reconciliation';

interface ReversalReconciliation {
  /** The reversed document. */
  move_id: number;
  /** The amount reconciled, in minor units of the two documents' (common) currency. */
  minor_units: number;
  /**
   * The highest `account.payment` id when it was made: on 18, what the invoice reads depends on which came last, a
   * wizard payment or this reconciliation (recorded: credit_note.offset_after_invoice_paid reads partial,
   * credit_note.offset_then_invoice_paid_whole reads paid).
   */
  last_payment_id?: number;
}

function reversalReconciliationOf(move: StoredRecord): ReversalReconciliation | undefined {
  const stored = move[REVERSAL_RECONCILIATION];
  return stored !== null && typeof stored === 'object' ? (stored as ReversalReconciliation) : undefined;
}

/** The reversal reconciliations `move` takes part in, as the reversal or as the reversed. */
function reversalsOf(env: OdooEnvironment, move: StoredRecord): ReversalReconciliation[] {
  return env.store
    .all('account.move')
    .map(reversalReconciliationOf)
    .filter((reconciliation): reconciliation is ReversalReconciliation => reconciliation !== undefined && (reconciliation.move_id === move.id || reversalReconciliationOf(move) === reconciliation));
}

/** What is reconciled between `move` and reversals: as the reversal (its own record) and as the reversed (theirs). */
function reconciledWithReversals(env: OdooEnvironment, move: StoredRecord): number {
  const own = reversalReconciliationOf(move)?.minor_units ?? 0;
  const theirs = env.store
    .all('account.move')
    .map(reversalReconciliationOf)
    .reduce((sum, reconciliation) => sum + (reconciliation?.move_id === move.id ? reconciliation.minor_units : 0), 0);
  return own + theirs;
}

/**
 * `_post` → `_reconcile_reversed_moves`: a document posted with `reversed_entry_id` naming a posted document
 * is reconciled with it on their common receivable (payable) account and currency, for as much as both still
 * leave open. A customer credit note so posted before its invoice is paid takes its amount off the invoice and
 * has nothing left to refund (recorded: credit_note.offset_against_open_invoice); linked later by a write, or
 * posted once the invoice is settled, it stays open for its payment (credit_note.linked_after_posting).
 */
function reconcileWithReversedEntry(env: OdooEnvironment, reversal: StoredRecord): void {
  if (typeof reversal.reversed_entry_id !== 'number') return;
  const reversed = env.model('account.move').get(env, reversal.reversed_entry_id);
  const sameAccount =
    (SALE_DOCUMENT_TYPES.has(String(reversal.move_type)) && SALE_DOCUMENT_TYPES.has(String(reversed.move_type))) ||
    (PURCHASE_DOCUMENT_TYPES.has(String(reversal.move_type)) && PURCHASE_DOCUMENT_TYPES.has(String(reversed.move_type)));
  // A credit note against an invoice: their items are on opposite sides of the account, so they reconcile.
  const oppositeSides = isRefund(reversal) !== isRefund(reversed);
  if (reversed.state !== 'posted' || !sameAccount || !oppositeSides || reversed.currency_id !== reversal.currency_id) return;
  const amount = Math.min(computeMoveAmounts(env, reversal).residual, computeMoveAmounts(env, reversed).residual);
  if (amount <= 0) return;
  const lastPaymentId = Math.max(0, ...env.store.all('account.payment').map((payment) => payment.id));
  const reconciliation: ReversalReconciliation = { move_id: reversed.id, minor_units: amount, last_payment_id: lastPaymentId };
  env.store.update('account.move', reversal.id, { [REVERSAL_RECONCILIATION]: reconciliation });
}

/** `button_draft` → `remove_move_reconcile`: a document back to draft is no longer reconciled with its reversals. */
function unreconcileReversals(env: OdooEnvironment, moveId: number): void {
  for (const move of env.store.all('account.move')) {
    const reconciliation = reversalReconciliationOf(move);
    if (reconciliation !== undefined && (move.id === moveId || reconciliation.move_id === moveId)) {
      env.store.update('account.move', move.id, { [REVERSAL_RECONCILIATION]: false });
    }
  }
}

function monetary(string: string, pick: (amounts: MoveAmounts) => number) {
  return field.monetary(string, {
    compute: (env, move) => {
      const amounts = computeMoveAmounts(env, move);
      return fromMinorUnits(pick(amounts), amounts.decimalPlaces);
    },
  });
}

export const accountMoveModel: ModelDefinition = {
  name: 'account.move',
  description: 'Journal Entry',
  order: 'date desc, name desc, invoice_date desc, id desc',
  mailThread: true,
  fields: {
    name: field.char('Number'),
    move_type: field.selection('Type', MOVE_TYPES, { default: 'entry' }),
    state: field.selection('Status', [['draft', 'Draft'], ['posted', 'Posted'], ['cancel', 'Cancelled']], { default: 'draft' }),
    partner_id: field.many2one('Partner', 'res.partner'),
    ref: field.char('Reference'),
    payment_reference: field.char('Payment Reference'),
    invoice_origin: field.char('Origin'),
    narration: field.html('Terms and Conditions'),
    date: field.date('Date', { default: (env: OdooEnvironment) => env.today() }),
    invoice_date: field.date('Invoice/Bill Date'),
    invoice_date_due: field.date('Due Date'),
    journal_id: field.many2one('Journal', 'account.journal'),
    currency_id: field.many2one('Currency', 'res.currency'),
    company_id: field.many2one('Company', 'res.company', { default: MAIN_COMPANY_ID }),
    // Odoo's `invoice_line_ids` leaves out the receivable item (its domain on `display_type`).
    invoice_line_ids: field.one2many('Invoice lines', 'account.move.line', 'move_id', { where: (line) => !isTermItem(line) }),
    amount_untaxed: monetary('Untaxed Amount', (amounts) => amounts.untaxed),
    amount_tax: monetary('Tax', (amounts) => amounts.tax),
    amount_total: monetary('Total', (amounts) => amounts.total),
    amount_residual: monetary('Amount Due', (amounts) => amounts.residual),
    payment_state: field.selection(
      'Payment Status',
      [
        ['not_paid', 'Not Paid'],
        ['in_payment', 'In Payment'],
        ['paid', 'Paid'],
        ['partial', 'Partially Paid'],
        ['reversed', 'Reversed'],
        ['blocked', 'Blocked'],
        ['invoicing_legacy', 'Invoicing App Legacy'],
      ],
      { compute: (env, move) => computeMoveAmounts(env, move).paymentState },
    ),
    matched_payment_ids: field.many2many('Matched Payments', 'account.payment', {
      compute: (env, move) => paymentsOfInvoice(env, move.id).map((payment) => payment.id),
    }),
    reversed_entry_id: field.many2one('Reversal of', 'account.move'),
    payment_id: field.many2one('Payment', 'account.payment'),
  },
  displayName: (_env, move) => (isEmptyValue(move.name) || move.name === '/' ? `Draft ${labelOfMoveType(move)} (* ${move.id})` : String(move.name)),
  prepareCreate: (env, values) => {
    const moveType = String(values.move_type ?? 'entry');
    const journalType = SALE_DOCUMENT_TYPES.has(moveType) ? 'sale' : PURCHASE_DOCUMENT_TYPES.has(moveType) ? 'purchase' : 'general';
    return {
      name: env.differences.draftMoveName,
      journal_id: defaultJournalOfType(env, journalType).id,
      currency_id: companyOf(env).currency_id,
      ...values,
    };
  },
  checkUnlink: (_env, moves) => {
    if (moves.some((move) => move.state === 'posted')) throw new UserError('You cannot delete an entry which has been posted once.');
  },
  methods: {
    action_post: {
      definedOn: 'AccountMove',
      onRecords: true,
      parameters: [],
      run: ({ env, ids }) => {
        for (const id of ids) postMove(env, id);
        // Odoo's action_post returns False for invoices (no follow-up action to open).
        return false;
      },
    },
    button_draft: {
      definedOn: 'AccountMove',
      onRecords: true,
      parameters: [],
      run: ({ env, model, ids }) => {
        for (const move of ids.map((id) => model.get(env, id))) {
          if (move.state !== 'posted' && move.state !== 'cancel') throw new UserError('Only posted/cancelled journal entries can be reset to draft.');
          unmatchPayments(env, move.id);
          unreconcileReversals(env, move.id);
          env.store.update('account.move', move.id, { state: 'draft', write_date: env.now() });
        }
        return undefined;
      },
    },
    button_cancel: {
      definedOn: 'AccountMove',
      onRecords: true,
      parameters: [],
      run: ({ env, model, ids }) => {
        for (const move of ids.map((id) => model.get(env, id))) {
          if (move.state !== 'draft') throw new UserError('Only draft journal entries can be cancelled.');
          env.store.update('account.move', move.id, { state: 'cancel', write_date: env.now() });
        }
        return undefined;
      },
    },
  } satisfies MethodTable,
};

function labelOfMoveType(move: StoredRecord): string {
  return MOVE_TYPES.find(([value]) => value === move.move_type)?.[1] ?? 'Journal Entry';
}

/** `_post`: checks as Odoo does (in its order), dates the invoice, names it from its journal's sequence. */
function postMove(env: OdooEnvironment, id: number): void {
  const move = env.model('account.move').get(env, id);
  if (move.state !== 'draft') {
    throw new UserError(`The entry ${String(env.model('account.move').displayNameOf(env, id))} (id ${id}) must be in draft.`);
  }
  if (invoiceLines(env, id).length === 0) throw new UserError(env.differences.postWithoutLinesMessage);
  if (isInvoice(move) && typeof move.partner_id !== 'number') {
    const partnerLabel = SALE_DOCUMENT_TYPES.has(String(move.move_type)) ? 'Customer' : 'Vendor';
    throw new UserError(`The field '${partnerLabel}' is required, please complete it to validate the ${labelOfMoveType(move)}.`);
  }
  if (isInvoice(move) && computeMoveAmounts(env, move).total < 0) {
    throw new UserError('You cannot validate an invoice with a negative total amount. You should create a credit note instead. Use the action menu to transform it into a credit note or refund.');
  }
  const invoiceDate = isInvoice(move) ? (isEmptyValue(move.invoice_date) ? env.today() : String(move.invoice_date)) : false;
  const accountingDate = invoiceDate === false ? String(move.date) : invoiceDate;
  const hasName = !isEmptyValue(move.name) && move.name !== '/';
  env.store.update('account.move', id, {
    state: 'posted',
    ...(invoiceDate === false
      ? {}
      : { invoice_date: invoiceDate, invoice_date_due: isEmptyValue(move.invoice_date_due) ? invoiceDate : move.invoice_date_due }),
    date: accountingDate,
    // A move keeps the number it got on its first posting (reset to draft and posted again, or cancelled).
    name: hasName ? move.name : nextMoveName(env, move, accountingDate),
    write_date: env.now(),
  });
  if (SALE_DOCUMENT_TYPES.has(String(move.move_type)) && typeof move.partner_id === 'number') increaseCustomerRank(env, move.partner_id);
  reconcileWithReversedEntry(env, env.model('account.move').get(env, id));
  ensureTermItem(env, move);
}

/** `INV/2026/00021`: journal code (prefixed `R` for credit notes), year, number; one sequence per journal and year. */
function nextMoveName(env: OdooEnvironment, move: StoredRecord, accountingDate: string): string {
  const journal = env.model('account.journal').get(env, Number(move.journal_id));
  const isRefund = move.move_type === 'out_refund' || move.move_type === 'in_refund';
  const prefix = `${isRefund ? 'R' : ''}${String(journal.code)}/${accountingDate.slice(0, 4)}`;
  return `${prefix}/${String(env.store.nextSequenceNumber(prefix)).padStart(5, '0')}`;
}

/** Resetting an invoice to draft undoes its reconciliation: its payments no longer count against it. */
function unmatchPayments(env: OdooEnvironment, moveId: number): void {
  for (const payment of paymentsOfInvoice(env, moveId)) {
    env.store.update('account.payment', payment.id, {
      reconciled_invoice_ids: (payment.reconciled_invoice_ids as number[]).filter((invoiceId) => invoiceId !== moveId),
    });
  }
}

function lineAmount(pick: 'untaxed' | 'total') {
  return field.monetary(pick === 'untaxed' ? 'Subtotal' : 'Total', {
    compute: (env, line) => {
      const move = env.model('account.move').get(env, Number(line.move_id));
      const decimalPlaces = currencyDecimalPlaces(env, move.currency_id);
      const amounts = computeLineAmounts(env, asTaxableLine(line), decimalPlaces);
      return fromMinorUnits(pick === 'untaxed' ? amounts.untaxedMinorUnits : amounts.untaxedMinorUnits + amounts.taxMinorUnits, decimalPlaces);
    },
  });
}

/** Invoice lines, and one receivable item per posted document (no tax items): totals are computed from the lines. */
export const accountMoveLineModel: ModelDefinition = {
  name: 'account.move.line',
  description: 'Journal Item',
  order: 'move_id, id',
  fields: {
    move_id: field.many2one('Journal Entry', 'account.move', { required: true }),
    // Odoo keeps tax, receivable (`payment_term`) and rounding items beside the product lines; the sandbox keeps
    // only the product lines, which a reader selects by this field on a real Odoo too.
    display_type: field.selection('Display Type', [['product', 'Product'], ['tax', 'Tax'], ['payment_term', 'Payment Term'], ['line_section', 'Section'], ['line_note', 'Note']], { default: 'product' }),
    product_id: field.many2one('Product', 'product.product'),
    name: field.char('Label'),
    quantity: field.float('Quantity', { default: 1 }),
    price_unit: field.float('Unit Price'),
    discount: field.float('Discount (%)'),
    tax_ids: field.many2many('Taxes', 'account.tax'),
    price_subtotal: lineAmount('untaxed'),
    price_total: lineAmount('total'),
    // A receivable item is reconciled once nothing is left to pay on its document.
    reconciled: field.boolean('Reconciled', {
      compute: (env, line) => isTermItem(line) && computeMoveAmounts(env, env.model('account.move').get(env, Number(line.move_id))).residual === 0,
    }),
  },
  prepareCreate: (env, values) => lineDefaultsFromProduct(env, values.product_id, 'tax_ids', values),
};
