import type { PaymentFailed } from '../../../events/payment-failed';
import { underWatermarkLease } from '../../platform/watermark-lease';
import { formatMinorUnits } from '../../domain/odoo-document-lines';
import { providerCurrencyExponent } from '../../providers/registry';
import { type BillingSyncPorts, invoiceKey, locateInvoice, odooDate, resolvePartner } from './billing-sync-ports';

/**
 * Account standing as partner tags (config `standingTags`) plus a chatter note saying why, so that
 * sales and support see it on the customer in Odoo.
 */

/** Whether the partner carries the past-due tag: 1 call (+ the tag's id the first time in a container). */
export async function isPastDue(ports: BillingSyncPorts, partnerId: number): Promise<boolean> {
  return ports.ledger.partnerHasTag(partnerId, await ports.ledger.tagId(ports.config.standingTags.pastDue));
}

/**
 * Removes the past-due tag, if the partner carries it, and says why: 1 call when it does not (the common
 * case: most payments follow no failure), 3 when it does (+ the tag's id the first time in a container).
 * `tagged`: the partner's standing read by the caller earlier (then 0 calls when it does not carry the tag).
 */
export async function clearPastDue(ports: BillingSyncPorts, partnerId: number, reason: string, tagged?: Promise<boolean>): Promise<void> {
  if (!(await (tagged ?? isPastDue(ports, partnerId)))) return;
  const tagId = await ports.ledger.tagId(ports.config.standingTags.pastDue);
  await ports.ledger.removePartnerTag(partnerId, tagId);
  await ports.ledger.note('res.partner', partnerId, `${reason} Standing “${ports.config.standingTags.pastDue}” cleared.`);
}

export type PaymentFailedOutcome = { outcome: 'flagged-past-due'; partnerId: number } | { outcome: 'invoice-settled'; moveId: number; state: string };

/**
 * `payment.failed` → the partner is tagged past due, with a note giving the failure reason and the next
 * attempt. A failure that arrives after its invoice was paid (or cancelled) in Odoo changes nothing:
 * the later success already cleared the standing. Holds the invoice's lease so that a concurrent
 * success cannot interleave with the check.
 */
export async function syncPaymentFailed(event: PaymentFailed, ports: BillingSyncPorts): Promise<PaymentFailedOutcome> {
  const attempt = event.data.attempt;
  return underWatermarkLease<PaymentFailedOutcome>(ports.watermarks, invoiceKey(attempt.system, attempt.invoiceId), event.id, async () => {
    const moveId = await locateInvoice(ports, attempt.system, attempt.invoiceId);
    if (moveId !== undefined) {
      const invoice = await ports.ledger.readDocument(moveId);
      if (invoice?.state === 'cancel') return { result: { outcome: 'invoice-settled', moveId, state: 'cancel' } };
      if (invoice?.state === 'posted' && invoice.amountTotal > 0 && invoice.matchedPaymentIds.length > 0) {
        const payments = await ports.ledger.payments(invoice.matchedPaymentIds, invoice.currency);
        const paid = payments.filter((payment) => payment.state !== 'canceled' && payment.state !== 'rejected').reduce((sum, payment) => sum + payment.amount, 0);
        if (paid >= invoice.amountTotal) return { result: { outcome: 'invoice-settled', moveId, state: 'paid' } };
      }
    }
    const partnerId = await resolvePartner(ports, attempt);
    const tagId = await ports.ledger.tagId(ports.config.standingTags.pastDue);
    await ports.ledger.addPartnerTag(partnerId, tagId);
    const due = `${formatMinorUnits(attempt.amountDue, providerCurrencyExponent(attempt.system, attempt.currency))} ${attempt.currency.toUpperCase()}`;
    const next = attempt.nextAttemptAt === null ? 'No further automatic attempt.' : `Next attempt: ${odooDate(attempt.nextAttemptAt)}.`;
    await ports.ledger.note(
      'res.partner',
      partnerId,
      `Payment failed for invoice ${attempt.invoiceId} (${due} due, attempt ${attempt.attemptCount}): ` +
        `${attempt.failureReason ?? 'no reason given'}. ${next}`,
    );
    return { result: { outcome: 'flagged-past-due', partnerId } };
  });
}
