import type { ProviderModule } from '../provider-module';
import { paypalCurrencyExponent } from './paypal-currencies';

/** PayPal as the flows see it: its name in Odoo and its currency facts. */
export const PAYPAL_PROVIDER: ProviderModule = {
  system: 'paypal',
  displayName: 'PayPal',
  currencyExponent: paypalCurrencyExponent,
};
