import type { CreditNoteIssued } from '../../../events/credit-note-issued';
import type { InvoiceFinalized } from '../../../events/invoice-finalized';
import type { InvoiceUncollectible } from '../../../events/invoice-uncollectible';
import type { InvoiceVoided } from '../../../events/invoice-voided';
import type { PaymentFailed } from '../../../events/payment-failed';
import type { PaymentSucceeded } from '../../../events/payment-succeeded';
import type { RefundCreated } from '../../../events/refund-created';
import type { RefundUpdated } from '../../../events/refund-updated';
import { type PaymentFailedOutcome, syncPaymentFailed } from './account-standing';
import type { BillingSyncPorts } from './billing-sync-ports';
import { finalizedWithCompleteLines } from './complete-invoice-lines';
import { type InvoiceUncollectibleOutcome, type InvoiceVoidOutcome, syncInvoiceUncollectible, syncInvoiceVoided } from './invoice-lifecycle';
import { type CreditNoteOutcome, syncCreditNoteIssued } from './post-credit-note';
import { type InvoicePostOutcome, syncInvoiceFinalized } from './post-invoice';
import { type PaymentOutcome, syncPaymentSucceeded } from './record-payment';
import { type RefundOutcome, syncRefundCreated, syncRefundUpdated } from './record-refund';

export type BillingEvent = InvoiceFinalized | InvoiceVoided | InvoiceUncollectible | PaymentSucceeded | PaymentFailed | RefundCreated | RefundUpdated | CreditNoteIssued;
export type BillingOutcome =
  | InvoicePostOutcome
  | InvoiceVoidOutcome
  | InvoiceUncollectibleOutcome
  | PaymentOutcome
  | PaymentFailedOutcome
  | RefundOutcome
  | CreditNoteOutcome;

/** One billing event → its use case (the handler's `apply`). Disputes have their own ports (dispute-sync.ts). */
export async function syncBilling(event: BillingEvent, ports: BillingSyncPorts): Promise<BillingOutcome> {
  switch (event.type) {
    case 'invoice.finalized':
      // An invoice with more lines than its event carries is completed from the provider first. Before the lease
      // and the watermark: a rare stale or repeated one then costs a read, but the use case sees every line.
      return syncInvoiceFinalized(await finalizedWithCompleteLines(event, ports.source), ports);
    case 'invoice.voided':
      return syncInvoiceVoided(event, ports);
    case 'invoice.uncollectible':
      return syncInvoiceUncollectible(event, ports);
    case 'payment.succeeded':
      return syncPaymentSucceeded(event, ports);
    case 'payment.failed':
      return syncPaymentFailed(event, ports);
    case 'refund.created':
      return syncRefundCreated(event, ports);
    case 'refund.updated':
      return syncRefundUpdated(event, ports);
    case 'credit_note.issued':
      return syncCreditNoteIssued(event, ports);
  }
}
