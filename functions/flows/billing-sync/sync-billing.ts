import type { InvoiceFinalized } from '../../../events/invoice-finalized';
import type { InvoiceUncollectible } from '../../../events/invoice-uncollectible';
import type { InvoiceVoided } from '../../../events/invoice-voided';
import type { PaymentFailed } from '../../../events/payment-failed';
import type { PaymentSucceeded } from '../../../events/payment-succeeded';
import { type PaymentFailedOutcome, syncPaymentFailed } from './account-standing';
import type { BillingSyncPorts } from './billing-sync-ports';
import { type InvoiceUncollectibleOutcome, type InvoiceVoidOutcome, syncInvoiceUncollectible, syncInvoiceVoided } from './invoice-lifecycle';
import { type InvoicePostOutcome, syncInvoiceFinalized } from './post-invoice';
import { type PaymentOutcome, syncPaymentSucceeded } from './record-payment';

export type BillingEvent = InvoiceFinalized | InvoiceVoided | InvoiceUncollectible | PaymentSucceeded | PaymentFailed;
export type BillingOutcome = InvoicePostOutcome | InvoiceVoidOutcome | InvoiceUncollectibleOutcome | PaymentOutcome | PaymentFailedOutcome;

/** One billing event → its use case (the handler's `apply`). Refunds and credit notes are not handled yet. */
export function syncBilling(event: BillingEvent, ports: BillingSyncPorts): Promise<BillingOutcome> {
  switch (event.type) {
    case 'invoice.finalized':
      return syncInvoiceFinalized(event, ports);
    case 'invoice.voided':
      return syncInvoiceVoided(event, ports);
    case 'invoice.uncollectible':
      return syncInvoiceUncollectible(event, ports);
    case 'payment.succeeded':
      return syncPaymentSucceeded(event, ports);
    case 'payment.failed':
      return syncPaymentFailed(event, ports);
  }
}
