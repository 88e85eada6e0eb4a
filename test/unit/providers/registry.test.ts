import { afterEach, describe, expect, it, vi } from 'vitest';
import { MissingConfigError } from '../../../functions/platform/env';
import { billingSourcesFromEnv } from '../../../functions/providers/billing-sources';
import { reconciliationSourcesFromEnv } from '../../../functions/providers/reconciliation-sources';
import { providerOf, UnknownProviderError } from '../../../functions/providers/registry';
import { PAYPAL_IN_ODOO } from '../../../functions/providers/paypal/paypal-provider-lister';
import { STRIPE_IN_ODOO } from '../../../functions/providers/stripe/stripe-provider-lister';

describe('provider registry', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('knows PayPal by its source system, with its display name and currency facts', () => {
    expect(providerOf('paypal').displayName).toBe('PayPal');
    expect(providerOf('paypal').currencyExponent('JPY')).toBe(0);
    expect(providerOf('paypal').currencyExponent('USD')).toBe(2);
  });

  it('builds only the read APIs of the providers the stage runs: a stage without PayPal needs no PayPal settings', () => {
    vi.stubEnv('STRIPE_API_KEY_SECRET_NAME', 'stripe-key');
    vi.stubEnv('PAYPAL_API_CREDENTIALS_SECRET_NAME', undefined);
    const sourceFor = billingSourcesFromEnv({ PROVIDER_SYSTEMS: 'stripe' });
    expect(sourceFor('stripe', null)).toBeDefined();
    expect(() => sourceFor('paypal', null)).toThrow(UnknownProviderError);
  });

  it('fails the cold start when a provider the stage runs lacks its settings', () => {
    vi.stubEnv('STRIPE_API_KEY_SECRET_NAME', 'stripe-key');
    vi.stubEnv('PAYPAL_API_CREDENTIALS_SECRET_NAME', undefined);
    expect(() => billingSourcesFromEnv({ PROVIDER_SYSTEMS: 'stripe,paypal' })).toThrow(/PAYPAL_API_CREDENTIALS_SECRET_NAME/);
  });

  it('refuses a provider list it cannot honour', () => {
    expect(() => billingSourcesFromEnv({})).toThrow(MissingConfigError);
    expect(() => billingSourcesFromEnv({ PROVIDER_SYSTEMS: 'stripe,paypall' })).toThrow(/paypall/);
  });

  it('gives the reconciliation the source of each provider the stage runs, in order, each knowing its own ids in Odoo', () => {
    vi.stubEnv('STRIPE_API_KEY_SECRET_NAME', 'stripe-key');
    vi.stubEnv('PAYPAL_API_CREDENTIALS_SECRET_NAME', 'paypal-credentials');
    const publish = async () => undefined;
    const both = reconciliationSourcesFromEnv(publish, { PROVIDER_SYSTEMS: 'stripe,paypal' });
    expect(both.sources.map(({ system, provider, reemitter }) => ({ system, inOdoo: provider.inOdoo, reemits: reemitter !== undefined }))).toEqual([
      { system: 'stripe', inOdoo: STRIPE_IN_ODOO, reemits: true },
      { system: 'paypal', inOdoo: PAYPAL_IN_ODOO, reemits: true },
    ]);
    expect(both.unreconciled).toEqual([]);
    expect(reconciliationSourcesFromEnv(publish, { PROVIDER_SYSTEMS: 'stripe' }).sources.map(({ system }) => system)).toEqual(['stripe']);
  });

  it('keeps each provider’s ids apart: no Stripe id is one of PayPal’s, and the other way round', () => {
    const stripeIds = { invoice: 'in_1Pgc6t', payment: 'inpay_1Pgc6t', refund: 're_3Pgc6t', credit_note: 'cn_1Pgc6t', dispute: 'dp_1Pgc6t' } as const;
    const paypalIds = { invoice: '2GG279541U471931P', payment: '2GG279541U471931P', refund: '1JU08902781691411', credit_note: '1JU08902781691411', dispute: 'PP-D-12345' } as const;
    for (const [type, id] of Object.entries(stripeIds)) expect(PAYPAL_IN_ODOO.ours[type as keyof typeof stripeIds].test(id)).toBe(false);
    for (const [type, id] of Object.entries(paypalIds)) expect(STRIPE_IN_ODOO.ours[type as keyof typeof paypalIds].test(id)).toBe(false);
  });
});
