import type { SourceSystem } from '../../events/envelope';
import type { SubscriptionSnapshot } from '../../events/subscription-updated';

/**
 * The billing provider as a lifecycle saga writes to it: a customer and its subscription made for a won deal, and
 * undone again when the onboarding cannot finish. The provider's module implements it (functions/providers/<system>/);
 * the reads billing-sync needs are the `BillingSource` (billing-ledger.ts), not this.
 *
 * Every create carries the caller's idempotency key (`onboarding:<sagaId>:<step>`): a retried or redriven step sends
 * the same key and gets the first attempt's object, never a second one. Undoing is tolerant: a subscription already
 * cancelled or a customer already deleted is success.
 */

/** The ids that tie a billing customer to the integration's other records (the provider keeps them as metadata). */
export interface BillingCustomerLinks {
  readonly odooPartnerId: number;
  /** The canonical customer (saas_sync). */
  readonly customerId: string;
  /** The CRM the deal was won in, its account (company) and its deal. */
  readonly crm: { readonly system: SourceSystem; readonly accountId: string; readonly dealId: string };
}

export interface BillingCustomerDraft {
  readonly name: string;
  readonly email: string | null;
  readonly links: BillingCustomerLinks;
}

/** How the subscription's invoices are paid: the customer's payment method charged, or an invoice sent with terms. */
export type CollectionMethod = { readonly method: 'charge_automatically' } | { readonly method: 'send_invoice'; readonly daysUntilDue: number };

export interface SubscriptionDraft {
  readonly customerId: string;
  /** Provider price ids and whole quantities, in the deal's line order. */
  readonly items: readonly { readonly priceId: string; readonly quantity: number }[];
  readonly collection: CollectionMethod;
  readonly links: BillingCustomerLinks;
}

export interface BillingAccounts {
  /** The provider's system (its events' `source`, its identity-map keys). */
  readonly system: SourceSystem;
  /**
   * The billing customer: `existingCustomerId` (the canonical customer's customer at this provider, from the identity
   * map) when the provider still has it, else a new one created under `idempotencyKey`. `created` says which, so that
   * only a customer this run made is deleted when it is undone.
   */
  ensureCustomer(draft: BillingCustomerDraft, existingCustomerId: string | undefined, idempotencyKey: string): Promise<{ customerId: string; created: boolean }>;
  /** A new subscription, created under `idempotencyKey`, as the provider's snapshot (what its webhook would carry). */
  createSubscription(draft: SubscriptionDraft, idempotencyKey: string): Promise<SubscriptionSnapshot>;
  /** Cancels now; the snapshot as cancelled, or undefined when the provider does not know it. Already cancelled: as it is. */
  cancelSubscription(subscriptionId: string): Promise<SubscriptionSnapshot | undefined>;
  /** Deletes the customer; `not-found` when it is gone already. */
  deleteCustomer(customerId: string): Promise<'deleted' | 'not-found'>;
}
