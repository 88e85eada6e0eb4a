import type { PaymentSucceeded } from '../../../events/payment-succeeded';
import { companyRouteFor } from '../../domain/billing-config';
import type { LedgerDocument } from '../../domain/billing-ledger';
import { formatMinorUnits, toOdooMinor } from '../../domain/odoo-document-lines';
import { providerCurrencyExponent } from '../../providers/registry';
import { PermanentSyncError } from '../../platform/errors';
import { underWatermarkLease } from '../../platform/watermark-lease';
import { clearPastDue, isPastDue } from './account-standing';
import { type BillingSyncPorts, invoiceKey, ODOO_PAYMENT, odooDate, paymentKey } from './billing-sync-ports';
import { settledInvoiceDocument } from './post-invoice';

export type PaymentOutcome =
  | { outcome: 'registered'; paymentId: number; moveId: number; invoicePaid: boolean }
  /** The invoice was paid already: the money is the customer's credit (an overpayment). */
  | { outcome: 'customer-credit'; paymentId: number; moveId: number }
  | { outcome: 'already-registered'; paymentId: number; moveId?: number; invoicePaid?: boolean };

/**
 * `payment.succeeded` → a payment registered on the Odoo invoice for the amount actually paid. Payments
 * are additive facts, not snapshots: no watermark; each is applied once, keyed on the provider payment id
 * (identity map, then the Odoo payment's memo). Partial payments add up; a payment above what is left
 * is registered whole and Odoo keeps the excess as the customer's credit (the wizard's default
 * "keep open" handling); a payment of an invoice already paid is booked as the customer's credit (an inbound
 * payment reconciled with nothing, noted on the invoice), never refused: money received is always booked. An invoice Odoo does not have yet is fetched from the provider and posted first.
 * When the invoice becomes paid, the partner's past-due standing is cleared.
 *
 * Odoo calls, warm container (identity map knows the invoice): 6 — `read` of the invoice, `search_read` of
 * the payment by memo, `res.partner.read` of the standing tags, the wizard's `search_read` of the invoice's open
 * items, `create` and `action_create_payments`; +2 (`write`, `message_post`) when the payment clears a past-due
 * standing. A duplicate: 0. In a consumer batch every call but `action_create_payments` merges with the other
 * payments' (call-coalescer.ts): a little over 1 Odoo call per payment.
 */
export async function syncPaymentSucceeded(event: PaymentSucceeded, ports: BillingSyncPorts): Promise<PaymentOutcome> {
  const payment = event.data.payment;
  const key = paymentKey(payment.system, payment.id);
  const known = await ports.identityMap.find(key, ODOO_PAYMENT.system, ODOO_PAYMENT.kind);
  if (known !== undefined) return { outcome: 'already-registered', paymentId: Number(known) };

  // The invoice's lease: payments of one invoice, and its creation, never race.
  return underWatermarkLease<PaymentOutcome>(ports.watermarks, invoiceKey(payment.system, payment.invoiceId), event.id, async () => {
    const what = `paid (${payment.id})`;
    const { moveId, invoice } = await settledInvoiceDocument(ports, payment.system, payment.invoiceId, what);
    if (!invoice || invoice.state !== 'posted') {
      throw new PermanentSyncError(`payment ${payment.id}: the Odoo invoice ${moveId} of ${payment.invoiceId} is ${invoice?.state ?? 'deleted'}, not posted`);
    }
    if (invoice.currency.code !== payment.currency.toUpperCase()) {
      throw new PermanentSyncError(`payment ${payment.id} is in ${payment.currency.toUpperCase()}, its invoice ${payment.invoiceId} in ${invoice.currency.code}`);
    }
    if (invoice.partnerId === undefined) throw new PermanentSyncError(`the Odoo invoice ${moveId} has no customer`);
    const amount = toOdooMinor(payment.amount, providerCurrencyExponent(payment.system, payment.currency), invoice.currency.decimalPlaces);

    // The partner's standing is read now, beside the payment's lookup, whenever this payment may complete the invoice
    // (not a first payment below the total): the events of a consumer batch reach this point together, just after
    // their merged invoice read, so their standing reads merge into one `read` too. Read after the wizard (one call
    // per payment, which spreads them out), each went alone. Payments of this invoice and its failures hold the
    // invoice's lease: none of them can change the standing between this read and its use.
    const mayComplete = invoice.matchedPaymentIds.length > 0 || amount >= invoice.amountTotal;
    const partnerId = invoice.partnerId;
    const tagged = mayComplete ? isPastDue(ports, partnerId) : undefined;
    // Awaited only if the invoice ends up paid: a failure of this read must not go unhandled meanwhile.
    tagged?.catch(() => undefined);

    let paymentId = await ports.ledger.findPayment(payment.id, invoice.partnerId);
    let after: number;
    if (paymentId === undefined) {
      const before = await paidAmount(ports, invoice, []);
      const route = companyRouteFor(ports.config, payment);
      if (before >= invoice.amountTotal && invoice.amountTotal > 0) {
        // Money the provider received is always booked: a second, distinct payment of a paid invoice is the
        // customer's credit, said in the invoice's chatter so finance sees why it is not reconciled.
        ({ paymentId } = await ports.ledger.registerCustomerCredit(invoice.partnerId, {
          amount,
          currency: invoice.currency,
          date: odooDate(payment.paidAt),
          memo: payment.id,
          journalId: route.bankJournalId,
        }));
        await ports.ledger.note(
          'account.move',
          moveId,
          `Payment ${payment.id} of ${formatMinorUnits(amount, invoice.currency.decimalPlaces)} ${invoice.currency.code} came after this invoice was paid: ` +
            'booked as the customer’s credit (an unreconciled customer payment).',
        );
        await ports.identityMap.link(key, { ...ODOO_PAYMENT, id: String(paymentId) });
        return { result: { outcome: 'customer-credit', paymentId, moveId } };
      }
      ({ paymentId } = await ports.ledger.registerPayment(moveId, {
        amount,
        currency: invoice.currency,
        date: odooDate(payment.paidAt),
        memo: payment.id,
        journalId: route.bankJournalId,
      }));
      after = before + amount;
    } else {
      // Registered by an attempt that crashed before the identity-map write.
      after = await paidAmount(ports, invoice, [paymentId]);
    }
    const invoicePaid = after >= invoice.amountTotal;
    // Cleared when this payment completes the invoice — or again after a crash (the tag removal is idempotent).
    if (invoicePaid) await clearPastDue(ports, partnerId, `Invoice ${invoice.name ?? payment.invoiceId} (${payment.invoiceId}) is paid.`, tagged);
    await ports.identityMap.link(key, { ...ODOO_PAYMENT, id: String(paymentId) });
    return { result: { outcome: 'registered', paymentId, moveId, invoicePaid } };
  });
}

/**
 * What the invoice's matched payments add up to, in minor units. Summed from the payments rather than
 * read from `payment_state`/`amount_residual`: the recorded Odoo 18 build reads `paid` after a partial
 * payment and does not reduce the residual (../shared/odoo-contract).
 */
async function paidAmount(ports: BillingSyncPorts, invoice: LedgerDocument, extraIds: number[]): Promise<number> {
  const ids = [...new Set([...invoice.matchedPaymentIds, ...extraIds])];
  if (ids.length === 0) return 0;
  const payments = await ports.ledger.payments(ids, invoice.currency);
  return payments.filter((payment) => payment.state !== 'canceled' && payment.state !== 'rejected').reduce((sum, payment) => sum + payment.amount, 0);
}

