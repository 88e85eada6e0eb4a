import type { SourceSystem } from '../../../events/envelope';
import type { BillingSource } from '../../domain/billing-ledger';
import { paypalApiFromEnv } from './paypal-api-from-env';
import { PaypalBillingSource } from './paypal-billing-source';
import { paypalCurrencyExponent } from './paypal-currencies';

/**
 * PayPal as the flows see it: its name in Odoo, its currency facts, its read API. Shaped as the re-cut's
 * `ProviderModule` (functions/providers/provider-module.ts there): its row in providers/registry.ts is
 * `PAYPAL_PROVIDER`. One PayPal account per stage, so the source ignores the event's account.
 */
export const PAYPAL_PROVIDER: {
  readonly system: SourceSystem;
  readonly displayName: string;
  currencyExponent(currency: string): number;
  billingSourcesFromEnv(): (account: string | null) => BillingSource;
} = {
  system: 'paypal',
  displayName: 'PayPal',
  currencyExponent: paypalCurrencyExponent,
  billingSourcesFromEnv() {
    const source = new PaypalBillingSource(paypalApiFromEnv());
    return () => source;
  },
};
