import type { SubscriptionSnapshot } from '../../../events/subscription-updated';
import type { BillingAccounts, BillingCustomerDraft, BillingCustomerLinks, SubscriptionDraft } from '../../domain/billing-accounts';
import type { StripeApi, StripeCallOptions } from './stripe-api';
import { stripeApiFromEnv } from './stripe-api-from-env';
import { STRIPE_LINK_METADATA } from './stripe-customer-mapping';
import { parseStripeObject } from './stripe-object-mapping';
import { stripeSubscriptionSchema, subscriptionSnapshotFromStripe } from './stripe-subscription-mapping';

/**
 * The saga's writes at Stripe, on one account (Connect: the stage's `STRIPE_ACCOUNT`, else the platform's). Creates
 * send the caller's key as `Idempotency-Key`, so Stripe answers a retry with the first request's object; the
 * metadata links the Stripe objects to the Odoo partner, the CRM records and the canonical customer, so that anyone
 * reading the customer at Stripe (and the flows' webhooks of it) finds where it came from.
 */
export class StripeBillingAccounts implements BillingAccounts {
  readonly system = 'stripe' as const;
  private readonly onAccount: StripeCallOptions;

  constructor(
    private readonly stripe: StripeApi,
    private readonly account: string | null,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.onAccount = account === null ? {} : { stripeAccount: account };
  }

  async ensureCustomer(draft: BillingCustomerDraft, existingCustomerId: string | undefined, idempotencyKey: string): Promise<{ customerId: string; created: boolean }> {
    if (existingCustomerId !== undefined) {
      const existing = await this.stripe.retrieve('customer', existingCustomerId, this.onAccount);
      // A deleted customer is answered with `deleted: true`: a new one is made rather than subscribing a ghost.
      if (existing !== undefined && existing['deleted'] !== true) return { customerId: existing.id, created: false };
    }
    const customer = await this.stripe.create(
      'customer',
      { name: draft.name, ...(draft.email === null ? {} : { email: draft.email }), metadata: stripeMetadata(draft.links) },
      idempotencyKey,
      this.onAccount,
    );
    return { customerId: customer.id, created: true };
  }

  async createSubscription(draft: SubscriptionDraft, idempotencyKey: string): Promise<SubscriptionSnapshot> {
    const subscription = await this.stripe.create(
      'subscription',
      {
        customer: draft.customerId,
        items: draft.items.map((item) => ({ price: item.priceId, quantity: item.quantity })),
        collection_method: draft.collection.method,
        ...(draft.collection.method === 'send_invoice' ? { days_until_due: draft.collection.daysUntilDue } : {}),
        metadata: stripeMetadata(draft.links),
      },
      idempotencyKey,
      this.onAccount,
    );
    return this.snapshot(subscription);
  }

  async cancelSubscription(subscriptionId: string): Promise<SubscriptionSnapshot | undefined> {
    const cancelled = await this.stripe.remove('subscription', subscriptionId, this.onAccount);
    return cancelled === undefined ? undefined : this.snapshot(cancelled);
  }

  async deleteCustomer(customerId: string): Promise<'deleted' | 'not-found'> {
    return (await this.stripe.remove('customer', customerId, this.onAccount)) === undefined ? 'not-found' : 'deleted';
  }

  private snapshot(raw: unknown): SubscriptionSnapshot {
    return subscriptionSnapshotFromStripe(parseStripeObject(stripeSubscriptionSchema, raw, 'subscription'), { account: this.account, observedAt: this.nowSeconds() });
  }
}

/**
 * Stripe metadata (string values): the link keys customer-sync resolves a Stripe customer by (`odoo_partner_id`, the
 * CRM company's, stripe-customer-mapping.ts), so the customer's own webhooks land on the same partner, and the deal and
 * canonical customer for whoever reads the customer at Stripe.
 */
export function stripeMetadata(links: BillingCustomerLinks): Record<string, string> {
  const [companyKey] = Object.entries(STRIPE_LINK_METADATA).find(([, target]) => target.system === links.crm.system && target.kind === 'account') ?? [];
  return {
    odoo_partner_id: String(links.odooPartnerId),
    ...(companyKey === undefined ? {} : { [companyKey]: links.crm.accountId }),
    crm_deal_id: `${links.crm.system}:${links.crm.dealId}`,
    saas_sync_customer_id: links.customerId,
  };
}

/** The saga's Stripe writer from the function's environment (the key needs write access to customers and subscriptions). */
export function stripeBillingAccountsFromEnv(): BillingAccounts {
  const { stripe, account } = stripeApiFromEnv();
  return new StripeBillingAccounts(stripe, account);
}
