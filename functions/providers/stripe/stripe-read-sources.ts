import type { BillingSourceRow, ReconciliationSourceRow } from '../provider-module';
import { stripeApiFromEnv } from './stripe-api-from-env';
import { StripeBillingSources } from './stripe-billing-source';
import { StripeProviderLister } from './stripe-provider-lister';
import { StripeReemitter } from './stripe-reemitter';

/** Stripe's read API for billing-sync. */
export const STRIPE_BILLING_SOURCES: BillingSourceRow = {
  system: 'stripe',
  billingSourcesFromEnv() {
    const { stripe, account } = stripeApiFromEnv();
    // Connect: one source per Stripe account, the event's own (else the stage's STRIPE_ACCOUNT, else the platform).
    const sources = new StripeBillingSources(stripe, account);
    return (eventAccount) => sources.forAccount(eventAccount);
  },
};

/** Stripe's period and re-emitter for the scheduled reconciliation. */
export const STRIPE_RECONCILIATION_SOURCE: ReconciliationSourceRow = {
  system: 'stripe',
  reconciliationSourceFromEnv(publish) {
    // Connect: the account reconciled is STRIPE_ACCOUNT's (else the platform's).
    const { stripe, account } = stripeApiFromEnv();
    return { provider: new StripeProviderLister(stripe), reemitter: new StripeReemitter(stripe, publish, account) };
  },
};
