import type { ProviderModule } from '../provider-module';
import { stripeCurrencyExponent } from './stripe-currencies';

/** Stripe, as the flows see it: its name in Odoo and its currency facts. */
export const STRIPE_PROVIDER: ProviderModule = {
  system: 'stripe',
  displayName: 'Stripe',
  currencyExponent: stripeCurrencyExponent,
};
