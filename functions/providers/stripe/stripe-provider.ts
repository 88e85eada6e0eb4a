import type { ProviderModule } from '../provider-module';
import { stripeApiFromEnv } from './stripe-api-from-env';
import { StripeBillingSources } from './stripe-billing-source';
import { stripeCurrencyExponent } from './stripe-currencies';
import { StripeProviderLister } from './stripe-provider-lister';
import { StripeReemitter } from './stripe-reemitter';

/** Stripe, as the flows see it: its name in Odoo, its currency facts, its read API. */
export const STRIPE_PROVIDER: ProviderModule = {
  system: 'stripe',
  displayName: 'Stripe',
  currencyExponent: stripeCurrencyExponent,
  billingSourcesFromEnv() {
    const { stripe, account } = stripeApiFromEnv();
    // Connect: one source per Stripe account, the event's own (else the stage's STRIPE_ACCOUNT, else the platform).
    const sources = new StripeBillingSources(stripe, account);
    return (eventAccount) => sources.forAccount(eventAccount);
  },
  reconciliationSourceFromEnv(publish) {
    // Connect: the account reconciled is STRIPE_ACCOUNT's (else the platform's).
    const { stripe, account } = stripeApiFromEnv();
    return { provider: new StripeProviderLister(stripe), reemitter: new StripeReemitter(stripe, publish, account) };
  },
};
