import type { BillingSourceRow, ReconciliationSourceRow } from '../provider-module';
import { paypalApiFromEnv } from './paypal-api-from-env';
import { PaypalBillingSource } from './paypal-billing-source';
import { PaypalProviderLister } from './paypal-provider-lister';
import { PaypalReemitter } from './paypal-reemitter';

/** PayPal's read API for billing-sync. One PayPal account per stage, so the source ignores the event's account. */
export const PAYPAL_BILLING_SOURCES: BillingSourceRow = {
  system: 'paypal',
  billingSourcesFromEnv() {
    const source = new PaypalBillingSource(paypalApiFromEnv());
    return () => source;
  },
};

/** PayPal's period (Transaction Search) and re-emitter for the scheduled reconciliation. */
export const PAYPAL_RECONCILIATION_SOURCE: ReconciliationSourceRow = {
  system: 'paypal',
  reconciliationSourceFromEnv(publish) {
    const paypal = paypalApiFromEnv();
    return { provider: new PaypalProviderLister(paypal), reemitter: new PaypalReemitter(paypal, publish) };
  },
};
