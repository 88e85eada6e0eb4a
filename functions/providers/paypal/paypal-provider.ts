import type { ProviderModule } from '../provider-module';
import { paypalApiFromEnv } from './paypal-api-from-env';
import { PaypalBillingSource } from './paypal-billing-source';
import { paypalCurrencyExponent } from './paypal-currencies';
import { PaypalProviderLister } from './paypal-provider-lister';
import { PaypalReemitter } from './paypal-reemitter';

/**
 * PayPal as the flows see it: its name in Odoo, its currency facts, its read API. One PayPal account per stage,
 * so the source ignores the event's account.
 */
export const PAYPAL_PROVIDER: ProviderModule = {
  system: 'paypal',
  displayName: 'PayPal',
  currencyExponent: paypalCurrencyExponent,
  billingSourcesFromEnv() {
    const source = new PaypalBillingSource(paypalApiFromEnv());
    return () => source;
  },
  reconciliationSourceFromEnv(publish) {
    const paypal = paypalApiFromEnv();
    return { provider: new PaypalProviderLister(paypal), reemitter: new PaypalReemitter(paypal, publish) };
  },
};
