import type { CreditNoteIssued } from '../../../events/credit-note-issued';
import type { CreditNoteSnapshot, LedgerCreditNote, LedgerDocument } from '../../domain/billing-ledger';
import { underWatermarkLease } from '../../platform/watermark-lease';
import { CreditExceedsInvoiceError, DependencyMissingError } from '../../domain/invoice-errors';
import { formatMinorUnits } from '../../domain/odoo-document-lines';
import { creditedAmount, creditNotePaymentReference, isOwnRefundCreditNote } from '../../domain/refund-credit-notes';
import { type BillingSyncPorts, creditNoteKey, invoiceKey, locateInvoice, ODOO_MOVE, odooDate, postedInvoice } from './billing-sync-ports';
import { providerOf } from '../../providers/registry';
import { checkPostedTotal, odooLinesOf, planProviderDocument } from './post-invoice';

export type CreditNoteOutcome =
  | { outcome: 'posted'; creditNoteId: number; total: number; roundingDifference: number }
  | { outcome: 'already-posted'; creditNoteId: number }
  /** Its refunds were booked with credit notes of their own before the provider linked them (refund-credit-notes.ts, rule 3). */
  | { outcome: 'covered-by-refunds'; creditNoteId: number; refundIds: string[] };

/**
 * `credit_note.issued` → a posted Odoo credit note (`out_refund`) with the provider credit note's lines, taxes
 * and total (to the minor unit, checked as for invoices: a wrong total is cancelled and fails permanently),
 * reversing the Odoo invoice, `ref` = the credit note id. Exactly once: identity map `<system>:credit_note:<id>`,
 * else the invoice's credit notes searched by `ref` (a crash between create and link finds it; a draft left
 * between create and post is posted). Its refunds' money comes as `refund.created` (see
 * functions/domain/refund-credit-notes.ts for who books what). Holds the invoice's lease: the invoice's
 * payments, refunds and credit notes never interleave.
 * An invoice Odoo does not have (yet) is a retryable `DependencyMissingError`; a currency other than the
 * invoice's, or more than the invoice has left to credit, a permanent error before any write.
 *
 * Odoo calls, warm container (identity map knows the invoice; currency and taxes cached): 5 — `read` of the
 * invoice, `search_read` of its credit notes, `create` + `action_post` + `read` of the credit note. Cold: +1
 * invoice search, +1 currency, +1 taxes, + products of priced lines (provider credit note lines have none).
 * A duplicate: 0 (identity map). Late link (rule 3): 2 + one note per refund credit note.
 * Provider calls: 0 (provider credit note lines embed their tax rates), + 1 per tax rate the container has not read
 * yet among line taxes that name only their rate and that the billing config does not map by id.
 */
export async function syncCreditNoteIssued(event: CreditNoteIssued, ports: BillingSyncPorts): Promise<CreditNoteOutcome> {
  const creditNote = event.data.creditNote;
  const key = creditNoteKey(creditNote.system, creditNote.id);
  const known = await ports.identityMap.find(key, ODOO_MOVE.system, ODOO_MOVE.kind);
  if (known !== undefined) return { outcome: 'already-posted', creditNoteId: Number(known) };
  return underWatermarkLease<CreditNoteOutcome>(ports.watermarks, invoiceKey(creditNote.system, creditNote.invoiceId), event.id, async () => {
    const moveId = await locateInvoice(ports, creditNote.system, creditNote.invoiceId);
    if (moveId === undefined) {
      throw new DependencyMissingError(`invoice ${creditNote.invoiceId} of credit note ${creditNote.id} is not in Odoo yet`);
    }
    const invoice = await postedInvoice(ports, moveId, creditNote.invoiceId, `credit note ${creditNote.id}`);
    const creditNotes = await ports.ledger.creditNotesOf(moveId, invoice.currency);
    return { result: await ensureCreditNotePosted(creditNote, invoice, creditNotes, ports) };
  });
}

/**
 * The posted Odoo credit note of a provider credit note, created if Odoo has none. The caller holds the
 * invoice's lease and has read the invoice's live credit notes. Shared by `credit_note.issued` and by a
 * refund that arrives before the credit note paying it out (the snapshot then comes from the provider).
 */
export async function ensureCreditNotePosted(
  creditNote: CreditNoteSnapshot,
  invoice: LedgerDocument & { partnerId: number },
  creditNotes: readonly LedgerCreditNote[],
  ports: BillingSyncPorts,
): Promise<CreditNoteOutcome> {
  const key = creditNoteKey(creditNote.system, creditNote.id);
  const existing = creditNotes.find((note) => note.ref === creditNote.id);
  if (existing?.state === 'posted') {
    await ports.identityMap.link(key, { ...ODOO_MOVE, id: String(existing.id) });
    return { outcome: 'already-posted', creditNoteId: existing.id };
  }

  const what = `credit note ${creditNote.id}`;
  if (invoice.currency.code !== creditNote.currency.toUpperCase()) {
    throw new CreditExceedsInvoiceError(`${what} is in ${creditNote.currency.toUpperCase()}, its invoice ${creditNote.invoiceId} in ${invoice.currency.code}`);
  }
  const { plan, route } = await planProviderDocument(ports, creditNote, invoice.currency);

  if (existing !== undefined) {
    // A draft left by an attempt that crashed between create and post.
    const posted = await ports.ledger.postDocument(existing.id);
    await checkPostedTotal({ kind: 'credit note', id: creditNote.id, system: creditNote.system }, plan.total, posted, ports);
    await ports.identityMap.link(key, { ...ODOO_MOVE, id: String(posted.id) });
    return { outcome: 'posted', creditNoteId: posted.id, total: posted.amountTotal, roundingDifference: plan.roundingDifference };
  }

  const refundCredits = creditNote.refundIds.flatMap((refundId) => creditNotes.filter((note) => isOwnRefundCreditNote(note, refundId)).map((note) => ({ refundId, note })));
  if (refundCredits.length > 0) return adoptRefundCreditNotes(creditNote, invoice, plan.total, refundCredits, ports);

  const decimals = invoice.currency.decimalPlaces;
  const left = invoice.amountTotal - creditedAmount(creditNotes);
  if (plan.total > left) {
    throw new CreditExceedsInvoiceError(
      `${what} takes back ${formatMinorUnits(plan.total, decimals)} ${invoice.currency.code} where invoice ${invoice.name ?? creditNote.invoiceId} ` +
        `(${formatMinorUnits(invoice.amountTotal, decimals)}) has ${formatMinorUnits(left, decimals)} left to credit in Odoo: nothing was booked`,
    );
  }
  const posted = await ports.ledger.createPostedDocument({
    moveType: 'out_refund',
    ref: creditNote.id,
    paymentReference: creditNotePaymentReference(creditNote),
    partnerId: invoice.partnerId,
    companyId: route.companyId,
    journalId: route.salesJournalId,
    currency: invoice.currency,
    invoiceDate: odooDate(creditNote.issuedAt),
    dueDate: null,
    narration: [`${providerOf(creditNote.system).displayName} credit note ${creditNote.number ?? creditNote.id}`, creditNote.reason]
      .filter((part) => part !== null)
      .join(' — '),
    lines: await odooLinesOf(ports, creditNote.system, creditNote.lines, plan),
    reversedEntryId: invoice.id,
    // Its refunds' outbound payments pay it out; a credit note without refunds is offset against what the invoice owes.
    paidOut: creditNote.refundIds.length > 0,
  });
  await checkPostedTotal({ kind: 'credit note', id: creditNote.id, system: creditNote.system }, plan.total, posted, ports);
  await ports.identityMap.link(key, { ...ODOO_MOVE, id: String(posted.id) });
  return { outcome: 'posted', creditNoteId: posted.id, total: posted.amountTotal, roundingDifference: plan.roundingDifference };
}

/**
 * Rule 3 of refund-credit-notes.ts: every refund the credit note lists already has its own Odoo credit note and
 * together they take back exactly the credit note's total → no second credit note; linked, and said in their
 * chatter. Anything else would credit the customer twice or guess: a permanent error before any write.
 */
async function adoptRefundCreditNotes(
  creditNote: CreditNoteSnapshot,
  invoice: LedgerDocument,
  total: number,
  refundCredits: ReadonlyArray<{ refundId: string; note: LedgerCreditNote }>,
  ports: BillingSyncPorts,
): Promise<CreditNoteOutcome> {
  const notes = [...new Map(refundCredits.map(({ note }) => [note.id, note])).values()];
  const covered = creditedAmount(notes);
  const uncovered = creditNote.refundIds.filter((refundId) => !refundCredits.some((credit) => credit.refundId === refundId));
  const decimals = invoice.currency.decimalPlaces;
  if (covered !== total || uncovered.length > 0) {
    throw new CreditExceedsInvoiceError(
      `credit note ${creditNote.id} (${formatMinorUnits(total, decimals)} ${invoice.currency.code}) lists refunds already booked in Odoo with credit notes ` +
        `of their own (${notes.map((note) => note.id).join(', ')}: ${formatMinorUnits(covered, decimals)})` +
        `${uncovered.length > 0 ? ` and refunds that are not (${uncovered.join(', ')})` : ''}: book the difference by hand, nothing was booked`,
    );
  }
  const label = creditNote.number === null ? creditNote.id : `${creditNote.number} (${creditNote.id})`;
  const provider = providerOf(creditNote.system).displayName;
  for (const { refundId, note } of refundCredits) {
    await ports.ledger.note(
      'account.move',
      note.id,
      `${provider} credit note ${label} covers refund ${refundId}, booked by this credit note before ${provider} linked them: ` +
        'no other credit note was created; its lines are not mirrored here.',
    );
  }
  const creditNoteId = notes[0]!.id;
  await ports.identityMap.link(creditNoteKey(creditNote.system, creditNote.id), { ...ODOO_MOVE, id: String(creditNoteId) });
  return { outcome: 'covered-by-refunds', creditNoteId, refundIds: [...creditNote.refundIds] };
}
