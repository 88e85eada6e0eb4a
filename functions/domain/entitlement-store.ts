import type { BillingCustomerRef, Entitlement, EntitlementInputs } from './entitlement';

/**
 * Where a customer's entitlement inputs live between events. Kept, not re-read from the billing provider on each
 * event: the facts come from several providers (a customer may pay through two), a provider's API has no "every
 * fact about this customer" read (disputes, failed attempts), and the flow must not depend on the provider's
 * availability to re-derive what its own events already said.
 */
/** The item of a customer's entitlement state, which is also its write lease and watermark. */
export const entitlementKey = (customer: string): string => `entitlement:${customer}`;

export interface EntitlementState {
  readonly inputs: EntitlementInputs;
  /** The last entitlement pushed and published: a derivation equal to it changes nothing. */
  readonly published: Entitlement | undefined;
  /** The name the customer's organization was created with (read from Odoo once). */
  readonly organizationName: string | undefined;
}

export const EMPTY_ENTITLEMENT_STATE: EntitlementState = { inputs: { customers: [], subscriptions: {}, invoices: {}, disputes: {} }, published: undefined, organizationName: undefined };

export interface InvoiceRef {
  readonly system: BillingCustomerRef['system'];
  readonly id: string;
}

export interface EntitlementStore {
  /** The customer's state (empty for a customer not seen yet). */
  load(customer: string): Promise<EntitlementState>;
  /** Replaces the customer's state; only the holder of the customer's write lease (`leaseOwner`) may. */
  save(customer: string, leaseOwner: string, state: EntitlementState): Promise<void>;
  /**
   * Records which billing customer an invoice belongs to (a failure names it; a payment may not) and returns the
   * payment the invoice already has, if one came first. One atomic write, so that a payment recorded concurrently
   * is seen by exactly one of the two: this claim, or the payment's `recordInvoicePayment`.
   */
  claimInvoice(invoice: InvoiceRef, owner: BillingCustomerRef): Promise<{ paidAt: string | null }>;
  /** Records a payment on an invoice and returns its owner, when a failure has named it. */
  recordInvoicePayment(invoice: InvoiceRef, paidAt: string): Promise<{ owner: BillingCustomerRef | undefined }>;
  /** The owner of an invoice, when a failure has named it. */
  invoiceOwner(invoice: InvoiceRef): Promise<BillingCustomerRef | undefined>;
}
