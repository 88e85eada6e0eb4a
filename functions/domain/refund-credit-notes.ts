import type { LedgerCreditNote } from './billing-ledger';

/**
 * Refunds and credit notes: who books what in Odoo, so that one refund never gives two credit notes.
 *
 * A payments provider may have two objects for money given back: the credit note (the document: lines, taxes, total) and the
 * refund (the money). They come together in three ways: a credit note that refunds (creating it creates the
 * refund: both exist before either event is sent), a refund alone, a credit note alone (credit balance,
 * out of band, or before payment). The rule:
 *
 * 1. A provider credit note is booked as its own Odoo credit note: same lines, taxes and total, `ref` = the
 *    credit note id, `payment_reference` = the ids of the refunds it lists (space separated; its own id
 *    when it lists none), reversing the invoice.
 * 2. A refund is booked as an outbound customer payment (memo = the refund id) registered on ONE credit note:
 *    a. the Odoo credit note that already names it (`payment_reference`, rule 1; or a credit note of its own
 *       from an earlier attempt, rule 2c) — whichever event came first;
 *    b. else the provider credit note that lists it, asked from the provider (`BillingSource.creditNoteOfRefund`)
 *       and booked by the refund flow exactly as rule 1 does (the later `credit_note.issued` then finds it);
 *    c. else a credit note of its own: the reversal wizard when it refunds the whole invoice, else one untaxed
 *       line of the refunded amount; `ref` carries `refundMarker(id)`.
 *    So `credit_note.issued` then `refund.created`, or the reverse, end with the same Odoo records: one
 *    credit note with the provider's lines and one outbound payment on it.
 * 3. Late link: a refund booked by 2c (nothing listed it then) and a provider credit note made afterwards that
 *    lists it. The credit note adds no Odoo credit note of its own when the refunds' own credit notes already
 *    carry exactly its total: it is linked to them and says so in their chatter. When they do not (the credit
 *    note credits more than its refunds), it is a permanent error naming both: a person books the difference.
 *    (Only this case keeps the refund's one-line credit note instead of the provider's lines: the refund was
 *    booked before the provider knew of any credit note.)
 */

/** The `ref` marker of a refund's own credit note (rule 2c): how a repeated attempt finds it. */
export const refundMarker = (refundId: string): string => `Refund ${refundId}`;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The credit note is the refund's own (rule 2c): its `ref` carries the marker (whole word: `re_1` is not `re_12`). */
export function isOwnRefundCreditNote(note: Pick<LedgerCreditNote, 'ref'>, refundId: string): boolean {
  return note.ref !== null && new RegExp(`(^|\\W)${escapeRegExp(refundMarker(refundId))}(\\W|$)`).test(note.ref);
}

/** The refund ids a credit note's `payment_reference` names (rule 1). */
export function refundsNamedBy(note: Pick<LedgerCreditNote, 'paymentReference'>): string[] {
  return (note.paymentReference ?? '').split(/[\s,]+/).filter((token) => token !== '');
}

/** The Odoo credit note books this refund: a provider credit note listing it, or its own. */
export function booksRefund(note: Pick<LedgerCreditNote, 'ref' | 'paymentReference'>, refundId: string): boolean {
  return isOwnRefundCreditNote(note, refundId) || refundsNamedBy(note).includes(refundId);
}

/** `payment_reference` of a provider credit note's Odoo credit note (rule 1). */
export function creditNotePaymentReference(creditNote: { id: string; refundIds: readonly string[] }): string {
  return creditNote.refundIds.length === 0 ? creditNote.id : creditNote.refundIds.join(' ');
}

/** What the invoice's live credit notes already take back, in minor units. */
export function creditedAmount(notes: ReadonlyArray<Pick<LedgerCreditNote, 'amountTotal'>>): number {
  return notes.reduce((sum, note) => sum + note.amountTotal, 0);
}
