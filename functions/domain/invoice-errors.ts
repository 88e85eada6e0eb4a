import { PermanentSyncError, RetryableSyncError } from '../platform/errors';

/** Something an event depends on is in neither Odoo nor the provider yet: retry later, never guess. */
export class DependencyMissingError extends RetryableSyncError {
  override name = 'DependencyMissingError';
}

/**
 * Odoo computed another total than the provider's for a posted document. The document has been
 * cancelled (finance never sees a wrong posted total); the message carries both totals.
 */
export class InvoiceTotalMismatchError extends PermanentSyncError {
  override name = 'InvoiceTotalMismatchError';
}

/** The billing config or the Odoo database lacks what a document needs (currency, tax, company route). */
export class BillingSetupError extends PermanentSyncError {
  override name = 'BillingSetupError';
}

/**
 * A document names a provider tax rate the provider does not know (deleted, or another account's): its rate,
 * hence the Odoo tax, cannot be known. Map the rate by id in the billing config, or fix the provider account.
 */
export class UnknownTaxRateError extends PermanentSyncError {
  override name = 'UnknownTaxRateError';
}

/**
 * The provider says the refunded payment paid no invoice: Odoo holds neither the payment nor anything to
 * credit, so the refund is not booked (only noted on the customer). Never guessed onto another invoice.
 */
export class RefundWithoutInvoiceError extends PermanentSyncError {
  override name = 'RefundWithoutInvoiceError';
}

/** The amount or currency of a refund or credit note does not fit the Odoo invoice: nothing was written. */
export class CreditExceedsInvoiceError extends PermanentSyncError {
  override name = 'CreditExceedsInvoiceError';
}
