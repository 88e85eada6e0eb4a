import type { CompanyRoute } from '../../domain/billing-config';
import type { BillingLedger, LedgerDocument } from '../../domain/billing-ledger';
import { exactQuantityAndPrice } from '../../domain/odoo-document-lines';
import { PermanentSyncError } from '../../platform/errors';

/**
 * How a lost dispute, an uncollectible write-off and a refund take an amount back on a posted invoice:
 * - the whole invoice (the amount is its total): the `account.move.reversal` wizard, whose credit note mirrors
 *   every line and tax of the invoice — `ref` "Reversal of: <invoice>, <marker>" (3 calls: wizard create,
 *   `refund_moves`, `action_post`);
 * - less: an `out_refund` reversing the invoice with one untaxed line of exactly the amount (quantity × price
 *   carries it exactly, there is no tax to round) — `ref` = the marker (3 calls: create, `action_post`, read back).
 * Either way the marker is in `ref`: how a repeated attempt finds the credit note after a crash. The caller
 * has checked the currency, that the amount fits the invoice and that no credit note with this marker exists.
 */
export async function postCreditNoteForAmount(
  ledger: Pick<BillingLedger, 'reverseDocument' | 'createPostedDocument' | 'precisions'>,
  request: {
    invoice: LedgerDocument;
    /** Minor units of the invoice's currency, at most its total. */
    amount: number;
    marker: string;
    /** The label of the single line of a partial credit note. */
    lineName: string;
    route: CompanyRoute;
    /** `YYYY-MM-DD`. */
    date: string;
    /** `payment_reference` of a partial credit note (default: the marker). */
    paymentReference?: string;
    /** An outbound payment will pay it out (a refund): never offset against the invoice (DocumentDraft.paidOut). */
    paidOut?: boolean;
  },
): Promise<{ creditNoteId: number; kind: 'full' | 'partial' }> {
  const { invoice, amount, marker, date } = request;
  if (amount === invoice.amountTotal) {
    const { creditNoteId } = await ledger.reverseDocument(invoice.id, {
      reason: marker,
      date,
      journalId: request.route.salesJournalId,
      ...(request.paidOut === undefined ? {} : { paidOut: request.paidOut }),
    });
    return { creditNoteId, kind: 'full' };
  }
  if (invoice.partnerId === undefined) throw new PermanentSyncError(`the Odoo invoice ${invoice.id} has no customer`);
  const precisions = await ledger.precisions();
  const { quantity, priceUnit } = exactQuantityAndPrice(amount, 1, { currencyDecimals: invoice.currency.decimalPlaces, ...precisions });
  const line = { sourceLineId: null, priceId: null, name: request.lineName, quantity, priceUnit, taxIds: [], untaxed: amount, tax: 0 };
  const posted = await ledger.createPostedDocument({
    moveType: 'out_refund',
    ref: marker,
    ...(request.paymentReference === undefined ? {} : { paymentReference: request.paymentReference }),
    partnerId: invoice.partnerId,
    companyId: request.route.companyId,
    journalId: request.route.salesJournalId,
    currency: invoice.currency,
    invoiceDate: date,
    dueDate: null,
    lines: [{ line }],
    reversedEntryId: invoice.id,
    ...(request.paidOut === undefined ? {} : { paidOut: request.paidOut }),
  });
  // Exact by construction: quantity × price carries the amount exactly and the line has no tax.
  return { creditNoteId: posted.id, kind: 'partial' };
}
